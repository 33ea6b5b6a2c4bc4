"""Home-page panels for each role.

A panel with nothing to show says what will appear there, so a new school
knows what each part of the portal is for.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from safety_portal.school.models import Guardian, Pupil, SchoolProfile, Term, User


@dataclass
class Panel:
    key: str
    title: str
    empty_text: str
    rows: list = field(default_factory=list)  # (label, value, url or "")
    link: tuple = ()  # (label, url)


def _setup_panel():
    school = SchoolProfile.objects.filter(pk=1).first()
    current = Term.objects.current()
    on_roll = Pupil.objects.on_roll().count()
    rows = [
        (_("School profile"), _("complete") if school and school.dsl_id else _("DSL not named yet"),
         "school:profile"),
        (_("Current term"), str(current) if current else _("no term covers today"), "school:terms"),
        (_("Pupils on roll"), on_roll, "school:pupils"),
        (_("Parents and carers"), Guardian.objects.count(), ""),
        (_("Active staff and governor accounts"), User.objects.filter(is_active=True).count(),
         "school:staff"),
    ]
    given_up = OutboxEmail.objects.given_up().count()
    if given_up:
        # Three days of retries failed: check EMAIL_URL with `manage.py send_test_email`.
        rows.append((_("Emails that could not be sent"), given_up, ""))
    return Panel("setup", _("School set-up"),
                 _("Your school's profile, terms and people will be summarised here."), rows)


def panels_for(user):
    panels = []
    if user.has_role(roles.DSL, roles.HEADTEACHER):
        panels += [
            Panel("urgent", _("Urgent concerns"),
                  _("Concerns reported with 'a child is at immediate risk' are pinned here "
                    "until someone in the DSL team acknowledges them.")),
            Panel("open_incidents", _("Open incidents"),
                  _("Incidents waiting for triage or still being worked will be listed here, "
                    "oldest activity first.")),
            Panel("open_steps", _("Procedure steps left open"),
                  _("Response steps not yet done or marked not applicable will appear here.")),
        ]
    if user.has_role(roles.HEADTEACHER):
        panels.append(Panel("restricted", _("Restricted cases"),
                            _("Allegations against staff, seen only by you and the people named "
                              "on each case, will appear here.")))
    if user.has_role(roles.ADMINISTRATOR):
        panels.append(_setup_panel())
        panels.append(Panel("signing", _("Signing packs"),
                            _("Progress of acceptable-use and photo-consent packs sent to "
                              "parents will appear here.")))
    if user.has_role(roles.ONLINE_SAFETY_LEAD):
        panels += [
            Panel("aup_compliance", _("Acceptable-use agreements"),
                  _("Who has signed the current agreement for each audience, and who is "
                    "outstanding, will appear here.")),
            Panel("policy_reviews", _("Policy reviews due"),
                  _("Policies due for review in the next 30 days, and any overdue, will "
                    "appear here.")),
        ]
    if user.has_role(roles.TECHNICAL):
        panels.append(Panel("filtering", _("Filtering and monitoring"),
                            _("Filtering breaches you and colleagues report will appear here.")))
    if user.has_role(roles.GOVERNOR):
        panels += [
            Panel("governor_reports", _("Termly reports"),
                  _("Finalised termly online-safety reports will be ready to download here.")),
            Panel("governor_policies", _("Policy register"),
                  _("The school's policies and their next review dates will appear here.")),
        ]
    if user.has_role(roles.STAFF, roles.TECHNICAL, roles.DSL, roles.HEADTEACHER,
                     roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR):
        panels.append(Panel("my_concerns", _("Concerns you reported"),
                            _("Each concern you report will be listed here with its reference "
                              "and status.")))
    panels.append(Panel("to_sign", _("To read and sign"),
                        _("Agreements and policies waiting for your signature or read receipt "
                          "will appear here.")))
    return panels
