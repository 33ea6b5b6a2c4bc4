"""Shared set-up for consent tests."""

from django.utils import timezone

from consent.models import ConsentDecision, ConsentPurpose, ConsentSettings, DecisionMethod
from consent.services import purposes_ensure


def purposes():
    """The starter purposes (a transactional test may have emptied the table)."""
    purposes_ensure()
    return list(ConsentPurpose.objects.all())


def purpose(name="School website", renew_each_year=False):
    found, _created = ConsentPurpose.objects.get_or_create(
        name=name, defaults={"description": f"{name}: where images appear.", "renew_each_year": renew_each_year})
    return found


def decide(pupil, guardian, purpose, answer, *, when=None, method=DecisionMethod.ONLINE):
    """A decision straight into the history (tests of the rule, not of the services)."""
    return ConsentDecision.objects.create(pupil=pupil, guardian=guardian, purpose=purpose, answer=answer,
                                          method=method, decided_at=when or timezone.now())


def every_guardian_must_agree(value=True):
    ConsentSettings.objects.update_or_create(pk=1, defaults={"every_guardian_must_agree": value})
