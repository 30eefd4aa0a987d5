"""An approval trail only grows: the database refuses to change a step, and on PostgreSQL to
delete one (SQLite, the embedded demo default, gets the update trigger only: Django's test flush
empties its tables with DELETE; PostgreSQL flushes with TRUNCATE, which row triggers do not see)."""

from django.db import migrations

from consortia import database

MESSAGE = "an approval step is kept as it was taken"

POSTGRES = f"""
CREATE FUNCTION consortia_decision_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consortia_decision_kept
    BEFORE UPDATE OR DELETE ON consortia_decision
    FOR EACH ROW EXECUTE FUNCTION consortia_decision_kept();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS consortia_decision_kept ON consortia_decision;
DROP FUNCTION IF EXISTS consortia_decision_kept();
"""
SQLITE = [f"""
CREATE TRIGGER consortia_decision_kept_update BEFORE UPDATE ON consortia_decision
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS consortia_decision_kept_update;"]


def forward(apps, schema_editor):
    database.execute_for_vendor(schema_editor, postgresql=POSTGRES, sqlite=SQLITE, what="approval trail trigger")


def backward(apps, schema_editor):
    database.execute_for_vendor(schema_editor, postgresql=POSTGRES_DROP, sqlite=SQLITE_DROP,
                                what="approval trail trigger")


class Migration(migrations.Migration):
    dependencies = [("consortia", "0016_approval_trail")]

    operations = [migrations.RunPython(forward, backward)]
