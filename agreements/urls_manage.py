"""The online-safety lead's pages for writing and publishing agreements (mounted at /agreements/)."""

from django.urls import path, re_path

from agreements.models import Audience
from agreements.views import manage

# Only real audiences match, so /agreements/sign/ and the other sections are never taken for one.
AUDIENCE = "(?P<audience>{})".format("|".join(Audience.values))

urlpatterns = [
    path("", manage.agreement_list, name="list"),
    path(f"{Audience.SOCIAL_MEDIA.value}/signers/", manage.named_signers, name="named_signers"),
    path(f"{Audience.VISITOR.value}/note/", manage.after_signing_note, name="after_signing_note"),
    re_path(rf"^{AUDIENCE}/$", manage.agreement_detail, name="agreement"),
    re_path(rf"^{AUDIENCE}/v(?P<number>[0-9]+)/$", manage.version_detail, name="version"),
    re_path(rf"^{AUDIENCE}/draft/$", manage.draft_edit, name="draft_edit"),
    re_path(rf"^{AUDIENCE}/draft/start/$", manage.draft_start, name="draft_start"),
    re_path(rf"^{AUDIENCE}/draft/publish/$", manage.draft_publish, name="draft_publish"),
    re_path(rf"^{AUDIENCE}/draft/discard/$", manage.draft_discard, name="draft_discard"),
]
