"""The overview at a province's scale: what it asks the database does not grow with the orders or
the quarters received, and the figures it shows are the orders' own."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import PaymentOrder
from budgets.services import payments
from budgets.services.prepayments import prepayment_run
from consortia.models import User
from tests.test_exports import demo  # noqa: F401  (the demo fixture)


def _receive(period: str, day: datetime.date) -> PaymentOrder:
    staff, auditor = User.objects.get(username="sx_staff"), User.objects.get(username="sx_auditor")
    prepayment_run(period=period, user=staff)
    quarter = PaymentOrder.objects.get(period=period, kind="prepayment", agreement__consortium__code="SX-YGT-01")
    payments.order_approve(order=quarter, user=auditor)
    return payments.order_pay(order=quarter, user=staff, paid_on=day, bank_reference=f"B-{period}")


def test_the_overview_asks_as_much_for_three_quarters_as_for_one(client, db):
    call_command("load_demo", claims=0, stdout=io.StringIO())
    client.force_login(User.objects.get(username="ah_reviewer"))
    with CaptureQueriesContext(connection) as one_quarter:
        client.get("/")
    _receive("2025-Q2", datetime.date(2025, 4, 2))
    _receive("2025-Q3", datetime.date(2025, 7, 2))
    with CaptureQueriesContext(connection) as three_quarters:
        page = client.get("/")
    assert len(three_quarters) == len(one_quarter)
    prepaid = sum(o.amount for o in PaymentOrder.objects.filter(
        agreement__consortium__code="SX-YGT-01", status="paid").exclude(kind="disbursement"))
    assert prepaid > Decimal("0") and f"¥{prepaid:,.2f}" in page.content.decode()


def test_the_provincial_overview_reads_one_query_more_per_consortium(client, db):
    from budgets.synthetic import county_generate
    from consortia.models import Province
    from consortia.services.users import user_create

    for n in range(1, 6):
        county_generate(code=f"99{n:04d}", insured=50_000, year=2025, seed=n)
    reviewer = user_create(username="syn_reviewer", password=None, role=User.Role.PROVINCIAL_REVIEWER,
                           province=Province.objects.get(code="990000"))
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as five:
        client.get("/")
    for n in range(6, 9):
        county_generate(code=f"99{n:04d}", insured=50_000, year=2025, seed=n)
    with CaptureQueriesContext(connection) as eight:
        page = client.get("/").content.decode()
    assert len(eight) - len(five) == 3  # each consortium's roll-ups; the rest is read once for all
    assert page.count("合成县") >= 8


@pytest.mark.django_db
def test_a_computed_clearing_waits_for_the_bureaus_other_signer_until_sent_back(client, demo):  # noqa: F811
    from budgets.models import Clearing
    from budgets.services.clearing import clearing_send_back
    from consortia.models import User

    clearing = Clearing.objects.get(agreement__consortium__code="YX-YGT-01", agreement__year=2025)
    link = f'{reverse("clearing-page", args=[clearing.agreement_id])}?clearing={clearing.pk}'
    auditor = User.objects.get(username="yx_auditor")
    client.force_login(auditor)
    assert f'待审批清算: <a href="{link}">阳西县总医院医共体 2025</a>' in client.get(reverse("home")).content.decode()
    client.force_login(demo["yx_staff"])  # who ran it does not approve it
    assert "待审批清算" not in client.get(reverse("home")).content.decode()
    clearing_send_back(clearing=clearing, user=auditor, opinion="请核对医共体外结算费用")
    client.force_login(auditor)
    assert "待审批清算" not in client.get(reverse("home")).content.decode()


def test_the_overview_reads_each_package_from_the_budget_in_force(db):
    """The overview reads only the package's figures of each budget; they are the budget's own."""
    from budgets.selectors import budget_in_force, fund_burn, overview_rows

    call_command("load_demo", claims=0, stdout=io.StringIO())
    today = datetime.date(2025, 6, 30)
    rows = [row for row in overview_rows(user=User.objects.get(username="ah_reviewer"), today=today) if row["burn"]]
    assert rows
    for row in rows:
        agreement = row["agreement"]
        whole = budget_in_force(agreement=agreement)  # the whole budget, as its own page reads it
        assert row["burn"]["package"] == Decimal(whole.computed["package"][agreement.rules.package_key]) > 0
        assert row["burn"] == fund_burn(agreement=agreement, today=today)
