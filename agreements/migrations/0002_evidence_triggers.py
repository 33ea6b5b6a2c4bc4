"""The database itself refuses to change a frozen agreement text or a signature.

The application has no path that does either; these triggers stop a stray script or a manual
UPDATE too. On SQLite only updates are refused, because Django's test runner empties tables
with DELETE there; PostgreSQL empties them with TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE FUNCTION agreements_version_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'a published agreement version cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (NEW.title, NEW.body, NEW.content_hash, NEW.number, NEW.agreement_id)
            IS DISTINCT FROM (OLD.title, OLD.body, OLD.content_hash, OLD.number, OLD.agreement_id) THEN
        RAISE EXCEPTION 'a published agreement version cannot change';
    END IF;
    IF OLD.status <> 'draft' AND NEW.status = 'draft' THEN
        RAISE EXCEPTION 'a published agreement version cannot become a draft again';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER agreements_version_frozen BEFORE UPDATE OR DELETE ON agreements_agreementversion
    FOR EACH ROW EXECUTE FUNCTION agreements_version_frozen();

CREATE FUNCTION agreements_signature_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a signature is evidence and cannot be changed or deleted';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER agreements_signature_immutable BEFORE UPDATE OR DELETE ON agreements_signature
    FOR EACH ROW EXECUTE FUNCTION agreements_signature_immutable();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS agreements_signature_immutable ON agreements_signature;
DROP FUNCTION IF EXISTS agreements_signature_immutable();
DROP TRIGGER IF EXISTS agreements_version_frozen ON agreements_agreementversion;
DROP FUNCTION IF EXISTS agreements_version_frozen();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER agreements_version_frozen BEFORE UPDATE ON agreements_agreementversion
       WHEN OLD.status <> 'draft' AND (NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body
            OR NEW.content_hash IS NOT OLD.content_hash OR NEW.number IS NOT OLD.number
            OR NEW.agreement_id IS NOT OLD.agreement_id OR NEW.status = 'draft')
       BEGIN SELECT RAISE(ABORT, 'a published agreement version cannot change'); END""",
    """CREATE TRIGGER agreements_signature_immutable BEFORE UPDATE ON agreements_signature
       BEGIN SELECT RAISE(ABORT, 'a signature is evidence and cannot be changed'); END""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS agreements_signature_immutable",
    "DROP TRIGGER IF EXISTS agreements_version_frozen",
]


def forward(apps, schema_editor):
    statements = [POSTGRES_FORWARD] if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    statements = [POSTGRES_REVERSE] if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
