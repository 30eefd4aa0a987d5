"""DIP pricing of the cases outside the consortium (G8, D1-D3): the year's point value from the
points budget and the cases' points, and the price of each case; out-of-city care as settled."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from payrules.rules import dip_case_payment, dip_case_score, dip_point_value
from consortia.models import County, Institution, ServiceAgreement, User

from .models import Claim, DipPeriod

DIP_PLACEMENTS = (Institution.Placement.IN_COUNTY, Institution.Placement.IN_CITY)


def _cases(county: County, year: int):
    """The year's cases priced by points: outside the consortium, in the county or the city."""
    return (Claim.objects.filter(county=county, placement__in=DIP_PLACEMENTS,
                                 settled_on__gte=datetime.date(year, 1, 1), settled_on__lt=datetime.date(year + 1, 1, 1))
            .select_related("institution"))


def _points(claim: Claim, basic_groups: dict) -> Decimal | None:
    """A case's points: its score (D3: a basic-level group's one score) × the institution's coefficient."""
    if claim.dip_group in basic_groups:
        score = Decimal(str(basic_groups[claim.dip_group]))
    elif claim.dip_score is not None:
        score = dip_case_score(claim.dip_group, {claim.dip_group: claim.dip_score}, {})
    else:
        return None
    return score * claim.institution.dip_coefficient


@transaction.atomic
def dip_period_compute(*, county: County, year: int, points_budget: Decimal, basic_groups: dict,
                       user: User | None) -> DipPeriod:
    """D1: point value = points budget / the year's total points. Kept with its inputs."""
    cases, total = 0, Decimal("0")
    for claim in _cases(county, year).iterator():
        points = _points(claim, basic_groups)
        if points is not None:
            cases += 1
            total += points
    if total == 0:
        raise ValidationError(_("No case of %(year)s outside the consortium carries DIP points yet.") % {"year": year})
    period, _created = DipPeriod.objects.select_for_update().get_or_create(
        county=county, year=year, defaults={"points_budget": points_budget})
    period.points_budget, period.basic_groups, period.cases, period.total_points = points_budget, basic_groups, cases, total
    period.point_value = dip_point_value(points_budget, total)
    period.computed_by = user
    period.full_clean()
    period.save()
    return period


def out_of_consortium_priced(*, agreement: ServiceAgreement) -> Decimal | None:
    """G8: the year's out-of-consortium cost with county private and in-city cases at their DIP
    price and out-of-city care as settled; None while the year has no point value."""
    county, year = agreement.consortium.county, agreement.year
    period = DipPeriod.objects.filter(county=county, year=year, point_value__isnull=False).first()
    if period is None:
        return None
    total = Decimal("0.00")
    for claim in _cases(county, year).iterator():
        points = _points(claim, period.basic_groups)
        if points is None:
            total += claim.fund_paid
        else:
            total += dip_case_payment(points, Decimal("1"), period.point_value)
    outside_city = Claim.objects.filter(county=county, placement=Institution.Placement.OUT_OF_CITY,
                                        settled_on__gte=datetime.date(year, 1, 1),
                                        settled_on__lt=datetime.date(year + 1, 1, 1)).values_list("fund_paid", flat=True)
    return total + sum(outside_city, Decimal("0.00"))
