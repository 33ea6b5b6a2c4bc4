"""The benchmark's data generator (bench/generate.py) still fits the models.

`make bench` is not part of `make test`, so without this a new required field or constraint would
break it unnoticed until someone next measures.
"""

import pytest
from django.utils import timezone

from agreements.models import Signature
from bench import generate
from consent.models import ConsentDecision
from incidents.models import ChronologyEntry, Incident
from safety_portal.school.models import Pupil, Term

pytestmark = pytest.mark.django_db


def test_a_small_school_is_generated_with_each_kind_of_record_in_proportion(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    summary = generate.generate(0.02)
    assert Pupil.objects.count() == summary["pupils"] == 30
    assert Incident.objects.count() == summary["incidents"] == 200
    assert Signature.objects.count() == summary["signatures"] == 400
    assert ConsentDecision.objects.count() == summary["consent decisions"] == 800
    assert ChronologyEntry.objects.count() == summary["chronology entries"] >= 200
    # The termly report is measured on the last finished term: it holds its share of incidents.
    term = generate.report_term_for(list(Term.objects.order_by("start_date")), timezone.localdate())
    in_term = Incident.objects.filter(reported_at__date__gte=term.reporting_start,
                                      reported_at__date__lte=term.reporting_end).count()
    assert in_term == round(generate.REPORT_TERM_INCIDENTS * 0.02)


def test_a_database_that_already_holds_pupils_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Pupil.objects.create(mis_id="X1", first_name="A", last_name="B", year_group=7)
    with pytest.raises(SystemExit):
        generate.generate(0.02)
