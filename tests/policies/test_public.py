"""The public policies page (no login) and its downloads: only the current version of a policy in
use that is marked for the school website."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from policies.dates import add_months
from policies.documents import download_name
from policies.models import Category, Policy, Status
from safety_portal.audit.models import AuditEvent
from safety_portal.school.models import SchoolProfile
from tests.factories import user_with_role
from tests.policies.factories import PDF_BYTES, docx_bytes, docx_upload, make_policy, record_version

pytestmark = pytest.mark.django_db

LIST = "/school-policies/"
# Two months ago, so the next review (12 months on) is still ahead whatever day the tests run.
APPROVED = timezone.localdate() - datetime.timedelta(days=60)


def document_url(version):
    return reverse("public_policies:document", args=[version.pk, download_name(version)])


def published(title, **fields):
    fields.setdefault("on_website", True)
    fields.setdefault("status", Status.ACTIVE)
    policy = make_policy(title, **fields)
    return record_version(policy, approved_on=APPROVED)


@pytest.fixture
def school():
    return SchoolProfile.objects.create(pk=1, name="Hillside Primary School")


def test_anyone_sees_the_published_policies_with_their_details_and_downloads(client, school):
    owner = user_with_role("Staff", first_name="Quentin", last_name="Ownerly")
    version = published("Remote learning", category=Category.CURRICULUM, owner=owner)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hillside Primary School: our policies" in html
    assert "Remote learning" in html
    assert "Curriculum" in html
    assert "1.0" in html
    assert date_format(APPROVED, "j F Y") in html  # approved
    assert date_format(add_months(APPROVED, 12), "j F Y") in html  # next review, 12 months on
    assert f'href="{document_url(version)}"' in html
    # No staff menu, and nothing internal: who owns it, who approved it, what changed.
    assert 'data-testid="main-menu"' not in html
    assert "Ownerly" not in html and "Quentin" not in html
    assert "Full governing body" not in html
    assert version.change_summary not in html
    assert 'name="viewport"' in html


def test_only_published_in_use_policies_with_a_version_are_listed(client, school):
    published("Remote learning")
    published("Lettings", on_website=False)
    published("Old homework", status=Status.RETIRED)
    published("New uniform", status=Status.DRAFT)
    make_policy("Visitors", on_website=True, status=Status.ACTIVE)  # no version yet
    html = client.get(LIST).content.decode()
    assert "Remote learning" in html
    for hidden in ("Lettings", "Old homework", "New uniform", "Visitors"):
        assert hidden not in html


def test_the_page_says_when_nothing_is_published(client, school):
    published("Lettings", on_website=False)
    html = client.get(LIST).content.decode()
    assert 'data-testid="no-public-policies"' in html
    assert "Lettings" not in html


def test_the_current_document_downloads_for_anyone(client, school):
    version = published("Remote learning")
    response = client.get(document_url(version))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="remote-learning-v1.0.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=300"
    assert not AuditEvent.objects.filter(action="policies.document.downloaded").exists()


def test_a_word_document_downloads_as_one(client, school):
    policy = make_policy("Remote learning", on_website=True, status=Status.ACTIVE)
    version = record_version(policy, approved_on=APPROVED, upload=docx_upload())
    response = client.get(document_url(version))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == docx_bytes()
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert download_name(version).endswith(".docx")


def test_a_superseded_version_is_not_handed_out(client, school):
    old = published("Remote learning")
    new = record_version(old.policy, approved_on=APPROVED + datetime.timedelta(days=300))
    assert client.get(document_url(old)).status_code == 404
    assert client.get(document_url(new)).status_code == 200
    html = client.get(LIST).content.decode()
    assert f'href="{document_url(new)}"' in html
    assert document_url(old) not in html


@pytest.mark.parametrize("change", [{"on_website": False}, {"status": Status.DRAFT}, {"status": Status.RETIRED}])
def test_documents_of_policies_not_published_or_not_in_use_give_404(client, school, change):
    version = published("Remote learning")
    url = document_url(version)
    Policy.objects.filter(pk=version.policy_id).update(**change)
    assert client.get(url).status_code == 404


def test_a_wrong_name_or_unknown_version_gives_404(client, school):
    version = published("Remote learning")
    assert client.get(reverse("public_policies:document", args=[version.pk, "other-v1.0.pdf"])).status_code == 404
    assert client.get(reverse("public_policies:document", args=[version.pk + 1000,
                                                                download_name(version)])).status_code == 404


def test_a_stored_file_that_is_no_longer_a_pdf_is_not_handed_out(client, school):
    version = published("Remote learning")
    default_storage.delete(version.document.name)
    assert default_storage.save(version.document.name, ContentFile(b"<html>not a pdf</html>")) == version.document.name
    assert client.get(document_url(version)).status_code == 404
    default_storage.delete(version.document.name)
    assert client.get(document_url(version)).status_code == 404


def test_the_page_runs_the_same_queries_however_many_policies(client, school, count_queries):
    for n in range(2):
        published(f"Policy {n}")
    small, _response = count_queries(client, LIST)
    for n in range(2, 12):
        published(f"Policy {n}")
    large, response = count_queries(client, LIST)
    assert len(response.context["rows"]) == 12
    assert small == large


def test_a_review_date_already_past_reads_under_review(client, school):
    version = published("Remote learning")
    Policy.objects.filter(pk=version.policy_id).update(next_review_on=timezone.localdate() - datetime.timedelta(days=3))
    html = client.get(LIST).content.decode()
    assert "Under review" in html


def test_the_public_page_may_be_indexed_and_a_parents_page_may_not(client, school):
    assert "noindex" not in client.get(LIST).content.decode()
    assert "noindex" in client.get("/p/not-a-real-token/").content.decode()
