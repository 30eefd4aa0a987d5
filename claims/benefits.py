"""Benefit rules (B1-B6): the versioned table per county and year, its checks, and the calculator
that says what the fund should have paid for a claim (or the second admission of a referral
pair) and flags claims whose fund paid differs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consortia.models import County, Institution
from payrules.money import money
from payrules.rules import referral_pair_deductibles

from .models import BenefitRate, BenefitRuleSet, Claim

BASIC = Institution.Level.BASIC
TOLERANCE = Decimal("0.01")
BASIC_GAP = Decimal("0.10")  # B1
CHRONIC_FLOOR, TB_FLOOR = Decimal("0.60"), Decimal("0.70")  # B3
DOWN_REFERRAL_BONUS = Decimal("0.02")  # B4
TB_CODES = ("A15", "A16", "A17", "A18", "A19")


def benefit_rules_check(*, rule_set: BenefitRuleSet) -> None:
    """The table obeys B1 (basic level at least 10 points above every other level), B2 (no
    deductible for outpatient care at basic level), B3 (chronic care at basic level at least 60%)
    and B5 (unreferred care outside the county at a lower rate than referred)."""
    rates = list(rule_set.rates.all())
    problems = []
    index = {(r.visit_type, r.level, r.area, r.referred): r for r in rates}
    for r in rates:
        if r.level == BASIC:
            for other in rates:
                if (other.visit_type, other.area, other.referred) == (r.visit_type, r.area, r.referred) \
                        and other.level != BASIC and r.rate < other.rate + BASIC_GAP:
                    problems.append(_("B1: %(visit)s at basic level (%(rate)s) must be at least 10 points above "
                                      "level %(level)s (%(other)s).") % {
                        "visit": r.get_visit_type_display(), "rate": r.rate, "level": other.get_level_display(),
                        "other": other.rate})
            if r.visit_type == Claim.VisitType.OUTPATIENT and r.deductible != 0:
                problems.append(_("B2: outpatient care at basic level has no deductible."))
            if r.visit_type == Claim.VisitType.CHRONIC and r.rate < CHRONIC_FLOOR:
                problems.append(_("B3: chronic outpatient care at basic level reimburses at least 60%."))
        if not r.referred:
            referred = index.get((r.visit_type, r.level, r.area, True))
            if r.area != BenefitRate.Area.COUNTY and referred and r.rate >= referred.rate:
                problems.append(_("B5: unreferred care %(area)s must reimburse less than referred care.")
                                % {"area": r.get_area_display()})
    if problems:
        raise ValidationError(sorted(set(problems)))


def rules_in_force(*, county: County, day: datetime.date) -> BenefitRuleSet | None:
    """B6: the latest version of the year's rules in force on that day."""
    return (BenefitRuleSet.objects.filter(county=county, year=day.year, effective_from__lte=day)
            .order_by("-version").first())


def _area(claim: Claim) -> str:
    if claim.placement in (Institution.Placement.IN_CONSORTIUM, Institution.Placement.IN_COUNTY):
        return BenefitRate.Area.COUNTY
    return BenefitRate.Area.CITY if claim.placement == Institution.Placement.IN_CITY else BenefitRate.Area.OUTSIDE


def _pair_first(claim: Claim) -> Claim | None:
    """The earlier admission of the claim's referral pair (same person, same referral number)."""
    if not claim.referral_no:
        return None
    return (Claim.objects.filter(county=claim.county, person_id=claim.person_id, referral_no=claim.referral_no,
                                 admitted_on__lt=claim.admitted_on).select_related("institution")
            .order_by("admitted_on").first())


def _rate_row(rules: BenefitRuleSet, claim: Claim) -> BenefitRate | None:
    area = _area(claim)
    referred = area == BenefitRate.Area.COUNTY or bool(claim.referral_direction)
    return rules.rates.filter(visit_type=claim.visit_type, level=claim.institution.level, area=area,
                              referred=referred).first()


def expected_fund(*, claim: Claim) -> dict | None:
    """What the fund should have paid, with the deductible and rate it comes from; None when no
    rules or no line of the rules fits the claim."""
    rules = rules_in_force(county=claim.county, day=claim.admitted_on)
    line = _rate_row(rules, claim) if rules else None
    if line is None:
        return None
    deductible, rate, notes = line.deductible, line.rate, []
    first = _pair_first(claim)
    if first is not None:  # B4, G7: one deductible for the pair
        first_line = _rate_row(rules, first)
        if first_line is not None:
            deductible = referral_pair_deductibles(first_line.deductible, line.deductible)[1]
            notes.append("B4")
    if claim.referral_direction == Claim.Referral.DOWN:
        rate += DOWN_REFERRAL_BONUS
        notes.append("B4+2")
    if claim.visit_type == Claim.VisitType.CHRONIC and claim.institution.level == BASIC:
        floor = TB_FLOOR if claim.diagnosis.upper().startswith(TB_CODES) else CHRONIC_FLOOR
        if rate < floor:
            rate, notes = floor, notes + ["B3"]
    rate = min(rate, Decimal("1"))
    due = money(max(Decimal("0"), claim.policy_cost - deductible) * rate)
    if line.cap is not None:
        due = min(due, line.cap)
    return {"deductible": deductible, "rate": rate, "expected": due, "fund_paid": claim.fund_paid,
            "difference": claim.fund_paid - due, "differs": abs(claim.fund_paid - due) > TOLERANCE,
            "rules": str(rules), "notes": notes}


@transaction.atomic
def benefit_rules_create(*, county: County, year: int, effective_from: datetime.date, reason: str,
                         rates: list[dict]) -> BenefitRuleSet:
    """B6: the next version of a county's rules for a year, whole: its lines are checked against
    B1-B3 and B5 and nothing is kept when they fail. Versions are never edited."""
    latest = (BenefitRuleSet.objects.select_for_update().filter(county=county, year=year)
              .order_by("-version").first())
    errors = {}
    if effective_from.year != year:
        errors["effective_from"] = [_("The rules of %(year)s apply from a day of %(year)s.") % {"year": year}]
    elif latest and effective_from <= latest.effective_from:
        errors["effective_from"] = [_("Version %(version)s applies from %(day)s; the new one must apply later.")
                                    % {"version": latest.version, "day": latest.effective_from.isoformat()}]
    if latest and not reason.strip():
        errors["reason"] = [_("Give the reason for the new version.")]
    if not rates:
        errors["__all__"] = [_("Enter at least one line of rates.")]
    if errors:
        raise ValidationError(errors)
    rule_set = BenefitRuleSet(county=county, year=year, version=latest.version + 1 if latest else 1,
                              effective_from=effective_from, reason=reason.strip())
    rule_set.full_clean()
    rule_set.save()
    lines = [BenefitRate(rule_set=rule_set, **line) for line in rates]
    for line in lines:
        line.full_clean()
    BenefitRate.objects.bulk_create(lines)
    benefit_rules_check(rule_set=rule_set)
    return rule_set
