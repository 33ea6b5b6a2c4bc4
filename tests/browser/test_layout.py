import pytest
from playwright.sync_api import expect

from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "The Blessed Sacrament Roman Catholic Voluntary Aided Primary School and Nursery"


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, {"width": 1024, "height": 768}],
                         ids=["phone", "small laptop"])
@pytest.mark.parametrize("path", ["/", "/school/pupils/", "/school/staff/", "/audit/"])
def test_signed_in_pages_never_scroll_sideways_even_with_a_long_school_name(page, log_in, viewport, path):
    SchoolProfile.objects.create(pk=1, name=LONG_NAME)
    person = user_with_role(roles.ADMINISTRATOR, roles.DSL, email="office@school.example")
    log_in(page, person)
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # The account menu (sign out) stays reachable: in the collapsed menu on small screens.
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    expect(page.get_by_role("button", name=str(person))).to_be_visible()
