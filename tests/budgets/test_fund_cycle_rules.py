"""The fund cycle under the clarified rules J3, S10, S11, T4, the clearing's currency, runs from
the command line and the schedule, and who may move money: each failed before it was built."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from budgets.models import CO_MANAGED_PAYEE, Clearing, ClearingRun, PaymentOrder, PrepaymentRun, YearActuals
from budgets.services import clearing as clearing_services
from budgets.services import payments
from budgets.services.prepayments import prepayment_run, prepayment_run_review
from tests.budgets.test_fund_cycle import expected, run_year


# --- J3: a 0.00 working-capital line makes no order and counts as 0.00 paid -------------------------

def test_a_zero_working_capital_line_makes_no_order_and_clears_as_zero_paid(county):
    agreement, budget, _fo, data = county.agreement("jiangmen-2016-total-control",
                                                    parameters={"working_capital_rate": "0"})
    assert {row["amount"] for row in budget.computed["prepayments"] if row["kind"] == "working_capital"} == {"0.00"}
    january = prepayment_run(period="2017-01", user=county.staff)
    assert (january.status, january.orders_created, january.orders_existing, january.errors) == (
        "succeeded", 0, 0, [])
    run_year(county, agreement, ["2017-03"])  # the extra working capital of the three compliant members
    assert PaymentOrder.objects.filter(agreement=agreement).count() == 3
    county.actuals(agreement, data)
    clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    assert clearing.inputs["actuals"]["working_capital_paid"]["JM-H02"] == "0.00"
    h02 = next(line for line in clearing.result["members"] if line["code"] == "JM-H02")
    # JM-H02 is not compliant: no extra working capital, and its 0.00 January line was never paid.
    assert D(h02["final_payment"]) == (D(h02["settled"]) - D(h02["deposit_forfeited"])
                                       - D(h02["assessment_deduction"]) - D(h02["actual"]))
    # the golden figure (-55,063,140.05 after 13,578,753.69 of working capital) without it
    assert h02["final_payment"] == "-41484386.36"


# --- S10: own penalties charged to the lead hospital, recoveries to the consortium ----------------

def test_own_audit_penalties_are_charged_to_the_lead_hospital_never_the_co_managed_account(county):
    from claims.models import AuditRecovery

    agreement, _budget, _finance, data = county.agreement("shexian-2025-target-two")
    county.actuals(agreement, data)
    AuditRecovery.objects.create(consortium=agreement.consortium, year=2025, recovered=D("120000.00"),
                                 own_penalty=D("50000.00"), description="自查自纠")
    clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    _clearing, orders = clearing_services.clearing_approve(clearing=clearing, user=county.auditor)
    by_kind = {o.kind: o for o in orders}
    assert (by_kind["audit_recovery"].payee_code, by_kind["audit_recovery"].amount) == (CO_MANAGED_PAYEE,
                                                                                         D("120000.00"))
    lead = agreement.consortium.lead_hospital
    assert (by_kind["penalty"].payee_code, by_kind["penalty"].member, by_kind["penalty"].amount) == (
        lead.code, lead, D("-50000.00"))
    # never netted: the final payment is the clearing's own figure, beside the two S10 lines
    assert by_kind["final_payment"].amount == D(clearing.result["clearing"]["final_payment"])


# --- S11: money back to the bureau from the co-managed account needs both signatures ---------------

def test_a_negative_final_payment_from_the_co_managed_account_needs_both_signatures(county):
    agreement, _budget, finance, data = county.agreement("shexian-2025-target-two")
    run_year(county, agreement, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"])
    county.actuals(agreement, data)
    clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    _clearing, orders = clearing_services.clearing_approve(clearing=clearing, user=county.auditor)
    (back,) = [o for o in orders if o.kind == "final_payment"]
    assert (back.payee_code, back.amount) == (CO_MANAGED_PAYEE, D("-11398000.00"))  # the golden figure
    assert back.needs_co_signature
    with pytest.raises(ValidationError, match="医共体财务人员签批"):
        payments.order_approve(order=back, user=county.auditor2)  # one auditor alone: refused
    with pytest.raises(IntegrityError), transaction.atomic():  # and by the database
        PaymentOrder.objects.filter(pk=back.pk).update(status="approved", approved_by=county.auditor2)
    payments.order_co_sign(order=back, user=finance)
    payments.order_approve(order=back, user=county.auditor2)
    payments.order_pay(order=back, user=county.staff, paid_on=datetime.date(2026, 3, 2), bank_reference="BACK-1")
    back.refresh_from_db()
    assert (back.status, back.co_signed_by, back.approved_by, back.paid_by) == (
        "paid", finance, county.auditor2, county.staff)


def test_a_finance_officer_waits_for_a_return_to_the_bureau(county):
    from budgets.selectors import waiting_for

    agreement, _budget, finance, data = county.agreement("shexian-2025-target-two")
    run_year(county, agreement, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"])
    county.actuals(agreement, data)
    clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    clearing_services.clearing_approve(clearing=clearing, user=county.auditor)
    assert [o.amount for o in waiting_for(user=finance)["orders"]] == [D("-11398000.00")]
    assert waiting_for(user=county.auditor2)["orders"] == []  # not before the co-signature


# --- T4: the family-doctor fee, month by month, once the roster is in -------------------------------

def _roster(agreement, month, heads):
    from consortia.models import RosterEntry

    RosterEntry.objects.bulk_create([
        RosterEntry(agreement=agreement, month=datetime.date(agreement.year, month, 1), enrollee_id=f"E{n}",
                    team="一队", category="门诊", baseline_cost=D("1000.00")) for n in range(heads)])


def test_the_family_doctor_fee_is_paid_month_by_month_and_sums_to_the_annual_fee(county):
    agreement, _budget, _fo, _data = county.agreement("tianjin-2021-capitation")
    heads = [301, 305] + [301] * 10
    _roster(agreement, 1, heads[0])
    _roster(agreement, 2, heads[1])
    run = prepayment_run(period="2022-03", user=county.staff)  # March's roster is not in yet
    def fees():
        return PaymentOrder.objects.filter(agreement=agreement, kind="family_doctor_fee").order_by("period")

    assert [(o.period, o.amount) for o in fees()] == [("2022-01", D("1003.33")), ("2022-02", D("1016.67"))]
    assert run.orders_created == 2
    lead = agreement.consortium.lead_hospital
    assert {(o.payee_code, o.channel) for o in fees()} == {(lead.code, "bureau")}
    for month in range(3, 13):
        _roster(agreement, month, heads[month - 1])
    run = prepayment_run(period="2022-04", user=county.staff)  # March and April now
    assert (run.errors, fees().count()) == ([], 4)
    prepayment_run(period="2022-12", user=county.staff)
    assert fees().count() == 12
    annual = (D(sum(heads)) * 40 / 12).quantize(D("0.01"))
    assert annual == D("12053.33")
    assert sum(o.amount for o in fees()) == annual  # the months sum exactly to the annual fee
    assert fees().get(period="2022-11").amount == D("1003.33")  # 301 × 40 / 12 = 1003.333…
    assert fees().get(period="2022-12").amount == D("1003.36")  # the last month takes the difference
    again = prepayment_run(period="2022-12", user=county.staff)
    assert (again.orders_created, fees().count()) == (0, 12)


# --- the clearing: current while its inputs' hash is theirs ------------------------------------------

def test_inputs_that_go_a_b_a_end_in_an_approvable_clearing(county):
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    actuals = county.actuals(agreement, data)
    first = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    actuals.out_of_consortium = D("1.00")
    actuals.save()
    assert not clearing_services.clearing_is_current(clearing=first)
    changes = clearing_services.clearing_changes(clearing=first)
    assert changes == [{"field": "actuals.out_of_consortium", "before": "98765432.10", "after": "1.00"}]
    with pytest.raises(ValidationError, match="数据已有变化"):
        clearing_services.clearing_approve(clearing=first, user=county.auditor)
    second = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    assert second.pk != first.pk
    actuals.out_of_consortium = D("98765432.10")  # back to A
    actuals.save()
    again = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    assert again.pk == first.pk and clearing_services.clearing_is_current(clearing=first)
    assert not clearing_services.clearing_is_current(clearing=second)
    approved, orders = clearing_services.clearing_approve(clearing=first, user=county.auditor)
    assert approved.status == "approved" and orders[0].amount == D("277724527.90")


def test_the_clearing_page_says_what_changed_and_offers_to_compute_again(client, county):
    from django.urls import reverse

    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    actuals = county.actuals(agreement, data)
    clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    actuals.out_of_consortium = D("1.00")
    actuals.save()
    client.force_login(county.staff)
    body = client.get(reverse("clearing-page", args=[agreement.pk])).content.decode()
    assert "变化的数据" in body and "¥98,765,432.10" in body and "¥1.00" in body
    assert "按现有数据重新计算" in body


# --- run_clearing: the claims, the schedule, the job ---------------------------------------------------

def _claims(agreement, month, code, fund):
    from claims.models import ClaimMonthly
    from consortia.models import Institution

    institution = Institution.objects.get(county=agreement.consortium.county, code=code)
    ClaimMonthly.objects.create(county=agreement.consortium.county, month=datetime.date(agreement.year, month, 1),
                                consortium=institution.consortium, institution=institution,
                                placement=institution.placement, visit_type="inpatient", claims=10,
                                total_cost=fund, self_pay_full=D("0"), co_pay=D("0"), fund_paid=fund,
                                drug_cost=D("0"), antibiotic_cost=D("0"))


def test_run_clearing_takes_the_actuals_from_the_claims_and_says_so(county, capsys):
    agreement, _budget, _fo, _data = county.agreement("guangdong-2019-surplus")
    _claims(agreement, 3, "YX-H01", D("1000000.00"))
    _claims(agreement, 4, "YX-H01", D("234.56"))
    call_command("run_clearing", "--year", "2025", "--user", "staff")
    out = capsys.readouterr().out
    assert "实际支出取自已导入的结算数据" in out
    clearing = Clearing.objects.get(agreement=agreement)
    assert clearing.computed_by == county.staff
    assert clearing.result["clearing"]["in_consortium"] == "1000234.56"
    assert YearActuals.objects.get(agreement=agreement).source == "claims"
    run = ClearingRun.objects.get()
    assert (run.status, run.trigger, run.total, run.done) == ("succeeded", "command", 1, 1)


def test_entered_actuals_win_over_the_claims(county, capsys):
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    county.actuals(agreement, data)
    _claims(agreement, 3, "YX-H01", D("1000000.00"))
    call_command("run_clearing", "--year", "2025")
    assert "实际支出取自" not in capsys.readouterr().out
    clearing = Clearing.objects.get(agreement=agreement)
    assert clearing.result["clearing"]["in_consortium"] == expected("guangdong-2019-surplus")["clearing"][
        "in_consortium"]


def test_the_clearing_run_reports_each_agreement_and_is_safe_to_run_twice(county):
    good, _b, _f, data = county.agreement("guangdong-2019-surplus")
    county.actuals(good, data)
    missing, _b2, _f2, _d2 = county.agreement("shexian-2025-target-two")  # no actuals, no claims
    run = clearing_services.clearing_run_start(year=2025, user=county.staff)
    run = clearing_services.clearing_run_execute(run=run)
    assert run.status == "succeeded" and (run.total, run.done) == (2, 2)
    assert [line["agreement"] for line in run.results] == [good.pk]
    assert run.errors[0]["agreement"] == missing.pk and "实际支出" in run.errors[0]["message"]
    again = clearing_services.clearing_run_execute(run=clearing_services.clearing_run_start(year=2025,
                                                                                            user=county.staff))
    assert again.results[0]["clearing"] == run.results[0]["clearing"]
    assert Clearing.objects.filter(agreement=good).count() == 1


def test_the_january_schedule_clears_last_year_with_nobody_as_maker(county, monkeypatch):
    from budgets import tasks

    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    county.actuals(agreement, data)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: datetime.date(2026, 1, 15))
    tasks.clearing_year_end()
    run = ClearingRun.objects.get()
    assert (run.year, run.trigger, run.started_by, run.status) == (2025, "schedule", None, "succeeded")
    clearing = Clearing.objects.get()
    assert clearing.computed_by is None
    # The person who approves it has reviewed it; an auditor other than them signs its orders.
    _clearing, (order,) = clearing_services.clearing_approve(clearing=clearing, user=county.staff)
    assert (order.created_by, order.reviewed_by) == (None, county.staff)
    payments.order_approve(order=order, user=county.auditor)


def test_the_beat_schedule_has_the_january_clearing(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="budgets.tasks.clearing_year_end")
    assert (task.crontab.month_of_year, task.crontab.day_of_month, task.enabled) == ("1", "15", True)


# --- nobody moves money alone ---------------------------------------------------------------------------

def test_a_scheduled_run_s_orders_are_reviewed_before_an_auditor_approves_them(county):
    county.agreement("guangdong-2019-surplus")
    run = prepayment_run(period="2025-01", user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)
    order = PaymentOrder.objects.get()
    assert order.created_by is None
    with pytest.raises(ValidationError, match="复核"):
        payments.order_approve(order=order, user=county.auditor)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        PaymentOrder.objects.filter(pk=order.pk).update(status="approved", approved_by=county.auditor)
    with pytest.raises(ValidationError):
        prepayment_run_review(run=run, user=county.auditor)  # bureau staff review
    assert prepayment_run_review(run=run, user=county.staff) == 1
    with pytest.raises(ValidationError):
        prepayment_run_review(run=run, user=county.staff2)  # nothing left to review
    order.refresh_from_db()
    assert order.reviewed_by == county.staff
    payments.order_approve(order=order, user=county.auditor)
    with pytest.raises(ValidationError, match="批准付款单的人不能登记其付款"):
        payments.order_pay(order=order, user=county.auditor, paid_on=datetime.date(2025, 1, 31), bank_reference="B")
    with pytest.raises(IntegrityError), transaction.atomic():  # 出纳 ≠ 审核, in the database
        PaymentOrder.objects.filter(pk=order.pk).update(status="paid", paid_by=county.auditor,
                                                        paid_on=datetime.date(2025, 1, 31), bank_reference="B")
    payments.order_pay(order=order, user=county.staff, paid_on=datetime.date(2025, 1, 31), bank_reference="B")


def test_a_reviewer_does_not_approve_what_they_reviewed(county):
    county.agreement("guangdong-2019-surplus")
    run = prepayment_run(period="2025-01", user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)
    prepayment_run_review(run=run, user=county.staff)
    order = PaymentOrder.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(status="approved", approved_by=county.staff)
    order.refresh_from_db()
    assert (order.status, order.approved_by) == ("pending", None)


def test_a_run_acts_only_on_the_agreements_of_its_starter_s_scope(county, world):
    from budgets.services.budgets import budget_approve, budget_create, budget_submit

    mine, _b, _f, _d = county.agreement("guangdong-2019-surplus")
    other = world.agreement_a1x  # another county's active shexian agreement, with a budget
    budget = budget_create(agreement=other, fund={
        "raised": "1000000.00", "risk_adjustment_remittance": "0", "critical_illness_premium": "0",
        "prior_year_expenditure": "900000.00", "prior_year_deficit_subsidy": "0"},
        members=[{"code": m.code, "tier": m.tier, "prior_year_paid": "100.00"}
                 for m in other.consortium.members.all()], user=world.staff_a1)
    budget_submit(budget=budget, user=world.staff_a1)
    budget_approve(budget=budget, user=world.auditor_a1)
    prepayment_run(period="2025-Q1", user=county.staff)
    prepayment_run(period="2025-01", user=county.staff)
    assert set(PaymentOrder.objects.values_list("agreement_id", flat=True)) == {mine.pk}
    prepayment_run(period="2025-Q1", user=world.staff_a1)
    assert PaymentOrder.objects.filter(agreement=other).count() == 1


def test_runs_are_read_in_scope(client, county, world):
    from django.urls import reverse

    county.agreement("guangdong-2019-surplus")
    mine = prepayment_run(period="2025-01", user=county.staff)
    theirs = prepayment_run(period="2025-02", user=world.staff_a1)
    schedule = prepayment_run(period="2025-03", user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)
    client.force_login(county.auditor)
    listed = {row["id"] for row in client.get(reverse("run-list")).json()["results"]}
    assert listed == {mine.pk, schedule.pk}
    assert theirs.pk not in listed
    client.force_login(world.finance_a1x)
    assert client.get(reverse("run-list")).json()["results"] == []


def test_a_run_whose_process_died_is_marked_failed_when_anyone_looks(county):
    from django.db import connection
    from django.utils import timezone

    from budgets.services.runs import runs_seen

    run = PrepaymentRun.objects.create(period="2025-05", started_by=county.staff, county=county.county,
                                       status=PrepaymentRun.Status.RUNNING,
                                       moved_at=timezone.now() - datetime.timedelta(hours=1))
    (seen,) = runs_seen(user=county.staff)
    assert seen.status == "failed"
    assert "中断" in seen.reason or "运行迹象" in seen.reason
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None
    if connection.vendor == "postgresql":  # a live process holds the run's advisory lock: left alone
        alive = PrepaymentRun.objects.create(period="2025-06", started_by=county.staff, county=county.county,
                                             status=PrepaymentRun.Status.RUNNING, moved_at=timezone.now())
        import psycopg

        settings = connection.settings_dict
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                             dbname=settings["NAME"], autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(7301, %s)", (alive.pk,))
            assert [r.status for r in runs_seen(user=county.staff) if r.pk == alive.pk] == ["running"]


def test_read_only_roles_cannot_submit_a_budget(client, county, world):
    from django.urls import reverse

    from budgets.services.budgets import budget_submit

    agreement, budget, finance, _data = county.agreement("guangdong-2019-surplus", approve=False)
    for user in (county.auditor, finance):
        with pytest.raises(ValidationError):
            budget_submit(budget=budget, user=user)
        client.force_login(user)
        client.post(reverse("budget-page", args=[agreement.pk]), {"step": "submit"})
        budget.refresh_from_db()
        assert budget.status == "draft"
    client.force_login(county.auditor)
    client.post(reverse("admin:budgets_annualbudget_changelist"), {"action": "submit", "_selected_action": [budget.pk]})
    budget.refresh_from_db()
    assert budget.status == "draft"
    budget_submit(budget=budget, user=county.staff)
    budget.refresh_from_db()
    assert budget.status == "submitted"


# --- J8: a fourth quarter of zero visits is outside the band ------------------------------------------

def test_a_fourth_quarter_of_no_visits_is_flagged(county):
    from claims.selectors import fourth_quarter_flags

    agreement, _budget, _fo, _data = county.agreement("jiangmen-2016-total-control")
    for month in (2, 5, 8):
        _claims(agreement, month, "JM-T02", D("100.00"))  # 10 visits a quarter, then none
        _claims(agreement, month, "JM-T01", D("100.00"))
    assert fourth_quarter_flags(agreement=agreement, today=datetime.date(2017, 10, 20)) == []  # Q4 not in yet
    _claims(agreement, 11, "JM-T01", D("100.00"))  # the fourth quarter's claims arrive
    flags = fourth_quarter_flags(agreement=agreement, today=datetime.date(2017, 12, 10))
    assert flags == [{"member": "JM-T02", "quarters": [10, 10, 10, 0], "change": D("-1.0000")}]
    after_the_year = fourth_quarter_flags(agreement=agreement, today=datetime.date(2018, 1, 10))
    assert [f["member"] for f in after_the_year] == ["JM-T02"]


# --- two clearing runs at once make one clearing --------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_clearing_runs_at_once_make_one_clearing():
    import threading

    from django.db import connection, connections

    from tests.budgets.conftest import County

    county = County()
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    county.actuals(agreement, data)
    runs = [clearing_services.clearing_run_start(year=2025, user=county.staff) for _ in range(2)]
    done, barrier = [], threading.Barrier(2)

    def clear(run):
        try:
            barrier.wait(timeout=30)
            done.append(clearing_services.clearing_run_execute(run=run))
        finally:
            connections.close_all()

    if connection.vendor == "sqlite":  # one writer at a time: the second run finds the first's clearing
        for run in runs:
            done.append(clearing_services.clearing_run_execute(run=run))
    else:
        threads = [threading.Thread(target=clear, args=(run,)) for run in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert [run.status for run in done] == ["succeeded", "succeeded"]
    assert Clearing.objects.filter(agreement=agreement).count() == 1
    assert {run.results[0]["clearing"] for run in done} == {Clearing.objects.get().pk}
