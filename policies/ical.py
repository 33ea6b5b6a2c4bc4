"""An iCalendar (RFC 5545) feed of policy review dates, written by hand: a handful of all-day
events needs no library. Lines end in CRLF, text is escaped, and long lines are folded at 75 bytes."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def _escape(text):
    # Control characters other than line breaks may not appear in iCalendar text.
    text = "".join(char for char in str(text) if char in "\r\n" or (ord(char) >= 32 and ord(char) != 127))
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line):
    """Split a content line into pieces of at most 75 bytes, continuation lines starting with a space,
    never inside a UTF-8 character."""
    pieces, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            pieces.append(current)
            current, limit = b"", 74  # the leading space counts
        current += encoded
    pieces.append(current)
    return b"\r\n ".join(pieces).decode()


def review_calendar(policies, *, host, school_name, now=None):
    """The feed's text: one all-day event on each policy's next review date."""
    now = now or timezone.now()
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Safety Portal//Policy reviews//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(_('Policy reviews · %(school)s') % {'school': school_name})}",
    ]
    for policy in policies:
        day = policy.next_review_on
        lines += [
            "BEGIN:VEVENT",
            # Stable per policy: a moved review date updates the event in the calendar rather than adding one.
            f"UID:policy-{policy.pk}-review@{host}",
            f"DTSTAMP:{stamp}",
            # A date with no end is a one-day event (RFC 5545 3.6.1), even on 31 December 9999.
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"SUMMARY:{_escape(_('Review due: %(title)s') % {'title': policy.title})}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
