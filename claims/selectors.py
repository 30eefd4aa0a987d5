"""Reads of claims, scoped like every other row; personal ids masked for roles that do not need them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from consortia import database
from consortia.models import DEFAULT_INSURANCE_TYPE, InsuranceType, ServiceAgreement
from consortia.selectors import person_id_shown, register_scope, scope_queryset, sees_full_ids  # noqa: F401

from .models import (AuditRecovery, BenefitRuleSet, Claim, ClaimDaily, ClaimMonthly, DipCatalogue, DipPeriod,
                     Reconciliation, SpotCheck)

for _model in (Claim, ClaimMonthly, ClaimDaily):
    register_scope(_model, consortium="consortium_id", county="county_id", city="county__city_id",
                   province="county__city__province_id")
register_scope(AuditRecovery, consortium="consortium_id", county="consortium__county_id",
               city="consortium__county__city_id", province="consortium__county__city__province_id")
register_scope(SpotCheck, consortium="institution__consortium_id", county="county_id", city="county__city_id",
               province="county__city__province_id")
for _model in (DipPeriod, BenefitRuleSet, Reconciliation, DipCatalogue):
    register_scope(_model, county="county_id", city="county__city_id", province="county__city__province_id")

def claims_of(user, queryset=None):
    """`scope_queryset` for claims, written on the claims' own columns: a province's or a city's
    scope becomes the list of its counties' ids, so PostgreSQL prunes the county partitions and
    reads the (county, settlement date) index, instead of joining the registry to every claim of
    the province (which at ten million claims is a full scan). A county's or a consortium's scope
    is already a column of the claims."""
    from consortia.models import County
    from consortia.selectors import user_binding

    queryset = Claim.objects.all() if queryset is None else queryset
    binding = user_binding(user) if user.is_authenticated and user.is_active else {}
    if binding and "county" not in binding:
        return queryset.filter(county_id__in=list(scope_queryset(user, County.objects.all()).values_list(
            "pk", flat=True)))
    return scope_queryset(user, queryset)


def exact_sums(queryset, *, group: tuple[str, ...] = (), fields: tuple[str, ...]) -> dict[tuple, dict]:
    """{group values: {"n": rows, field: exact sum}} of a queryset's money fields: summed by the
    database on PostgreSQL (exact numerics), in Python on SQLite (which would add them as floats)."""
    from django.db.models import Count, Sum

    if database.sums_exactly():
        sums = {"n": Count("id")} | {f"sum_{f}": Sum(f) for f in fields}
        rows = (queryset.values(*group).annotate(**sums).order_by() if group
                else [queryset.aggregate(**sums)] if queryset.exists() else [])
        return {tuple(row[g] for g in group): {"n": row["n"]} | {f: row[f"sum_{f}"] or Decimal("0.00")
                                                                 for f in fields} for row in rows}
    found: dict[tuple, dict] = {}
    for row in queryset.values_list(*group, *fields).iterator(chunk_size=5000):
        key, amounts = tuple(row[:len(group)]), row[len(group):]
        entry = found.setdefault(key, {"n": 0} | {f: Decimal("0.00") for f in fields})
        entry["n"] += 1
        for name, amount in zip(fields, amounts, strict=True):
            if amount is not None:  # a nullable amount not known: summed as SUM does, without it
                entry[name] += amount
    return found


def covered_type(*, consortium, year: int) -> str:
    """The insurance type a consortium's package of the year covers: its agreement's, or without one
    (a past year before the system) the residents'. Claims of other types never consume it."""
    found = ServiceAgreement.objects.filter(consortium=consortium, year=year).values_list("insurance_type", flat=True)
    return found.first() or DEFAULT_INSURANCE_TYPE


def county_covered_types(*, county, year: int) -> set[str]:
    """The insurance types the county's packages of the year cover (the residents' without any)."""
    found = set(ServiceAgreement.objects.filter(consortium__county=county, year=year).values_list(
        "insurance_type", flat=True))
    return found or {DEFAULT_INSURANCE_TYPE}


def other_types(*, agreement: ServiceAgreement) -> list[dict]:
    """The county's claims of the year in insurance types the package does not cover, by type, from
    the roll-ups: shown beside the package's figures, never counted in them."""
    rows = ClaimMonthly.objects.filter(county=agreement.consortium.county, month__year=agreement.year).exclude(
        insurance_type=agreement.insurance_type)
    return _by_type(rows.values_list("insurance_type", "claims", "total_cost", "fund_paid"))


def _by_type(rows) -> list[dict]:
    found: dict[str, dict] = {}
    for kind, count, total, fund in rows:
        entry = found.setdefault(kind, {"insurance_type": kind, "label": InsuranceType(kind).label, "claims": 0,
                                        "total_cost": Decimal("0.00"), "fund_paid": Decimal("0.00")})
        entry["claims"] += count
        entry["total_cost"] += total
        entry["fund_paid"] += fund
    return [found[kind] for kind in sorted(found)]


def year_fund_paid(*, agreement: ServiceAgreement) -> tuple[dict[str, Decimal], Decimal]:
    """The year's fund-paid amounts from the roll-ups: by member inside the consortium, and the
    total outside it (G3: everything the county's insured cost elsewhere)."""
    inside, outside, _claims = fund_paid_by_member(consortium=agreement.consortium, year=agreement.year,
                                                   insurance_type=agreement.insurance_type)
    return inside, outside


def fund_paid_by_member(*, consortium, year: int,
                        insurance_type: str | None = None) -> tuple[dict[str, Decimal], Decimal, int]:
    """A year's fund-paid amounts of a consortium from the roll-ups: by member (every member, 0.00
    without claims), the total outside any consortium, and how many claims they add up. Summed in
    Python: SQLite would add the amounts as floats."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
    rows = ClaimMonthly.objects.filter(county=consortium.county, month__gte=start, month__lte=end,
                                       insurance_type=insurance_type or covered_type(consortium=consortium, year=year))
    inside: dict[str, Decimal] = {m.code: Decimal("0.00") for m in consortium.members.all()}
    outside, claims = Decimal("0.00"), 0
    for consortium_id, code, amount, count in rows.values_list("consortium_id", "institution__code", "fund_paid",
                                                               "claims"):
        if consortium_id == consortium.pk:
            inside[code] = inside.get(code, Decimal("0.00")) + amount
        elif consortium_id is None:
            outside += amount
        else:
            continue
        claims += count
    return inside, outside, claims


def monthly_fund_paid(*, agreement: ServiceAgreement) -> tuple[dict[str, list[Decimal]], list[dict]]:
    """The year's fund paid month by month and place of care, as `year_fund_paid` counts it: the
    consortium's own members inside, every other place outside it; and, from the same read of the
    roll-ups, the county's other insurance types (`other_types`)."""
    from consortia.models import Institution

    series = {place: [Decimal("0.00")] * 12 for place in Institution.Placement.values}
    others = []
    rows = ClaimMonthly.objects.filter(county=agreement.consortium.county, month__year=agreement.year)
    for kind, consortium_id, placement, month, count, total, amount in rows.values_list(
            "insurance_type", "consortium_id", "placement", "month", "claims", "total_cost", "fund_paid"):
        if kind != agreement.insurance_type:
            others.append((kind, count, total, amount))
        elif consortium_id == agreement.consortium_id or consortium_id is None:
            series[placement][month.month - 1] += amount
    return series, _by_type(others)


def fourth_quarter_flags(*, agreement: ServiceAgreement, today: datetime.date | None = None) -> list[dict]:
    """J8: members whose fourth-quarter visits lie outside ±15% of their Q1-Q3 quarterly mean. A
    fourth quarter of zero visits is outside the band, once the fourth quarter is there to judge:
    the year has ended, or the consortium's claims of the fourth quarter have started to arrive."""
    from payrules.rules import fourth_quarter_outside_band

    year = agreement.year
    counts: dict[str, list[int]] = {}
    rows = ClaimMonthly.objects.filter(consortium=agreement.consortium, month__gte=datetime.date(year, 1, 1),
                                       month__lte=datetime.date(year, 12, 1), insurance_type=agreement.insurance_type)
    for code, month, claims in rows.values_list("institution__code", "month", "claims"):
        counts.setdefault(code, [0, 0, 0, 0])[(month.month - 1) // 3] += claims
    year_over = (today or timezone.localdate()) > datetime.date(year, 12, 31)
    if not year_over and not any(quarters[3] for quarters in counts.values()):
        return []
    flags = []
    for code, (q1, q2, q3, q4) in sorted(counts.items()):
        if q1 + q2 + q3 and fourth_quarter_outside_band(Decimal(q1), Decimal(q2), Decimal(q3), Decimal(q4)):
            mean = Decimal(q1 + q2 + q3) / 3
            flags.append({"member": code, "quarters": [q1, q2, q3, q4],
                          "change": ((Decimal(q4) - mean) / mean).quantize(Decimal("0.0001"))})
    return flags


CATEGORY_VISIT_TYPES = {"门诊": "outpatient", "普通门诊": "outpatient", "outpatient": "outpatient",
                        "住院": "inpatient", "inpatient": "inpatient", "门特": "chronic", "门诊慢特病": "chronic",
                        "chronic": "chronic"}


def _roster(agreement: ServiceAgreement, monitored: bool) -> tuple[dict[int, set[str]], dict[int, Decimal], set[str]]:
    """Each month's enrollees, the month's baseline annual cost and the visit types of the paid
    categories (monitored=False) or of the T5 monitored ones (monitored=True)."""
    from consortia.models import RosterEntry

    enrollees: dict[int, set[str]] = {}
    baseline = {m: Decimal("0.00") for m in range(1, 13)}
    visit_types: set[str] = set()
    for month, enrollee, category, cost in RosterEntry.objects.filter(agreement=agreement).values_list(
            "month", "enrollee_id", "category", "baseline_cost").iterator():
        enrollees.setdefault(month.month, set()).add(enrollee)
        if (category in RosterEntry.MONITORED) == monitored:
            baseline[month.month] += cost
            visit_types.add("inpatient" if monitored else CATEGORY_VISIT_TYPES.get(category, ""))
    visit_types.discard("")
    return enrollees, baseline, visit_types


def _enrollees_fund_paid(agreement: ServiceAgreement, enrollees: dict[int, set[str]],
                         visit_types: set[str]) -> dict[int, Decimal]:
    """Per month, the fund paid for the claims of that month's enrollees in those visit types,
    anywhere in the city."""
    from consortia.models import Institution

    year = agreement.year
    paid = {m: Decimal("0.00") for m in range(1, 13)}
    claims = Claim.objects.filter(county=agreement.consortium.county, settled_on__gte=datetime.date(year, 1, 1),
                                  settled_on__lt=datetime.date(year + 1, 1, 1), visit_type__in=visit_types,
                                  insurance_type=agreement.insurance_type).exclude(placement=Institution.Placement.OUT_OF_CITY)
    for person, settled, fund in claims.values_list("person_id", "settled_on", "fund_paid").iterator():
        if person in enrollees.get(settled.month, ()):
            paid[settled.month] += fund
    return paid


def capitation_consumption(*, agreement: ServiceAgreement, quotas: dict[int, Decimal] | None = None) -> list[dict]:
    """T2: each month, the fund paid for enrollees' claims in the roster's categories anywhere in
    the city, matched to that month's roster, beside the month's quota where given (the budget's:
    budgets.selectors.capitation_with_quotas)."""
    quotas = quotas or {}
    enrollees, _baseline, visit_types = _roster(agreement, monitored=False)
    consumed = _enrollees_fund_paid(agreement, enrollees, visit_types)
    rows, running = [], Decimal("0.00")
    for month in range(1, 13):
        running += consumed[month]
        rows.append({"month": month, "enrolled": len(enrollees.get(month, ())), "quota": quotas.get(month),
                     "consumed": consumed[month], "cumulative": running})
    return rows


def cost_shift_monitor(*, agreement: ServiceAgreement, growth_factor: Decimal | None) -> dict | None:
    """T5: where the quota pays outpatient categories only, the enrollees' inpatient fund paid to
    date against their baseline inpatient cost (the roster's monitored category) grown by the
    growth factor g (the budget's). A ratio above 1 is flagged as possible cost shifting. None
    when inpatient care is paid by the quota, no baseline is on the roster or there is no g."""
    from payrules.rules import cost_shift_ratio

    _enrollees, _b, paid_types = _roster(agreement, monitored=False)
    enrollees, baseline, monitored = _roster(agreement, monitored=True)
    if "inpatient" in paid_types or not monitored or growth_factor is None:
        return None
    g = growth_factor
    current = _enrollees_fund_paid(agreement, enrollees, {"inpatient"})
    last = ClaimMonthly.objects.filter(county=agreement.consortium.county, month__year=agreement.year,
                                       insurance_type=agreement.insurance_type).order_by(
        "-month").values_list("month", flat=True).first()
    through = last.month if last else 0
    rows, base_to_date, current_to_date = [], Decimal("0"), Decimal("0.00")
    for month in range(1, 13):
        expected = baseline[month] * g / 12
        if month <= through:
            base_to_date += baseline[month] / 12
            current_to_date += current[month]
        rows.append({"month": month, "expected": expected.quantize(Decimal("0.01")), "current": current[month]})
    ratio = cost_shift_ratio(base_to_date, current_to_date, g) if through else None
    return {"rows": rows, "through": through, "growth_factor": g, "expected": (base_to_date * g).quantize(
        Decimal("0.01")), "current": current_to_date, "ratio": ratio, "flagged": ratio is not None and ratio > 1}


def claims_loaded(*, agreement: ServiceAgreement) -> bool:
    """Whether any claim of the agreement's county, year and insurance type has been imported."""
    return ClaimMonthly.objects.filter(county=agreement.consortium.county, month__year=agreement.year,
                                       insurance_type=agreement.insurance_type).exists()


TOTALS = ("total_cost", "fund_paid", "self_pay_full", "co_pay")
ROLLED_UP = {"visit_type": "visit_type", "placement": "placement", "member": "institution",
             "insurance_type": "insurance_type", "county": "county"}  # list filter: roll-up


def latest_month(user) -> datetime.date | None:
    """The latest month with claims in the user's scope, from the roll-ups (never the claims)."""
    return scope_queryset(user, ClaimMonthly.objects.all()).order_by("-month").values_list("month", flat=True).first()


def list_totals(*, user, chosen: dict, claims) -> tuple[dict, bool]:
    """The count and amounts of every claim the list's filters find, and whether the roll-ups gave
    them: they do whenever every filter but the period is one the roll-ups keep (visit type, place
    of care, institution, insurance type, county): whole months from the monthly roll-ups, any
    other period from the daily ones. Otherwise (a claim number or diagnosis searched) the database
    sums the claims, under the page's time limit."""
    start, end = chosen.get("settled_from"), chosen.get("settled_to")
    others = {name for name, value in chosen.items() if value not in (None, "") and name not in (
        "settled_from", "settled_to")}
    nothing = {"n": 0} | {f: Decimal("0.00") for f in TOTALS}
    if not others <= set(ROLLED_UP):
        return exact_sums(claims, fields=TOTALS).get((), nothing), False
    narrowed = {ROLLED_UP[name]: chosen[name] for name in others}
    whole_months = (start is not None and end is not None and start <= end and start.day == 1
                    and (end + datetime.timedelta(days=1)).day == 1)
    if whole_months:
        rows = ClaimMonthly.objects.filter(month__gte=start, month__lte=end.replace(day=1), **narrowed)
    else:
        rows = ClaimDaily.objects.filter(**narrowed, **({"day__gte": start} if start else {}),
                                         **({"day__lte": end} if end else {}))
    sums = exact_sums(scope_queryset(user, rows), fields=("claims", *TOTALS)).get(())
    if sums is None:
        return nothing, True
    return {"n": int(sums["claims"])} | {f: sums[f] for f in TOTALS}, True


def _cursor(text: str | None) -> tuple[datetime.date, int] | None:
    """A list position as the links write it, "2025-03-06.12345" (settlement date, claim id)."""
    day, _, pk = (text or "").partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _after(claims, day: datetime.date, pk: int, *, backwards: bool = False):
    """The claims after (settlement date, id) in the list's order (latest first), or before it
    with `backwards`: one row comparison, which PostgreSQL answers from the (county, settlement
    date, id) index by starting at the position, however many claims share the day."""
    from django.db.models import F
    from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan

    compare = TupleGreaterThan if backwards else TupleLessThan
    return claims.filter(compare((F("settled_on"), F("id")), (day, pk)))


def keyset_page(claims, *, after: str | None = None, before: str | None = None, size: int = 50) -> tuple[list, dict]:
    """One page of claims in the list's order (latest settlement first), found from the position of
    the page before or after it instead of an offset, so page 1,000 costs what page 1 costs. Returns
    the rows and the positions of the next and previous pages (None at either end)."""
    position = _cursor(before) or _cursor(after)
    backwards = _cursor(before) is not None
    if position is None:
        rows = list(claims[:size + 1])
        more, rows = len(rows) > size, rows[:size]
        earlier = False
    elif backwards:
        rows = list(_after(claims, *position, backwards=True).order_by("settled_on", "id")[:size + 1])
        earlier, rows = len(rows) > size, rows[:size][::-1]
        more = True
    else:
        rows = list(_after(claims, *position)[:size + 1])
        more, rows = len(rows) > size, rows[:size]
        earlier = True

    def mark(claim):
        return f"{claim.settled_on.isoformat()}.{claim.pk}"

    return rows, {"next": mark(rows[-1]) if rows and more else None,
                  "previous": mark(rows[0]) if rows and earlier else None}


def in_chunks(claims, *fields: str, size: int = 5000):
    """The claims' `fields` in the list's order, read a chunk at a time from the position where the
    last chunk ended: each chunk a short query of its own, so a download of a county's year starts
    at once, holds no cursor or transaction open while the person's connection is slow, and keeps
    one chunk in memory. Each row is (settlement date, id, *fields)."""
    claims = claims.order_by("-settled_on", "-id")
    position = None
    while True:
        chunk = list((claims if position is None else _after(claims, *position)).values_list(
            "settled_on", "id", *fields)[:size])
        yield from chunk
        if len(chunk) < size:
            return
        position = chunk[-1][:2]
