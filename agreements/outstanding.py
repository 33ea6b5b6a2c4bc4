"""Which agreements a signed-in person still has to sign."""

from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from agreements.models import Agreement, Audience, Signature, audiences_for_user


def agreements_to_sign(user):
    """The published agreements this person must sign and has not: one query, run on every page."""
    if not user.is_authenticated or not user.is_active:
        return []
    applies = Q(audience__in=audiences_for_user(user)) | Q(
        audience=Audience.SOCIAL_MEDIA, named_signers=user)
    signed = Signature.objects.counted().filter(user=user, version__agreement=OuterRef("pk"))
    return list(
        Agreement.objects.filter(applies, current_version__isnull=False)
        .exclude(Exists(signed)).select_related("current_version").distinct().order_by("pk")
    )


def first_stop_after_login(user, next_url):
    """Someone with an agreement to sign sees it before anything else."""
    if not agreements_to_sign(user):
        return None
    return f"{reverse('agreements:sign_list')}?{urlencode({'next': next_url})}"
