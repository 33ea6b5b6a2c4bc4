"""A recorded version's revision-log entry and document are evidence of what was approved, and a
read receipt is evidence of who read it: the database refuses to change them (and, on PostgreSQL,
to delete a receipt; on SQLite Django's test runner empties tables with DELETE). A new school
starts with the starter register entries.
"""

from django.db import migrations

from policies.starters import STARTER_POLICIES

FROZEN_COLUMNS = "policy_id, number, change_summary, approved_on, approved_by, document, document_sha256"

POSTGRES_FORWARD = f"""
CREATE FUNCTION policies_version_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a recorded policy version cannot be changed; record a new version instead';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER policies_version_frozen BEFORE UPDATE OF {FROZEN_COLUMNS} ON policies_policyversion
    FOR EACH ROW EXECUTE FUNCTION policies_version_frozen();
CREATE FUNCTION policies_receipt_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a read receipt is evidence and cannot be changed or deleted';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER policies_receipt_append_only BEFORE UPDATE OR DELETE ON policies_readreceipt
    FOR EACH ROW EXECUTE FUNCTION policies_receipt_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS policies_version_frozen ON policies_policyversion;
DROP FUNCTION IF EXISTS policies_version_frozen();
DROP TRIGGER IF EXISTS policies_receipt_append_only ON policies_readreceipt;
DROP FUNCTION IF EXISTS policies_receipt_append_only();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER policies_version_frozen BEFORE UPDATE OF {FROZEN_COLUMNS} ON policies_policyversion
    BEGIN SELECT RAISE(ABORT, 'a recorded policy version cannot be changed; record a new version instead'); END""",
    """CREATE TRIGGER policies_receipt_append_only BEFORE UPDATE ON policies_readreceipt
    BEGIN SELECT RAISE(ABORT, 'a read receipt is evidence and cannot be changed'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS policies_version_frozen",
                  "DROP TRIGGER IF EXISTS policies_receipt_append_only"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    else:
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    else:
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


def install_starters(apps, schema_editor):
    Policy = apps.get_model("policies", "Policy")
    made = []
    for title, category, approving_body, cycle in STARTER_POLICIES:
        policy, created = Policy.objects.get_or_create(
            title=title, defaults={"category": category, "approving_body": approving_body,
                                   "review_cycle_months": cycle})
        if created:
            made.append(policy)
    if made and made[0].title == STARTER_POLICIES[0][0]:
        # Historical models do not mirror a symmetrical link, so both directions are added.
        made[0].linked.add(*made[1:])
        for other in made[1:]:
            other.linked.add(made[0])


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [
        migrations.RunPython(forward, reverse),
        migrations.RunPython(install_starters, migrations.RunPython.noop),
    ]
