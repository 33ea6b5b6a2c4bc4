"""Consent decisions are append-only, and a new school starts with the starter purposes.

The database refuses to change a decision (and, on PostgreSQL, to delete one). On SQLite only
updates are refused, because Django's test runner empties tables there with DELETE.
"""

from django.db import migrations

from consent.starters import STARTER_PURPOSES

POSTGRES_FORWARD = """
CREATE FUNCTION consent_decision_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a consent decision is history and cannot be changed or deleted';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER consent_decision_append_only BEFORE UPDATE OR DELETE ON consent_consentdecision
    FOR EACH ROW EXECUTE FUNCTION consent_decision_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS consent_decision_append_only ON consent_consentdecision;
DROP FUNCTION IF EXISTS consent_decision_append_only();
"""
SQLITE_FORWARD = """CREATE TRIGGER consent_decision_append_only BEFORE UPDATE ON consent_consentdecision
    BEGIN SELECT RAISE(ABORT, 'a consent decision is history and cannot be changed'); END"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS consent_decision_append_only"


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRES_FORWARD if postgres else SQLITE_FORWARD)


def reverse(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRES_REVERSE if postgres else SQLITE_REVERSE)


def install_starters(apps, schema_editor):
    ConsentPurpose = apps.get_model("consent", "ConsentPurpose")
    for position, (name, description, renew) in enumerate(STARTER_PURPOSES):
        ConsentPurpose.objects.get_or_create(
            name=name, defaults={"description": description, "renew_each_year": renew, "position": position})


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [
        migrations.RunPython(forward, reverse),
        migrations.RunPython(install_starters, migrations.RunPython.noop),
    ]
