"""Reads of claims, scoped like every other row; personal ids masked for roles that do not need them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from consortia.models import ServiceAgreement, User
from consortia.selectors import register_scope

from .models import BenefitRuleSet, Claim, ClaimMonthly, DipPeriod

for _model in (Claim, ClaimMonthly):
    register_scope(_model, consortium="consortium_id", county="county_id", city="county__city_id",
                   province="county__city__province_id")
for _model in (DipPeriod, BenefitRuleSet):
    register_scope(_model, county="county_id", city="county__city_id", province="county__city__province_id")

# Who reads an insured person's id in full: the bureau's own staff, who audit claims.
FULL_ID_ROLES = {User.Role.BUREAU_STAFF, User.Role.ADMINISTRATOR}


def person_id_shown(user, person_id: str) -> str:
    if user.is_superuser or user.role in FULL_ID_ROLES:
        return person_id
    if len(person_id) <= 4:
        return "*" * len(person_id)
    return person_id[:2] + "*" * (len(person_id) - 4) + person_id[-2:]


def year_fund_paid(*, agreement: ServiceAgreement) -> tuple[dict[str, Decimal], Decimal]:
    """The year's fund-paid amounts from the roll-ups: by member inside the consortium, and the
    total outside it (G3: everything the county's insured cost elsewhere). Summed in Python:
    SQLite would add the amounts as floats."""
    start, end = datetime.date(agreement.year, 1, 1), datetime.date(agreement.year, 12, 1)
    rows = ClaimMonthly.objects.filter(county=agreement.consortium.county, month__gte=start, month__lte=end)
    inside: dict[str, Decimal] = {m.code: Decimal("0.00") for m in agreement.consortium.members.all()}
    outside = Decimal("0.00")
    for consortium_id, code, amount in rows.values_list("consortium_id", "institution__code", "fund_paid"):
        if consortium_id == agreement.consortium_id:
            inside[code] = inside.get(code, Decimal("0.00")) + amount
        elif consortium_id is None:
            outside += amount
    return inside, outside


def fourth_quarter_flags(*, agreement: ServiceAgreement) -> list[dict]:
    """J8: members whose fourth-quarter visits lie outside ±15% of their Q1-Q3 quarterly mean."""
    from budgets.engine.rules import fourth_quarter_outside_band

    year = agreement.year
    counts: dict[str, list[int]] = {}
    rows = ClaimMonthly.objects.filter(consortium=agreement.consortium, month__gte=datetime.date(year, 1, 1),
                                       month__lte=datetime.date(year, 12, 1))
    for code, month, claims in rows.values_list("institution__code", "month", "claims"):
        counts.setdefault(code, [0, 0, 0, 0])[(month.month - 1) // 3] += claims
    flags = []
    for code, (q1, q2, q3, q4) in sorted(counts.items()):
        if q1 + q2 + q3 and q4 and fourth_quarter_outside_band(Decimal(q1), Decimal(q2), Decimal(q3), Decimal(q4)):
            mean = Decimal(q1 + q2 + q3) / 3
            flags.append({"member": code, "quarters": [q1, q2, q3, q4],
                          "change": ((Decimal(q4) - mean) / mean).quantize(Decimal("0.0001"))})
    return flags
