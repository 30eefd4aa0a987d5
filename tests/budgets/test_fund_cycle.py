"""The fund cycle on real rows: budget, prepayment runs, signatures, payment, ledger, clearing."""

import datetime
import json
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from budgets.models import (
    CO_MANAGED_PAYEE, AnnualBudget, Clearing, JournalEntry, LedgerAccount, PaymentOrder, Posting, PrepaymentRun,
)
from budgets.selectors import budget_in_force, disbursement_schedule
from budgets.services import budgets as budget_services
from budgets.services import clearing as clearing_services
from budgets.services import payments
from budgets.services.prepayments import prepayment_run
from tests.budgets.scenarios import SCENARIOS


def expected(case):
    return json.loads((SCENARIOS / f"{case}.expected.json").read_text(encoding="utf-8"))


def total(postings):
    """Summed in Python: SQLite would add the amounts as floats."""
    return sum((p.amount for p in postings), D("0.00"))


def pay_all(county, orders, day=datetime.date(2025, 1, 31)):
    for order in orders:
        if order.channel == PaymentOrder.Channel.CO_MANAGED:
            finance = order.agreement.consortium.user_set.get(role="finance_officer")
            payments.order_co_sign(order=order, user=finance)
        approver = county.auditor2 if order.created_by_id == county.auditor.pk else county.auditor
        payments.order_approve(order=order, user=approver)
        payments.order_pay(order=order, user=county.staff, paid_on=day, bank_reference=f"BANK-{order.pk}")


# --- the budget -------------------------------------------------------------------------------

def test_the_budget_shows_what_the_engine_derives(county):
    agreement, budget, _fo, _data = county.agreement("guangdong-2019-surplus")
    package = budget.computed["package"]
    want = expected("guangdong-2019-surplus")["package"]
    assert {k: package[k] for k in want} == want
    assert [row["amount"] for row in budget.computed["prepayments"]] == ["23192400.00"] * 12
    assert any(step["rule"] == "G1" and step["name"] == "package" for step in budget.computed["trace"])
    assert budget_in_force(agreement=agreement) == budget


def test_shexian_budget_has_the_members_internal_budgets(county):
    _agreement, budget, _fo, _data = county.agreement("shexian-2025-target-two")
    lines = {m["code"]: m["budget"] for m in budget.computed["members"]}
    assert lines["SX-H01"] == "280421409.09"
    assert sum(D(v) for v in lines.values()) == D("425880000.00")  # S3: T1, to the fen


def test_the_author_cannot_approve_their_budget(county):
    _agreement, budget, _fo, _data = county.agreement("guangdong-2019-surplus", approve=False)
    budget_services.budget_submit(budget=budget, user=county.staff)
    with pytest.raises(ValidationError):
        budget_services.budget_approve(budget=budget, user=county.staff)
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database agrees
        AnnualBudget.objects.filter(pk=budget.pk).update(status="approved", approved_by=county.staff)


def test_a_locked_budget_changes_only_through_a_new_version(county):
    agreement, budget, _fo, data = county.agreement("guangdong-2019-surplus")
    prepayment_run(period="2025-01", user=county.staff)
    budget.refresh_from_db()
    assert budget.status == AnnualBudget.Status.LOCKED
    locked = budget.history.order_by("-history_id").first()  # the audit trail has the lock, figures as they were
    assert (locked.status, locked.computed, locked.members) == ("locked", budget.computed, budget.members)
    with pytest.raises(ValidationError):
        budget_services.budget_save(agreement=agreement, budget=budget, fund={"revenue": "1.00"},
                                    members=budget.members, user=county.staff)
    with pytest.raises(ValidationError):
        budget_services.budget_save(agreement=agreement, fund={"revenue": "400000000.00"}, members=budget.members,
                                    reason="", user=county.staff)
    revised = budget_services.budget_save(agreement=agreement, fund={"revenue": "400000000.00"},
                                          members=budget.members, reason="年中追加筹资", user=county.staff2)
    assert revised.version == 2
    assert budget_in_force(agreement=agreement) == budget  # until the new one is approved
    budget_services.budget_submit(budget=revised, user=county.staff2)
    budget_services.budget_approve(budget=revised, user=county.auditor)
    assert budget_in_force(agreement=agreement).version == 2
    assert revised.computed["package"]["package"] == "360000000.00"


# --- prepayment runs --------------------------------------------------------------------------

def test_month_end_run_creates_the_months_order_once(county):
    agreement, _budget, _fo, _data = county.agreement("guangdong-2019-surplus")
    run = prepayment_run(period="2025-03", user=county.staff)
    assert (run.status, run.orders_created, run.orders_existing) == ("succeeded", 1, 0)
    order = PaymentOrder.objects.get(agreement=agreement)
    assert (order.period, order.kind, order.amount, order.payee_code) == ("2025-03", "prepayment", D("23192400.00"),
                                                                         "YX-H01")
    assert any(step["rule"] == "G2" for step in order.trace)
    again = prepayment_run(period="2025-03", user=county.staff)
    assert (again.orders_created, again.orders_existing) == (0, 1)
    assert PaymentOrder.objects.count() == 1
    assert prepayment_run(period="2025-Q1", user=county.staff).orders_created == 0  # not a quarterly scheme


def test_quarter_start_run_pays_into_the_co_managed_account(county):
    agreement, _budget, _fo, _data = county.agreement("shexian-2025-target-two")
    call_command("run_prepayment", "--period", "2025-Q2")
    order = PaymentOrder.objects.get(agreement=agreement)
    assert (order.period, order.payee_code, order.amount) == ("2025-Q2", CO_MANAGED_PAYEE, D("90499500.00"))
    run = PrepaymentRun.objects.get()
    assert (run.trigger, run.started_by) == ("command", None)
    assert order.created_by is None  # nobody made it: bureau staff review it before it is signed


def test_jiangmen_working_capital_in_january_and_march(county):
    agreement, _budget, _fo, _data = county.agreement("jiangmen-2016-total-control")
    prepayment_run(period="2017-01", user=county.staff)
    prepayment_run(period="2017-03", user=county.staff)
    orders = PaymentOrder.objects.filter(agreement=agreement).order_by("period", "payee_code")
    want = [(r["period"], r["member"], r["kind"], r["amount"])
            for r in expected("jiangmen-2016-total-control")["prepayments"]]
    assert sorted((o.period, o.payee_code, o.kind, format(o.amount, "f")) for o in orders) == sorted(want)


def test_an_agreement_without_approved_budget_is_reported_not_skipped_silently(county):
    county.agreement("guangdong-2019-surplus", approve=False)
    run = prepayment_run(period="2025-02", user=county.staff)
    assert run.status == "failed" and run.errors[0]["message"].endswith("没有已审批的预算。")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_runs_create_one_order_per_agreement():
    """On PostgreSQL (CI) the twenty runs race in threads; the unique business key and the
    agreement row lock leave exactly one order per agreement. SQLite serialises writers, so
    there they simply follow one another."""
    from tests.budgets.conftest import County

    county = County()
    agreements = [county.agreement("guangdong-2019-surplus")[0] for _ in range(3)]
    errors = []

    def run():
        try:
            prepayment_run(period="2025-04", user=None)
        except Exception as problem:  # noqa: BLE001 - collected and asserted below
            errors.append(problem)
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=run) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for _ in range(20):
            run()
    assert errors == []
    for agreement in agreements:
        assert PaymentOrder.objects.filter(agreement=agreement, period="2025-04").count() == 1
    runs = PrepaymentRun.objects.filter(period="2025-04")
    assert runs.count() == 20
    assert sum(r.orders_created for r in runs) == 3
    assert sum(r.orders_existing for r in runs) == 57


# --- signatures, payment, ledger ----------------------------------------------------------------

def test_maker_is_never_checker(county):
    county.agreement("guangdong-2019-surplus")
    with pytest.raises(ValidationError):
        prepayment_run(period="2025-01", user=county.auditor)  # auditors sign, they do not make orders
    prepayment_run(period="2025-01", user=county.staff)
    order = PaymentOrder.objects.get()
    assert order.created_by == county.staff
    with pytest.raises(ValidationError):
        payments.order_approve(order=order, user=county.staff)  # made it, and is no auditor
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(status="approved", approved_by=county.staff)
    payments.order_approve(order=order, user=county.auditor2)


def test_a_paid_order_is_posted_and_frozen(county):
    agreement, _budget, _fo, _data = county.agreement("guangdong-2019-surplus")
    prepayment_run(period="2025-01", user=county.staff)
    order = PaymentOrder.objects.get()
    with pytest.raises(ValidationError):
        payments.order_pay(order=order, user=county.staff, paid_on=datetime.date(2025, 1, 31), bank_reference="X")
    pay_all(county, [order])
    order.refresh_from_db()
    assert order.status == "paid"
    postings = Posting.objects.filter(entry__order=order)
    assert sorted(p.amount for p in postings) == [D("-23192400.00"), D("23192400.00")]
    agreement.refresh_from_db()
    assert agreement.paid_through == datetime.date(2025, 1, 1)
    for change in ({"amount": D("1.00")}, {"status": "pending"}, {"bank_reference": "Y"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentOrder.objects.filter(pk=order.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(entry__order=order).update(amount=D("1.00"))
    with pytest.raises(ValidationError):
        payments.order_void(order=order, user=county.staff, reason="错付")
    reversal = payments.order_reverse(order=order, user=county.staff, reason="收款账户有误")
    assert reversal.amount == D("-23192400.00")
    pay_all(county, [reversal], day=datetime.date(2025, 2, 3))
    assert total(Posting.objects.filter(account__kind="member")) == D("0.00")


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_unbalanced_entry():
    """PostgreSQL checks every entry at commit; on SQLite the posting service is the check."""
    from tests.budgets.conftest import County

    county = County()
    county.agreement("guangdong-2019-surplus")
    prepayment_run(period="2025-01", user=county.staff)
    order = PaymentOrder.objects.get()
    pay_all(county, [order])
    entry = JournalEntry.objects.get(order=order)
    account = LedgerAccount.objects.filter(kind="member").first()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            Posting.objects.create(entry=entry, account=account, amount=D("0.01"))
        with pytest.raises(IntegrityError), transaction.atomic():
            Posting.objects.filter(entry=entry).delete()
    assert total(Posting.objects.filter(entry=entry)) == D("0.00")


def test_the_co_managed_account_passes_the_quarter_on_with_two_signatures(county):
    agreement, _budget, finance, _data = county.agreement("shexian-2025-target-two")
    prepayment_run(period="2025-Q1", user=county.staff)
    quarter = PaymentOrder.objects.get(kind="prepayment")
    pay_all(county, [quarter], day=datetime.date(2025, 1, 24))
    disbursements = payments.disbursements_create(order=quarter, user=finance)
    assert len(disbursements) == 7
    assert sum(d.amount for d in disbursements) == D("90499500.00")
    assert payments.disbursements_create(order=quarter, user=finance) == []  # twice adds none
    first = disbursements[0]
    with pytest.raises(ValidationError):
        payments.order_approve(order=first, user=county.auditor)  # the finance officer signs first
    with pytest.raises(ValidationError):
        payments.order_co_sign(order=first, user=county.staff)
    # S3: received Fri 2025-01-24, ten working days across Spring Festival: due 2025-02-13.
    (row,) = disbursement_schedule(orders=PaymentOrder.objects.all(), today=datetime.date(2025, 2, 14))
    assert (row["deadline"], row["unpaid"], row["overdue"]) == (datetime.date(2025, 2, 13), D("90499500.00"), True)
    pay_all(county, disbursements[:-1], day=datetime.date(2025, 2, 10))
    (row,) = disbursement_schedule(orders=PaymentOrder.objects.all(), today=datetime.date(2025, 2, 13))
    assert (row["unpaid"], row["overdue"]) == (disbursements[-1].amount, False)  # due today, not yet late
    pay_all(county, disbursements[-1:], day=datetime.date(2025, 2, 14))
    co_managed = LedgerAccount.objects.get(kind="co_managed", consortium=agreement.consortium)
    assert total(co_managed.postings.all()) == D("0.00")
    (row,) = disbursement_schedule(orders=PaymentOrder.objects.all(), today=datetime.date(2025, 3, 1))
    assert (row["unpaid"], row["late_payments"], row["overdue"]) == (D("0.00"), 1, True)  # passed on a day late


def test_the_co_managed_account_pays_nobody_else(county):
    from budgets.services.ledger import _check_co_managed, account

    agreement, _budget, _fo, _data = county.agreement("shexian-2025-target-two")
    co_managed = account(kind="co_managed", consortium=agreement.consortium)
    other = account(kind="co_managed", consortium=county.agreement("shexian-2025-target-two")[0].consortium)
    order = PaymentOrder(agreement=agreement, kind="disbursement", channel="co_managed", amount=D("1.00"))
    with pytest.raises(ValidationError):
        _check_co_managed(co_managed, other, order)


# --- the clearing -----------------------------------------------------------------------------

def run_year(county, agreement, periods):
    for period in periods:
        prepayment_run(period=period, user=county.staff)
    pay_all(county, PaymentOrder.objects.filter(agreement=agreement, status="pending"))


def test_a_full_year_clears_to_the_golden_figures_and_conserves_the_money(county):
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    run_year(county, agreement, [f"2025-{m:02d}" for m in range(1, 13)])
    county.actuals(agreement, data)
    clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    want = expected("guangdong-2019-surplus")["clearing"]
    assert {k: clearing.result["clearing"][k] for k in want} == want
    c = clearing.result["clearing"]
    # prepaid + final payment = entitlement (with the fund's overspend share) − claims outside
    assert D(c["prepaid"]) + D(c["final_payment"]) == (D(c["entitlement"]) + D(c["fund_overspend_share"])
                                                        - D(c["out_of_consortium"]))
    assert clearing_services.clearing_compute(agreement=agreement, user=county.staff).pk == clearing.pk
    with pytest.raises(ValidationError):
        clearing_services.clearing_approve(clearing=clearing, user=county.staff)
    clearing, orders = clearing_services.clearing_approve(clearing=clearing, user=county.auditor)
    assert [(o.kind, o.amount, o.payee_code) for o in orders] == [("final_payment", D("-584272.10"), "YX-H01")]
    pay_all(county, orders, day=datetime.date(2026, 3, 31))
    # The ledger balances, and the lead hospital holds what it is entitled to net of claims outside.
    assert total(Posting.objects.all()) == D("0.00")
    lead = LedgerAccount.objects.get(kind="member", member__code="YX-H01")
    assert total(lead.postings.all()) == D(c["entitlement"]) - D(c["out_of_consortium"])


def test_a_changed_input_gives_a_new_clearing(county):
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    run_year(county, agreement, ["2025-01", "2025-02"])
    actuals = county.actuals(agreement, data)
    first = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    assert first.result["clearing"]["prepaid"] == "46384800.00"  # what was really paid
    actuals.out_of_consortium = D("100000000.00")
    actuals.save()
    second = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    assert second.pk != first.pk and second.inputs_hash != first.inputs_hash
    assert not clearing_services.clearing_is_current(clearing=first)
    with pytest.raises(ValidationError):
        clearing_services.clearing_approve(clearing=first, user=county.auditor)
    clearing_services.clearing_approve(clearing=second, user=county.auditor)
    with pytest.raises(ValidationError):
        clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    assert Clearing.objects.filter(status="approved").count() == 1


def test_shexian_and_jiangmen_clear_to_their_golden_figures(county):
    for case, periods in (("shexian-2025-target-two", ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]),
                          ("jiangmen-2016-total-control", ["2017-01", "2017-03"])):
        agreement, _budget, _fo, data = county.agreement(case)
        run_year(county, agreement, periods)
        county.actuals(agreement, data)
        clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
        want = expected(case)
        assert {k: clearing.result["clearing"][k] for k in want["clearing"]} == want["clearing"]
        if "members" in want:
            assert [{k: line[k] for k in w} for line, w in zip(clearing.result["members"], want["members"],
                                                               strict=True)] == want["members"]


def test_run_clearing_command(county, capsys):
    agreement, _budget, _fo, data = county.agreement("tianjin-2021-capitation")
    county.actuals(agreement, data)
    call_command("run_clearing", "--year", "2022", "--consortium", agreement.consortium.code)
    assert "-" not in capsys.readouterr().err
    assert Clearing.objects.filter(agreement=agreement).count() == 1


def test_shexian_money_is_conserved(county):
    agreement, _budget, _fo, data = county.agreement("shexian-2025-target-two")
    run_year(county, agreement, ["2025-Q1", "2025-Q2", "2025-Q3"])  # the fourth quarter was never paid
    county.actuals(agreement, data)
    c = clearing_services.clearing_compute(agreement=agreement, user=county.staff).result["clearing"]
    assert c["prepaid"] == "271498500.00"
    # S6: what the consortium gets in the year is what the fund pays less the claims it settled outside.
    assert D(c["prepaid"]) + D(c["final_payment"]) == D(c["insurer_total"]) - D(c["out_of_consortium"])


def test_the_schedules_are_in_the_database_scheduler(db):
    from django_celery_beat.models import PeriodicTask

    tasks = dict(PeriodicTask.objects.values_list("task", "crontab__day_of_month"))
    assert tasks["budgets.tasks.prepayment_month_end"] == "28-31"
    assert tasks["budgets.tasks.prepayment_quarter_start"] == "1"


def test_the_scheduled_tasks_pick_their_period(county, monkeypatch):
    from budgets import tasks
    from budgets.periods import month_end_period, quarter_start_period

    assert month_end_period(datetime.date(2025, 2, 28)).__str__() == "2025-02"
    assert month_end_period(datetime.date(2024, 2, 28)) is None  # a leap year: the 29th is the end
    assert quarter_start_period(datetime.date(2025, 4, 1)).__str__() == "2025-Q2"
    assert quarter_start_period(datetime.date(2025, 5, 1)) is None
    county.agreement("guangdong-2019-surplus")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: datetime.date(2025, 6, 30))
    tasks.prepayment_month_end()
    run = PrepaymentRun.objects.get()
    assert (run.period, run.trigger, run.orders_created) == ("2025-06", "schedule", 1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: datetime.date(2025, 6, 29))
    tasks.prepayment_month_end()
    assert PrepaymentRun.objects.count() == 1


def test_a_budget_entered_in_the_admin_is_checked_by_the_engine(client, county):
    from django.urls import reverse

    from consortia import services as registry
    from tests.consortia import factories as f

    consortium = f.ConsortiumFactory(county=county.county)
    f.MemberFactory(consortium=consortium, tier="lead", code="L1")
    agreement = registry.agreement_create(consortium=consortium, year=2025, scheme="guangdong-2019", user=None,
                                          signed_date=datetime.date(2025, 1, 2))
    client.force_login(county.staff)
    url = reverse("admin:budgets_annualbudget_add")
    members = json.dumps([{"code": "L1", "tier": "lead", "prior_year_paid": "100.00"}])
    bad = client.post(url, {"agreement": agreement.pk, "fund": json.dumps({"revenue": "-5"}), "members": members,
                            "reason": ""})
    assert bad.status_code == 200
    assert "年度基金收入不能为负数。" in bad.content.decode()  # the field by name, no path
    assert not AnnualBudget.objects.exists()
    good = client.post(url, {"agreement": agreement.pk, "fund": json.dumps({"revenue": "1000000.00"}),
                             "members": members, "reason": ""})
    assert good.status_code == 302
    budget = AnnualBudget.objects.get()
    assert (budget.status, budget.created_by, budget.computed["package"]["package"]) == ("draft", county.staff,
                                                                                         "900000.00")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_half_way_is_finished_by_the_next_one(monkeypatch, settings):
    """The run is killed while it waits for the third agreement's row lock, after two agreements
    have committed. In CI (PostgreSQL and Redis) the killed process is a real Celery worker,
    SIGKILLed, and a second worker takes the redelivered task (acks_late); on PostgreSQL without a
    broker it is a `run_prepayment` process, and on SQLite the crash is made in-process. Every
    way, what remains is exactly what a clean run leaves."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from budgets.services import prepayments as module
    from consortia.models import ServiceAgreement
    from tests.budgets.conftest import County
    from tests.budgets.scenarios import ROOT

    county = County()
    agreements = [county.agreement("guangdong-2019-surplus")[0] for _ in range(4)]
    prepayment_run(period="2025-05", user=None)  # the clean run, to compare with
    clean = sorted((o.agreement_id, o.amount, o.payee_code) for o in PaymentOrder.objects.filter(period="2025-05"))

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test",
               DATABASE_URL=f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
                            f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}")
    if connection.vendor == "postgresql" and settings.CELERY_BROKER_URL:
        import uuid

        from budgets.tasks import prepayment_run_execute
        from budgets.services.prepayments import prepayment_run_start

        queue = f"kill-test-{uuid.uuid4().hex[:8]}"
        env.update(CELERY_DEFAULT_QUEUE=queue, CELERY_VISIBILITY_TIMEOUT="2", CELERY_UNACKED_RESTORE_INTERVAL="1",
                   CELERY_UNACKED_RESTORE_THROTTLE="1")
        celery = os.path.join(os.path.dirname(sys.executable), "celery")

        def worker(name):
            return subprocess.Popen([celery, "-A", "config", "worker", "-P", "solo", "-Q", queue, "-l", "WARNING",
                                     "--hostname", f"{queue}-{name}@%h"], cwd=ROOT, env=env, start_new_session=True,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        run = prepayment_run_start(period="2025-06", user=None)
        first = worker("one")
        try:
            with transaction.atomic():
                ServiceAgreement.objects.select_for_update().get(pk=agreements[2].pk)  # the run will wait here
                prepayment_run_execute.apply_async(args=[run.pk], queue=queue)
                deadline = time.monotonic() + 90
                while PaymentOrder.objects.filter(period="2025-06").count() < 2 and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(0.3)
                assert first.poll() is None, "the worker should be waiting for the locked agreement"
                os.killpg(first.pid, signal.SIGKILL)
                first.wait(timeout=30)
            assert PaymentOrder.objects.filter(period="2025-06").count() == 2
            second = worker("two")  # redelivery: the message comes back after the visibility timeout
            try:
                deadline = time.monotonic() + 90
                while run.status != PrepaymentRun.Status.SUCCEEDED and time.monotonic() < deadline:
                    time.sleep(0.2)
                    run.refresh_from_db()
            finally:
                second.terminate()
                second.wait(timeout=30)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
        assert run.status == PrepaymentRun.Status.SUCCEEDED
        assert (run.orders_created, run.orders_existing) == (2, 2)
        after = sorted((o.agreement_id, o.amount, o.payee_code) for o in PaymentOrder.objects.filter(period="2025-06"))
        assert [(a, amount) for a, amount, _ in after] == [(a, amount) for a, amount, _ in clean]
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ServiceAgreement.objects.select_for_update().get(pk=agreements[2].pk)  # the run will wait here
            process = subprocess.Popen([sys.executable, "manage.py", "run_prepayment", "--period", "2025-06"],
                                       cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while PaymentOrder.objects.filter(period="2025-06").count() < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            assert process.poll() is None, "the run should be waiting for the locked agreement"
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    else:
        real = module.agreement_prepay
        done = []

        def crashing(**kwargs):
            if len(done) == 2:
                raise SystemExit("killed")
            done.append(kwargs["agreement"].pk)
            return real(**kwargs)

        monkeypatch.setattr(module, "agreement_prepay", crashing)
        with pytest.raises(SystemExit):
            prepayment_run(period="2025-06", user=None)
        monkeypatch.setattr(module, "agreement_prepay", real)

    assert PaymentOrder.objects.filter(period="2025-06").count() == 2  # two agreements committed, whole
    run = prepayment_run(period="2025-06", user=None)
    assert (run.orders_created, run.orders_existing) == (2, 2)
    after = sorted((o.agreement_id, o.amount, o.payee_code) for o in PaymentOrder.objects.filter(period="2025-06"))
    assert [(a, amount) for a, amount, _ in after] == [(a, amount) for a, amount, _ in clean]


def test_spot_check_refusals_and_own_audit_recoveries_enter_the_clearing(county):
    from claims.audits import spot_check_record
    from claims.models import AuditRecovery
    from consortia.models import Institution

    agreement, _budget, _fo, data = county.agreement("jiangmen-2016-total-control")
    run_year(county, agreement, ["2017-01", "2017-03"])
    county.actuals(agreement, data)
    member = Institution.objects.get(code="JM-H02", consortium=agreement.consortium)
    check = spot_check_record(institution=member, year=2017, violation_amount=D("100000.00"),
                              sample_ratio=D("0.05"), note="抽查", user=county.staff)
    assert check.refused == D("2000000.00")  # J7: 100,000 / 0.05
    AuditRecovery.objects.create(consortium=agreement.consortium, year=2017, recovered=D("120000.00"),
                                 own_penalty=D("50000.00"), description="自查自纠")
    clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    assert clearing.inputs["actuals"]["refused"] == {"JM-H02": "2000000.00"}
    h02 = next(line for line in clearing.result["members"] if line["code"] == "JM-H02")
    # J7: the clearing runs on the actual as paid; the final payment falls by exactly the refusal.
    assert h02["actual"] == "215000000.00"
    unrefused = next(line for line in expected("jiangmen-2016-total-control")["members"] if line["code"] == "JM-H02")
    assert D(unrefused["final_payment"]) - D(h02["final_payment"]) == D("2000000.00")
    assert h02["refused"] == "2000000.00"
    c = clearing.result["clearing"]
    assert (c["credited_to_consortium"], c["penalty_charged"]) == ("120000.00", "50000.00")  # S10: not netted
    _clearing, orders = clearing_services.clearing_approve(clearing=clearing, user=county.auditor)
    kinds = {(o.kind, o.amount) for o in orders if o.kind in ("audit_recovery", "penalty")}
    assert kinds == {("audit_recovery", D("120000.00")), ("penalty", D("-50000.00"))}
    assert all(o.payee_code == "JM-H01" for o in orders if o.kind in ("audit_recovery", "penalty"))
