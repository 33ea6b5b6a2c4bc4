"""MIS import pages: upload, preview, commit and discard, for administrators only."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import Guardian, MisImport, Pupil
from tests.factories import PupilFactory, user_with_role

DATA = Path(__file__).parent / "data"
UPLOAD_URL = reverse("mis_import:upload")


def csv_file(name="pupils.csv", content=None, fixture="pupils_sims.csv"):
    data = content if content is not None else (DATA / fixture).read_bytes()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post_upload(client, *, kind="pupils", full_roll=False, file=None):
    data = {"kind": kind, "file": file or csv_file()}
    if full_roll:
        data["full_roll"] = "on"
    return client.post(UPLOAD_URL, data)


def test_upload_page_documents_the_columns_and_lists_recent_imports(admin_client, admin_user):
    MisImport.objects.create(kind="staff", file_name="staff-2025.csv", content="x", created_by=admin_user,
                             status=MisImport.Status.COMMITTED, summary={"new": 3, "updated": 0, "unchanged": 1})

    response = admin_client.get(UPLOAD_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    for header in ("<code>UPN</code>", "<code>Legal Surname</code>", "<code>Reg Group</code>",
                   "<code>Contact Email</code>", "<code>Parental Responsibility</code>", "<code>Staff Code</code>",
                   "<code>Portal Roles</code>"):
        assert header in page
    assert "staff-2025.csv" in page
    assert "3 new, 0 updated, 1 unchanged" in page


def test_upload_stores_the_file_and_shows_the_preview_without_importing(admin_client, admin_user):
    response = post_upload(admin_client)

    mis_import = MisImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mis_import:preview", args=[mis_import.pk])
    assert mis_import.status == MisImport.Status.PREVIEW
    assert mis_import.created_by == admin_user
    assert mis_import.content.startswith("UPN,Legal Surname")
    assert Pupil.objects.count() == 0
    assert AuditEvent.objects.filter(action="school.mis_import.uploaded", object_id=str(mis_import.pk)).exists()

    page = admin_client.get(response.url).content.decode()
    assert '<div class="fs-3" data-count="new">5</div>' in page
    assert "Liv Brown (B223456789012)" in page
    assert 'data-testid="confirm-import"' in page
    assert Pupil.objects.count() == 0


def test_preview_then_commit_imports_and_shows_the_summary(admin_client, admin_user):
    post_upload(admin_client)
    mis_import = MisImport.objects.get()
    url = reverse("mis_import:preview", args=[mis_import.pk])

    response = admin_client.post(url, {"action": "commit"}, follow=True)

    assert response.redirect_chain[-1][0] == url
    assert Pupil.objects.count() == 5
    page = response.content.decode()
    assert "Import complete: 5 new, 0 updated, 0 unchanged, 0 marked as left." in page
    assert 'data-testid="committed-summary"' in page
    assert 'data-testid="confirm-import"' not in page
    event = AuditEvent.objects.get(action="school.mis_import.committed")
    assert event.actor == admin_user
    assert AuditEvent.objects.filter(action="school.pupil.created", actor=admin_user).count() == 5


def test_a_committed_import_cannot_be_committed_again_from_the_page(admin_client):
    post_upload(admin_client)
    url = reverse("mis_import:preview", args=[MisImport.objects.get().pk])
    admin_client.post(url, {"action": "commit"})
    Pupil.objects.all().delete()

    response = admin_client.post(url, {"action": "commit"}, follow=True)

    assert Pupil.objects.count() == 0
    assert "already been imported" in response.content.decode()


def test_a_file_with_errors_lists_every_error_and_has_no_import_button(admin_client):
    content = (b"UPN,Legal Surname,Legal Forename,DOB,Year\n"
               b"A1,Smith,Ann,30/02/2016,Y4\n"
               b"A2,Jones,Bob,01/02/2016,Y4\n"
               b"A3,,Cat,01/02/2016,Y4\n")
    response = post_upload(admin_client, file=csv_file(content=content))

    page = admin_client.get(response.url).content.decode()

    assert 'data-testid="confirm-import"' not in page
    assert "This file has 2 problems, so it cannot be imported" in page
    assert "<tr><td>2</td><td>DOB</td><td>“30/02/2016” is not a real date.</td></tr>" in page
    assert "<tr><td>4</td><td>Legal Surname</td><td>Legal surname is missing.</td></tr>" in page


def test_posting_commit_for_a_file_with_errors_imports_nothing(admin_client):
    content = b"UPN,Legal Surname,Legal Forename,Year\nA1,Smith,Ann,Y4\nA2,Jones,Bob,Year 99\n"
    response = post_upload(admin_client, file=csv_file(content=content))

    response = admin_client.post(response.url, {"action": "commit"}, follow=True)

    assert Pupil.objects.count() == 0
    assert MisImport.objects.get().status == MisImport.Status.PREVIEW
    assert "Nothing was imported: the file has 1 problem." in response.content.decode()


def test_discard_marks_the_import_discarded_and_imports_nothing(admin_client):
    response = post_upload(admin_client)

    response = admin_client.post(response.url, {"action": "discard"}, follow=True)

    assert response.redirect_chain[-1][0] == UPLOAD_URL
    assert MisImport.objects.get().status == MisImport.Status.DISCARDED
    assert Pupil.objects.count() == 0
    assert "The file was discarded" in response.content.decode()


def test_guardians_preview_shows_link_counts(admin_client):
    admin_client.post(post_upload(admin_client).url, {"action": "commit"})

    response = post_upload(admin_client, kind="guardians", file=csv_file(fixture="guardians_sims.csv"))
    page = admin_client.get(response.url).content.decode()

    assert "Links between parents or carers and pupils: 7 new, 0 updated, 0 unchanged." in page
    assert Guardian.objects.count() == 0


def test_full_roll_preview_lists_pupils_to_be_marked_as_left(admin_client):
    PupilFactory(mis_id="GONE1", first_name="Harriet", last_name="Leaver")
    response = post_upload(admin_client, full_roll=True)

    page = admin_client.get(response.url).content.decode()

    assert '<div class="fs-3" data-count="left">1</div>' in page
    assert "Harriet Leaver (GONE1)" in page


def test_full_roll_for_a_guardians_file_is_refused_and_the_choices_are_kept(admin_client):
    response = post_upload(admin_client, kind="guardians", full_roll=True, file=csv_file(fixture="guardians_sims.csv"))

    assert response.status_code == 200
    assert MisImport.objects.count() == 0
    form = response.context["form"]
    assert "full_roll" in form.errors
    assert form["kind"].value() == "guardians"
    assert form["full_roll"].value() is True
    assert "The file was not uploaded" in response.content.decode()


def test_a_file_that_is_too_large_is_refused_with_a_clear_message(admin_client, monkeypatch):
    monkeypatch.setattr("safety_portal.school.forms.MAX_UPLOAD_BYTES", 100)

    response = post_upload(admin_client)

    assert response.status_code == 200
    assert MisImport.objects.count() == 0
    assert "The largest file you can upload is 100" in response.context["form"].errors["file"][0]


def test_a_file_that_is_not_csv_is_refused(admin_client):
    response = post_upload(admin_client, kind="staff", file=csv_file(name="staff.xlsx", content=b"PK\x03\x04data"))

    assert response.status_code == 200
    assert MisImport.objects.count() == 0
    assert "is not a CSV file" in response.context["form"].errors["file"][0]
    assert response.context["form"]["kind"].value() == "staff"


def test_an_excel_workbook_renamed_to_csv_is_refused_with_how_to_save_as_csv(admin_client):
    response = post_upload(admin_client, file=csv_file(name="pupils.csv", content=b"PK\x03\x04data"))

    assert MisImport.objects.count() == 0
    assert "CSV UTF-8" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.STAFF, roles.GOVERNOR])
def test_only_administrators_may_use_the_import_pages(client, db, role):
    mis_import = MisImport.objects.create(kind="pupils", file_name="p.csv", content="UPN\n")
    client.force_login(user_with_role(role))

    assert client.get(UPLOAD_URL).status_code == 404
    assert client.post(UPLOAD_URL, {"kind": "pupils", "file": csv_file()}).status_code == 404
    # A single import answers "not found", so its id cannot be probed.
    preview_url = reverse("mis_import:preview", args=[mis_import.pk])
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url, {"action": "commit"}).status_code == 404
    assert MisImport.objects.count() == 1
    assert Pupil.objects.count() == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_upload_form_lives_with_the_other_forms():
    from safety_portal.school.forms import MisUploadForm

    assert MisUploadForm.__module__ == "safety_portal.school.forms"


def test_a_utf16_file_with_a_nul_character_is_refused_at_upload(admin_client):
    data = "UPN\tSurname\tForename\tYear\r\nA1\tSmi\x00th\tAnn\t4\r\n".encode("utf-16")

    response = post_upload(admin_client, file=csv_file(content=data))

    assert response.status_code == 200
    assert MisImport.objects.count() == 0
    assert "NUL" in response.context["form"].errors["file"][0]


def test_a_committed_import_keeps_no_copy_of_the_file_and_its_page_shows_the_summary(admin_client):
    url = post_upload(admin_client).url
    admin_client.post(url, {"action": "commit"})

    mis_import = MisImport.objects.get()
    assert mis_import.content == ""
    page = admin_client.get(url).content.decode()
    assert "5 new, 0 updated, 0 unchanged, 0 marked as left" in page
    assert "Liv Brown" not in page


def test_a_discarded_import_keeps_no_copy_of_the_file(admin_client):
    url = post_upload(admin_client).url

    admin_client.post(url, {"action": "discard"})

    assert MisImport.objects.get().content == ""
    assert admin_client.get(url).status_code == 200


def test_preview_counts_sen_eal_and_looked_after_changes_but_never_shows_them_beside_a_name(admin_client):
    admin_client.post(post_upload(admin_client).url, {"action": "commit"})
    changed = (DATA / "pupils_sims.csv").read_bytes().replace(b"4H,04/09/2020,N,Yes,No", b"5H,04/09/2020,K,No,No")
    changed = changed.replace(b"5B,04/09/2019,K,No,No", b"5B,04/09/2019,N,No,No")  # Olivia: only her SEN status

    response = post_upload(admin_client, file=csv_file(content=changed))
    page = admin_client.get(response.url).content.decode()

    assert "Yusuf Ahmed (A123456789012)" in page
    assert "Registration group: 4H → 5H" in page
    assert "SEN status:" not in page and "EAL:" not in page
    assert "Liv Brown" not in page
    assert '<div class="fs-3" data-count="updated">2</div>' in page
    assert "SEN status changes for 2 pupils; EAL changes for 1 pupil." in page
    assert "1 more pupil is updated whose only change is to SEN, EAL or looked-after status" in page
    assert "(first" not in page  # the one pupil listed is the whole list


def test_full_contacts_upload_previews_the_links_to_remove_with_a_warning(admin_client):
    admin_client.post(post_upload(admin_client).url, {"action": "commit"})
    admin_client.post(post_upload(admin_client, kind="guardians", file=csv_file(fixture="guardians_sims.csv")).url,
                      {"action": "commit"})
    without_imran = b"\n".join(line for line in (DATA / "guardians_sims.csv").read_bytes().splitlines()
                               if b",C1002," not in line)

    response = admin_client.post(UPLOAD_URL, {"kind": "guardians", "full_contacts": "on",
                                              "file": csv_file(content=without_imran)})
    mis_import = MisImport.objects.order_by("-pk").first()
    page = admin_client.get(response.url).content.decode()

    assert mis_import.full_contacts is True
    assert "Full contacts file" in page
    assert '<div class="fs-3" data-count="links_removed">1</div>' in page
    assert "1 link between a pupil and a parent or carer would be removed" in page
    assert "Mr Imran Ahmed – Yusuf Ahmed (A123456789012)" in page

    admin_client.post(response.url, {"action": "commit"})

    assert not Guardian.objects.get(mis_id="C1002").pupil_links.exists()


def test_full_contacts_for_a_pupils_file_is_refused(admin_client):
    response = admin_client.post(UPLOAD_URL, {"kind": "pupils", "full_contacts": "on", "file": csv_file()})

    assert response.status_code == 200
    assert MisImport.objects.count() == 0
    assert "full_contacts" in response.context["form"].errors


def test_the_upload_form_offers_the_full_contacts_option(admin_client):
    page = admin_client.get(UPLOAD_URL).content.decode()

    assert 'name="full_contacts"' in page


# --- New staff: their roles are shown ------------------------------------------------------------

def test_staff_preview_shows_the_roles_each_new_person_will_get(admin_client):
    response = post_upload(admin_client, kind="staff", file=csv_file(name="staff.csv", fixture="staff.csv"))

    page = admin_client.get(response.url).content.decode()

    assert '<th scope="col">Portal roles</th>' in page
    assert ("<tr><td>2</td><td>Jane Smith (j.smith@school.example)</td>"
            "<td>Online-safety lead, Staff, Governor</td></tr>") in page
    assert "<tr><td>3</td><td>Tom Khan (t.khan@school.example)</td><td>Staff</td></tr>" in page
    assert "<td>Staff, Technical staff</td>" in page


def test_staff_preview_shows_role_changes_for_existing_people(admin_client):
    user_with_role(roles.GOVERNOR, email="t.khan@school.example", first_name="Tom", last_name="Khan",
                   job_title="Class Teacher (Year 4)", mis_id="TKH")

    response = post_upload(admin_client, kind="staff", file=csv_file(name="staff.csv", fixture="staff.csv"))
    page = admin_client.get(response.url).content.decode()

    assert "<li>Portal roles: Governor → Staff, Governor</li>" in page


def test_a_pupils_preview_has_no_roles_column(admin_client):
    page = admin_client.get(post_upload(admin_client).url).content.decode()

    assert "Portal roles" not in page


# --- Large changes need an extra confirmation -----------------------------------------------------

def large_full_roll(admin_client, on_roll=10):
    PupilFactory.create_batch(on_roll)
    return post_upload(admin_client, full_roll=True).url


def test_a_full_roll_that_would_mark_most_pupils_as_left_asks_for_an_extra_confirmation(admin_client):
    url = large_full_roll(admin_client)

    page = admin_client.get(url).content.decode()

    assert 'data-testid="confirm-large-changes"' in page
    assert 'name="confirm_large_changes"' in page
    assert "Yes, mark 10 pupils as left" in page
    assert 'data-testid="confirm-import"' in page
    assert "formnovalidate" in page  # discarding never needs the box ticked


def test_importing_a_large_full_roll_without_the_extra_confirmation_is_refused_and_writes_nothing(admin_client):
    url = large_full_roll(admin_client)
    events_before = AuditEvent.objects.count()

    response = admin_client.post(url, {"action": "commit"}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == url
    assert "Nothing was imported" in page
    assert "tick “Yes, mark 10 pupils as left”" in page
    assert Pupil.objects.count() == 10
    assert Pupil.objects.filter(leaving_date__isnull=False).count() == 0
    assert AuditEvent.objects.count() == events_before
    assert MisImport.objects.get().status == MisImport.Status.PREVIEW
    assert 'data-testid="confirm-import"' in page  # the page is shown again, ready to tick the box


def test_importing_a_large_full_roll_with_the_extra_confirmation_marks_the_pupils_as_left(admin_client):
    url = large_full_roll(admin_client)

    response = admin_client.post(url, {"action": "commit", "confirm_large_changes": "yes"}, follow=True)

    assert "Import complete: 5 new, 0 updated, 0 unchanged, 10 marked as left." in response.content.decode()
    assert Pupil.objects.filter(leaving_date__isnull=False).count() == 10
    assert MisImport.objects.get().status == MisImport.Status.COMMITTED


def test_discarding_a_large_full_roll_needs_no_extra_confirmation(admin_client):
    url = large_full_roll(admin_client)

    admin_client.post(url, {"action": "discard"})

    assert MisImport.objects.get().status == MisImport.Status.DISCARDED


def test_a_full_roll_marking_few_pupils_as_left_has_no_extra_confirmation(admin_client):
    PupilFactory()
    url = post_upload(admin_client, full_roll=True).url  # 5 new, 1 of the 1 on roll left: that is 100%
    admin_client.post(url, {"action": "commit", "confirm_large_changes": "yes"})
    PupilFactory()  # now 1 of 6 on roll would be marked as left

    page = admin_client.get(post_upload(admin_client, full_roll=True).url).content.decode()

    assert '<div class="fs-3" data-count="left">1</div>' in page
    assert 'name="confirm_large_changes"' not in page
    assert 'data-testid="confirm-import"' in page


def test_a_full_contacts_file_removing_most_links_asks_for_an_extra_confirmation(admin_client):
    admin_client.post(post_upload(admin_client).url, {"action": "commit"})
    admin_client.post(post_upload(admin_client, kind="guardians", file=csv_file(fixture="guardians_sims.csv")).url,
                      {"action": "commit"})
    only_fatima = (b"UPN,Contact ID,Contact Surname,Contact Forename,Contact Email\n"
                   b"A123456789012,C1001,Ahmed,Fatima,fatima.ahmed@home.example\n")
    url = admin_client.post(UPLOAD_URL, {"kind": "guardians", "full_contacts": "on",
                                         "file": csv_file(content=only_fatima)}).url

    page = admin_client.get(url).content.decode()
    assert "Yes, remove 1 link between a pupil and a parent or carer" in page

    page = admin_client.post(url, {"action": "commit"}, follow=True).content.decode()
    assert "Nothing was imported" in page
    assert Guardian.objects.get(mis_id="C1002").pupil_links.exists()

    admin_client.post(url, {"action": "commit", "confirm_large_changes": "yes"})
    assert not Guardian.objects.get(mis_id="C1002").pupil_links.exists()


# --- Import states: problems, nothing to import ----------------------------------------------------

BAD_FILE = b"UPN,Legal Surname,Legal Forename,Year\nA1,Smith,Ann,Y4\nA2,Jones,Bob,Year 99\n"


def test_a_file_with_problems_is_listed_as_having_problems_not_awaiting_confirmation(admin_client):
    post_upload(admin_client, file=csv_file(name="bad.csv", content=BAD_FILE))

    response = admin_client.get(UPLOAD_URL)

    page = response.content.decode()
    assert "bad.csv" in page
    assert "Has problems" in page
    assert "Awaiting confirmation" not in page
    assert "1 problem" in page


def test_the_preview_of_a_file_with_problems_says_it_has_problems(admin_client):
    url = post_upload(admin_client, file=csv_file(content=BAD_FILE)).url

    page = admin_client.get(url).content.decode()

    assert '<span data-testid="import-status">Has problems</span>' in page


def test_a_file_waiting_to_be_imported_is_listed_as_awaiting_confirmation(admin_client):
    post_upload(admin_client)

    page = admin_client.get(UPLOAD_URL).content.decode()

    assert "Awaiting confirmation" in page
    assert "Has problems" not in page


def test_reimporting_an_unchanged_file_says_there_is_nothing_to_import_and_offers_no_import_button(admin_client):
    admin_client.post(post_upload(admin_client).url, {"action": "commit"})

    url = post_upload(admin_client).url
    page = admin_client.get(url).content.decode()

    assert "Nothing to import: everything in the file already matches" in page
    assert 'data-testid="confirm-import"' not in page
    assert 'value="commit"' not in page
    assert '<span data-testid="import-status">Nothing to import</span>' in page
    assert "Discard this file" in page
    upload_page = admin_client.get(UPLOAD_URL).content.decode()
    assert "Nothing to import" in upload_page
