"""Opening the online-safety lead's pages writes nothing: only the list makes sure every agreement exists."""

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Audience
from safety_portal.school import roles
from tests.agreements.factories import publish
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_only_the_list_page_makes_sure_every_agreement_exists(client, monkeypatch):
    publish(Audience.STAFF)
    calls = []
    monkeypatch.setattr(services, "agreements_ensure", lambda: calls.append("ensure"))
    client.force_login(user_with_role(roles.ONLINE_SAFETY_LEAD))
    for url in (reverse("agreements:agreement", args=[Audience.STAFF]),
                reverse("agreements:version", args=[Audience.STAFF, 1]),
                reverse("agreements:agreement", args=[Audience.VISITOR])):
        assert client.get(url).status_code == 200
    assert calls == []
    assert client.get(reverse("agreements:list")).status_code == 200
    assert calls == ["ensure"]
