"""The year's actuals as the bureau enters them, by the admin or the API: checked by the scheme's
own rules against the budget, as the clearing will read them, and kept with who entered them.
Taking them from the imported claims instead is `clearing.actuals_from_claims`."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consortia.models import ServiceAgreement, User
from consortia.permissions import can_write
from consortia.problems import problem_list
from payrules import InputError, run_scenario

from ..models import Clearing, YearActuals
from ..selectors import budget_in_force
from .budgets import budget_scenario

CENT = Decimal("0.01")
FIGURES = ("in_consortium", "out_of_consortium", "enrollee_expenditure", "evaluation_score", "member_scores")


def _may_enter(user: User | None, agreement: ServiceAgreement) -> None:
    if user is not None and not can_write(user, YearActuals, agreement):
        raise ValidationError(_("Bureau staff of the county enter the year's actuals."))


def _texts(figures: dict, name: str, places: Decimal | None) -> dict[str, str]:
    try:  # a figure the scheme does not read (a code outside its members) may be anything
        numbers = {code: Decimal(str(value).strip()) for code, value in figures.items()}
        if not all(number.is_finite() for number in numbers.values()):
            raise ArithmeticError
        return {code: format(number.quantize(places) if places else number, "f") for code, number in numbers.items()}
    except ArithmeticError:
        raise ValidationError({name: [_("Give one figure for each member code.")]}) from None


def year_actuals_check(*, agreement: ServiceAgreement, user: User | None, in_consortium: dict,
                       out_of_consortium: Decimal, enrollee_expenditure: Decimal | None = None,
                       evaluation_score: Decimal | None = None, member_scores: dict | None = None) -> YearActuals:
    """What `year_actuals_save` would store, checked but not stored: who may, that the clearing is
    not approved yet, the model's rules, and the figures read by the scheme with the budget (in
    force, else the latest version) exactly as the clearing reads them, so a clerk learns of a
    missing member or a bad amount now, in Chinese, not at the year end. Amounts are kept as
    exact texts to the fen, whatever form they came in."""
    _may_enter(user, agreement)
    if agreement.clearings.filter(status=Clearing.Status.APPROVED).exists():
        raise ValidationError(_("The clearing of this agreement is approved already."))
    budget = budget_in_force(agreement=agreement) or agreement.budgets.order_by("-version").first()
    if budget is None:
        raise ValidationError(_("Enter the budget before the year's actuals."))
    for name, value in (("in_consortium", in_consortium), ("member_scores", member_scores)):
        if value is not None and not isinstance(value, dict):
            raise ValidationError({name: [_("Give one figure for each member code.")]})
    row = YearActuals.objects.filter(agreement=agreement).first() or YearActuals(agreement=agreement)
    row.in_consortium, row.out_of_consortium = in_consortium or {}, out_of_consortium
    row.enrollee_expenditure, row.evaluation_score = enrollee_expenditure, evaluation_score
    row.member_scores = member_scores or {}
    row.source, row.entered_by = YearActuals.Source.ENTERED, user  # entered actuals win (clearing runs)
    row.full_clean()  # the fields' own types and ranges first: the engine reads Decimals
    try:
        run_scenario(budget_scenario(budget=budget, actuals=row))
    except InputError as error:
        # Each member by its name (医共体内结算费用（阳西县总医院）), as the budget lists them.
        raise ValidationError([problem["message"] for problem in problem_list(error, budget.members)]) from None
    # What the engine accepted, kept as exact texts: no float of a JSON body is ever stored.
    row.in_consortium = _texts(row.in_consortium, "in_consortium", CENT)
    row.member_scores = _texts(row.member_scores, "member_scores", None)
    return row


@transaction.atomic
def year_actuals_save(*, agreement: ServiceAgreement, user: User | None, in_consortium: dict,
                      out_of_consortium: Decimal, enrollee_expenditure: Decimal | None = None,
                      evaluation_score: Decimal | None = None, member_scores: dict | None = None) -> YearActuals:
    """Enter or correct the year's actuals of an agreement: the one writer of entered actuals, for
    the admin and the API alike. Under the agreement's row lock (the clearing takes the same), whole
    or not at all, with its history row in `user`'s name."""
    agreement = ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
    YearActuals.objects.select_for_update().filter(agreement=agreement).first()
    row = year_actuals_check(agreement=agreement, user=user, in_consortium=in_consortium,
                             out_of_consortium=out_of_consortium, enrollee_expenditure=enrollee_expenditure,
                             evaluation_score=evaluation_score, member_scores=member_scores)
    row._history_user = user
    row.save()
    return row
