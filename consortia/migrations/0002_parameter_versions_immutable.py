"""The database refuses to change a parameter version once its agreement has left draft, and on
PostgreSQL to delete one: money paid under a version must always be explainable by it.

SQLite (the embedded demo default) gets the update trigger only: Django's test flush empties its
tables with DELETE in no fixed order, which a delete trigger would refuse. PostgreSQL flushes with
TRUNCATE, which row triggers do not see."""

from django.db import migrations

from consortia import database

MESSAGE = "parameter versions of an active or closed agreement cannot change"

POSTGRES = f"""
CREATE FUNCTION consortia_parameters_immutable() RETURNS trigger AS $$
BEGIN
    IF (SELECT status FROM consortia_serviceagreement WHERE id = OLD.agreement_id) <> 'draft' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consortia_parameters_immutable
    BEFORE UPDATE OR DELETE ON consortia_agreementparameters
    FOR EACH ROW EXECUTE FUNCTION consortia_parameters_immutable();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS consortia_parameters_immutable ON consortia_agreementparameters;
DROP FUNCTION IF EXISTS consortia_parameters_immutable();
"""
SQLITE = [
    f"""
CREATE TRIGGER consortia_parameters_immutable_{op.lower()}
    BEFORE {op} ON consortia_agreementparameters
    WHEN (SELECT status FROM consortia_serviceagreement WHERE id = OLD.agreement_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
    for op in ("UPDATE",)
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS consortia_parameters_immutable_update;"]


def _run(schema_editor, postgres, sqlite):
    if database.is_postgresql(schema_editor.connection):
        schema_editor.execute(postgres)
    elif database.is_sqlite(schema_editor.connection):
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise database.unsupported("immutability trigger", schema_editor.connection)


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES, SQLITE)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("consortia", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
