"""Database guards of the money: a paid or voided order never changes, an order's amount and
business key never change, status moves only forward; posted entries and their lines never
change; on PostgreSQL every entry balances at commit and nothing posted is deleted.

SQLite (the embedded demo default) gets the update guards; its delete guards would break
Django's test flush (DELETE in no fixed order) and it has no deferred triggers for the balance,
which the posting service checks before it writes."""

from django.db import migrations

from consortia import database

ORDER_FROZEN = "payment order %: a paid or voided order cannot change; issue a reversing order"
ORDER_KEY = "payment order %: amount, payee and period never change"
ORDER_STEP = "payment order %: status can only go pending -> approved -> paid, or to voided"
POSTED = "posted ledger entries cannot change; post a correcting entry"

POSTGRES = f"""
CREATE FUNCTION budgets_order_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'payment orders are voided, never deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status IN ('paid', 'voided') THEN
        RAISE EXCEPTION '{ORDER_FROZEN}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.amount <> OLD.amount OR NEW.agreement_id <> OLD.agreement_id OR NEW.period <> OLD.period
       OR NEW.kind <> OLD.kind OR NEW.payee_code <> OLD.payee_code OR NEW.channel <> OLD.channel THEN
        RAISE EXCEPTION '{ORDER_KEY}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NOT (NEW.status = OLD.status
            OR (OLD.status = 'pending' AND NEW.status IN ('approved', 'voided'))
            OR (OLD.status = 'approved' AND NEW.status IN ('paid', 'voided'))) THEN
        RAISE EXCEPTION '{ORDER_STEP}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_order_guard BEFORE UPDATE OR DELETE ON budgets_paymentorder
    FOR EACH ROW EXECUTE FUNCTION budgets_order_guard();

CREATE FUNCTION budgets_posted_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{POSTED}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_entry_guard BEFORE UPDATE OR DELETE ON budgets_journalentry
    FOR EACH ROW EXECUTE FUNCTION budgets_posted_guard();
CREATE TRIGGER budgets_posting_guard BEFORE UPDATE OR DELETE ON budgets_posting
    FOR EACH ROW EXECUTE FUNCTION budgets_posted_guard();

CREATE FUNCTION budgets_entry_balances() RETURNS trigger AS $$
DECLARE
    total numeric;
    lines integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, lines FROM budgets_posting WHERE entry_id = NEW.entry_id;
    IF total <> 0 OR lines < 2 THEN
        RAISE EXCEPTION 'journal entry % does not balance (% over % lines)', NEW.entry_id, total, lines
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER budgets_entry_balances AFTER INSERT ON budgets_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION budgets_entry_balances();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS budgets_entry_balances ON budgets_posting;
DROP FUNCTION IF EXISTS budgets_entry_balances();
DROP TRIGGER IF EXISTS budgets_posting_guard ON budgets_posting;
DROP TRIGGER IF EXISTS budgets_entry_guard ON budgets_journalentry;
DROP FUNCTION IF EXISTS budgets_posted_guard();
DROP TRIGGER IF EXISTS budgets_order_guard ON budgets_paymentorder;
DROP FUNCTION IF EXISTS budgets_order_guard();
"""
SQLITE = [
    f"""CREATE TRIGGER budgets_order_frozen BEFORE UPDATE ON budgets_paymentorder
        WHEN OLD.status IN ('paid', 'voided')
        BEGIN SELECT RAISE(ABORT, 'a paid or voided order cannot change; issue a reversing order'); END;""",
    """CREATE TRIGGER budgets_order_key BEFORE UPDATE ON budgets_paymentorder
        WHEN NEW.amount <> OLD.amount OR NEW.agreement_id <> OLD.agreement_id OR NEW.period <> OLD.period
             OR NEW.kind <> OLD.kind OR NEW.payee_code <> OLD.payee_code OR NEW.channel <> OLD.channel
        BEGIN SELECT RAISE(ABORT, 'amount, payee and period of an order never change'); END;""",
    """CREATE TRIGGER budgets_order_step BEFORE UPDATE ON budgets_paymentorder
        WHEN NOT (NEW.status = OLD.status
                  OR (OLD.status = 'pending' AND NEW.status IN ('approved', 'voided'))
                  OR (OLD.status = 'approved' AND NEW.status IN ('paid', 'voided')))
        BEGIN SELECT RAISE(ABORT, 'status can only go pending -> approved -> paid, or to voided'); END;""",
    f"""CREATE TRIGGER budgets_entry_frozen BEFORE UPDATE ON budgets_journalentry
        BEGIN SELECT RAISE(ABORT, '{POSTED}'); END;""",
    f"""CREATE TRIGGER budgets_posting_frozen BEFORE UPDATE ON budgets_posting
        BEGIN SELECT RAISE(ABORT, '{POSTED}'); END;""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in ("budgets_order_frozen", "budgets_order_key", "budgets_order_step", "budgets_entry_frozen",
                 "budgets_posting_frozen")
]


def _run(schema_editor, postgres, sqlite):
    if database.is_postgresql(schema_editor.connection):
        schema_editor.execute(postgres, params=None)  # plpgsql uses % itself
    elif database.is_sqlite(schema_editor.connection):
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise database.unsupported("money guards", schema_editor.connection)


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES, SQLITE)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("budgets", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
