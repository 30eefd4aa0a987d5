"""More of what must never happen, refused by the database itself:

- an order is inserted pending and unsigned (never already approved, co-signed or paid);
- its maker never changes, and its approver, co-signer, reviewer and payer never change once set;
- it becomes paid only with the person who recorded the payment;
- a journal entry is posted only for a paid order, and never without lines; a paid order has its
  entry (PostgreSQL, at commit);
- lines are added to an entry only in the transaction that posted it (PostgreSQL);
- the ledger (orders, entries, lines) is never emptied by TRUNCATE (PostgreSQL).

PostgreSQL carries all of it. SQLite, the embedded demo default, gets the insert and update guards
(it has neither deferred triggers nor TRUNCATE)."""

from django.db import migrations

from consortia import database

ORDER_INSERT = "a payment order is made pending and unsigned"
ORDER_PEOPLE = "payment order %: its maker never changes, and its signers once set never change"
ORDER_PAID_BY = "payment order %: paid only with the person who recorded the payment"
ENTRY_FOR_PAID = "a journal entry is posted only for a paid order"
PAID_POSTED = "payment order %: paid without its ledger entry"
ENTRY_LINES = "journal entry % has no lines"
ENTRY_CLOSED = "journal entry %: lines are added only when it is posted"
NO_TRUNCATE = "the ledger is never emptied"

POSTGRES = f"""
CREATE FUNCTION budgets_order_insert_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.status <> 'pending' OR NEW.approved_by_id IS NOT NULL OR NEW.co_signed_by_id IS NOT NULL
       OR NEW.paid_by_id IS NOT NULL OR NEW.paid_on IS NOT NULL OR NEW.approved_at IS NOT NULL THEN
        RAISE EXCEPTION '{ORDER_INSERT}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_order_insert_guard BEFORE INSERT ON budgets_paymentorder
    FOR EACH ROW EXECUTE FUNCTION budgets_order_insert_guard();

CREATE FUNCTION budgets_order_people_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.created_by_id IS DISTINCT FROM OLD.created_by_id
       OR (OLD.approved_by_id IS NOT NULL AND NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id)
       OR (OLD.co_signed_by_id IS NOT NULL AND NEW.co_signed_by_id IS DISTINCT FROM OLD.co_signed_by_id)
       OR (OLD.reviewed_by_id IS NOT NULL AND NEW.reviewed_by_id IS DISTINCT FROM OLD.reviewed_by_id)
       OR (OLD.paid_by_id IS NOT NULL AND NEW.paid_by_id IS DISTINCT FROM OLD.paid_by_id) THEN
        RAISE EXCEPTION '{ORDER_PEOPLE}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status = 'paid' AND OLD.status <> 'paid' AND NEW.paid_by_id IS NULL THEN
        RAISE EXCEPTION '{ORDER_PAID_BY}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_order_people_guard BEFORE UPDATE ON budgets_paymentorder
    FOR EACH ROW EXECUTE FUNCTION budgets_order_people_guard();

ALTER TABLE budgets_journalentry ADD COLUMN posted_in_transaction bigint NOT NULL DEFAULT txid_current();

CREATE FUNCTION budgets_entry_insert_guard() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM budgets_paymentorder WHERE id = NEW.order_id AND status = 'paid') THEN
        RAISE EXCEPTION '{ENTRY_FOR_PAID}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    NEW.posted_in_transaction := txid_current();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_entry_insert_guard BEFORE INSERT ON budgets_journalentry
    FOR EACH ROW EXECUTE FUNCTION budgets_entry_insert_guard();

CREATE FUNCTION budgets_entry_has_lines() RETURNS trigger AS $$
BEGIN
    IF (SELECT COUNT(*) FROM budgets_posting WHERE entry_id = NEW.id) < 2 THEN
        RAISE EXCEPTION '{ENTRY_LINES}', NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER budgets_entry_has_lines AFTER INSERT ON budgets_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION budgets_entry_has_lines();

CREATE FUNCTION budgets_paid_is_posted() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'paid' AND NOT EXISTS (SELECT 1 FROM budgets_journalentry WHERE order_id = NEW.id) THEN
        RAISE EXCEPTION '{PAID_POSTED}', NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER budgets_paid_is_posted AFTER UPDATE OF status ON budgets_paymentorder
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'paid' AND OLD.status <> 'paid')
    EXECUTE FUNCTION budgets_paid_is_posted();

CREATE FUNCTION budgets_posting_insert_guard() RETURNS trigger AS $$
BEGIN
    IF (SELECT posted_in_transaction FROM budgets_journalentry WHERE id = NEW.entry_id) <> txid_current() THEN
        RAISE EXCEPTION '{ENTRY_CLOSED}', NEW.entry_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_posting_insert_guard BEFORE INSERT ON budgets_posting
    FOR EACH ROW EXECUTE FUNCTION budgets_posting_insert_guard();

CREATE FUNCTION budgets_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{NO_TRUNCATE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_paymentorder_no_truncate BEFORE TRUNCATE ON budgets_paymentorder
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_no_truncate();
CREATE TRIGGER budgets_journalentry_no_truncate BEFORE TRUNCATE ON budgets_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_no_truncate();
CREATE TRIGGER budgets_posting_no_truncate BEFORE TRUNCATE ON budgets_posting
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_no_truncate();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS budgets_posting_no_truncate ON budgets_posting;
DROP TRIGGER IF EXISTS budgets_journalentry_no_truncate ON budgets_journalentry;
DROP TRIGGER IF EXISTS budgets_paymentorder_no_truncate ON budgets_paymentorder;
DROP FUNCTION IF EXISTS budgets_no_truncate();
DROP TRIGGER IF EXISTS budgets_paid_is_posted ON budgets_paymentorder;
DROP FUNCTION IF EXISTS budgets_paid_is_posted();
DROP TRIGGER IF EXISTS budgets_posting_insert_guard ON budgets_posting;
DROP FUNCTION IF EXISTS budgets_posting_insert_guard();
DROP TRIGGER IF EXISTS budgets_entry_has_lines ON budgets_journalentry;
DROP FUNCTION IF EXISTS budgets_entry_has_lines();
DROP TRIGGER IF EXISTS budgets_entry_insert_guard ON budgets_journalentry;
DROP FUNCTION IF EXISTS budgets_entry_insert_guard();
ALTER TABLE budgets_journalentry DROP COLUMN IF EXISTS posted_in_transaction;
DROP TRIGGER IF EXISTS budgets_order_people_guard ON budgets_paymentorder;
DROP FUNCTION IF EXISTS budgets_order_people_guard();
DROP TRIGGER IF EXISTS budgets_order_insert_guard ON budgets_paymentorder;
DROP FUNCTION IF EXISTS budgets_order_insert_guard();
"""
# SQLite remakes a table to alter it (0005 did, for budgets_paymentorder), and the remade table has
# none of its triggers: 0002's order guards are laid again here. A later migration that alters the
# table must do the same.
SQLITE_0002_AGAIN = [statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1) for statement in (
    """CREATE TRIGGER budgets_order_frozen BEFORE UPDATE ON budgets_paymentorder
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
)]
SQLITE = SQLITE_0002_AGAIN + [
    f"""CREATE TRIGGER budgets_order_insert_guard BEFORE INSERT ON budgets_paymentorder
        WHEN NEW.status <> 'pending' OR NEW.approved_by_id IS NOT NULL OR NEW.co_signed_by_id IS NOT NULL
             OR NEW.paid_by_id IS NOT NULL OR NEW.paid_on IS NOT NULL OR NEW.approved_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{ORDER_INSERT}'); END;""",
    """CREATE TRIGGER budgets_order_people_guard BEFORE UPDATE ON budgets_paymentorder
        WHEN NEW.created_by_id IS NOT OLD.created_by_id
             OR (OLD.approved_by_id IS NOT NULL AND NEW.approved_by_id IS NOT OLD.approved_by_id)
             OR (OLD.co_signed_by_id IS NOT NULL AND NEW.co_signed_by_id IS NOT OLD.co_signed_by_id)
             OR (OLD.reviewed_by_id IS NOT NULL AND NEW.reviewed_by_id IS NOT OLD.reviewed_by_id)
             OR (OLD.paid_by_id IS NOT NULL AND NEW.paid_by_id IS NOT OLD.paid_by_id)
             OR (NEW.status = 'paid' AND OLD.status <> 'paid' AND NEW.paid_by_id IS NULL)
        BEGIN SELECT RAISE(ABORT, 'payment order: its maker and signers never change; paid only with its payer');
        END;""",
    f"""CREATE TRIGGER budgets_entry_insert_guard BEFORE INSERT ON budgets_journalentry
        WHEN NOT EXISTS (SELECT 1 FROM budgets_paymentorder WHERE id = NEW.order_id AND status = 'paid')
        BEGIN SELECT RAISE(ABORT, '{ENTRY_FOR_PAID}'); END;""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name};" for name in (
    "budgets_order_insert_guard", "budgets_order_people_guard", "budgets_entry_insert_guard")]


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
    dependencies = [("budgets", "0005_run_rows_signatures_and_sources")]

    operations = [migrations.RunPython(forward, backward)]
