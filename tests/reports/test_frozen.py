"""A finalised report is kept exactly as it was: the database refuses to change it."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from safety_portal.reports.models import Report, State
from tests.factories import TermFactory, user_with_role

pytestmark = pytest.mark.django_db


def _final(term, **fields):
    return Report.objects.create(
        term=term, state=State.FINAL, figures={"version": 1}, pdf="reports/a.pdf", pdf_sha256="a" * 64,
        finalised_at=timezone.now(), finalised_by=user_with_role("DSL"), **fields)


def test_a_finalised_report_cannot_be_changed_but_can_be_superseded():
    report = _final(TermFactory())
    for change in ({"pdf": "reports/b.pdf"}, {"pdf_sha256": "b" * 64}, {"figures": {"version": 2}},
                   {"state": State.DRAFT}, {"finalised_at": timezone.now() - datetime.timedelta(days=1)},
                   {"replace_reason": "Rewritten afterwards"}, {"generated_at": timezone.now()}):
        with pytest.raises(DatabaseError), transaction.atomic():
            Report.objects.filter(pk=report.pk).update(**change)
    Report.objects.filter(pk=report.pk).update(state=State.SUPERSEDED, superseded_at=timezone.now())
    with pytest.raises(DatabaseError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(state=State.FINAL)
    with pytest.raises(DatabaseError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(superseded_at=timezone.now() + datetime.timedelta(days=3))
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Report.objects.filter(pk=report.pk).delete()


def test_a_draft_can_still_change():
    draft = Report.objects.create(term=TermFactory(), state=State.DRAFT, figures={"version": 1})
    Report.objects.filter(pk=draft.pk).update(figures={"version": 2}, progress=100)
    assert Report.objects.get(pk=draft.pk).figures == {"version": 2}


def test_one_finalised_report_per_term():
    term = TermFactory()
    _final(term)
    with pytest.raises(IntegrityError), transaction.atomic():
        _final(term)


def test_a_finalised_report_needs_its_file_and_checksum():
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(term=TermFactory(), state=State.FINAL, finalised_at=timezone.now())
