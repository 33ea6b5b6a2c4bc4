import datetime

import factory
from django.utils import timezone

from incidents import models
from tests.factories import PupilFactory, UserFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Incident
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"OS-2026-{n + 1:04d}")
    reported_by = factory.SubFactory(UserFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=2))
    location = models.Location.IN_SCHOOL
    description = "A pupil was sent unkind messages in a group chat."
    incident_type = models.IncidentType.CYBERBULLYING
    area = models.Area.CONDUCT
    sensitivity = factory.LazyAttribute(lambda o: models.sensitivity_of(o.incident_type))


class IncidentPupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IncidentPupil

    incident = factory.SubFactory(IncidentFactory)
    pupil = factory.SubFactory(PupilFactory)
    role = models.PupilRole.AFFECTED
