"""Coverage: how many yes / no / awaiting per purpose and class, for everyone including governors,
with counts only and a CSV export."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentPurpose
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.consent.factories import decide, every_guardian_must_agree, purpose
from tests.consent.test_do_not_photograph import family
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("consent:coverage")
NAMES = ["Lovelock", "Marsh", "Nettle", "Orwin", "Sorrel", "Quarry", "Rook", "Tansy"]


def cells(response, row):
    """{purpose id: (yes, no, awaiting)} for one row of the table ("school", "year-5", "class-5-5A")."""
    page = response.content.decode()
    found = re.search(rf'<tr[^>]*data-row="{re.escape(row)}">(.*?)</tr>', page, re.S)
    assert found, row
    tallies = re.findall(r'data-yes="(\d+)" data-no="(\d+)" data-awaiting="(\d+)"', found.group(1))
    purposes = [int(pk) for pk in re.findall(r'<th scope="col" data-purpose="(\d+)"', page)]
    return {pk: tuple(int(n) for n in tally) for pk, tally in zip(purposes, tallies, strict=True)}


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def school():
    """Website and press only. 5A: yes, no, awaiting, a stepfather's no ignored; 5B: one yes and one
    awaiting (of two parents); 6A: one no; and a pupil who has left."""
    ConsentPurpose.objects.all().delete()
    website, press = purpose("School website"), purpose("Local press")
    child, (mum,) = family("Ada", "Lovelock")
    decide(child, mum, website, True)
    decide(child, mum, press, True)
    child, (mum,) = family("Ben", "Marsh")
    decide(child, mum, website, False)
    family("Cara", "Nettle")
    child, (mum, step) = family("Dev", "Orwin", others=1)
    decide(child, mum, website, True)
    decide(child, step, website, False)
    child, (mum, _dad) = family("Gus", "Sorrel", reg_class="5B", parents=2)
    decide(child, mum, website, True)
    child, (mum,) = family("Hal", "Tansy", reg_class="5B")
    decide(child, mum, press, True)
    child, (mum,) = family("Finn", "Rook", reg_class="6A", year_group=6)
    decide(child, mum, website, False)
    child, (mum,) = family("Eve", "Quarry", leaving_date=timezone.localdate() - datetime.timedelta(days=1))
    decide(child, mum, website, False)
    return website, press


def test_counts_per_class_year_group_and_whole_school(client, staff_user, school):
    website, press = school
    client.force_login(staff_user)
    response = client.get(URL)

    assert response.status_code == 200
    assert cells(response, "class-5-5A") == {website.pk: (2, 1, 1), press.pk: (1, 0, 3)}
    assert cells(response, "class-5-5B") == {website.pk: (1, 0, 1), press.pk: (1, 0, 1)}
    assert cells(response, "year-5") == {website.pk: (3, 1, 2), press.pk: (2, 0, 4)}
    assert cells(response, "class-6-6A") == {website.pk: (0, 1, 0), press.pk: (0, 0, 1)}
    assert cells(response, "school") == {website.pk: (3, 2, 2), press.pk: (2, 0, 5)}
    assert response.context["coverage"].pupils == 7  # the pupil who left is not counted


def test_counts_follow_the_every_parent_setting(client, staff_user, school):
    website, _press = school
    every_guardian_must_agree(True)
    client.force_login(staff_user)
    assert cells(client.get(URL), "class-5-5B")[website.pk] == (0, 0, 2)


def test_governors_see_the_figures_and_no_names(client, governor_user, school):
    client.force_login(governor_user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for name in NAMES + ["Ada", "Parent", "Mother"]:
        assert name not in page
    assert "/consent/pupils/" not in page
    assert reverse("consent:do_not_photograph") not in page


def test_staff_go_from_a_class_to_its_list(client, staff_user, school):
    client.force_login(staff_user)
    page = client.get(URL).content.decode()
    assert f'href="{reverse("consent:do_not_photograph")}?group=class:5A"' in page


@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL, roles.ADMINISTRATOR, roles.GOVERNOR])
def test_everyone_signed_in_may_read_coverage(client, role):
    client.force_login(user_with_role(role))
    assert client.get(URL).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_csv_export_has_each_class_and_the_whole_school_and_is_audited(client, governor_user, school):
    client.force_login(governor_user)
    response = client.get(URL, {"format": "csv"})
    rows = read_csv(response)

    assert response["Content-Disposition"].startswith('attachment; filename="photo-consent-coverage-')
    assert rows[0] == ["Year group", "Class", "Purpose", "Yes", "No", "Awaiting", "Pupils"]
    assert ["Year 5", "5A", "School website", "2", "1", "1", "4"] in rows
    assert ["Year 5", "5B", "Local press", "1", "0", "1", "2"] in rows
    assert ["Year 6", "6A", "School website", "0", "1", "0", "1"] in rows
    assert sorted(rows[-2:]) == [["Whole school", "", "Local press", "2", "0", "5", "7"],
                                 ["Whole school", "", "School website", "3", "2", "2", "7"]]
    assert len(rows) == 1 + 3 * 2 + 2
    text = "\n".join(",".join(row) for row in rows)
    assert not any(name in text for name in NAMES)
    event = AuditEvent.objects.get(action="consent.coverage.exported")
    assert event.actor == governor_user and event.detail == {"rows": 8}


def test_csv_cells_are_never_run_as_formulas(client, staff_user):
    ConsentPurpose.objects.all().delete()
    purpose("=HYPERLINK(\"http://evil.example\")")
    family("Ivy", "Ulm", reg_class="+cmd|' /C calc'!A0")
    family("Jon", "Vale", reg_class="")
    client.force_login(staff_user)
    rows = read_csv(client.get(URL, {"format": "csv"}))
    assert rows[1] == ["Year 5", "'+cmd|' /C calc'!A0", "'=HYPERLINK(\"http://evil.example\")", "0", "0", "1", "1"]
    assert rows[2] == ["Year 5", "No class", "'=HYPERLINK(\"http://evil.example\")", "0", "0", "1", "1"]


def test_no_purposes_in_use_says_so(client, staff_user):
    ConsentPurpose.objects.update(active=False)
    family("Kay", "Wade")
    client.force_login(staff_user)
    assert "No consent purposes are in use." in client.get(URL).content.decode()
