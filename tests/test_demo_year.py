"""The demo as `make demo` loads it: 歙县's claims bear about what its package is for (a real year,
not a tenth of one), and the year is walked to its end as a bureau walks it — every quarter paid and
passed on in time, 阳西县's twelve months paid, the evaluation confirmed, both clearings computed and
waiting for the auditor. Loading it again changes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from budgets.models import Clearing, PaymentOrder
from evaluation.models import Evaluation


@pytest.mark.django_db(transaction=True)
def test_the_demo_year_is_consistent_with_its_package_and_walked_to_its_end(client):
    call_command("load_demo", whole_year=True, stdout=io.StringIO())  # the default claims, as make demo
    sx = Clearing.objects.get(agreement__consortium__code="SX-YGT-01")
    target_one = Decimal(sx.inputs["fund"]["raised"]) - Decimal(sx.inputs["fund"]["risk_adjustment_remittance"]) \
        - Decimal(sx.inputs["fund"]["critical_illness_premium"])
    spent = Decimal(sx.result["clearing"]["expenditure"])
    assert Decimal("0.90") <= spent / target_one <= Decimal("1.05"), spent / target_one
    assert sx.status == "computed" and Clearing.objects.get(agreement__consortium__code="YX-YGT-01").status == "computed"

    quarters = PaymentOrder.objects.filter(agreement__consortium__code="SX-YGT-01", kind="prepayment")
    assert sorted(quarters.values_list("period", flat=True)) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    for quarter in quarters:
        assert quarter.status == "paid"
        passed_on = list(quarter.disbursements.all())
        assert len(passed_on) == 76 and {o.status for o in passed_on} == {"paid"}
        assert sum(o.amount for o in passed_on) == quarter.amount
        assert all(o.paid_on - quarter.paid_on <= datetime.timedelta(days=14) for o in passed_on)
    months = PaymentOrder.objects.filter(agreement__consortium__code="YX-YGT-01")
    assert months.count() == 12 and set(months.values_list("status", flat=True)) == {"paid"}
    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025)
    assert (evaluation.status, evaluation.total_score) == ("confirmed", Decimal("97.50"))
    assert sx.inputs["evaluation"]["score"] == "97.50"

    orders = PaymentOrder.objects.count()
    call_command("load_demo", whole_year=True, stdout=io.StringIO())
    assert PaymentOrder.objects.count() == orders and Clearing.objects.count() == 2

    from consortia.models import User

    client.force_login(User.objects.get(username="sx_staff"))
    overview = client.get(reverse("home")).content.decode()
    consumed = (spent / target_one * 100).quantize(Decimal("1"))
    assert f"¥{spent:,}" in overview and f"({consumed}% / 100%)" in overview
