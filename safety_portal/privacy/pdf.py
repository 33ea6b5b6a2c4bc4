"""The subject access export as a PDF: the same data as the JSON, laid out to read.

The JSON carries ISO dates (right for a machine); for people, its dates and times are turned back
into dates here and the template writes them as "5 November 2026, 21:04", in the school's time zone.
"""

import datetime

from django.template.loader import render_to_string

from agreements.certificate import url_fetcher
from safety_portal.school.models import SchoolProfile

# The keys of subject_access_data() that hold a moment (ISO date and time) or a day (ISO date).
MOMENT_KEYS = frozenset({
    "produced_at", "reported_at", "occurred_at", "closed_at", "at", "happened_at", "recorded_at",
    "corrects_entry_recorded_at", "when", "uploaded_at", "decided_at", "signed_at", "started_at", "sent_at",
    "first_opened_at", "expires_at", "withdrawn_at", "listed_at", "reviewed_at",
})
DAY_KEYS = frozenset({"date_of_birth", "admission_date", "leaving_date", "date"})


def _readable(value, key=None):
    """A copy of the export with its ISO dates as datetime and date objects, for the date filter."""
    if isinstance(value, dict):
        return {k: _readable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(item) for item in value]
    if isinstance(value, str) and value:
        if key in MOMENT_KEYS:
            return datetime.datetime.fromisoformat(value)
        if key in DAY_KEYS:
            return datetime.date.fromisoformat(value)
    return value


def subject_access_html(data):
    return render_to_string("privacy/subject_access_pdf.html",
                            {"data": _readable(data), "school": SchoolProfile.load()})


def subject_access_pdf(data):
    # Imported here: WeasyPrint loads Pango, which slows every process's start for a rare download.
    import weasyprint

    return weasyprint.HTML(string=subject_access_html(data), url_fetcher=url_fetcher()).write_pdf()
