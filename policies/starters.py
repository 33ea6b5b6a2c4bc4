"""The register a new school starts with: the policies the schools' online-safety policies link
to. Titles, categories and approvers are a starting point; the school edits them and attaches its
own documents."""

from django.utils.translation import gettext_noop

from policies.models import ApprovingBody, Category

# (title, category, approving body, review cycle in months). The first is linked to all the others.
STARTER_POLICIES = [
    (gettext_noop("Online safety"), Category.ONLINE_SAFETY, ApprovingBody.GOVERNING_BODY, 12),
    (gettext_noop("Acceptable use agreements"), Category.ONLINE_SAFETY, ApprovingBody.HEADTEACHER, 12),
    (gettext_noop("Use of images and video"), Category.ONLINE_SAFETY, ApprovingBody.GOVERNING_BODY, 12),
    (gettext_noop("Anti-bullying"), Category.BEHAVIOUR, ApprovingBody.GOVERNING_BODY, 12),
    (gettext_noop("Behaviour"), Category.BEHAVIOUR, ApprovingBody.GOVERNING_BODY, 12),
    (gettext_noop("Child protection and safeguarding"), Category.SAFEGUARDING, ApprovingBody.GOVERNING_BODY, 12),
    (gettext_noop("Data protection"), Category.DATA, ApprovingBody.GOVERNING_BODY, 24),
    (gettext_noop("Social media"), Category.ONLINE_SAFETY, ApprovingBody.HEADTEACHER, 12),
    (gettext_noop("Mobile phones and personal devices"), Category.ONLINE_SAFETY, ApprovingBody.HEADTEACHER, 12),
    (gettext_noop("Filtering and monitoring"), Category.ONLINE_SAFETY, ApprovingBody.GOVERNING_BODY, 12),
]
