"""A governor report in a real browser: the DSL waits for the draft (the page polls and reloads by
itself), finalises it, and a governor signs in, downloads the finalised PDF and it reads as the report."""

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from safety_portal.reports import services
from safety_portal.reports.models import Report, State
from tests.factories import school_year
from tests.incidents.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dsl_waits_for_the_draft_and_a_governor_downloads_the_final_pdf(new_page, log_in, dsl_user,
                                                                             governor_user):
    term = school_year(2025)[0]
    IncidentFactory(description="Private details the governors must never read",
                    reported_at=timezone.make_aware(datetime.datetime.combine(term.start_date, datetime.time(10))))
    report = Report.objects.create(term=term, state=State.GENERATING, requested_by=dsl_user)

    dsl = new_page()
    log_in(dsl, dsl_user)
    dsl.goto(f"/reports/{report.pk}/")
    expect(dsl.get_by_text("Preparing the report… this can take a minute")).to_be_visible()
    Report.objects.filter(pk=report.pk).update(progress=60)
    expect(dsl.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "60")

    services.report_generate(report.pk)  # the worker finishes: the page reloads by itself
    expect(dsl.get_by_test_id("state")).to_have_text("Draft")
    dsl.get_by_label("I have checked these figures").check()
    dsl.get_by_role("button", name="Finalise the report").click()
    expect(dsl.get_by_test_id("state")).to_have_text("Finalised")

    governor = new_page()
    log_in(governor, governor_user)
    governor.goto("/reports/")
    with governor.expect_download() as download_info:
        governor.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "online-safety-report-2025-autumn.pdf"
    with open(download.path(), "rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "OFFICIAL-SENSITIVE" in text and str(term) in text
    assert "Recorded this term (Autumn 2025/26)" in text  # the term has its incident: its figures are in
    assert "Private details" not in text
