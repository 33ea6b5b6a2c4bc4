"""Which records' events a reader of the audit trail may see.

An app whose records are confidential registers, for its object type, a function giving the
records a user may open. Events about any other record of that type are hidden from them, so
the trail never reveals that a case exists, or who worked on it, to someone who may not open it.
"""

from django.db.models import CharField, Q
from django.db.models.functions import Cast

_VISIBLE_FOR = {}


def register(object_type, visible_for):
    """visible_for(user) returns a queryset of the records of `object_type` that user may open."""
    _VISIBLE_FOR[object_type] = visible_for


def events_visible_to(events, user):
    for object_type, visible_for in _VISIBLE_FOR.items():
        ids = visible_for(user).annotate(audit_ref=Cast("pk", CharField())).values("audit_ref")
        events = events.exclude(Q(object_type=object_type) & ~Q(object_id__in=ids))
    return events
