"""The demo agreements: every audience published, staff with and without signatures, a class pack
partly signed with reminders open, pupils and visitors who signed, all through the services, once."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agreements.demo import PACK_CLASS, PACK_TITLE, agreements_demo_load
from agreements.models import (
    Agreement,
    Audience,
    DeviceSession,
    Signature,
    SigningLink,
    SigningPack,
    VersionStatus,
    Visitor,
)
from agreements.outstanding import agreements_to_sign, first_stop_after_login
from safety_portal.audit.models import AuditEvent
from safety_portal.school.demo import demo_load
from safety_portal.school.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo")  # the school, its incidents, then the agreements


def _user(email):
    return User.objects.get(email=email)


def test_every_audience_has_version_one_published_by_the_online_safety_lead(demo):
    lead = _user("online.safety@demo.school")
    for agreement in Agreement.objects.select_related("current_version"):
        version = agreement.current_version
        assert version is not None, agreement
        assert (version.number, version.status, version.published_by) == (1, VersionStatus.PUBLISHED, lead)
        assert version.is_intact()
    assert AuditEvent.objects.filter(action="agreements.version.published").count() == len(Audience)


def test_some_demo_logins_are_asked_to_sign_and_the_dsl_and_head_are_not(demo):
    for email in ("dsl@demo.school", "head@demo.school", "office@demo.school", "governor@demo.school"):
        assert agreements_to_sign(_user(email)) == [], email
        assert first_stop_after_login(_user(email), "/") is None
    for email in ("teacher@demo.school", "it@demo.school", "online.safety@demo.school"):
        assert agreements_to_sign(_user(email)), email
    lead_outstanding = {agreement.audience for agreement in agreements_to_sign(_user("online.safety@demo.school"))}
    assert lead_outstanding == {Audience.STAFF, Audience.SOCIAL_MEDIA}


def test_a_class_pack_is_partly_signed_with_reminders_open_and_one_link_revoked(demo):
    pack = SigningPack.objects.get(title=PACK_TITLE)
    links = SigningLink.objects.filter(pack=pack)
    assert links.exists() and {link.pupil.reg_class for link in links} == {PACK_CLASS}
    parent_signatures = Signature.objects.filter(link__pack=pack)
    families = {signature.pupil_id for signature in parent_signatures}
    assert len(families) >= 2
    for pupil_id in families:
        audiences = {s.version.agreement.audience for s in parent_signatures.filter(pupil_id=pupil_id)}
        assert audiences == {Audience.PARENT, Audience.PUPIL_KS2}  # two signatures each, through the service
    assert links.filter(revoked_at__isnull=False).count() == 1
    outstanding = links.filter(revoked_at__isnull=True).exclude(pupil_id__in=families)
    assert outstanding.exists() and all(link.reminders_sent == 1 for link in outstanding)
    assert pack.created_at <= timezone.now()
    assert AuditEvent.objects.filter(action="agreements.pack.sent").count() == 1
    assert AuditEvent.objects.filter(action="agreements.link.reminded").count() == outstanding.count()


def test_pupils_signed_in_a_class_session_and_visitors_at_the_kiosk_over_past_weeks(demo):
    pupil_signatures = Signature.objects.filter(pupil__isnull=False, guardian__isnull=True)
    assert pupil_signatures.count() >= 2
    assert all(s.device_session.kind == DeviceSession.Kind.CLASS for s in pupil_signatures)
    assert not DeviceSession.objects.filter(ended_at__isnull=True).exists()  # no device left handed over
    visitors = Visitor.objects.all()
    assert visitors.count() >= 5
    assert all(visitor.signatures.exists() and visitor.kiosk is not None for visitor in visitors)
    days = {timezone.localdate(visitor.arrived_at) for visitor in visitors}
    assert len(days) >= 4 and min(days) <= timezone.localdate() - datetime.timedelta(days=14)
    assert max(visitor.arrived_at for visitor in visitors) <= timezone.now()


def test_loading_the_demo_agreements_twice_creates_nothing(demo):
    counts = {model: model.objects.count() for model in (Signature, SigningLink, SigningPack, Visitor,
                                                          DeviceSession, AuditEvent)}
    links = list(SigningLink.objects.order_by("pk").values())
    assert agreements_demo_load() == 0
    assert demo_load() == 0
    assert {model: model.objects.count() for model in counts} == counts
    assert list(SigningLink.objects.order_by("pk").values()) == links


def test_without_the_demo_school_nothing_is_created(db):
    assert agreements_demo_load(today=datetime.date(2026, 11, 20)) == 0
    assert not Signature.objects.exists()


def test_the_record_shows_the_demo_data(demo, client):
    client.force_login(_user("dsl@demo.school"))
    overview = client.get(reverse("agreements:compliance"))
    assert overview.status_code == 200
    staff = next(s for s in overview.context["summaries"] if s.audience == Audience.STAFF)
    assert 0 < staff.signed < staff.total
    parents = client.get(reverse("agreements:compliance_audience", args=[Audience.PARENT]),
                         {"reg_class": PACK_CLASS})
    assert parents.status_code == 200
    states = [row.is_signed for row in parents.context["rows"]]
    assert True in states and False in states
    content = parents.content.decode()
    assert "1 reminder" in content and "revoked" in content
    pupils = client.get(reverse("agreements:compliance_audience", args=[Audience.PUPIL_KS2]),
                        {"reg_class": PACK_CLASS, "status": "signed"})
    assert len(pupils.context["rows"]) >= 2
    visitors = client.get(reverse("agreements:compliance_audience", args=[Audience.VISITOR]))
    assert visitors.status_code == 200
    home = client.get("/")
    assert {"aup_compliance", "to_sign"} <= {panel.key for panel in home.context["panels"]}


def test_demo_shows_a_family_the_pack_could_not_reach_and_the_guest_wifi_note(db):
    from agreements.models import Agreement, Audience, SigningPack
    from safety_portal.school.demo import demo_load

    demo_load()
    pack = SigningPack.objects.get()
    assert pack.unreached_pupils.count() == 1
    assert "Wi-Fi" in Agreement.objects.get(audience=Audience.VISITOR).after_signing_note
