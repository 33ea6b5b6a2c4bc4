"""The "do not photograph" list as a PDF to print for a trip or an event: dated, named and marked
confidential on every page."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from agreements.certificate import url_fetcher


def dnp_html(*, rows, filters, school, user, made_at):
    return render_to_string("consent/dnp_pdf.html", {
        "rows": rows, "filters": filters, "school": school, "made_by": user.get_full_name() or user.email,
        "made_at": timezone.localtime(made_at), "any_purpose": filters.chosen_purpose is None,
    })


def dnp_pdf(*, rows, filters, school, user, made_at):
    # Imported here: WeasyPrint loads Pango, which slows every process's start for a rare download.
    import weasyprint

    html = dnp_html(rows=rows, filters=filters, school=school, user=user, made_at=made_at)
    return weasyprint.HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def dnp_filename(filters, made_at):
    group = slugify(str(filters.group_label))[:30] or "school"
    return f"do-not-photograph-{group}-{timezone.localtime(made_at):%Y-%m-%d}.pdf"
