import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Waits between attempts: spread over about three days, so an SMTP outage over a
# weekend delays mail instead of losing it.
RETRY_DELAYS = [
    datetime.timedelta(minutes=minutes)
    for minutes in (1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 1440)
]


class OutboxEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True, gave_up_at__isnull=True)

    def due(self, now=None):
        now = now or timezone.now()
        return self.unsent().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))

    def given_up(self):
        return self.filter(gave_up_at__isnull=False)


class OutboxEmail(models.Model):
    """An email waiting to go, written in the same transaction as the change behind it.

    If the broker is down the row simply waits for the sweep: mail is delayed, never lost.
    """

    MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

    to = models.JSONField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.CharField(max_length=100, blank=True)
    # Bodies holding a secret (a password-reset link) are wiped once the email has gone.
    wipe_body_after_sending = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")

    def __str__(self):
        return self.subject

    @property
    def is_sent(self):
        return self.sent_at is not None

    def is_due(self, now=None):
        now = now or timezone.now()
        return (self.sent_at is None and self.gave_up_at is None
                and (self.next_attempt_at is None or self.next_attempt_at <= now))

    def record_failure(self, error, now=None):
        """Note a failed attempt and when to try again, or give up after the last one."""
        now = now or timezone.now()
        self.last_error = error[:2000]
        if self.attempts >= self.MAX_ATTEMPTS:
            self.gave_up_at, self.next_attempt_at = now, None
        else:
            self.next_attempt_at = now + RETRY_DELAYS[self.attempts - 1]

    def record_sent(self, now=None):
        self.sent_at = now or timezone.now()
        self.last_error, self.next_attempt_at = "", None
        if self.wipe_body_after_sending:
            self.body_text, self.body_html = "", ""
