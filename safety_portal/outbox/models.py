from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True, gave_up_at__isnull=True)


class OutboxEmail(models.Model):
    """An email waiting to go, written in the same transaction as the change behind it.

    If the broker is down the row simply waits for the sweep: mail is delayed, never lost.
    """

    MAX_ATTEMPTS = 10

    to = models.JSONField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
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
