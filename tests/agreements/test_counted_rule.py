"""Which signatures count: one rule (Signature.objects.counted()), and every place that asks agrees with it."""

import pytest
from django.urls import reverse

from agreements import compliance, services
from agreements.models import Agreement, Audience, DeviceSession, Signature
from agreements.outstanding import agreements_to_sign
from safety_portal.school import roles
from tests.agreements.factories import make_link, publish
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _staff_signs(user):
    return services.signature_record_for_account(user=user, version=services.current_version_for(Audience.STAFF),
                                                 typed_name="A Teacher")


def test_a_signature_counts_from_the_version_that_asked_everyone_to_sign_again():
    publish(Audience.STAFF)
    early, late = user_with_role(roles.STAFF), user_with_role(roles.STAFF)
    first = _staff_signs(early)
    publish(Audience.STAFF, body="A small change.")  # earlier signatures still count
    second = _staff_signs(late)
    assert set(Signature.objects.counted()) == {first, second}
    publish(Audience.STAFF, body="Everyone signs again.", requires_resign=True)
    assert not Signature.objects.counted().exists()
    third = _staff_signs(early)
    assert list(Signature.objects.counted()) == [third]
    assert {s: s.is_counted for s in Signature.objects.with_counted()} == {first: False, second: False, third: True}


def test_the_agreement_says_the_same_of_a_loaded_signature_as_the_query():
    publish(Audience.STAFF)
    users = [user_with_role(roles.STAFF) for _user in range(3)]
    _staff_signs(users[0])
    publish(Audience.STAFF, body="A small change.")
    _staff_signs(users[1])
    publish(Audience.STAFF, body="Everyone signs again.", requires_resign=True)
    _staff_signs(users[2])
    publish(Audience.STAFF, body="Another small change.")
    agreement = Agreement.objects.get(audience=Audience.STAFF)
    for signature in Signature.objects.with_counted().select_related("version"):
        assert agreement.counts_signature(signature) == signature.is_counted


def test_a_pupil_audience_counts_only_the_pupils_own_signature_and_parents_only_a_guardians():
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    link, _token = make_link(year_group=4)
    parent_signatures = services.signature_record_for_guardian(link=link, typed_name="Pat Parent",
                                                                discussed_with_child=True)
    session = services.device_session_start(kind=DeviceSession.Kind.CLASS, user=user_with_role(roles.STAFF),
                                            reg_class=link.pupil.reg_class)
    own = services.signature_record_for_pupil(device_session=session, pupil=link.pupil, typed_name="A Pupil")
    on_parent_agreement = next(s for s in parent_signatures if s.version.agreement.audience == Audience.PARENT)
    assert list(compliance.counting_signatures(Audience.PUPIL_KS2)) == [own]
    assert list(compliance.counting_signatures(Audience.PARENT)) == [on_parent_agreement]
    assert set(compliance.counting_signatures(Audience.PARENT, Audience.PUPIL_KS2)) == {own, on_parent_agreement}
    assert not compliance.counting_signatures().exists()
    assert compliance.signed_pupil_ids([link.pupil.pk]) == {link.pupil.pk}


def test_a_parents_key_stage_signature_alone_does_not_make_the_pupil_signed():
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    link, _token = make_link(year_group=4)
    services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)
    assert compliance.signed_pupil_ids([link.pupil.pk]) == set()
    summary = compliance.audience_summary(Agreement.objects.get(audience=Audience.PUPIL_KS2))
    assert (summary.total, summary.signed) == (1, 0)


def test_what_a_person_still_has_to_sign_follows_the_rule():
    publish(Audience.STAFF)
    teacher = user_with_role(roles.STAFF)
    assert [a.audience for a in agreements_to_sign(teacher)] == [Audience.STAFF]
    _staff_signs(teacher)
    assert agreements_to_sign(teacher) == []
    publish(Audience.STAFF, body="A small change.")
    assert agreements_to_sign(teacher) == []
    publish(Audience.STAFF, body="Everyone signs again.", requires_resign=True)
    assert [a.audience for a in agreements_to_sign(teacher)] == [Audience.STAFF]


def test_the_publish_page_counts_the_signatures_a_sign_again_version_would_stop_counting(client):
    publish(Audience.STAFF)
    for _user in range(2):
        _staff_signs(user_with_role(roles.STAFF))
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD)
    agreement = Agreement.objects.get(audience=Audience.STAFF)
    services.version_draft_start(agreement=agreement, user=lead)
    client.force_login(lead)
    response = client.get(reverse("agreements:draft_publish", args=[Audience.STAFF]))
    assert response.context["counting_signatures"] == 2
