import datetime

import factory
from django.utils import timezone

from incidents import models
from incidents.models import Area, Incident, IncidentPupil, IncidentType, Location, Status, sensitivity_of
from safety_portal.school.models import Pupil
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


def bulk_school(incidents, pupils, reporter, batch):
    """Thousands of incidents and pupils in a few statements (factories would take minutes)."""
    Pupil.objects.bulk_create([
        Pupil(mis_id=f"BULK{batch}{n:06d}", first_name="Pupil", last_name=f"Number{n}", year_group=n % 12,
              reg_class=f"{n % 12}{'AB'[n % 2]}") for n in range(pupils)], batch_size=1000)
    pupil_ids = list(Pupil.objects.filter(mis_id__startswith=f"BULK{batch}")
                     .order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    types = list(IncidentType)
    Incident.objects.bulk_create([
        Incident(reference=f"OS-{2000 + batch}-{n:05d}", reported_by=reporter,
                 occurred_at=now - datetime.timedelta(hours=n), reported_at=now - datetime.timedelta(hours=n),
                 location=Location.ONLINE_OUTSIDE,
                 description="Bulk", incident_type=types[n % len(types)], area=Area.CONDUCT,
                 sensitivity=sensitivity_of(types[n % len(types)]), immediate_risk=n % 97 == 0,
                 status=[Status.NEW, Status.OPEN, Status.CLOSED][n % 3], owner=reporter)
        for n in range(incidents)], batch_size=1000)
    incident_ids = list(Incident.objects.filter(reference__startswith=f"OS-{2000 + batch}-")
                        .order_by("pk").values_list("pk", flat=True))
    IncidentPupil.objects.bulk_create([
        IncidentPupil(incident_id=incident_id, pupil_id=pupil_ids[(index + k) % len(pupil_ids)])
        for index, incident_id in enumerate(incident_ids) for k in range(1 + index % 3)], batch_size=2000)
