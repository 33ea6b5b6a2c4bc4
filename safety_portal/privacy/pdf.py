"""The subject access export as a PDF: the same data as the JSON, laid out to read."""

from django.template.loader import render_to_string

from agreements.certificate import url_fetcher
from safety_portal.school.models import SchoolProfile


def subject_access_html(data):
    return render_to_string("privacy/subject_access_pdf.html", {"data": data, "school": SchoolProfile.load()})


def subject_access_pdf(data):
    # Imported here: WeasyPrint loads Pango, which slows every process's start for a rare download.
    import weasyprint

    return weasyprint.HTML(string=subject_access_html(data), url_fetcher=url_fetcher()).write_pdf()
