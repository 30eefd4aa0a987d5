"""The demo's fund cycle: approved 2025 budgets for both demo counties, the first months'
prepayments run and partly paid, and a quarter received into 歙县's co-managed account whose
pass-on to the members is waiting (and so flagged as overdue). Idempotent like the registry demo."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.db import transaction

from consortia.models import Consortium, ServiceAgreement, User

from .models import PaymentOrder, YearActuals
from .selectors import budget_in_force
from .services import budgets as budget_services
from .services import payments
from .services.actuals import year_actuals_save
from .services.prepayments import prepayment_run

PRIOR_PAID_BY_TIER = {"lead": Decimal("210000000.00"), "county": Decimal("32000000.00"),
                      "private": Decimal("9000000.00"), "township": Decimal("1750000.00"),
                      "village": Decimal("68000.00")}


def _members(consortium: Consortium) -> list[dict]:
    rows = []
    for index, member in enumerate(consortium.members.order_by("tier", "code")):
        base = PRIOR_PAID_BY_TIER[member.tier]
        # A little spread, the same every time: ±9% by position.
        paid = (base * (Decimal(91) + Decimal(index % 19)) / 100).quantize(Decimal("0.01"))
        rows.append({"code": member.code, "name": member.name, "tier": member.tier, "prior_year_paid": format(paid, "f")})
    return rows


def _budget(agreement: ServiceAgreement, fund: dict, staff: User, auditor: User):
    budget = budget_in_force(agreement=agreement)
    if budget:
        return budget
    budget = agreement.budgets.order_by("-version").first() or budget_services.budget_create(
        agreement=agreement, fund=fund, members=_members(agreement.consortium), user=staff)
    if budget.status == budget.Status.DRAFT:
        budget = budget_services.budget_submit(budget=budget, user=staff)
    return budget_services.budget_approve(budget=budget, user=auditor)


def _pay(order: PaymentOrder, auditor: User, staff: User, day: datetime.date):
    if order.status == PaymentOrder.Status.PENDING:
        payments.order_approve(order=order, user=auditor)
        order.refresh_from_db()
    if order.status == PaymentOrder.Status.APPROVED:
        payments.order_pay(order=order, user=staff, paid_on=day, bank_reference=f"DEMO-{order.pk:06d}")


@transaction.atomic
def demo_fund_cycle() -> None:
    sx = ServiceAgreement.objects.get(consortium__code="SX-YGT-01", year=2025)
    yx = ServiceAgreement.objects.get(consortium__code="YX-YGT-01", year=2025)
    sx_staff, sx_auditor = User.objects.get(username="sx_staff"), User.objects.get(username="sx_auditor")
    yx_staff, sx_finance = User.objects.get(username="yx_staff"), User.objects.get(username="sx_finance")
    _budget(sx, {"raised": "468000000.00", "risk_adjustment_remittance": "9360000.00",
                 "critical_illness_premium": "32760000.00", "prior_year_expenditure": "452000000.00",
                 "prior_year_deficit_subsidy": "26120000.00"}, sx_staff, sx_auditor)
    yx_auditor = User.objects.get(username="yx_auditor")
    _budget(yx, {"revenue": "386540000.00"}, yx_staff, yx_auditor)

    prepayment_run(period="2025-Q1", user=sx_staff)
    for period in ("2025-01", "2025-02", "2025-03"):
        prepayment_run(period=period, user=yx_staff)
    quarter = PaymentOrder.objects.get(agreement=sx, period="2025-Q1", kind=PaymentOrder.Kind.PREPAYMENT)
    _pay(quarter, sx_auditor, sx_staff, datetime.date(2025, 1, 3))
    payments.disbursements_create(order=quarter, user=sx_finance)
    for period, day in (("2025-01", datetime.date(2025, 1, 31)), ("2025-02", datetime.date(2025, 2, 28))):
        _pay(PaymentOrder.objects.get(agreement=yx, period=period), yx_auditor, yx_staff, day)
    _entered_actuals(yx, yx_staff)


def _entered_actuals(agreement: ServiceAgreement, staff: User) -> None:
    """阳西县 has no claims in the demo: its bureau entered the year's actuals by hand (each member
    at 97% of its prior-year payment), so its clearing can be run and read too."""
    if YearActuals.objects.filter(agreement=agreement).exists():
        return
    budget = budget_in_force(agreement=agreement)
    inside = {m["code"]: format((Decimal(m["prior_year_paid"]) * Decimal("0.97")).quantize(Decimal("0.01")), "f")
              for m in budget.members}
    year_actuals_save(agreement=agreement, user=staff, in_consortium=inside,
                      out_of_consortium=Decimal("61250000.00"), evaluation_score=Decimal("92"))


QUARTERS_PAID = {"2025-Q1": (datetime.date(2025, 1, 3), datetime.date(2025, 1, 10)),
                 "2025-Q2": (datetime.date(2025, 4, 1), datetime.date(2025, 4, 8)),
                 "2025-Q3": (datetime.date(2025, 7, 1), datetime.date(2025, 7, 8)),
                 "2025-Q4": (datetime.date(2025, 10, 9), datetime.date(2025, 10, 16))}  # after the National Day week


def demo_whole_year() -> None:
    """The demo year walked to its end as a bureau walks it (make demo): 歙县's four quarters paid
    into the co-managed account and passed on to the members (co-signed, approved, paid within the
    ten working days), 阳西县's twelve months paid, 歙县's evaluation confirmed, both clearings
    computed and waiting for the auditor's approval. Idempotent."""
    from budgets.services import clearing as clearing_services
    from evaluation.demo import demo_evaluation_confirmed

    sx = ServiceAgreement.objects.get(consortium__code="SX-YGT-01", year=2025)
    yx = ServiceAgreement.objects.get(consortium__code="YX-YGT-01", year=2025)
    users = {name: User.objects.get(username=name) for name in ("sx_staff", "sx_auditor", "sx_finance", "yx_staff",
                                                                 "yx_auditor")}
    with transaction.atomic():
        for period, (received, passed_on) in QUARTERS_PAID.items():
            prepayment_run(period=period, user=users["sx_staff"])
            quarter = PaymentOrder.objects.get(agreement=sx, period=period, kind=PaymentOrder.Kind.PREPAYMENT)
            _pay(quarter, users["sx_auditor"], users["sx_staff"], received)
            if not quarter.disbursements.exists():
                payments.disbursements_create(order=quarter, user=users["sx_finance"])
            for order in quarter.disbursements.all():
                if order.status == PaymentOrder.Status.PENDING and order.co_signed_by_id is None:
                    payments.order_co_sign(order=order, user=users["sx_finance"])
                    order.refresh_from_db()
                _pay(order, users["sx_auditor"], users["sx_staff"], passed_on)
        for month in range(1, 13):
            period = f"2025-{month:02d}"
            prepayment_run(period=period, user=users["yx_staff"])
            end = datetime.date(2025, month, calendar.monthrange(2025, month)[1])
            _pay(PaymentOrder.objects.get(agreement=yx, period=period), users["yx_auditor"], users["yx_staff"], end)
    demo_evaluation_confirmed(staff=users["sx_staff"], auditor=users["sx_auditor"])
    for agreement, staff in ((sx, users["sx_staff"]), (yx, users["yx_staff"])):
        if agreement.clearings.exists():
            continue
        with transaction.atomic():
            if agreement == sx:
                clearing_services.actuals_from_claims(agreement=agreement, user=staff)
            clearing_services.clearing_compute(agreement=agreement, user=staff)
