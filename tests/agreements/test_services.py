"""The agreement rules at the service level: versions freeze, signatures are once per signer."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from agreements import services
from agreements.models import Agreement, AgreementVersion, Audience, Signature, VersionStatus
from agreements.outstanding import agreements_to_sign
from tests.agreements.factories import make_link, publish
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_every_audience_starts_with_a_starter_draft():
    services.agreements_ensure()
    assert Agreement.objects.count() == len(Audience)
    for agreement in Agreement.objects.all():
        draft = agreement.versions.get()
        assert draft.status == VersionStatus.DRAFT and draft.number == 1
        assert len(draft.body) > 200
        assert agreement.current_version is None


def test_publishing_freezes_the_text_and_hash():
    version = publish(Audience.STAFF)
    assert version.status == VersionStatus.PUBLISHED
    assert version.content_hash == version.computed_hash() and len(version.content_hash) == 64
    with pytest.raises(services.VersionFrozen):
        services.version_draft_save(version=version, title="x", body="changed", change_summary="",
                                    requires_resign=False, user=UserFactory())
    version.refresh_from_db()
    assert "changed" not in version.body


def test_the_database_refuses_to_change_a_published_text():
    version = publish(Audience.STAFF)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(body="rewritten behind the portal's back")
    version.refresh_from_db()
    assert version.is_intact()


def test_the_database_refuses_to_change_a_signature():
    version = publish(Audience.STAFF)
    user = user_with_role("Staff")
    signature = services.signature_record_for_account(user=user, version=version, typed_name="A Teacher")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(typed_name="Someone else")
    signature.refresh_from_db()
    assert signature.typed_name == "A Teacher"


def test_new_version_retires_the_old_and_keeps_signatures_unless_everyone_must_sign_again():
    user = user_with_role("Staff")
    first = publish(Audience.STAFF)
    services.signature_record_for_account(user=user, version=first, typed_name="A Teacher")
    assert agreements_to_sign(user) == []

    second = publish(Audience.STAFF, body="Small wording fix.")
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert agreements_to_sign(user) == []  # the earlier signature still counts

    publish(Audience.STAFF, body="New rules.", requires_resign=True)
    assert [a.audience for a in agreements_to_sign(user)] == [Audience.STAFF]
    assert Signature.objects.filter(user=user).count() == 1  # history kept
    assert second.pk != first.pk


def test_signing_twice_raises_already_signed_and_keeps_one():
    version = publish(Audience.STAFF)
    user = user_with_role("Staff")
    services.signature_record_for_account(user=user, version=version, typed_name="A Teacher")
    with pytest.raises(services.AlreadySigned):
        services.signature_record_for_account(user=user, version=version, typed_name="A Teacher")
    assert Signature.objects.filter(user=user, version=version).count() == 1


def test_guardian_signs_both_the_parent_and_the_key_stage_agreement_for_the_link_child():
    publish(Audience.PARENT)
    ks2 = publish(Audience.PUPIL_KS2)
    link, _token = make_link(year_group=4)
    created = services.signature_record_for_guardian(link=link, typed_name="Pat Parent",
                                                     discussed_with_child=True)
    assert {s.version.agreement.audience for s in created} == {Audience.PARENT, Audience.PUPIL_KS2}
    assert all(s.pupil == link.pupil and s.guardian == link.guardian for s in created)
    assert ks2 in [s.version for s in created]
    with pytest.raises(services.AlreadySigned):
        services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)


def test_staff_and_governor_audiences_follow_roles_and_social_media_is_for_named_staff():
    publish(Audience.STAFF)
    publish(Audience.GOVERNOR)
    social = publish(Audience.SOCIAL_MEDIA)
    teacher, governor = user_with_role("Staff"), user_with_role("Governor")
    assert [a.audience for a in agreements_to_sign(teacher)] == [Audience.STAFF]
    assert [a.audience for a in agreements_to_sign(governor)] == [Audience.GOVERNOR]
    social.agreement.named_signers.add(teacher)
    assert [a.audience for a in agreements_to_sign(teacher)] == [Audience.STAFF, Audience.SOCIAL_MEDIA]
