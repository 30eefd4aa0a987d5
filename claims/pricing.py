"""DIP pricing of the cases outside the consortium (G8, D1-D3): the year's point value from the
points budget and the cases' points, and the price of each case; out-of-city care as settled."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consortia.models import County, Institution, ServiceAgreement, User
from payrules.rules import OutsideClaim, dip_point_value, out_of_consortium_total

from .dip_catalogue import Scores, catalogue_in_force
from .models import Claim, DipPeriod

DIP_PLACEMENTS = (Institution.Placement.IN_COUNTY, Institution.Placement.IN_CITY)
OUTSIDE_PLACEMENTS = (*DIP_PLACEMENTS, Institution.Placement.OUT_OF_CITY)


def _cases(county: County, year: int, placements=DIP_PLACEMENTS):
    """The year's cases outside the consortium of the insurance types the county's packages cover,
    by default those priced by points: in the county or the city."""
    from .selectors import county_covered_types

    return (Claim.objects.filter(county=county, placement__in=placements,
                                 insurance_type__in=county_covered_types(county=county, year=year),
                                 settled_on__gte=datetime.date(year, 1, 1), settled_on__lt=datetime.date(year + 1, 1, 1))
            .select_related("institution"))


def _points(claim: Claim, scores: Scores) -> Decimal | None:
    """A case's points: its score (the catalogue's, D3 for basic-level groups) × the institution's coefficient."""
    score = scores(claim)
    return None if score is None else score * claim.institution.dip_coefficient


@transaction.atomic
def dip_period_compute(*, county: County, year: int, points_budget: Decimal, basic_groups: dict,
                       user: User | None) -> DipPeriod:
    """D1: point value = points budget / the year's total points. Kept with its inputs, the catalogue
    in force among them."""
    cases, total = 0, Decimal("0")
    scores = Scores(catalogue=catalogue_in_force(county=county, year=year), basic_groups=basic_groups)
    for claim in _cases(county, year).iterator():
        points = _points(claim, scores)
        if points is not None:
            cases += 1
            total += points
    if total == 0:
        raise ValidationError(_("No case of %(year)s outside the consortium carries DIP points yet.") % {"year": year})
    period, _created = DipPeriod.objects.select_for_update().get_or_create(
        county=county, year=year, defaults={"points_budget": points_budget})
    period.points_budget, period.basic_groups, period.cases, period.total_points = points_budget, basic_groups, cases, total
    period.catalogue = scores.catalogue
    period.point_value = dip_point_value(points_budget, total)
    period.computed_by = user
    period.full_clean()
    period.save()
    return period


def out_of_consortium_priced(*, agreement: ServiceAgreement) -> Decimal | None:
    """G8: the year's out-of-consortium cost, priced by the rules (payrules) case by case as the
    claims stream from the database; None while the year has no point value."""
    county, year = agreement.consortium.county, agreement.year
    period = DipPeriod.objects.filter(county=county, year=year, point_value__isnull=False).first()
    if period is None:
        return None
    scores = Scores(catalogue=period.catalogue, basic_groups=period.basic_groups)  # as the point value was made
    claims = (OutsideClaim(claim.placement, settled=claim.fund_paid, dip_score=scores(claim),
                           institution_coefficient=claim.institution.dip_coefficient)
              for claim in _cases(county, year, OUTSIDE_PLACEMENTS).iterator())
    return out_of_consortium_total(claims, period.point_value)
