"""Synthetic counties for benchmarks and load tests: a registry sized by the insured population
(townships and villages in proportion), an active agreement and an approved budget scaled to it,
deterministic from the seed. Claims come from `claims.generator` (written as an import file)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from consortia import services as registry
from consortia.models import City, Consortium, County, Institution, Province, ServiceAgreement, User
from payrules import SHEXIAN

from .services import budgets as budget_services

PROVINCE, CITY = "990000", "999900"
FEN = Decimal("0.01")
# Per insured person and year, the scale of a central-China county (歙县's demo figures / 402,000).
RAISED_PER_INSURED = Decimal("1164.18")
PRIOR_PAID_PER_INSURED = {"lead": Decimal("522.39"), "county": Decimal("79.60"), "private": Decimal("22.39"),
                          "township": Decimal("4.35"), "village": Decimal("0.17")}


@dataclass
class SyntheticCounty:
    county: County
    consortium: Consortium
    agreement: ServiceAgreement
    staff: User
    auditor: User


def _yuan(value: Decimal) -> Decimal:
    return value.quantize(FEN)


@transaction.atomic
def county_generate(*, code: str, insured: int, year: int, seed: int) -> SyntheticCounty:
    """County `code` (six digits) of the synthetic province: one consortium (lead hospital, two
    county hospitals, a private one, a township health centre per 25,000 insured, five village
    clinics per township), care outside it (a county private hospital, two city hospitals, two
    outside the city), bureau staff and auditor, an active shexian-2025 agreement for `year` and
    its approved budget. Refuses a code that exists: a generated county is never mixed with real
    rows."""
    if County.objects.filter(code=code).exists():
        raise ValueError(f"county {code} exists already")
    rng = random.Random(seed)
    province, _ = Province.objects.get_or_create(code=PROVINCE, defaults={"name": "合成省"})
    city, _ = City.objects.get_or_create(code=CITY, defaults={"name": "合成市", "province": province})
    county = County.objects.create(code=code, name=f"合成县{code[-4:]}", city=city, insured_count=insured)
    consortium = Consortium.objects.create(county=county, code=f"SYN-{code}", name=f"合成县{code[-4:]}医共体",
                                           established=datetime.date(year - 3, 7, 1))
    T, L, P = Institution.Tier, Institution.Level, Institution.Placement
    members = [("lead", L.SECONDARY, "public"), ("county", L.SECONDARY, "public"), ("county", L.SECONDARY, "public"),
               ("private", L.PRIMARY, "private")]
    townships = max(3, insured // 25_000)
    members += [("township", L.BASIC, "public")] * townships + [("village", L.BASIC, "public")] * (townships * 5)
    rows = []
    for n, (tier, level, ownership) in enumerate(members, start=1):
        rows.append(Institution(county=county, consortium=consortium, code=f"H{code}{n:05d}", name=f"成员{n}",
                                tier=tier, level=level, ownership=ownership, placement=P.IN_CONSORTIUM))
    for n, (placement, level, ownership, tier) in enumerate([
            (P.IN_COUNTY, L.PRIMARY, "private", T.PRIVATE), (P.IN_CITY, L.TERTIARY, "public", ""),
            (P.IN_CITY, L.SECONDARY, "private", ""), (P.OUT_OF_CITY, L.TERTIARY, "public", ""),
            (P.OUT_OF_CITY, L.TERTIARY, "public", "")], start=901):
        rows.append(Institution(county=county, code=f"H{code}{n:05d}", name=f"外部{n}", tier=tier, level=level,
                                ownership=ownership, placement=placement,
                                dip_coefficient=Decimal("0.9") if ownership == "private" else Decimal("1")))
    for row in rows:
        row.full_clean()
    Institution.objects.bulk_create(rows)

    staff = registry.user_create(username=f"syn_staff_{code}", password=None, role=User.Role.BUREAU_STAFF,
                                 county=county)
    auditor = registry.user_create(username=f"syn_auditor_{code}", password=None, role=User.Role.BUREAU_AUDITOR,
                                   county=county)
    agreement = registry.agreement_create(consortium=consortium, year=year, scheme=SHEXIAN.id, user=staff,
                                          signed_date=datetime.date(year - 1, 12, 20))
    registry.agreement_activate(agreement=agreement, user=staff)

    people = Decimal(insured)
    raised = _yuan(people * RAISED_PER_INSURED * Decimal(rng.randint(95, 105)) / 100)
    fund = {"raised": raised, "risk_adjustment_remittance": _yuan(raised * Decimal("0.02")),
            "critical_illness_premium": _yuan(raised * Decimal("0.07")),
            "prior_year_expenditure": _yuan(raised * Decimal("0.965")),
            "prior_year_deficit_subsidy": _yuan(raised * Decimal("0.056"))}
    share = {tier: sum(1 for m in rows if m.tier == tier and m.consortium_id) for tier in PRIOR_PAID_PER_INSURED}
    budget_members = [{"code": m.code, "name": m.name, "tier": m.tier, "prior_year_paid": format(_yuan(
        people * PRIOR_PAID_PER_INSURED[m.tier] / share[m.tier] * Decimal(rng.randint(91, 109)) / 100), "f")}
        for m in rows if m.consortium_id]
    budget = budget_services.budget_create(agreement=agreement, user=staff, members=budget_members,
                                           fund={k: format(v, "f") for k, v in fund.items()})
    budget_services.budget_submit(budget=budget, user=staff)
    budget_services.budget_approve(budget=budget, user=auditor)
    return SyntheticCounty(county=county, consortium=consortium, agreement=agreement, staff=staff, auditor=auditor)
