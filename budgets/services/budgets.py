"""The annual budget: entered, derived by the engine, submitted, approved by a second person,
locked when money starts to move, and changed afterwards only through a new version."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.models import Decision, RosterEntry, ServiceAgreement, User
from consortia.permissions import can_write
from consortia.problems import problem_errors
from consortia.services.approvals import decision_record
from consortia.selectors import agreement_parameters_for
from payrules import FORMAT, InputError, run_scenario

from ..models import AnnualBudget

PLACEHOLDER_SCORE = "100"  # scores arrive with the evaluation; they change no budget figure


def _enrollment(agreement: ServiceAgreement) -> dict:
    """T2: each month's roster, summed: baseline annual costs and head count."""
    # Summed here, not by the database: SQLite would add the amounts as floats.
    baseline = {m: Decimal("0.00") for m in range(1, 13)}
    heads: dict[int, set] = {m: set() for m in range(1, 13)}
    for month, enrollee, category, cost in RosterEntry.objects.filter(agreement=agreement).values_list(
            "month", "enrollee_id", "category", "baseline_cost").iterator():
        if category not in RosterEntry.MONITORED:  # T5 baselines are watched, not paid
            baseline[month.month] += cost
        heads[month.month].add(enrollee)
    return {
        "monthly_baseline": [format(baseline[m], "f") for m in range(1, 13)],
        "monthly_headcount": [len(heads[m]) for m in range(1, 13)],
    }


def budget_scenario(*, budget: AnnualBudget, actuals=None, prepaid=None) -> dict:
    """The budget as a scenario/1 document for the engine: its own figures, the registry's
    enrollment, the parameters in force, and the year's actuals when the clearing asks."""
    agreement = budget.agreement
    parameters = agreement_parameters_for(agreement=agreement, period=datetime.date(agreement.year, 12, 1))
    members = [dict(m) for m in budget.members]
    scores = (actuals.member_scores if actuals else {}) or {}
    for member in members:
        member["score"] = str(scores.get(member["code"], member.get("score") or PLACEHOLDER_SCORE))
    codes = [m["code"] for m in members]
    inside = dict(actuals.in_consortium) if actuals else {code: "0" for code in codes}
    scenario = {
        "format": FORMAT,
        "name": str(agreement),
        "scheme": agreement.scheme,
        "year": agreement.year,
        "fund": budget.fund,
        "members": members,
        "actuals": {
            "in_consortium": inside,
            "out_of_consortium": format(actuals.out_of_consortium, "f") if actuals else "0",
        },
        "evaluation": {"score": format(actuals.evaluation_score, "f")
                       if actuals and actuals.evaluation_score is not None else PLACEHOLDER_SCORE},
        "parameters": parameters.values if parameters else {},
    }
    if agreement.rules.capitation:  # T2: the monthly rosters
        scenario["enrollment"] = _enrollment(agreement)
        spent = actuals.enrollee_expenditure if actuals and actuals.enrollee_expenditure is not None else 0
        scenario["actuals"]["enrollee_expenditure"] = format(Decimal(spent), "f")
    if prepaid is not None:
        scenario["actuals"].update(prepaid)
    return scenario


def budget_compute(budget: AnnualBudget) -> None:
    """Fills `computed` from the engine; raises the engine's refusals as a ValidationError."""
    try:
        output = run_scenario(budget_scenario(budget=budget)).as_dict()
    except InputError as error:
        raise problem_errors(error, members=budget.members) from None
    budget.computed = {k: output[k] for k in ("package", "prepayments", "members", "trace") if k in output}


def bureau_signs(user: User) -> bool:
    """Who gives a budget's or a clearing's second signature: the bureau (staff or auditor)."""
    return user.is_superuser or user.role in (User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR)


def _writable(agreement: ServiceAgreement) -> None:
    if agreement.status == ServiceAgreement.Status.CLOSED:
        raise ValidationError(_("The agreement is closed; its budget can no longer change."))


def _may_enter(user: User | None, agreement: ServiceAgreement) -> None:
    """Bureau staff of the agreement's county (and the administrator) enter its budget. No user is
    the system itself: demo data, synthetic counties, commands."""
    if user is not None and not can_write(user, AnnualBudget, agreement):
        raise ValidationError(_("Bureau staff of the county enter and change its budgets."))


def budget_check(*, agreement: ServiceAgreement, fund: dict, members: list[dict], user: User | None,
                 reason: str | None = None, budget: AnnualBudget | None = None) -> AnnualBudget:
    """What `budget_save` would store, computed and checked but not stored: who may, the state of
    the agreement's versions, the reason of a new version, the scheme's checks by the engine (in
    Chinese) and the model's rules; a refusal is a ValidationError. Forms call it to show the
    refusal beside what was typed.

    `budget` names the draft to change (its reason changes only when one is given). Without it the
    agreement gets its first version or, over an approved or locked one, the next, with a reason."""
    if budget is not None and budget.agreement_id != agreement.pk:
        raise ValueError("The budget is not one of the agreement's.")
    _may_enter(user, agreement)
    _writable(agreement)
    if budget is not None:
        if budget.status != AnnualBudget.Status.DRAFT:
            raise ValidationError(_("Only a draft budget can be changed; start a new version."))
        candidate = copy.copy(budget)
        candidate.fund, candidate.members = fund, members
        if reason is not None and budget.version > 1:
            candidate.reason = reason.strip()
    else:
        latest = agreement.budgets.order_by("-version").first()
        if latest is None:
            candidate = AnnualBudget(agreement=agreement, version=1, fund=fund, members=members, created_by=user)
        elif latest.status not in (AnnualBudget.Status.APPROVED, AnnualBudget.Status.LOCKED):
            raise ValidationError(_("Only an approved or locked budget gets a new version; change the draft instead."))
        elif not (reason or "").strip():
            raise ValidationError({"reason": [_("Give the reason for the new version.")]})
        else:  # the old version stays in force until the new one is approved
            candidate = AnnualBudget(agreement=agreement, version=latest.version + 1, fund=fund, members=members,
                                     reason=reason.strip(), created_by=user)
    budget_compute(candidate)
    candidate.full_clean()
    return candidate


@transaction.atomic
def budget_save(*, agreement: ServiceAgreement, fund: dict, members: list[dict], user: User | None,
                reason: str | None = None, budget: AnnualBudget | None = None) -> AnnualBudget:
    """Enter a budget, change its draft, or start its next version: the one writer of a budget's
    figures, for the page, the admin and the API alike. Checked as `budget_check` says, under the
    agreement's row lock, and stored whole or not at all, with its history row in `user`'s name."""
    agreement = ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
    if budget is not None:
        budget = AnnualBudget.objects.select_for_update().get(pk=budget.pk)
    saved = budget_check(agreement=agreement, fund=fund, members=members, user=user, reason=reason, budget=budget)
    saved._history_user = user  # the same audit row whichever door it came in by (a command has no request)
    saved.save()
    return saved


@transaction.atomic
def budget_create(*, agreement: ServiceAgreement, fund: dict, members: list[dict], user: User | None) -> AnnualBudget:
    """The first version of the year's budget, as a draft (demo data, synthetic counties, tests)."""
    if agreement.budgets.exists():
        raise ValidationError(_("The agreement has a budget already; change it or start a new version."))
    return budget_save(agreement=agreement, fund=fund, members=members, user=user)


@transaction.atomic
def budget_submit(*, budget: AnnualBudget, user: User) -> AnnualBudget:
    budget = AnnualBudget.objects.select_for_update().get(pk=budget.pk)
    if not can_write(user, AnnualBudget, budget):  # the page, the admin and the API alike
        raise ValidationError(_("Bureau staff of the county submit its budgets."))
    if budget.status != AnnualBudget.Status.DRAFT:
        raise ValidationError(_("Only a draft budget can be submitted."))
    budget.status, budget.submitted_by = AnnualBudget.Status.SUBMITTED, user
    budget._history_user = user  # the history names who, whichever door (a command has no request)
    budget.save()
    decision_record(obj=budget, step=Decision.Step.SUBMITTED, user=user)
    return budget


def budget_may_approve(*, budget: AnnualBudget, user: User) -> None:
    """Raises unless this user may approve (or send back) this budget now: a submitted one, by
    the bureau, not by its author."""
    if budget.status != AnnualBudget.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted budget can be approved or sent back."))
    if not bureau_signs(user):
        raise ValidationError(_("The bureau approves budgets and clearings."))
    if budget.created_by_id == user.pk:
        raise ValidationError(_("A budget is approved by someone other than its author."))


@transaction.atomic
def budget_approve(*, budget: AnnualBudget, user: User, opinion: str = "") -> AnnualBudget:
    budget = AnnualBudget.objects.select_for_update().get(pk=budget.pk)
    budget_may_approve(budget=budget, user=user)
    budget.status, budget.approved_by, budget.approved_at = AnnualBudget.Status.APPROVED, user, timezone.now()
    budget._history_user = user
    budget.full_clean()
    budget.save()
    decision_record(obj=budget, step=Decision.Step.APPROVED, user=user, opinion=opinion)
    return budget


@transaction.atomic
def budget_send_back(*, budget: AnnualBudget, user: User, opinion: str) -> AnnualBudget:
    """退回: the submitted budget goes back to its author as a draft, with the approver's opinion
    (required) on its trail; corrected, it is submitted again."""
    budget = AnnualBudget.objects.select_for_update().get(pk=budget.pk)
    budget_may_approve(budget=budget, user=user)
    decision_record(obj=budget, step=Decision.Step.SENT_BACK, user=user, opinion=opinion)
    budget.status, budget.submitted_by = AnnualBudget.Status.DRAFT, None
    budget._history_user = user
    budget.save()
    return budget


@transaction.atomic
def budget_lock(*, budget: AnnualBudget) -> AnnualBudget:
    """Locked once money moves under it; approved is the only way in."""
    budget = AnnualBudget.objects.select_for_update().get(pk=budget.pk)
    if budget.status == AnnualBudget.Status.LOCKED:
        return budget
    if budget.status != AnnualBudget.Status.APPROVED:
        raise ValidationError(_("Only an approved budget can be locked."))
    budget.status = AnnualBudget.Status.LOCKED
    # The status alone: rewriting the unchanged figures (large JSON) was a fifth of a prepayment's time.
    budget.save(update_fields=["status"])
    return budget
