"""Figures computed from the claims and the registry: the supervision indicators of Annex 1 §三
(E2), the Jiangmen quarterly set (E4), the negative-list signals (E3) and the checklist items the
data can answer (E1 items 13-16). Each figure carries its formula and inputs, this year beside the
last, and a verdict where the policy gives a threshold or a direction.

Sums and counts come from the monthly roll-ups where they suffice; what needs single claims
(stays, readmissions, distinct persons) is one grouped query and one pass over the inpatient
claims. Ratios are shares, not money: rounded to four places for showing."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _, gettext_lazy

from claims.models import Claim, ClaimMonthly
from consortia import database
from claims.selectors import covered_type
from consortia.models import Consortium, Institution, RosterEntry

ZERO = Decimal("0.00")
READMISSION_DAYS = 30  # 重复住院: admitted again within 30 days of a discharge
RETURN_DAYS = 10  # 10日内返院
INSIDE_COUNTY = (Institution.Placement.IN_CONSORTIUM, Institution.Placement.IN_COUNTY)


def share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class Figure:
    key: str
    label: str
    value: Decimal | None
    last_year: Decimal | None = None
    unit: str = "share"  # share (shown as %), yuan, days, count, ratio
    threshold: str = ""
    verdict: bool | None = None  # True: within the threshold / the right direction
    formula: str = ""
    inputs: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("value", "last_year"):
            data[key] = None if data[key] is None else format(data[key], "f")
        data["inputs"] = {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in self.inputs.items()}
        data["label"], data["threshold"] = str(self.label), str(self.threshold)
        return data


# --- the county's year, from the roll-ups ------------------------------------------------------

def _covered(consortium: Consortium, year: int) -> dict:
    """The filter to the claims of the insurance type the consortium's package covers: the
    indicators judge the package's insured, as the clearing pays for them."""
    return {"insurance_type": covered_type(consortium=consortium, year=year)}


def _year_sums(consortium: Consortium, year: int) -> dict:
    """Roll-up sums of the county's insured for a year: by place of care and visit type."""
    sums = {"inpatient": 0, "inpatient_in_county": 0, "total": ZERO, "self_pay_full": ZERO}
    rows = ClaimMonthly.objects.filter(county_id=consortium.county_id, month__year=year, **_covered(
        consortium, year)).values_list("placement", "visit_type", "claims", "total_cost", "self_pay_full")
    for placement, visit_type, claims, total, self_pay in rows:
        sums["total"] += total
        sums["self_pay_full"] += self_pay
        if visit_type == Claim.VisitType.INPATIENT:
            sums["inpatient"] += claims
            if placement in INSIDE_COUNTY:
                sums["inpatient_in_county"] += claims
    return sums


def _inpatient_passes(claims) -> dict:
    """One pass over inpatient claims ordered by person and admission: admissions, stay days,
    persons, readmissions within 30 days and returns within 10 days of the person's previous
    discharge. Keyed by whatever `claims` yields first (a group key), then person, admitted,
    discharged."""
    out: dict = {}
    last_person, last_discharge, counted = None, None, set()
    for key, person, admitted, discharged in claims:
        group = out.setdefault(key, {"admissions": 0, "stay_days": 0, "readmissions": 0, "returns": 0,
                                     "in_persons": 0})
        group["admissions"] += 1
        group["stay_days"] += ((discharged or admitted) - admitted).days
        if person != last_person:
            counted = set()
        elif last_discharge is not None:
            gap = (admitted - last_discharge).days
            if 0 <= gap <= READMISSION_DAYS:
                group["readmissions"] += 1
            if 0 <= gap <= RETURN_DAYS:
                group["returns"] += 1
        if key not in counted:  # a person's claims come together: each group counts them once
            counted.add(key)
            group["in_persons"] += 1
        last_person, last_discharge = person, discharged or admitted
    return out


def _admissions_in_order(claims):
    """A county year's inpatient claims in person order: read from the claims' inpatient index."""
    return claims.filter(visit_type=Claim.VisitType.INPATIENT).order_by("person_id", "admitted_on", "id")


def _readmission(consortium: Consortium, year: int) -> dict:
    claims = _admissions_in_order(Claim.objects.filter(county_id=consortium.county_id, settled_on__year=year,
                                                        **_covered(consortium, year)))
    passes = _inpatient_passes((0, p, a, d) for p, a, d in claims.values_list(
        "person_id", "admitted_on", "discharged_on").iterator(chunk_size=20_000))
    return passes.get(0, {"admissions": 0, "readmissions": 0})


@database.tolerates_lag
def supervision_indicators(*, consortium: Consortium, year: int) -> list[Figure]:
    """Annex 1 §三 (一)-(四) for the consortium's county, this year beside the last."""
    now, before = _year_sums(consortium, year), _year_sums(consortium, year - 1)
    in_county, in_county_before = (share(now["inpatient_in_county"], now["inpatient"]),
                                   share(before["inpatient_in_county"], before["inpatient"]))
    growth = share(now["total"] - before["total"], before["total"]) if before["total"] else None
    self_pay, self_pay_before = share(now["self_pay_full"], now["total"]), share(before["self_pay_full"],
                                                                               before["total"])
    readmit, readmit_before = _readmission(consortium, year), _readmission(consortium, year - 1)
    rate = share(readmit["readmissions"], readmit["admissions"])
    rate_before = share(readmit_before["readmissions"], readmit_before["admissions"])
    return [
        Figure("in_county_inpatient_share", gettext_lazy("(一) in-county share of admissions, rising year on year"),
               in_county, in_county_before, threshold=gettext_lazy("above last year"),
               verdict=None if in_county is None or in_county_before is None else in_county > in_county_before,
               formula=_("admissions inside the county (consortium and other county institutions) / all admissions "
                         "of the county's insured"),
               inputs={"admissions_in_county": now["inpatient_in_county"], "admissions": now["inpatient"]}),
        Figure("cost_growth", gettext_lazy("(二) growth of the county's medical costs"), growth,
               threshold="< 10%", verdict=None if growth is None else growth < Decimal("0.10"),
               formula=_("total cost this year / total cost last year - 1"),
               inputs={"total_cost": now["total"], "total_cost_last_year": before["total"]}),
        Figure("self_pay_rate", gettext_lazy("(三) self-pay rate"), self_pay, self_pay_before, threshold="≤ 10%",
               verdict=None if self_pay is None else self_pay <= Decimal("0.10"),
               formula=_("full self-pay / total cost"),
               inputs={"self_pay_full": now["self_pay_full"], "total_cost": now["total"]}),
        Figure("readmission_rate", gettext_lazy("(四) readmission rate (within 30 days)"), rate, rate_before,
               threshold=gettext_lazy("not above last year"),
               verdict=None if rate is None or rate_before is None else rate <= rate_before,
               formula=_("admissions within 30 days of the same person's previous discharge / admissions"),
               inputs={"readmissions": readmit["readmissions"], "admissions": readmit["admissions"]}),
    ]


# --- Jiangmen quarterly set (E4), per member and quarter ----------------------------------------

E4 = [  # key, label, unit, lower is better (None: no direction)
    ("admissions", gettext_lazy("admissions"), "count", None),
    ("average_stay", gettext_lazy("average stay (days)"), "days", True),
    ("cost_per_admission", gettext_lazy("cost per admission"), "yuan", True),
    ("inpatient_self_pay_rate", gettext_lazy("inpatient self-pay rate"), "share", True),
    ("antibiotic_use_rate", gettext_lazy("antibiotic use rate"), "share", True),
    ("readmission_rate", gettext_lazy("readmission rate (30 days)"), "share", True),
    ("return_rate", gettext_lazy("10-day return rate"), "share", True),
    ("self_pay_items_share", gettext_lazy("self-pay items share"), "share", True),
    ("drug_share", gettext_lazy("drug share"), "share", True),
    ("visits_per_person", gettext_lazy("admissions per person"), "ratio", True),
]


def _quarterly(consortium: Consortium, year: int) -> dict[tuple[int, int], dict]:
    """{(institution id, quarter): raw sums and counts} for the consortium's claims of a year: the
    sums and counts from the monthly roll-ups, the admissions from one pass in person order."""
    raw: dict[tuple[int, int], dict] = {}
    rollups = ClaimMonthly.objects.filter(consortium=consortium, month__year=year, **_covered(
        consortium, year)).values_list("institution_id", "month", "visit_type", "claims", "antibiotic_claims",
                                       "total_cost", "self_pay_full", "drug_cost", "co_pay")
    for institution, month, visit_type, claims, antibiotic, total, self_pay, drug, co_pay in rollups:
        entry = raw.setdefault((institution, (month.month - 1) // 3 + 1), {
            "claims": 0, "antibiotic": 0, "total": ZERO, "self_pay": ZERO, "drug": ZERO})
        entry["claims"] += claims
        entry["antibiotic"] += antibiotic
        entry["total"] += total
        entry["self_pay"] += self_pay
        entry["drug"] += drug
        if visit_type == Claim.VisitType.INPATIENT:
            entry["in_total"] = entry.get("in_total", ZERO) + total
            entry["in_personal"] = entry.get("in_personal", ZERO) + self_pay
            entry["in_co_pay"] = entry.get("in_co_pay", ZERO) + co_pay
    admissions = _admissions_in_order(Claim.objects.filter(
        county_id=consortium.county_id, consortium=consortium, settled_on__year=year, **_covered(consortium, year)))
    passes = _inpatient_passes(((i, (s.month - 1) // 3 + 1), p, a, d) for i, s, p, a, d in admissions.values_list(
        "institution_id", "settled_on", "person_id", "admitted_on", "discharged_on").iterator(chunk_size=20_000))
    for key, counts in passes.items():
        raw.setdefault(key, {}).update(counts)
    return raw


def _e4_values(raw: dict) -> dict[str, Decimal | None]:
    admissions = raw.get("admissions", 0)
    in_total = raw.get("in_total") or ZERO
    return {
        "admissions": Decimal(admissions),
        "average_stay": share(raw.get("stay_days", 0), admissions),
        "cost_per_admission": (in_total / admissions).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if admissions else None,
        "inpatient_self_pay_rate": share((raw.get("in_personal") or ZERO) + (raw.get("in_co_pay") or ZERO), in_total),
        "antibiotic_use_rate": share(raw.get("antibiotic", 0), raw.get("claims", 0)),
        "readmission_rate": share(raw.get("readmissions", 0), admissions),
        "return_rate": share(raw.get("returns", 0), admissions),
        "self_pay_items_share": share(raw.get("self_pay") or ZERO, raw.get("total") or ZERO),
        "drug_share": share(raw.get("drug") or ZERO, raw.get("total") or ZERO),
        "visits_per_person": share(admissions, raw.get("in_persons", 0)),
    }


@database.tolerates_lag
def jiangmen_quarterly(*, consortium: Consortium, year: int) -> list[dict]:
    """E4 per member and quarter, with the same quarter of last year and the direction verdict."""
    now, before = _quarterly(consortium, year), _quarterly(consortium, year - 1)
    members = {m.pk: m for m in consortium.members.all()}
    rows = []
    for (institution_id, quarter) in sorted(now, key=lambda k: (members[k[0]].code if k[0] in members else "", k[1])):
        if institution_id not in members:
            continue
        values, last = _e4_values(now[(institution_id, quarter)]), _e4_values(before.get((institution_id, quarter), {}))
        figures = []
        for key, label, unit, lower_better in E4:
            value, previous = values[key], last[key] if (institution_id, quarter) in before else None
            verdict = None if lower_better is None or value is None or previous is None else value <= previous
            figures.append(Figure(key, label, value, previous, unit=unit, verdict=verdict))
        rows.append({"member": members[institution_id], "quarter": quarter, "figures": figures})
    return rows


# --- negative-list signals (E3) -----------------------------------------------------------------

def _admissions_by_tier(consortium: Consortium, year: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    rows = ClaimMonthly.objects.filter(consortium=consortium, month__year=year, **_covered(consortium, year),
                                       visit_type=Claim.VisitType.INPATIENT).values_list("institution__tier", "claims")
    for tier, claims in rows:
        counts[tier] = counts.get(tier, 0) + claims
    return counts


@database.tolerates_lag
def negative_signals(*, consortium: Consortium, year: int) -> list[tuple[int, str, dict]]:
    """(situation, description, figure) for each computable situation the claims point to."""
    signals = []
    now, before = _admissions_by_tier(consortium, year), _admissions_by_tier(consortium, year - 1)
    total, total_before = sum(now.values()), sum(before.values())
    if total and total_before:
        lead, lead_before = share(now.get("lead", 0), total), share(before.get("lead", 0), total_before)
        town, town_before = share(now.get("township", 0), total), share(before.get("township", 0), total_before)
        if lead > lead_before and town < town_before:
            signals.append((1, _("The lead hospital's share of the consortium's admissions rose from %(before)s to "
                                 "%(now)s while the township health centres' fell from %(t_before)s to %(t_now)s.")
                            % {"before": lead_before, "now": lead, "t_before": town_before, "t_now": town},
                            {"lead_share": str(lead), "lead_share_last_year": str(lead_before),
                             "township_share": str(town), "township_share_last_year": str(town_before)}))
    referrals = ClaimMonthly.objects.filter(consortium=consortium, month__year=year,
                                            **_covered(consortium, year)).aggregate(
        up=Sum("referrals_up"), down=Sum("referrals_down"))
    if referrals["up"] and not referrals["down"]:
        signals.append((2, _("%(up)s referrals upward and none downward this year.") % {"up": referrals["up"]},
                        {"up": referrals["up"], "down": 0}))
    burden, burden_before = _personal_burden(consortium, year), _personal_burden(consortium, year - 1)
    if burden is not None and burden_before is not None and burden > burden_before:
        signals.append((6, _("The personal burden per admission rose from %(before)s to %(now)s yuan.")
                        % {"before": burden_before, "now": burden},
                        {"per_admission": str(burden), "per_admission_last_year": str(burden_before)}))
    return signals


def _personal_burden(consortium: Consortium, year: int) -> Decimal | None:
    rows = ClaimMonthly.objects.filter(county_id=consortium.county_id, month__year=year, **_covered(consortium, year),
                                       visit_type=Claim.VisitType.INPATIENT).values_list("claims", "total_cost",
                                                                                          "fund_paid")
    admissions, personal = 0, ZERO
    for claims, total, fund in rows:
        admissions += claims
        personal += total - fund
    return (personal / admissions).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if admissions else None


# --- checklist items the data can answer ---------------------------------------------------------

def item_figure(kind: str, *, consortium: Consortium, year: int) -> tuple[str, dict] | None:
    """(suggested result, figure) for a computed checklist item; None when the data cannot tell."""
    from .models import NegativeFinding

    if kind == "in_county_inpatient_share":
        figure = supervision_indicators(consortium=consortium, year=year)[0]
        if figure.verdict is None:
            return None
        return ("met" if figure.verdict else "not_met"), figure.as_dict()
    if kind == "family_doctor_rate":
        rate, rate_before = _enrollment_rate(consortium, year), _enrollment_rate(consortium, year - 1)
        if rate is None:
            return None
        figure = Figure("family_doctor_rate", gettext_lazy("family-doctor enrollment rate"), rate, rate_before,
                        threshold=gettext_lazy("above last year"),
                        verdict=None if rate_before is None else rate > rate_before,
                        formula=_("enrollees on the year's rosters / insured persons of the county"),
                        inputs={"insured": consortium.county.insured_count})
        return ("met" if figure.verdict in (True, None) else "not_met"), figure.as_dict()
    if kind in ("fraud_cases", "refusal_complaints"):
        situation = 7 if kind == "fraud_cases" else 8
        count = NegativeFinding.objects.filter(consortium=consortium, year=year, situation=situation,
                                               status=NegativeFinding.Status.CONFIRMED).count()
        figure = Figure(kind, gettext_lazy("confirmed findings"), Decimal(count), unit="count", threshold="0",
                        verdict=count == 0, formula=_("confirmed negative-list findings of situation %(n)s this year")
                        % {"n": situation}, inputs={"situation": situation})
        return ("met" if count == 0 else "not_met"), figure.as_dict()
    return None


def _enrollment_rate(consortium: Consortium, year: int) -> Decimal | None:
    insured = consortium.county.insured_count
    enrolled = RosterEntry.objects.filter(agreement__consortium=consortium, month__gte=datetime.date(year, 1, 1),
                                          month__lt=datetime.date(year + 1, 1, 1)).values("enrollee_id").distinct()
    count = enrolled.count()
    if not insured or not count:
        return None
    return share(count, insured)


@database.tolerates_lag
def monthly_trends(*, consortium: Consortium, year: int) -> dict[str, list[Decimal | None]]:
    """Month by month, from the roll-ups: the self-pay rate, and the in-county share of admissions
    this year and last (None for a month without claims)."""

    def months(for_year):
        sums = [{"total": ZERO, "self_pay": ZERO, "inpatient": 0, "in_county": 0} for _ in range(12)]
        rows = ClaimMonthly.objects.filter(county_id=consortium.county_id, month__year=for_year,
                                           **_covered(consortium, for_year)).values_list(
            "month", "placement", "visit_type", "claims", "total_cost", "self_pay_full")
        for month, placement, visit_type, claims, total, self_pay in rows:
            entry = sums[month.month - 1]
            entry["total"] += total
            entry["self_pay"] += self_pay
            if visit_type == Claim.VisitType.INPATIENT:
                entry["inpatient"] += claims
                entry["in_county"] += claims if placement in INSIDE_COUNTY else 0
        return sums

    now, before = months(year), months(year - 1)
    return {
        "self_pay_rate": [share(m["self_pay"], m["total"]) for m in now],
        "in_county_share": [share(m["in_county"], m["inpatient"]) for m in now],
        "in_county_share_last_year": [share(m["in_county"], m["inpatient"]) for m in before],
    }
