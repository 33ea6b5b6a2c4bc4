"""A finalised report is what governors were told: the database refuses to change its file,
checksum, figures, term, who finalised it and when, what it replaced and why, and lets its state
move only from finalised to superseded (once). On PostgreSQL it also refuses to delete one (on SQLite Django's test runner empties
tables with DELETE)."""

from django.db import migrations

CHANGED = """(NEW.pdf IS DISTINCT FROM OLD.pdf OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256
        OR NEW.figures::text IS DISTINCT FROM OLD.figures::text OR NEW.term_id IS DISTINCT FROM OLD.term_id
        OR NEW.finalised_at IS DISTINCT FROM OLD.finalised_at OR NEW.finalised_by_id IS DISTINCT FROM OLD.finalised_by_id
        OR NEW.generated_at IS DISTINCT FROM OLD.generated_at OR NEW.replaces_id IS DISTINCT FROM OLD.replaces_id
        OR NEW.replace_reason IS DISTINCT FROM OLD.replace_reason
        OR NEW.state NOT IN ('final', 'superseded')
        OR (OLD.state = 'superseded' AND (NEW.state <> 'superseded'
                                          OR NEW.superseded_at IS DISTINCT FROM OLD.superseded_at)))"""

POSTGRES_FORWARD = f"""
CREATE FUNCTION reports_finalised_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state IN ('final', 'superseded') THEN
            RAISE EXCEPTION 'a finalised report is kept as it was and cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.state IN ('final', 'superseded') AND {CHANGED} THEN
        RAISE EXCEPTION 'a finalised report cannot be changed; supersede it with a new one';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER reports_finalised_frozen BEFORE UPDATE OR DELETE ON reports_report
    FOR EACH ROW EXECUTE FUNCTION reports_finalised_frozen();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS reports_finalised_frozen ON reports_report;
DROP FUNCTION IF EXISTS reports_finalised_frozen();
"""
SQLITE_FORWARD = f"""CREATE TRIGGER reports_finalised_frozen BEFORE UPDATE ON reports_report
    WHEN OLD.state IN ('final', 'superseded') AND {CHANGED.replace("IS DISTINCT FROM", "IS NOT").replace("::text", "")}
    BEGIN SELECT RAISE(ABORT, 'a finalised report cannot be changed; supersede it with a new one'); END"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS reports_finalised_frozen"


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRES_FORWARD if postgres else SQLITE_FORWARD)


def reverse(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRES_REVERSE if postgres else SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
