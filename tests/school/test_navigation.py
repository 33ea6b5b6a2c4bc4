"""Each role sees exactly the menu entries it may use, and is refused the rest."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from safety_portal.school import navigation, roles
from tests.factories import PupilFactory, TermFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

EVERYONE = {"home", "policies:register"}
REPORT = {"incidents:report"}
INCIDENTS = {"incidents:list"}
PUPIL_PAGES = {"school:pupils"}
ADMIN_PAGES = {"school:staff", "school:terms", "mis_import:upload", "school:profile", "signin:security"}
AUDIT = {"audit:events"}
AGREEMENT_RECORD = {"agreements:compliance"}
SESSIONS = {"agreements:sessions"}
DNP = {"consent:do_not_photograph"}
COVERAGE = {"consent:coverage"}
CONSENT_SETTINGS = {"consent:purposes", "consent:leavers"}
TRAINING = {"policies:training_people"}
REPORTS = {"reports:list"}
DATA_PROTECTION = {"privacy:retention", "privacy:subject_access"}

# Written out by hand so that a change to navigation.MENU has to be made here too.
MENU_FOR_ROLE = {
    roles.ADMINISTRATOR: (EVERYONE | REPORT | PUPIL_PAGES | ADMIN_PAGES | AUDIT | AGREEMENT_RECORD | SESSIONS
                          | {"agreements:packs"} | DNP | COVERAGE | CONSENT_SETTINGS | TRAINING),
    roles.DSL: (EVERYONE | REPORT | INCIDENTS | PUPIL_PAGES | AUDIT | AGREEMENT_RECORD | SESSIONS | DNP | COVERAGE
                | TRAINING | REPORTS | DATA_PROTECTION),
    roles.HEADTEACHER: (EVERYONE | REPORT | INCIDENTS | PUPIL_PAGES | AUDIT | AGREEMENT_RECORD | SESSIONS | DNP
                        | COVERAGE | TRAINING | REPORTS | DATA_PROTECTION | {"school:staff"}),
    roles.ONLINE_SAFETY_LEAD: (EVERYONE | REPORT | PUPIL_PAGES | AGREEMENT_RECORD | SESSIONS | {"agreements:list"}
                               | DNP | COVERAGE | CONSENT_SETTINGS | TRAINING),
    roles.STAFF: EVERYONE | REPORT | SESSIONS | DNP | COVERAGE,
    roles.TECHNICAL: EVERYONE | REPORT | INCIDENTS | SESSIONS | DNP | COVERAGE,
    roles.GOVERNOR: EVERYONE | COVERAGE | REPORTS,
}


class MenuLinks(HTMLParser):
    """Collects (href, text) of the links inside the element marked data-testid="main-menu"."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # open elements inside the menu, 0 when outside it
        self.links, self.href = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += 1
            if tag == "a":
                self.href, self.text = attrs.get("href"), ""
        elif attrs.get("data-testid") == "main-menu":
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        self.depth -= 1
        if tag == "a" and self.href is not None:
            self.links.append((self.href, self.text.strip()))
            self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.text += data


def menu_links(content):
    parser = MenuLinks()
    parser.feed(content.decode())
    return parser.links


def test_every_role_is_covered():
    assert set(MENU_FOR_ROLE) == set(roles.ALL)


@pytest.mark.parametrize("role", roles.ALL)
def test_home_menu_shows_exactly_the_entries_the_role_may_use(client, role):
    client.force_login(user_with_role(role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    links = menu_links(response.content)
    expected = {reverse(name) for name in MENU_FOR_ROLE[role]}
    assert {href for href, _text in links} == expected
    assert len(links) == len(expected)  # no duplicates
    labels = {reverse(item.url_name): str(item.label) for item in navigation.MENU}
    assert all(text == labels[href] for href, text in links)


def test_a_person_with_several_roles_sees_the_union(client):
    client.force_login(user_with_role(roles.GOVERNOR, roles.ONLINE_SAFETY_LEAD))
    hrefs = {href for href, _text in menu_links(client.get(reverse("home")).content)}
    assert hrefs == {reverse(name) for name in MENU_FOR_ROLE[roles.GOVERNOR] | MENU_FOR_ROLE[roles.ONLINE_SAFETY_LEAD]}


def test_a_deactivated_account_is_signed_out_and_sees_no_menu(client):
    user = user_with_role(roles.ADMINISTRATOR)
    client.force_login(user)
    user.is_active = False
    user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302


def test_the_current_page_is_marked_in_the_menu(admin_client):
    content = admin_client.get(reverse("school:terms")).content.decode()
    assert f'aria-current="page" href="{reverse("school:terms")}"' in content


def test_signed_out_visitors_see_no_menu(client):
    response = client.get(reverse("login"))
    assert menu_links(response.content) == []


# Pages this part of the portal serves, with who may open them, and what others get: 404 for
# a page and for a single record alike (outsiders get 404, not 403: nothing can be probed). (MIS import is checked
# by its own tests.)
@pytest.fixture
def pages():
    term = TermFactory()
    other = UserFactory()
    return {
        "school:profile": (reverse("school:profile"), {roles.ADMINISTRATOR}),
        "school:terms": (reverse("school:terms"), {roles.ADMINISTRATOR}),
        "school:term_year_create": (reverse("school:term_year_create"), {roles.ADMINISTRATOR}),
        "school:term_edit": (reverse("school:term_edit", args=[term.pk]), {roles.ADMINISTRATOR}, 404),
        "school:term_delete": (reverse("school:term_delete", args=[term.pk]), {roles.ADMINISTRATOR}, 404),
        "school:staff": (reverse("school:staff"), roles.STAFF_ACCOUNTS),
        "school:staff_create": (reverse("school:staff_create"), roles.STAFF_ACCOUNTS),
        "school:staff_edit": (reverse("school:staff_edit", args=[other.pk]), roles.STAFF_ACCOUNTS, 404),
        "school:pupils": (reverse("school:pupils"), roles.PUPIL_RECORDS),
        "audit:events": (reverse("audit:events"), roles.AUDIT_READERS),
        "home": (reverse("home"), set(roles.ALL)),
    }


@pytest.mark.parametrize("role", roles.ALL)
def test_pages_open_for_roles_that_may_use_them_and_are_forbidden_to_others(client, role, pages):
    client.force_login(user_with_role(role))
    outcome = {name: client.get(url).status_code for name, (url, _allowed, *_refused) in pages.items()}
    expected = {name: 200 if role in allowed else (refused or [404])[0]
                for name, (_url, allowed, *refused) in pages.items()}
    assert outcome == expected


@pytest.mark.parametrize("role", roles.ALL)
def test_every_menu_entry_of_this_part_opens_for_the_role(client, role):
    client.force_login(user_with_role(role))
    for href, _text in menu_links(client.get(reverse("home")).content):
        if href == reverse("mis_import:upload"):
            continue  # another part of the portal, with its own tests
        assert client.get(href).status_code == 200, href


def test_the_forbidden_page_is_in_the_portals_style(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("school:staff"))
    assert response.status_code == 404
    assert b"This page does not exist, or your account cannot open it." in response.content
    assert menu_links(response.content) == [(reverse("home"), "Home"),
                                            (reverse("incidents:report"), "Report a concern"),
                                            (reverse("agreements:sessions"), "Signing sessions"),
                                            (reverse("consent:do_not_photograph"), "Do not photograph"),
                                            (reverse("consent:coverage"), "Consent coverage"),
                                            (reverse("policies:register"), "Policy register")]


def test_pages_need_sign_in(client, pages):
    PupilFactory()
    for url, *_who in pages.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def _flat(entries):
    for entry in entries:
        yield from entry.get("children", [entry])


def test_the_most_specific_menu_entry_is_the_current_one():
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD)
    items = list(_flat(navigation.menu_for(lead, reverse("agreements:compliance"))))
    assert [item["url"] for item in items if item["active"]] == [reverse("agreements:compliance")]
    items = list(_flat(navigation.menu_for(lead, reverse("agreements:list") + "staff/")))
    assert [item["url"] for item in items if item["active"]] == [reverse("agreements:list")]


def test_related_pages_share_a_drop_down_unless_only_one_is_visible():
    office = navigation.menu_for(user_with_role(roles.ADMINISTRATOR), reverse("agreements:packs"))
    groups = {str(entry["label"]): entry for entry in office if "children" in entry}
    assert set(groups) == {"School", "Agreements", "Photo consent", "Policies"}
    assert [str(child["label"]) for child in groups["Agreements"]["children"]] == [
        "Who has signed", "Parent packs", "Signing sessions"]
    assert groups["Agreements"]["active"] and not groups["School"]["active"]
    # Home, Report a concern, Pupils, School, Agreements, Photo consent, Policies, Audit trail
    assert len(office) == 8
    assert [str(child["label"]) for child in groups["Policies"]["children"]] == ["Policy register", "Training log"]
    teacher = navigation.menu_for(user_with_role(roles.STAFF))
    # A group with one entry a role may use is a plain link.
    assert [str(entry["label"]) for entry in teacher] == ["Home", "Report a concern", "Signing sessions",
                                                          "Photo consent", "Policy register"]
