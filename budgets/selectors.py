"""Reads of the fund cycle, always through the reader's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce

from consortia.calendar import WorkCalendar
from consortia.models import Consortium, ServiceAgreement, User
from consortia.selectors import agreement_parameters_for, register_scope, scope_queryset
from evaluation.models import Evaluation
from payrules.rules import workday_deadline

from .models import CO_MANAGED_PAYEE as CO_MANAGED
from .models import NEEDS_CO_SIGNATURE, AnnualBudget, Clearing, ClearingRun, JournalEntry, PaymentOrder, YearActuals

for _model in (AnnualBudget, YearActuals, PaymentOrder, Clearing):
    register_scope(
        _model, consortium="agreement__consortium_id", county="agreement__consortium__county_id",
        city="agreement__consortium__county__city_id", province="agreement__consortium__county__city__province_id",
    )
register_scope(JournalEntry, consortium="order__agreement__consortium_id",
               county="order__agreement__consortium__county_id",
               city="order__agreement__consortium__county__city_id",
               province="order__agreement__consortium__county__city__province_id")


def budget_in_force(*, agreement: ServiceAgreement) -> AnnualBudget | None:
    """The latest approved or locked version: what money is paid under."""
    return (agreement.budgets.filter(status__in=[AnnualBudget.Status.APPROVED, AnnualBudget.Status.LOCKED])
            .order_by("-version").first())


def disbursement_deadline(*, order: PaymentOrder, calendar: WorkCalendar | None = None) -> datetime.date | None:
    """S3: the day a paid quarterly prepayment must have been passed on to the members by, in
    Chinese working days of the bureau's holiday table (Monday to Friday for a year not entered:
    `calendar.unknown_years` then says the deadline is provisional)."""
    if order.kind != PaymentOrder.Kind.PREPAYMENT or order.channel != PaymentOrder.Channel.BUREAU \
            or order.status != PaymentOrder.Status.PAID or order.payee_code != CO_MANAGED:
        return None
    parameters = agreement_parameters_for(agreement=order.agreement, period=order.paid_on)
    days = int(parameters.values.get("disbursement_workdays", 10))
    return workday_deadline(order.paid_on, days, (calendar or WorkCalendar()).is_workday)


def disbursement_schedule(*, orders: QuerySet[PaymentOrder], today: datetime.date) -> list[dict]:
    """Quarterly money received into a co-managed account (S3): each with the day it must be
    passed on to the members by, what is still unpaid, and whether it is late."""
    found = []
    received = orders.filter(kind=PaymentOrder.Kind.PREPAYMENT, payee_code=CO_MANAGED, status=PaymentOrder.Status.PAID)
    paid_on = Prefetch("disbursements", queryset=PaymentOrder.objects.filter(status=PaymentOrder.Status.PAID),
                       to_attr="passed_on")
    # Two queries for a province's quarters, not two per quarter.
    calendar = WorkCalendar()
    for order in (received.select_related("agreement__consortium")
                  .prefetch_related(paid_on, "agreement__parameter_versions").order_by("paid_on", "pk")):
        deadline = disbursement_deadline(order=order, calendar=calendar)
        late_paid = sum(1 for d in order.passed_on if deadline and d.paid_on > deadline)
        unpaid = order.amount - sum((d.amount for d in order.passed_on), 0)
        provisional = sorted(y for y in range(order.paid_on.year, deadline.year + 1) if not calendar.known(y))
        found.append({"order": order, "deadline": deadline, "unpaid": unpaid, "late_payments": late_paid,
                      "overdue": bool((unpaid > 0 and today > deadline) or late_paid),
                      "provisional": provisional})
    return found


def budgets_in_force(*, agreements) -> dict[int, AnnualBudget]:
    """`budget_in_force` of many agreements in one query: {agreement id: budget}, with only the
    package's figures of what was computed (`package_figures`): the whole computation, ~100 KB of
    JSON a budget, made the provincial overview of 100 consortia a third slower."""
    found: dict[int, AnnualBudget] = {}
    for budget in AnnualBudget.objects.filter(agreement__in=agreements, status__in=[
            AnnualBudget.Status.APPROVED, AnnualBudget.Status.LOCKED]).defer("fund", "members", "computed").annotate(
            package_figures=KeyTransform("package", "computed")).order_by("agreement_id", "version"):
        found[budget.agreement_id] = budget  # the latest version wins
    return found


def fund_burn(*, agreement: ServiceAgreement, today: datetime.date, budget: AnnualBudget | None = None) -> dict | None:
    """Consumption to date against the package (G3, S4: claims inside and outside; Jiangmen: the
    members' own), the share of the year elapsed, the straight-line projection to the year end,
    the out-of-consortium share, and whether it warrants a warning (the agreement's margin).
    Capitation (Tianjin): the enrollees' claims matched to the roster against the quota (T2), with
    the inpatient cost-shift monitor (T5)."""
    from claims.selectors import year_fund_paid

    budget = budget or budget_in_force(agreement=agreement)
    if budget is None:
        return None
    rules = agreement.rules
    figures = getattr(budget, "package_figures", None)  # what budgets_in_force reads
    package = Decimal((budget.computed["package"] if figures is None else figures)[rules.package_key])
    shift = None
    if rules.consumption == "enrollees":
        consumed = sum((row["consumed"] for row in capitation_with_quotas(agreement=agreement)), Decimal("0.00"))
        outside = Decimal("0.00")  # the quota pays enrollees' care anywhere in the city alike
        shift = cost_shift(agreement=agreement)
    else:
        inside, outside = year_fund_paid(agreement=agreement)
        inside_total = sum(inside.values(), Decimal("0.00"))
        consumed = inside_total if rules.consumption == "inside" else inside_total + outside
    start = datetime.date(agreement.year, 1, 1)
    days = (datetime.date(agreement.year + 1, 1, 1) - start).days
    elapsed_days = min(max((today - start).days + 1, 0), days)
    elapsed = (Decimal(elapsed_days) / days).quantize(Decimal("0.0001"))
    share = (consumed / package).quantize(Decimal("0.0001")) if package else Decimal("0")
    projected = (consumed * days / elapsed_days).quantize(Decimal("0.01")) if elapsed_days else Decimal("0.00")
    return {
        "package": package, "consumed": consumed, "share": share, "elapsed": elapsed, "projected": projected,
        "outside_share": (outside / consumed).quantize(Decimal("0.0001")) if consumed else Decimal("0"),
        "warning": share - elapsed > agreement.burn_warning_margin or projected > package,
        "cost_shift": shift,
    }


def waiting_for(*, user, limit: int = 50) -> dict[str, list]:
    """What waits for this user's signature: submitted budgets (not their own), evaluations (not
    submitted by them) and computed clearings (not run by them, not sent back) for the bureau;
    pending orders the auditor may approve (not their own, co-managed ones co-signed first);
    co-managed orders waiting for the finance officer's co-signature."""
    from consortia.services.approvals import sent_back

    waiting: dict[str, list] = {"budgets": [], "evaluations": [], "clearings": [], "orders": []}
    if user.role in (User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR) or user.is_superuser:
        computed = scope_queryset(user, Clearing.objects.filter(status=Clearing.Status.COMPUTED)).exclude(
            computed_by=user).exclude(agreement__clearings__status=Clearing.Status.APPROVED)
        waiting["clearings"] = [c for c in computed.select_related("agreement__consortium").order_by("-pk")[:limit]
                                if not sent_back(c)]
        waiting["budgets"] = list(scope_queryset(user, AnnualBudget.objects.filter(
            status=AnnualBudget.Status.SUBMITTED)).select_related("agreement__consortium").exclude(created_by=user))
        waiting["evaluations"] = list(scope_queryset(user, Evaluation.objects.filter(
            status=Evaluation.Status.SUBMITTED)).select_related("consortium").exclude(submitted_by=user))
    orders = scope_queryset(user, PaymentOrder.objects.filter(status=PaymentOrder.Status.PENDING)
                            .select_related("agreement__consortium"))
    unreviewed = Q(created_by__isnull=True, reviewed_by__isnull=True)
    if user.role == User.Role.BUREAU_AUDITOR:  # as payments._may_approve: not their own, reviewed, co-signed
        orders = (orders.exclude(created_by=user).exclude(reviewed_by=user).exclude(unreviewed)
                  .exclude(NEEDS_CO_SIGNATURE & Q(co_signed_by__isnull=True)))
    elif user.role == User.Role.FINANCE_OFFICER:
        orders = orders.filter(NEEDS_CO_SIGNATURE, co_signed_by__isnull=True)
    elif user.role == User.Role.BUREAU_STAFF:  # 复核 of what the schedule made
        orders = orders.filter(unreviewed)
    else:
        orders = orders.none()
    waiting["orders"] = list(orders[:limit])
    return waiting



def overview_rows(*, user, today: datetime.date, year: int | None = None) -> list[dict]:
    """Each consortium of the user's scope with its agreement of `year` or, without one, of the
    year in progress (the latest signed agreement up to this year, so next year's draft never hides
    it), the budget in force, what has been prepaid, how many orders wait and its fund burn. The
    orders are summed by the database per agreement, not walked per consortium: a province has
    thousands of them."""
    from claims.selectors import exact_sums

    of_consortium = ServiceAgreement.objects.filter(consortium=OuterRef("pk"))
    if year is not None:
        latest = Subquery(of_consortium.filter(year=year).values("pk")[:1])
    else:  # the latest signed one up to this year; with none signed yet, the latest there is (a first draft)
        running = of_consortium.filter(year__lte=today.year).exclude(status=ServiceAgreement.Status.DRAFT)
        latest = Coalesce(Subquery(running.order_by("-year").values("pk")[:1]),
                          Subquery(of_consortium.order_by("-year").values("pk")[:1]))
    consortia = (scope_queryset(user, Consortium.objects.select_related("county__city__province"))
                 .annotate(member_count=Count("members"), latest_agreement=latest))
    agreements = (ServiceAgreement.objects.select_related("consortium__county").prefetch_related("consortium__members")
                  .in_bulk([c.latest_agreement for c in consortia if c.latest_agreement]))
    budgets = budgets_in_force(agreements=list(agreements))
    orders = scope_queryset(user, PaymentOrder.objects.filter(agreement__in=list(agreements)))
    prepaid = exact_sums(orders.filter(status=PaymentOrder.Status.PAID).exclude(kind=PaymentOrder.Kind.DISBURSEMENT),
                         group=("agreement_id",), fields=("amount",))
    pending = dict(orders.filter(status__in=[PaymentOrder.Status.PENDING, PaymentOrder.Status.APPROVED])
                   .values_list("agreement_id").annotate(n=Count("id")).order_by())
    rows = []
    for consortium in consortia:
        agreement = agreements.get(consortium.latest_agreement)
        key = agreement.pk if agreement else None
        rows.append({
            "consortium": consortium, "agreement": agreement, "budget": budgets.get(key),
            "prepaid": prepaid.get((key,), {}).get("amount", Decimal("0.00")),
            "pending": pending.get(key, 0),
            "burn": fund_burn(agreement=agreement, today=today, budget=budgets.get(key)) if agreement else None,
        })
    return rows


def runs_visible(*, user, queryset: QuerySet) -> QuerySet:
    """Money runs the user may see: those started in their county (or province), and those of
    every county (the schedule's, the administrator's). Finance officers see none: they see the
    orders."""
    if user.is_superuser or user.role == User.Role.ADMINISTRATOR:
        return queryset
    if user.role in (User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR) and user.county_id:
        return queryset.filter(Q(county_id=user.county_id) | Q(county__isnull=True))
    if user.role == User.Role.PROVINCIAL_REVIEWER and user.province_id:
        return queryset.filter(Q(county__city__province_id=user.province_id) | Q(county__isnull=True))
    return queryset.none()


def run_lines_in_scope(*, user, run) -> None:
    """Cuts a run's per-agreement lines (errors, results) down to the agreements the user sees."""
    lines = list(run.errors or []) + list(getattr(run, "results", None) or [])
    ids = {line.get("agreement") for line in lines}
    seen = set(scope_queryset(user, ServiceAgreement.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    run.errors = [line for line in run.errors or [] if line.get("agreement") in seen]
    if isinstance(run, ClearingRun):
        run.results = [line for line in run.results or [] if line.get("agreement") in seen]


def capitation_with_quotas(*, agreement: ServiceAgreement) -> list[dict]:
    """T2: the enrollees' claims month by month (claims.selectors) beside the monthly quotas of
    the budget in force."""
    from claims.selectors import capitation_consumption

    budget = budget_in_force(agreement=agreement)
    quotas = {int(row["period"][-2:]): Decimal(row["quota"])
              for row in (budget.computed.get("prepayments", []) if budget else []) if "quota" in row}
    return capitation_consumption(agreement=agreement, quotas=quotas)


def cost_shift(*, agreement: ServiceAgreement) -> dict | None:
    """T5: the cost-shift monitor (claims.selectors) with the growth factor of the budget in force."""
    from claims.selectors import cost_shift_monitor

    budget = budget_in_force(agreement=agreement)
    g = budget.computed["package"].get("growth_factor") if budget else None
    return cost_shift_monitor(agreement=agreement, growth_factor=Decimal(g) if g else None)


def last_years_budget(*, agreement: ServiceAgreement) -> AnnualBudget | None:
    """The budget in force of the consortium's agreement of the year before, if any."""
    previous = ServiceAgreement.objects.filter(consortium_id=agreement.consortium_id, year=agreement.year - 1).first()
    return budget_in_force(agreement=previous) if previous else None


def budget_comparison(*, budget: AnnualBudget) -> dict:
    """What the approver weighs: each fund figure and each member's figures of `budget` beside last
    year's budget in force (for a new version of this year's, beside the version in force), with the
    change in per cent. `against` says which budget it is compared with, or None when there is none."""
    from consortia.glossary import figure, word

    agreement = budget.agreement
    against = last_years_budget(agreement=agreement)
    if against is None and budget.version > 1:
        against = budget_in_force(agreement=agreement)

    scheme = agreement.scheme

    def row(key, now, before):
        now, before = _amount(now), _amount(before)
        change = None
        if now is not None and before not in (None, Decimal(0)):
            change = ((now - before) / before).quantize(Decimal("0.0001"))
        return {"label": word(key, scheme), "now": figure(now, key, scheme), "before": figure(before, key, scheme),
                "change": change}

    fund = [row(key, budget.fund.get(key), (against.fund if against else {}).get(key)) for key in budget.fund]
    before_members = {m.get("code"): m for m in (against.members if against else [])}
    figures = [k for k in dict.fromkeys(k for m in budget.members for k in m)
               if k not in ("code", "name", "tier", "history")]
    members = [{"name": m.get("name") or m.get("code"), "code": m.get("code"),
                "figures": [row(k, m.get(k), before_members.get(m.get("code"), {}).get(k)) for k in figures]}
               for m in budget.members]
    return {"against": against, "fund": fund, "members": members,
            "member_columns": [word(k, scheme) for k in figures]}


def _amount(value) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except ArithmeticError:
        return None


def overview_years(*, user) -> list[int]:
    """The years the user's consortia have agreements for, for the overview's year switch."""
    agreements = scope_queryset(user, ServiceAgreement.objects.all())
    return sorted(set(agreements.values_list("year", flat=True)))
