"""The governor report as a document: HTML for the preview in the portal and a PDF for the record.

Both are drawn from a report's stored figures alone (never the database), so a finalised report's
PDF says what its figures said, and the preview shows exactly what the PDF will.
"""

import logging
import re
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from agreements.certificate import url_fetcher
from safety_portal.reports import charts

logger = logging.getLogger(__name__)

# PDF/UA-1: a tagged PDF with a language and a title, which screen readers can follow.
PDF_VARIANT = "pdf/ua-1"


def css_string(text):
    """Words for a CSS `content:` value, quoted and escaped: only letters, digits and a few marks go
    in as they are, anything else as a CSS escape, so no translation can break out of the string."""
    safe = " -.,:;()"
    escaped = "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in str(text))
    return mark_safe(f'"{escaped}"')


def page_numbers():
    """"Page N of M" for the page footer, as CSS `content:` parts, from one sentence to translate (so a
    language can put the numbers in its own order)."""
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    pieces = re.split(r"(\{page\}|\{pages\})", _("Page {page} of {pages}"))
    return mark_safe(" ".join(counters.get(piece) or css_string(piece) for piece in pieces if piece))


def _parse_datetime(value):
    moment = datetime.fromisoformat(value) if value else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment) if moment is not None else None


def _parse_date(value):
    return date.fromisoformat(value) if value else None


def _has_rows(breakdown):
    """A breakdown worth a table: it has rows, and they are not all zero."""
    rows = (breakdown or {}).get("rows") or []
    return any(row.get("value") != 0 for row in rows)


def _charts(figures):
    incidents = figures.get("incidents") or {}
    if not incidents.get("has_data"):
        return {}
    made = {}
    by_area = incidents.get("by_area")
    # A suppressed breakdown has nothing to draw: every cell is the same word.
    if _has_rows(by_area) and not by_area.get("suppressed"):
        made["by_area"] = charts.bar_chart(by_area["rows"], title=_("Incidents by 4C area this term"))
    trend = incidents.get("trend")
    if trend and trend.get("terms") and trend.get("series"):
        made["trend"] = charts.trend_chart(
            trend, title=_("Incidents by 4C area in each of the last three terms"), prefix="report-trend"
        )
    return made


def sections():
    """The report's sections in order: id (for the contents links) and heading."""
    return {
        "headline": _("Headline figures"),
        "areas": _("Incidents by 4C area and by type"),
        "pupils": _("Incidents by key stage and year group"),
        "where": _("Incidents by location and by device"),
        "trend": _("Three-term trend by area"),
        "referrals": _("Referrals and parents informed"),
        "filtering": _("Filtering and monitoring"),
        "agreements": _("Acceptable-use agreements"),
        "consent": _("Photo consent"),
        "policies": _("Policies"),
        "training": _("Training"),
    }


def document_context(figures, *, for_pdf=False):
    """What the templates read: the figures as stored, plus dates parsed, charts drawn and the words
    that go into the page margins."""
    term = figures.get("term") or {}
    return {
        "figures": figures,
        "term": term,
        "term_start": _parse_date(term.get("start")),
        "term_end": _parse_date(term.get("end")),
        "generated_at": _parse_datetime(figures.get("generated_at")),
        "incidents": figures.get("incidents") or {},
        "referrals": figures.get("referrals") or {},
        "filtering": figures.get("filtering") or {},
        "agreements": figures.get("agreements") or {},
        "consent": figures.get("consent") or {},
        "policies": figures.get("policies") or {},
        "training": figures.get("training") or {},
        "sections": sections(),
        "charts": _charts(figures),
        "for_pdf": for_pdf,
        # "en-gb" -> "en-GB": the form the lang attribute and the PDF's language expect.
        "language": to_locale(get_language() or settings.LANGUAGE_CODE).replace("_", "-"),
        "marking": _("OFFICIAL-SENSITIVE"),
        "css_marking": css_string(_("OFFICIAL-SENSITIVE")),
        "css_page_numbers": page_numbers(),
    }


def document_fragment(figures):
    """The report's body, for the preview inside a portal page (which brings report.css)."""
    return render_to_string("reports/_doc_body.html", document_context(figures))


def document_html(figures, *, for_pdf=False):
    """The whole report as one standalone HTML page: with the print stylesheet for the PDF, or with
    the screen stylesheet for a preview on its own."""
    return render_to_string("reports/document.html", document_context(figures, for_pdf=for_pdf))


def document_pdf(figures):
    """The report as an A4 PDF (PDF/UA-1 where WeasyPrint can make it; a plain PDF otherwise)."""
    # Imported here: WeasyPrint loads Pango, which slows every process's start for a rare download.
    import weasyprint

    document = weasyprint.HTML(string=document_html(figures, for_pdf=True), url_fetcher=url_fetcher())
    try:
        return document.write_pdf(pdf_variant=PDF_VARIANT)
    except Exception:
        # An accessible PDF is better, but a PDF is what the governors need: never fail for the variant.
        logger.exception("PDF/UA rendering failed; rendering a plain PDF instead")
        return document.write_pdf()


def document_filename(figures):
    term = slugify((figures.get("term") or {}).get("label", "")) or "term"
    return f"governor-report-{term}.pdf"
