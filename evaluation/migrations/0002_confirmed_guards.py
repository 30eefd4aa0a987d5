"""Database guards of the evaluation: a confirmed evaluation never changes, nor do its item
results, entered indicators and evidence files; a checklist item whose template has evaluations
is never reworded or reweighted (make a new template version).

SQLite (the embedded demo default) gets the update guards only: its delete guards would break
Django's test flush, which deletes in no fixed order."""

from django.db import migrations

from consortia import database

FROZEN = "a confirmed evaluation cannot change"
IN_USE = "checklist item %: its template has evaluations; make a new version"

POSTGRES = f"""
CREATE FUNCTION evaluation_confirmed_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'confirmed' THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER evaluation_confirmed_guard BEFORE UPDATE OR DELETE ON evaluation_evaluation
    FOR EACH ROW EXECUTE FUNCTION evaluation_confirmed_guard();

CREATE FUNCTION evaluation_part_guard() RETURNS trigger AS $$
DECLARE
    parent bigint := CASE WHEN TG_OP = 'INSERT' THEN NEW.evaluation_id ELSE OLD.evaluation_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM evaluation_evaluation e WHERE e.id = parent AND e.status = 'confirmed') THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER evaluation_result_guard BEFORE INSERT OR UPDATE OR DELETE ON evaluation_itemresult
    FOR EACH ROW EXECUTE FUNCTION evaluation_part_guard();
CREATE TRIGGER evaluation_indicator_guard BEFORE INSERT OR UPDATE OR DELETE ON evaluation_indicatorentry
    FOR EACH ROW EXECUTE FUNCTION evaluation_part_guard();
CREATE TRIGGER evaluation_evidence_guard BEFORE INSERT OR UPDATE OR DELETE ON evaluation_evidencefile
    FOR EACH ROW EXECUTE FUNCTION evaluation_part_guard();

CREATE FUNCTION evaluation_item_guard() RETURNS trigger AS $$
BEGIN
    IF (NEW.text, NEW.weight, NEW.number, NEW.section, NEW.computed)
           IS DISTINCT FROM (OLD.text, OLD.weight, OLD.number, OLD.section, OLD.computed)
       AND EXISTS (SELECT 1 FROM evaluation_evaluation e WHERE e.template_id = OLD.template_id) THEN
        RAISE EXCEPTION '{IN_USE}', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER evaluation_item_guard BEFORE UPDATE ON evaluation_checklistitem
    FOR EACH ROW EXECUTE FUNCTION evaluation_item_guard();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS evaluation_item_guard ON evaluation_checklistitem;
DROP TRIGGER IF EXISTS evaluation_evidence_guard ON evaluation_evidencefile;
DROP TRIGGER IF EXISTS evaluation_indicator_guard ON evaluation_indicatorentry;
DROP TRIGGER IF EXISTS evaluation_result_guard ON evaluation_itemresult;
DROP TRIGGER IF EXISTS evaluation_confirmed_guard ON evaluation_evaluation;
DROP FUNCTION IF EXISTS evaluation_item_guard();
DROP FUNCTION IF EXISTS evaluation_part_guard();
DROP FUNCTION IF EXISTS evaluation_confirmed_guard();
"""

SQLITE = [
    f"""CREATE TRIGGER evaluation_confirmed_guard BEFORE UPDATE ON evaluation_evaluation
        WHEN OLD.status = 'confirmed' BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER evaluation_result_guard BEFORE UPDATE ON evaluation_itemresult
        WHEN (SELECT status FROM evaluation_evaluation WHERE id = OLD.evaluation_id) = 'confirmed'
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER evaluation_indicator_guard BEFORE UPDATE ON evaluation_indicatorentry
        WHEN (SELECT status FROM evaluation_evaluation WHERE id = OLD.evaluation_id) = 'confirmed'
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER evaluation_item_guard BEFORE UPDATE ON evaluation_checklistitem
        WHEN (NEW.text IS NOT OLD.text OR NEW.weight IS NOT OLD.weight OR NEW.number IS NOT OLD.number
              OR NEW.section IS NOT OLD.section OR NEW.computed IS NOT OLD.computed)
             AND EXISTS (SELECT 1 FROM evaluation_evaluation e WHERE e.template_id = OLD.template_id)
        BEGIN SELECT RAISE(ABORT, '{IN_USE.replace("%", "")}'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS evaluation_confirmed_guard", "DROP TRIGGER IF EXISTS evaluation_result_guard",
               "DROP TRIGGER IF EXISTS evaluation_indicator_guard", "DROP TRIGGER IF EXISTS evaluation_item_guard"]


def _run(schema_editor, postgres, sqlite):
    if database.is_postgresql(schema_editor.connection):
        schema_editor.execute(postgres, params=None)
    elif database.is_sqlite(schema_editor.connection):
        for statement in sqlite:
            schema_editor.execute(statement, params=None)
    else:
        raise database.unsupported("evaluation guards", schema_editor.connection)


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES, SQLITE)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
