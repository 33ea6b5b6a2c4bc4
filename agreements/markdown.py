"""Agreement text is written in Markdown and shown as sanitised HTML.

Raw HTML in the text is escaped, never passed through; the result is then cleaned against an
allowlist, so neither a script nor an event handler can reach a parent's phone.
"""

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h1", "h2", "h3", "h4", "blockquote", "hr", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"https", "http", "mailto", "tel"}


def _converter():
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    # Without these two, raw HTML blocks and inline tags are escaped as text.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def markdown_to_safe_html(text, *, links=True):
    """Sanitised HTML. With links=False a link shows as its words only: a device handed to
    pupils or visitors must offer no way out of its signing pages."""
    html = _converter().convert(text or "")
    if not links:
        return nh3.clean(html, tags=ALLOWED_TAGS - {"a"}, attributes={}, url_schemes=ALLOWED_SCHEMES)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
                     link_rel="noopener noreferrer nofollow")
