"""Home-page panels for each role.

A panel with nothing to show says what will appear there, so a new school
knows what each part of the portal is for.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import extensions, roles
from safety_portal.school.models import Guardian, Pupil, SchoolProfile, Term, User


class Row(NamedTuple):
    label: object
    value: object = ""
    url: str = ""  # the label links here when set
    action_url: str = ""  # a one-click POST button, e.g. acknowledge
    action_label: object = ""


@dataclass
class Panel:
    key: str
    title: str
    empty_text: str
    rows: list = field(default_factory=list)  # of Row


def _setup_panel():
    school = SchoolProfile.objects.filter(pk=1).first()
    current = Term.objects.current()
    on_roll = Pupil.objects.on_roll().count()
    rows = [
        Row(_("School profile"), _("complete") if school and school.dsl_id else _("DSL not named yet"),
            reverse("school:profile")),
        Row(_("Current term"), str(current) if current else _("no term covers today"), reverse("school:terms")),
        Row(_("Pupils on roll"), on_roll, reverse("school:pupils")),
        Row(_("Parents and carers"), Guardian.objects.count()),
        Row(_("Active staff and governor accounts"), User.objects.filter(is_active=True).count(),
            reverse("school:staff")),
    ]
    given_up = OutboxEmail.objects.given_up().count()
    if given_up:
        # Three days of retries failed: check EMAIL_URL with `manage.py send_test_email`.
        rows.append(Row(_("Emails that could not be sent"), given_up))
    return Panel("setup", _("School set-up"),
                 _("Your school's profile, terms and people will be summarised here."), rows)


def panels_for(user):
    """The home page's panels for this person, the school's own and those the apps register."""
    panels = []
    if user.has_role(roles.ADMINISTRATOR):
        panels.append((20, _setup_panel()))
    for provider in extensions.dashboard_panel_providers:
        panels += provider(user)
    # Positions: case work 10, school set-up 20, agreements 30, policies 31, filtering 40,
    # governors 50, your own concerns 60, things to sign 90, policies to read 91.
    return [panel for _position, panel in sorted(panels, key=lambda item: item[0])]
