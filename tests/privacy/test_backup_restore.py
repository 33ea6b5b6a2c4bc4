"""The README's backup and restore, done for real: pg_dump the test database in the custom format,
pg_restore it into a fresh database exactly as the README says, and find the same records and an
intact audit trail there (verify_audit run against the restored copy)."""

import os
import shutil
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from agreements.models import Signature
from consent.models import ConsentDecision
from incidents.models import ChronologyEntry, Incident
from safety_portal.audit.models import AuditEvent
from safety_portal.audit.services import audit_record
from tests.factories import user_with_role
from tests.privacy.factories import closed_incident, consent_decision, grown_up_pupil, pupil_signature

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="backups are pg_dump/pg_restore of PostgreSQL (CI runs this on PostgreSQL); "
                              "set DATABASE_URL=postgres://... to run it here"),
    pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")),
                       reason="needs pg_dump and pg_restore on the PATH"),
]


def _libpq_env(database):
    """The test database's connection settings, as the PG* variables pg_dump and pg_restore read."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": database, "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or ""),
           "PGUSER": db.get("USER") or "", "PGPASSWORD": db.get("PASSWORD") or ""}
    return {key: value for key, value in env.items() if value != "" or not key.startswith("PG")}


def _conninfo(database):
    db = connection.settings_dict
    parts = {"dbname": database, "host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
             "password": db.get("PASSWORD")}
    return {key: value for key, value in parts.items() if value}


def _counts(cursor):
    found = {}
    for table in ("incidents_incident", "incidents_chronologyentry", "agreements_signature",
                  "consent_consentdecision", "audit_auditevent"):
        cursor.execute(f"SELECT array_agg(id ORDER BY id) FROM {table}")  # noqa: S608 (fixed names)
        found[table] = cursor.fetchone()[0] or []
    return found


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_a_fresh_database_with_the_same_records_and_an_intact_audit_trail(tmp_path):
    dsl = user_with_role("DSL")
    incident = closed_incident(pupils=[grown_up_pupil()])
    ChronologyEntry.objects.create(incident=incident, happened_at=timezone.now(), author=dsl, text="Met parents")
    signature = pupil_signature(grown_up_pupil())
    decision = consent_decision(grown_up_pupil())
    audit_record(action="incidents.incident.viewed", obj=incident, actor=dsl)
    audit_record(action="agreements.signature.viewed", obj=signature, actor=dsl)
    expected = {
        "incidents_incident": list(Incident.objects.order_by("pk").values_list("pk", flat=True)),
        "incidents_chronologyentry": list(ChronologyEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "agreements_signature": list(Signature.objects.order_by("pk").values_list("pk", flat=True)),
        "consent_consentdecision": list(ConsentDecision.objects.order_by("pk").values_list("pk", flat=True)),
        "audit_auditevent": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }
    assert decision.pk in expected["consent_consentdecision"] and len(expected["audit_auditevent"]) >= 2
    last_hash = AuditEvent.objects.order_by("-sequence").values_list("hash", flat=True).first()

    source = connection.settings_dict["NAME"]
    restored = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "portal.dump"
    # As the README: pg_dump --format=custom, then pg_restore --clean --if-exists --no-owner into the database.
    with dump.open("wb") as out:
        subprocess.run(["pg_dump", "--format=custom"], env=_libpq_env(source), stdout=out, check=True, timeout=120)
    with psycopg.connect(**_conninfo(source), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        with dump.open("rb") as backup:
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", restored],
                           env=_libpq_env(restored), stdin=backup, check=True, timeout=120)
        with psycopg.connect(**_conninfo(restored)) as copy, copy.cursor() as cursor:
            assert _counts(cursor) == expected
            cursor.execute("SELECT hash FROM audit_auditevent ORDER BY sequence DESC LIMIT 1")
            assert cursor.fetchone()[0] == last_hash
            cursor.execute("SELECT description FROM incidents_incident WHERE id = %s", [incident.pk])
            assert cursor.fetchone()[0] == incident.description
        # The README's last step: verify_audit, run against the restored copy.
        db = connection.settings_dict
        url = (f"postgres://{db.get('USER') or ''}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
               f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{restored}")
        result = subprocess.run(
            [sys.executable, "manage.py", "verify_audit"], cwd=settings.BASE_DIR, capture_output=True, text=True,
            env={**os.environ, "DATABASE_URL": url, "DEBUG": "true",
                 "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "safety_portal.settings")},
            timeout=120)
        assert result.returncode == 0, result.stderr
        assert f"{len(expected['audit_auditevent'])} events verified" in result.stdout
    finally:
        with psycopg.connect(**_conninfo(source), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
