"""CSRF on every state change: every URL pattern in the project refuses a POST without a token.

Django checks the token in CsrfViewMiddleware.process_view, after the address is resolved and
before the view runs, so the check does not depend on the record in the address existing or on
who is signed in: any value the pattern's converters accept reaches it. A view marked
csrf_exempt (or a pattern added outside the middleware's reach) fails here, whatever it does.
"""

import re
import uuid

import pytest
from django.http import HttpResponseForbidden
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern

from agreements.models import Audience, DeviceSession
from safety_portal.school import roles
from tests.agreements.factories import publish
from tests.factories import DEFAULT_PASSWORD, PupilFactory, user_with_role
from tests.security.clients import signed_in

pytestmark = pytest.mark.django_db

CSRF_REFUSED = "csrf refused by the middleware"

# A value each path converter accepts. The check never looks the record up, so these need not exist.
SAMPLE_VALUE = {
    "int": "1",
    "str": "sample-token",
    "slug": "sample-slug",
    "uuid": str(uuid.UUID(int=1)),
    "path": "sample/path",
}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def csrf_refused(request, reason=""):
    """Stands in for the CSRF failure page, so a 403 from a role check cannot pass for a CSRF refusal."""
    return HttpResponseForbidden(CSRF_REFUSED)


# Named groups of the few regex patterns (agreements' audience pages), with a value each accepts.
REGEX_SAMPLE = {
    "audience": "parent",
    "number": "1",
}
NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _piece(pattern):
    """One pattern's part of the address, with sample values in place of its parameters."""
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.removeprefix("^").removesuffix("$")
        address = NAMED_GROUP.sub(lambda match: REGEX_SAMPLE[match["name"]], regex)
        assert not set(address) & set("()[]?*+\\|^$"), f"{regex!r}: add its groups to REGEX_SAMPLE"
        return address
    return CONVERTER.sub(lambda match: SAMPLE_VALUE[match["converter"] or "str"], str(pattern))


def walk(resolver=None, prefix=""):
    """(address with sample values, view) for every URL pattern, however deeply included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        address = prefix + _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, address)
        else:
            assert isinstance(entry, URLPattern)
            yield "/" + address, entry.callback


def addresses():
    return sorted({address for address, _view in walk()})


def test_the_walk_reaches_every_part_of_the_project():
    every = addresses()
    assert len(every) > 100
    for expected in ("/accounts/login/", "/incidents/1/", "/agreements/parent/v1/", "/incidents/1/attachments/",
                     "/p/sample-token/", "/p/sample-token/photos/", "/kiosk/sign/", "/pupil-signing/1/",
                     "/school-policies/"):
        assert expected in every


def test_every_address_resolves_to_its_own_view():
    """The sample values really reach each pattern (not a catch-all before it)."""
    for address, view in walk():
        assert resolve(address).func == view, address


def test_no_view_is_csrf_exempt():
    exempt = [address for address, view in walk() if getattr(view, "csrf_exempt", False)]
    assert exempt == []


@pytest.fixture
def signed_in_admin():
    user = user_with_role(roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER, roles.ONLINE_SAFETY_LEAD,
                          email="everything@school.example")
    return signed_in(user, enforce_csrf_checks=True)


def device_client(start_view, data, user):
    """A browser handed over as a device: staff start the session, then it belongs to pupils or visitors."""
    client = signed_in(user)
    assert client.post(reverse(start_view), data).status_code == 302
    client.handler.enforce_csrf_checks = True
    return client


@pytest.fixture
def devices():
    """The pupil-signing and kiosk pages open only on a device in a live session of their kind."""
    for audience in (Audience.PUPIL_KS2, Audience.VISITOR):
        publish(audience)
    PupilFactory(year_group=5, reg_class="5A")
    return {
        "/pupil-signing/": device_client("agreements:sessions", {"group": "class:5A"}, user_with_role(roles.STAFF)),
        "/kiosk/": device_client("agreements:kiosk_start", {}, user_with_role(roles.ADMINISTRATOR)),
    }


@override_settings(CSRF_FAILURE_VIEW="tests.security.test_csrf.csrf_refused")
def test_every_address_refuses_a_post_without_a_token(signed_in_admin, devices):
    anonymous = Client(enforce_csrf_checks=True)
    accepted = {}
    for address in addresses():
        device = next((client for prefix, client in devices.items() if address.startswith(prefix)), None)
        # Anyone else posting to a device page is sent to sign in before any view runs.
        posters = [("device", device)] if device else [("signed in", signed_in_admin), ("anonymous", anonymous)]
        for who, client in posters:
            response = client.post(address, {"anything": "x"})
            if response.status_code != 403 or response.content.decode() != CSRF_REFUSED:
                accepted[f"{who} {address}"] = response.status_code
    assert accepted == {}
    # The refused posts changed nothing: the devices are still in their sessions, the admin signed in.
    assert DeviceSession.objects.filter(ended_at=None).count() == 2
    assert signed_in_admin.get(reverse("home")).status_code == 200


@override_settings(CSRF_FAILURE_VIEW="tests.security.test_csrf.csrf_refused")
def test_a_post_with_the_token_from_the_page_gets_through():
    """The other half: the refusals above come from the missing token, not from posting at all."""
    user = user_with_role(roles.STAFF, email="teacher@school.example")
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = page.cookies["csrftoken"].value
    response = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD,
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    refused = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": user.email,
                                                                        "password": DEFAULT_PASSWORD})
    assert refused.status_code == 403 and refused.content.decode() == CSRF_REFUSED
