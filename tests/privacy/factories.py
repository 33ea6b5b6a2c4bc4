"""Records at known points of their retention period."""

import datetime

from django.utils import timezone

from agreements.models import Audience, Signature
from incidents.models import IncidentType, Status
from tests.agreements.factories import guardian_with_child, publish
from tests.consent.factories import decide, purpose
from tests.factories import PupilFactory
from tests.incidents.factories import IncidentFactory, IncidentPupilFactory

LONG_AGO = datetime.date(1990, 3, 1)  # more than 25 years before any test's today
RECENTLY = datetime.date(2015, 5, 1)


def closed_incident(*, pupils=(), child_protection=True, closed_at=None, incident_type=IncidentType.CYBERBULLYING,
                    **kwargs):
    incident = IncidentFactory(status=Status.CLOSED, child_protection=child_protection,
                               closed_at=closed_at or timezone.now(), incident_type=incident_type, **kwargs)
    for pupil in pupils:
        IncidentPupilFactory(incident=incident, pupil=pupil)
    return incident


def grown_up_pupil(**kwargs):
    return PupilFactory(date_of_birth=LONG_AGO, **kwargs)


def leaver(years_ago, **kwargs):
    today = timezone.localdate()
    return PupilFactory(leaving_date=today.replace(year=today.year - years_ago) - datetime.timedelta(days=1),
                        **kwargs)


def pupil_signature(pupil, *, version=None, guardian=None):
    version = version or publish(Audience.PUPIL_KS2)
    return Signature.objects.create(version=version, content_hash=version.content_hash, pupil=pupil,
                                    guardian=guardian, typed_name="Typed name", method="typed",
                                    signed_at=timezone.now() - datetime.timedelta(days=900))


def consent_decision(pupil, answer=True):
    pupil, guardian = guardian_with_child(pupil=pupil)
    return decide(pupil, guardian, purpose(), answer)
