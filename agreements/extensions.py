"""Where other apps add to a parent's personal-link page.

pack_section_providers: fn(request, link, token) -> (template name, context) or None. Each
section is shown below the agreements on the pack page and on its confirmation page; photo
consent registers one from its AppConfig.ready(), so agreements imports nothing from consent.
"""

pack_section_providers = []


def pack_sections(request, link, token):
    sections = []
    for provider in pack_section_providers:
        section = provider(request, link, token)
        if section:
            sections.append(section)
    return sections
