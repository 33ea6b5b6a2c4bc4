from django.db import transaction
from django.template.loader import render_to_string

from safety_portal.outbox.models import OutboxEmail
from safety_portal.school.models import SchoolProfile


def email_queue(*, to, template, context=None, wipe_body_after_sending=False, school=None):
    """Render `templates/email/<template>` and queue it to send after the transaction commits.

    Each template has `<name>_subject.txt`, `<name>.txt` and `<name>.html`.
    Emails carry references and links only, never the details of a case.
    """
    from safety_portal.outbox.tasks import outbox_send

    recipients = [to] if isinstance(to, str) else list(to)
    # A caller sending many emails passes the school once.
    school = school or SchoolProfile.load()
    context = {"school": school, **(context or {})}
    subject = render_to_string(f"email/{template}_subject.txt", context).strip()
    subject = " ".join(subject.split())
    email = OutboxEmail.objects.create(
        to=recipients,
        subject=subject,
        body_text=render_to_string(f"email/{template}.txt", context),
        body_html=render_to_string(f"email/{template}.html", context),
        template=template,
        wipe_body_after_sending=wipe_body_after_sending,
    )
    # robust: the change is already committed; if the broker is down the sweep sends it later.
    transaction.on_commit(lambda: outbox_send.delay(email.pk), robust=True)
    return email
