"""Uploads never imported or discarded are discarded after 24 hours, so the file is not kept for ever."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from safety_portal.audit.labels import ACTION_LABELS
from safety_portal.audit.models import AuditEvent
from safety_portal.audit.services import audit_verify_chain
from safety_portal.school.mis_import import (
    MisImportRefused,
    mis_import_commit,
    mis_import_discard,
    mis_import_state,
    mis_import_upload,
)
from safety_portal.school.models import MisImport, Pupil
from safety_portal.school.tasks import mis_import_expire

CONTENT = "UPN,Surname,Forename,Year,SEN\nA1,Smith,Ann,Y4,K\nA2,Jones,Bob,Y5,N\n"


def uploaded(hours_ago, actor=None, content=CONTENT):
    mis_import = mis_import_upload(kind="pupils", content=content, file_name="pupils.csv", actor=actor)
    MisImport.objects.filter(pk=mis_import.pk).update(created_at=timezone.now() - datetime.timedelta(hours=hours_ago))
    mis_import.refresh_from_db()
    return mis_import


def test_an_upload_left_in_preview_for_more_than_a_day_is_discarded_and_its_file_blanked(admin_user):
    mis_import = uploaded(25, actor=admin_user)
    summary = dict(mis_import.summary)

    assert mis_import_expire() == 1

    mis_import.refresh_from_db()
    assert mis_import.status == MisImport.Status.DISCARDED
    assert mis_import.content == ""
    assert {key: mis_import.summary[key] for key in summary} == summary
    assert mis_import.summary["rows"] == 2
    event = AuditEvent.objects.get(action="school.mis_import.expired")
    assert event.actor is None
    assert (event.object_type, event.object_id) == ("school.misimport", str(mis_import.pk))
    assert "Smith" not in str(event.detail)
    assert audit_verify_chain().ok
    assert Pupil.objects.count() == 0


def test_an_upload_less_than_a_day_old_is_kept(admin_user):
    mis_import = uploaded(23, actor=admin_user)

    assert mis_import_expire() == 0

    mis_import.refresh_from_db()
    assert mis_import.status == MisImport.Status.PREVIEW
    assert mis_import.content == CONTENT
    assert not AuditEvent.objects.filter(action="school.mis_import.expired").exists()


def test_imports_already_committed_or_discarded_are_left_alone(admin_user):
    committed = uploaded(0, actor=admin_user)
    mis_import_commit(mis_import=committed, actor=admin_user)
    discarded = uploaded(0, actor=admin_user)
    mis_import_discard(mis_import=discarded, actor=admin_user)
    MisImport.objects.update(created_at=timezone.now() - datetime.timedelta(hours=48))

    assert mis_import_expire() == 0

    committed.refresh_from_db()
    discarded.refresh_from_db()
    assert committed.status == MisImport.Status.COMMITTED
    assert discarded.status == MisImport.Status.DISCARDED
    assert not AuditEvent.objects.filter(action="school.mis_import.expired").exists()


def test_expiring_twice_changes_nothing_the_second_time(admin_user):
    uploaded(30, actor=admin_user)
    uploaded(40, actor=admin_user, content=CONTENT.replace("Ann", "Anne"))

    assert mis_import_expire() == 2
    assert mis_import_expire() == 0

    assert AuditEvent.objects.filter(action="school.mis_import.expired").count() == 2
    assert not MisImport.objects.exclude(content="").exists()


def test_an_expired_upload_cannot_be_imported_and_its_page_says_why(admin_client, admin_user):
    mis_import = uploaded(25, actor=admin_user)
    mis_import_expire()

    with pytest.raises(MisImportRefused, match="already been imported or discarded"):
        mis_import_commit(mis_import=mis_import, actor=admin_user)

    page = admin_client.get(reverse("mis_import:preview", args=[mis_import.pk])).content.decode()
    assert "discarded automatically" in page
    assert '<span data-testid="import-status">Expired</span>' in page
    assert mis_import_state(MisImport.objects.get(pk=mis_import.pk))[0] == "expired"
    assert "Expired" in admin_client.get(reverse("mis_import:upload")).content.decode()
    assert Pupil.objects.count() == 0


def test_the_task_runs_through_celery(admin_user):
    uploaded(25, actor=admin_user)

    result = mis_import_expire.delay()

    assert result.get() == 1
    assert MisImport.objects.get().status == MisImport.Status.DISCARDED


def test_the_task_is_scheduled_hourly_by_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["mis-import-expire"]

    assert entry["task"] == mis_import_expire.name == "safety_portal.school.tasks.mis_import_expire"
    assert entry["schedule"] == 3600.0


def test_the_expired_action_has_a_label_for_the_audit_trail():
    assert "school.mis_import.expired" in ACTION_LABELS


def test_an_upload_over_a_day_old_cannot_be_committed_even_before_the_job_runs(admin_user):
    from safety_portal.school.mis_import import MisImportRefused
    from safety_portal.school.models import Pupil

    stale = uploaded(25, actor=admin_user)
    with pytest.raises(MisImportRefused, match="more than 24 hours old"):
        mis_import_commit(mis_import=stale, actor=admin_user)
    assert not Pupil.objects.exists()
