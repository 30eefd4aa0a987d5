"""What the database itself refuses, tried with raw SQL as a careless script or a mistaken hand
would, on PostgreSQL (CI's database, as the product's own role). Deferred checks fire at commit,
so these run in real transactions."""

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.utils import DatabaseError

from budgets.models import JournalEntry, PaymentOrder
from budgets.services.prepayments import prepayment_run
from tests.budgets.test_fund_cycle import pay_all

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's guards (deferred, TRUNCATE, roles)"),
]


def sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def paid():
    """A county whose January prepayment was made, signed and paid: one posted entry."""
    from tests.budgets.conftest import County

    county = County()
    county.agreement("guangdong-2019-surplus")
    prepayment_run(period="2025-01", user=county.staff)
    order = PaymentOrder.objects.get()
    pay_all(county, [order])
    order.refresh_from_db()
    return county, order


def test_no_line_is_added_to_a_posted_entry(paid):
    _county, order = paid
    entry = JournalEntry.objects.get(order=order)
    accounts = list(entry.postings.values_list("account_id", flat=True))
    # Even a pair that balances is refused: the entry was posted in an earlier transaction.
    with pytest.raises(IntegrityError, match="lines are added only when it is posted"), transaction.atomic():
        sql("INSERT INTO budgets_posting (entry_id, account_id, amount) VALUES (%s, %s, 5), (%s, %s, -5)",
            entry.pk, accounts[0], entry.pk, accounts[1])
    assert entry.postings.count() == 2


def _paid_by_hand(county):
    """February's order taken to paid with raw SQL, as a mistaken script would, without its entry."""
    prepayment_run(period="2025-02", user=county.staff)
    order = PaymentOrder.objects.get(period="2025-02")
    sql("UPDATE budgets_paymentorder SET status = 'approved', approved_by_id = %s, approved_at = now() WHERE id = %s",
        county.auditor.pk, order.pk)
    sql("UPDATE budgets_paymentorder SET status = 'paid', paid_by_id = %s, paid_on = '2025-02-28', "
        "bank_reference = 'B2' WHERE id = %s", county.staff.pk, order.pk)
    return order


def test_no_entry_without_lines(paid):
    county, _order = paid
    with pytest.raises(IntegrityError, match="has no lines"), transaction.atomic():
        order = _paid_by_hand(county)
        sql("INSERT INTO budgets_journalentry (order_id, posted_on, memo, created_at) "
            "VALUES (%s, '2025-02-28', 'empty', now())", order.pk)
    assert JournalEntry.objects.count() == 1


def test_no_order_is_paid_without_its_entry(paid):
    county, _order = paid
    with pytest.raises(IntegrityError, match="paid without its ledger entry"), transaction.atomic():
        _paid_by_hand(county)
    assert PaymentOrder.objects.filter(status="paid").count() == 1


def test_an_entry_only_for_a_paid_order(paid):
    county, _order = paid
    prepayment_run(period="2025-02", user=county.staff)
    pending = PaymentOrder.objects.get(period="2025-02")
    with pytest.raises(IntegrityError, match="only for a paid order"), transaction.atomic():
        sql("INSERT INTO budgets_journalentry (order_id, posted_on, memo, created_at) "
            "VALUES (%s, '2025-02-28', 'x', now())", pending.pk)


def test_no_order_is_inserted_already_approved_or_paid(paid):
    county, order = paid
    columns = ("agreement_id, period, kind, channel, payee_code, payee_name, amount, trace, status, created_at, "
               "created_by_id, approved_by_id, paid_on, bank_reference, voided_reason")
    for status, approver, paid_on, reference in (("approved", county.auditor.pk, None, ""),
                                                  ("paid", county.auditor.pk, "2025-12-01", "B")):
        with pytest.raises(IntegrityError, match="pending and unsigned"), transaction.atomic():
            sql(f"INSERT INTO budgets_paymentorder ({columns}) VALUES "
                "(%s, '2025-12', 'prepayment', 'bureau', 'X', 'X', 1, '[]', %s, now(), %s, %s, %s, %s, '')",
                order.agreement_id, status, county.staff.pk, approver, paid_on, reference)


def test_maker_and_approver_never_change(paid):
    county, order = paid
    prepayment_run(period="2025-02", user=county.staff)
    pending = PaymentOrder.objects.get(period="2025-02")
    with pytest.raises(IntegrityError, match="maker never changes"), transaction.atomic():
        sql("UPDATE budgets_paymentorder SET created_by_id = %s WHERE id = %s", county.staff2.pk, pending.pk)
    with pytest.raises(IntegrityError, match="maker never changes"), transaction.atomic():
        sql("UPDATE budgets_paymentorder SET created_by_id = NULL WHERE id = %s", pending.pk)
    sql("UPDATE budgets_paymentorder SET status = 'approved', approved_by_id = %s, approved_at = now() "
        "WHERE id = %s", county.auditor.pk, pending.pk)
    with pytest.raises(IntegrityError, match="maker never changes"), transaction.atomic():
        sql("UPDATE budgets_paymentorder SET approved_by_id = %s WHERE id = %s", county.auditor2.pk, pending.pk)
    with pytest.raises(IntegrityError, match="person who recorded the payment"), transaction.atomic():
        sql("UPDATE budgets_paymentorder SET status = 'paid', paid_on = '2025-02-28', bank_reference = 'B' "
            "WHERE id = %s", pending.pk)
    pending.refresh_from_db()
    assert (pending.created_by, pending.approved_by, pending.status) == (county.staff, county.auditor, "approved")


def test_the_product_s_role_is_no_superuser_and_cannot_empty_the_ledger_or_switch_triggers_off(paid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0] is False, "the product connects as its own role, not a superuser"
    for table in ("budgets_posting", "budgets_journalentry", "budgets_paymentorder"):
        with pytest.raises(DatabaseError), transaction.atomic():
            sql(f"TRUNCATE {table} CASCADE")
    with pytest.raises((ProgrammingError, DatabaseError), match="permission denied"), transaction.atomic():
        sql("SET session_replication_role = replica")
    assert PaymentOrder.objects.filter(status="paid").count() == 1
    assert JournalEntry.objects.count() == 1
