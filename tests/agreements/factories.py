"""Shared set-up for agreement tests: published versions, links with their raw tokens."""

import datetime

from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementVersion, Audience, SigningLink, SigningPack, VersionStatus
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, UserFactory


def publish(audience, *, body=None, title=None, requires_resign=False, user=None):
    """Publish a new version for `audience` (the starter text unless `body` is given)."""
    services.agreements_ensure()
    agreement = Agreement.objects.get(audience=audience)
    user = user or UserFactory()
    draft = services.version_draft_start(agreement=agreement, user=user)
    if body is not None or title is not None or requires_resign:
        services.version_draft_save(version=draft, title=title or draft.title, body=body or draft.body,
                                    change_summary="", requires_resign=requires_resign, user=user)
    return services.version_publish(version=AgreementVersion.objects.get(pk=draft.pk), user=user)


def publish_all(user=None):
    """A published version for every audience."""
    return {audience: publish(audience, user=user) for audience in Audience}


def guardian_with_child(*, year_group=5, reg_class="5A", email=None, pupil=None, parental_responsibility=True):
    pupil = pupil or PupilFactory(year_group=year_group, reg_class=reg_class)
    guardian = GuardianFactory(**({"email": email} if email else {}))
    PupilGuardianFactory(pupil=pupil, guardian=guardian, parental_responsibility=parental_responsibility)
    return pupil, guardian


def make_link(*, pupil=None, guardian=None, pack=None, expires_in=datetime.timedelta(days=30), **kwargs):
    """A link and its raw token, without sending anything."""
    if pupil is None or guardian is None:
        pupil, guardian = guardian_with_child(**kwargs)
    pack = pack or SigningPack.objects.create(title="Test pack")
    token = services._new_token()
    now = timezone.now()
    link = SigningLink.objects.create(pack=pack, guardian=guardian, pupil=pupil,
                                      token_hash=SigningLink.hash_token(token), expires_at=now + expires_in,
                                      sent_at=now)
    return link, token


__all__ = ["publish", "publish_all", "guardian_with_child", "make_link", "VersionStatus"]
