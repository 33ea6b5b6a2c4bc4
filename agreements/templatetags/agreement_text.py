from django import template
from django.utils.safestring import mark_safe

from agreements.markdown import markdown_to_safe_html

register = template.Library()


@register.filter
def agreement_html_without_links(version):
    """A version's text for the pupil and kiosk devices: sanitised, and links shown as plain words."""
    return mark_safe(markdown_to_safe_html(version.body, links=False))  # noqa: S308 -- cleaned by nh3
