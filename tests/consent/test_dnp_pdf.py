"""The "do not photograph" PDF for trips and events names exactly the pupils not to photograph, and is
dated, named and marked confidential on every page."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from consent.models import ConsentPurpose
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import Pupil, SchoolProfile
from tests.consent.factories import every_guardian_must_agree, purpose, purposes
from tests.consent.test_do_not_photograph import decide_all, family
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("consent:do_not_photograph_pdf")
CONFIDENTIAL = "CONFIDENTIAL: do not display or share; destroy after use"


def pdf_pages(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # Lines wrap wherever the page ends: compare with single spaces.
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture
def teacher(client):
    user = UserFactory(first_name="Marcus", last_name="Bellamy", roles=[roles.STAFF])
    client.force_login(user)
    return user


@pytest.fixture
def trip():
    """Class 5A: two pupils to leave out of photos, three who may be in them; 5B has one to leave out."""
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    purposes()
    website = purpose("School website")
    refused, (mum,) = family("Ben", "Marsh")
    decide_all(refused, mum, True, but=[website])
    awaiting, _guardians = family("Cara", "Nettle")
    said_yes, (mum,) = family("Ada", "Lovelock")
    decide_all(said_yes, mum, True)
    stepfather_said_no, (mum, stepfather) = family("Dev", "Orwin", others=1)
    decide_all(stepfather_said_no, mum, True)
    decide_all(stepfather_said_no, stepfather, False)
    one_of_two, (mum, _dad) = family("Gus", "Sorrel", parents=2)
    decide_all(one_of_two, mum, True)
    family("Finn", "Rook", reg_class="5B")
    return website


def test_pdf_names_exactly_the_pupils_not_to_photograph(client, teacher, trip):
    text = " ".join(pdf_pages(client.get(URL, {"group": "class:5A", "purpose": trip.pk})))

    assert "Ben Marsh 5A refused" in text
    assert "Cara Nettle 5A awaiting" in text
    for name in ("Lovelock", "Orwin", "Sorrel", "Rook"):
        assert name not in text
    assert "2 pupils must not be photographed" in text
    assert "Class 5A · School website" in text
    assert "Oakfield Primary" in text
    assert "by Marcus Bellamy" in text


def test_pdf_follows_the_both_parents_setting(client, teacher, trip):
    every_guardian_must_agree(True)
    text = " ".join(pdf_pages(client.get(URL, {"group": "class:5A", "purpose": trip.pk})))
    assert "Gus Sorrel 5A awaiting" in text
    assert "Lovelock" not in text and "Orwin" not in text


def test_pdf_for_any_purpose_lists_each_purpose_and_its_category(client, teacher, trip):
    text = " ".join(pdf_pages(client.get(URL, {"group": "class:5A"})))
    assert "Ben Marsh 5A School website: refused Cara" in text  # Ben is held back from nothing else
    assert "Cara Nettle 5A All purposes: awaiting" in text
    assert "Class 5A · Any purpose" in text
    for name in ("Lovelock", "Orwin", "Sorrel", "Rook"):
        assert name not in text


def test_every_page_is_marked_confidential_numbered_and_repeats_the_table_header(client, teacher):
    purposes()
    website = purpose("School website")
    Pupil.objects.bulk_create([Pupil(mis_id=f"P{n:04d}", first_name=f"Child{n}", last_name=f"Surname{n:03d}",
                                     year_group=5, reg_class="5A") for n in range(90)])
    pages = pdf_pages(client.get(URL, {"group": "class:5A", "purpose": website.pk}))

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert CONFIDENTIAL in text
        assert f"Page {number} of {len(pages)}" in text
        assert "First name Surname Class Why" in text
        assert "Produced " in text and " by Marcus Bellamy" in text
    text = " ".join(pages)
    assert all(f"Child{n} Surname{n:03d} 5A awaiting" in text for n in range(90))


def test_an_empty_list_says_everyone_may_be_photographed(client, teacher):
    purposes()
    child, (mum,) = family("Quin", "Yarrow")
    decide_all(child, mum, True)
    text = " ".join(pdf_pages(client.get(URL, {"group": "class:5A"})))
    assert "Everyone in 5A may be photographed for all purposes." in text
    assert "Yarrow" not in text


def test_download_is_audited_with_its_filters_and_row_count(client, teacher, trip):
    response = client.get(URL, {"group": "class:5A", "purpose": trip.pk})
    assert response["Content-Disposition"].startswith('attachment; filename="do-not-photograph-class-5a-')
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="consent.list.downloaded")
    assert event.actor == teacher
    assert event.detail == {"filters": {"group": "class:5A", "purpose": trip.pk}, "rows": 2}


def test_a_filter_that_cannot_be_read_makes_no_pdf(client, teacher, trip):
    response = client.get(URL, {"group": "class:9Z"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("consent:do_not_photograph"))
    assert not AuditEvent.objects.filter(action="consent.list.downloaded").exists()


def test_a_name_with_markup_is_printed_as_text(client, teacher):
    website = purpose("School website")
    family("Zoë", "O'Neill-<b>Smythe</b>")
    SchoolProfile.objects.create(pk=1, name='St Mary\'s "C of E" School')
    pages = pdf_pages(client.get(URL, {"purpose": website.pk}))
    assert "Zoë O'Neill-<b>Smythe</b>" in pages[0]
    assert 'St Mary\'s "C of E" School' in pages[0]


def test_purposes_no_longer_in_use_are_left_off(client, teacher, trip):
    ConsentPurpose.objects.exclude(pk=trip.pk).update(active=False)
    text = " ".join(pdf_pages(client.get(URL, {"group": "class:5A"})))
    assert "Official school social media" not in text
    assert "Cara Nettle 5A School website: awaiting" in text
