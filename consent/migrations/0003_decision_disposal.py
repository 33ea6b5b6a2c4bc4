"""A consent decision past its retention period may be deleted, by the disposal service only.

PostgreSQL's trigger still refuses every update and every delete, except a delete made while the
transaction has set safety_portal.disposal to 'on' (safety_portal.privacy.services does, for the
records it has checked are due and is logging). SQLite's trigger refuses updates only: nothing changes.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION consent_decision_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('safety_portal.disposal', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'a consent decision is history and cannot be changed or deleted';
END $$ LANGUAGE plpgsql;
"""

POSTGRES_REVERSE = """
CREATE OR REPLACE FUNCTION consent_decision_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a consent decision is history and cannot be changed or deleted';
END $$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_append_only_and_starters")]

    operations = [migrations.RunPython(forward, reverse)]
