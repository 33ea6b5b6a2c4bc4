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

    def visible_to(self, user):
        return not self.roles or user.has_role(*self.roles)


MENU = [
    NavItem(_("Home"), "home", frozenset()),
    NavItem(_("Report a concern"), "incidents:report", frozenset(roles.ALL) - {roles.GOVERNOR}),
    NavItem(_("Incidents"), "incidents:list", frozenset({roles.DSL, roles.HEADTEACHER, roles.TECHNICAL})),
    NavItem(_("Pupils"), "school:pupils", frozenset(roles.PUPIL_RECORDS)),
    NavItem(_("Staff and governors"), "school:staff", frozenset({roles.ADMINISTRATOR})),
    NavItem(_("Terms"), "school:terms", frozenset({roles.ADMINISTRATOR})),
    NavItem(_("MIS import"), "mis_import:upload", frozenset({roles.ADMINISTRATOR})),
    NavItem(_("School profile"), "school:profile", frozenset({roles.ADMINISTRATOR})),
    NavItem(_("Agreements"), "agreements:compliance",
            frozenset({roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER})),
    NavItem(_("Agreement texts"), "agreements:list", frozenset({roles.ONLINE_SAFETY_LEAD})),
    NavItem(_("Parent packs"), "agreements:packs", frozenset({roles.ADMINISTRATOR})),
    NavItem(_("Signing sessions"), "agreements:sessions", frozenset(roles.ALL) - {roles.GOVERNOR}),
    NavItem(_("Audit trail"), "audit:events", frozenset(roles.AUDIT_READERS)),
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
    return items
