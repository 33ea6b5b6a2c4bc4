"""The main menu. Each entry names the roles that may use it; others never see it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safety_portal.school import roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset  # empty: every signed-in user
    group: str = ""  # items of a group share one drop-down, unless only one is visible

    def visible_to(self, user):
        return not self.roles or user.has_role(*self.roles)


SCHOOL = _("School")
AGREEMENTS = _("Agreements")
PHOTOS = _("Photo consent")
POLICIES = _("Policies")
DATA_PROTECTION = _("Data protection")

MENU = [
    NavItem(_("Home"), "home", frozenset()),
    NavItem(_("Report a concern"), "incidents:report", frozenset(roles.ALL) - {roles.GOVERNOR}),
    NavItem(_("Incidents"), "incidents:list", frozenset({roles.DSL, roles.HEADTEACHER, roles.TECHNICAL})),
    NavItem(_("Pupils"), "school:pupils", frozenset(roles.PUPIL_RECORDS)),
    NavItem(_("Staff and governors"), "school:staff", frozenset(roles.STAFF_ACCOUNTS), SCHOOL),
    NavItem(_("Terms"), "school:terms", frozenset({roles.ADMINISTRATOR}), SCHOOL),
    NavItem(_("MIS import"), "mis_import:upload", frozenset({roles.ADMINISTRATOR}), SCHOOL),
    NavItem(_("School profile"), "school:profile", frozenset({roles.ADMINISTRATOR}), SCHOOL),
    NavItem(_("Sign-in security"), "signin:security", frozenset({roles.ADMINISTRATOR}), SCHOOL),
    NavItem(_("Who has signed"), "agreements:compliance",
            frozenset({roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER}), AGREEMENTS),
    NavItem(_("Agreement texts"), "agreements:list", frozenset({roles.ONLINE_SAFETY_LEAD}), AGREEMENTS),
    NavItem(_("Parent packs"), "agreements:packs", frozenset({roles.ADMINISTRATOR}), AGREEMENTS),
    NavItem(_("Signing sessions"), "agreements:sessions", frozenset(roles.ALL) - {roles.GOVERNOR}, AGREEMENTS),
    NavItem(_("Do not photograph"), "consent:do_not_photograph", frozenset(roles.ALL) - {roles.GOVERNOR}, PHOTOS),
    NavItem(_("Consent coverage"), "consent:coverage", frozenset(roles.ALL), PHOTOS),
    NavItem(_("Purposes and rule"), "consent:purposes", frozenset({roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD}),
            PHOTOS),
    NavItem(_("Leavers' images"), "consent:leavers", frozenset({roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD}),
            PHOTOS),
    NavItem(_("Policy register"), "policies:register", frozenset(roles.ALL), POLICIES),
    NavItem(_("Training log"), "policies:training_people",
            frozenset({roles.ONLINE_SAFETY_LEAD, roles.HEADTEACHER, roles.ADMINISTRATOR, roles.DSL}), POLICIES),
    NavItem(_("Governor reports"), "reports:list", frozenset({roles.DSL, roles.HEADTEACHER, roles.GOVERNOR})),
    NavItem(_("Audit trail"), "audit:events", frozenset(roles.AUDIT_READERS)),
    NavItem(_("Retention review"), "privacy:retention", frozenset(roles.SAFEGUARDING), DATA_PROTECTION),
    NavItem(_("Subject access"), "privacy:subject_access", frozenset(roles.SAFEGUARDING), DATA_PROTECTION),
]


def menu_for(user, current_path=""):
    items = [{"label": item.label, "url": reverse(item.url_name), "active": False}
             for item in MENU if item.visible_to(user)]
    # The entry whose address is the longest start of this page's is the current one, so
    # /agreements/packs/ lights "Parent packs", not "Agreement texts" at /agreements/.
    matches = [item for item in items
               if current_path == item["url"] or (item["url"] != "/" and current_path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return _grouped(items, [item.group for item in MENU if item.visible_to(user)])


def _grouped(items, groups):
    """Gather each group's items into one drop-down entry, at the place of its first item."""
    members = {}
    for item, group in zip(items, groups, strict=True):
        if group:
            members.setdefault(group, []).append(item)
    entries, placed = [], set()
    for item, group in zip(items, groups, strict=True):
        if not group or len(members[group]) == 1:
            entries.append(item)
        elif group not in placed:
            placed.add(group)
            children = members[group]
            entries.append({"label": group, "children": children,
                            "active": any(child["active"] for child in children)})
    return entries
