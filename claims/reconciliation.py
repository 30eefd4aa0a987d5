"""Reconciliation (对账) with the national platform: its settlement totals per institution, insurance
type and period (interface 3201: fixmedins_code, stmt_begndate/stmt_enddate, insutype,
medfee_sumamt, fund_pay_sumamt, fixmedins_setl_cnt) uploaded by the bureau and compared with the
imported claims: each line matched, or its difference in count and amounts with the claims to look
at; and the institutions with claims here the platform's totals do not name.

Our side is read from the monthly roll-ups when every line is whole months (the usual case), else
from the daily ones; either way one read of the roll-ups, never of the claims, never a query per
line."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from consortia.models import County, Institution, InsuranceType, User
from consortia.tabular import (RowError, TableError, date_cell, money_cell, read_table, refuse_unless_whole,
                               text_cell)

from .columns import INSURANCE_TYPES
from .models import ClaimDaily, ClaimMonthly, Reconciliation, ReconciliationLine

ZERO = Decimal("0.00")
# The totals file's columns: the platform's field codes, and the Chinese headers of its export.
COLUMNS = {
    "institution_code": ("定点医药机构编号", "医疗机构编码", "机构编码", "fixmedins_code"),
    "insurance_type": ("险种类型", "险种", "insutype"),
    "period_start": ("对账开始日期", "开始日期", "stmt_begndate"),
    "period_end": ("对账结束日期", "结束日期", "stmt_enddate"),
    "total_cost": ("医疗费总额", "medfee_sumamt"),
    "fund_pay_total": ("基金支付总额", "fund_pay_sumamt"),
    "claims": ("定点医药机构结算笔数", "结算笔数", "fixmedins_setl_cnt"),
}
MAX_ROWS = 100_000  # a province's institutions × twelve months × types, with room


def _count(value) -> int:
    text = text_cell(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit():
        raise ValueError(_("not a whole number of claims"))
    return int(text)


@transaction.atomic
def reconciliation_upload(*, county: County, upload, user: User) -> Reconciliation:
    """Reads the platform's totals file whole and keeps it, or refuses it with every row's problem
    (nothing kept). An institution code the registry does not know is kept: it is a finding."""
    errors: list[RowError] = []
    lines: list[ReconciliationLine] = []
    institutions = Institution.objects.filter(county=county)
    registry = dict(institutions.exclude(legacy_code="").values_list("legacy_code", "pk"))
    registry |= dict(institutions.values_list("code", "pk"))  # a national code wins over a former one
    seen: dict[tuple, int] = {}
    try:
        for number, row in read_table(upload, upload.name, COLUMNS):
            if len(lines) + len(errors) >= MAX_ROWS:
                raise TableError(number, _("The file has more than %(n)s rows.") % {"n": f"{MAX_ROWS:,}"})
            found = len(errors)
            values: dict = {"row_no": number}

            def fail(column, message, number=number):
                errors.append(RowError(number, COLUMNS[column][0], message))

            values["institution_code"] = text_cell(row["institution_code"])
            if not values["institution_code"] or len(values["institution_code"]) > 32:
                fail("institution_code", _("empty") if not values["institution_code"] else
                     _("longer than 32 characters"))
            values["insurance_type"] = INSURANCE_TYPES.get(text_cell(row["insurance_type"]))
            if values["insurance_type"] is None or not text_cell(row["insurance_type"]):
                fail("insurance_type", _("must be a national 险种类型 code: %(codes)s") % {
                    "codes": ", ".join(code for code in INSURANCE_TYPES if code.isdigit())})
            for column in ("period_start", "period_end"):
                try:
                    values[column] = date_cell(row[column])
                except ValueError as problem:
                    fail(column, str(problem))
            for column in ("total_cost", "fund_pay_total"):
                try:
                    values[column] = money_cell(row[column])
                except ValueError as problem:
                    fail(column, str(problem))
            try:
                values["claims"] = _count(row["claims"])
            except ValueError as problem:
                fail("claims", str(problem))
            if len(errors) > found:
                continue
            if values["period_end"] < values["period_start"]:
                fail("period_end", _("the period ends before it begins"))
                continue
            key = (values["institution_code"], values["insurance_type"], values["period_start"], values["period_end"])
            if key in seen:
                fail("institution_code", _("the same institution, type and period is already in row %(row)s")
                     % {"row": seen[key]})
                continue
            seen[key] = number
            lines.append(ReconciliationLine(institution_id=registry.get(values["institution_code"]), **values))
    except TableError as problem:
        errors.append(RowError(problem.row, "", problem.message))
    refuse_unless_whole(errors, len(lines))
    made = Reconciliation.objects.create(
        county=county, file_name=upload.name[:200], uploaded_by=user,
        period_start=min(line.period_start for line in lines), period_end=max(line.period_end for line in lines))
    for line in lines:
        line.reconciliation = made
    ReconciliationLine.objects.bulk_create(lines, batch_size=2000)
    return made


@dataclass
class Side:
    claims: int = 0
    total_cost: Decimal = ZERO
    fund_pay_total: Decimal = ZERO
    without_all_funds: int = 0  # claims whose file did not say all funds paid


@dataclass
class Compared:
    line: ReconciliationLine | None
    institution: Institution | None
    insurance_type: str
    period_start: datetime.date
    period_end: datetime.date
    platform: Side | None
    ours: Side
    problems: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return not self.problems

    @property
    def claims_difference(self) -> int:
        return self.ours.claims - (self.platform.claims if self.platform else 0)

    @property
    def total_difference(self) -> Decimal:
        return self.ours.total_cost - (self.platform.total_cost if self.platform else ZERO)

    @property
    def fund_difference(self) -> Decimal | None:
        if self.ours.without_all_funds:
            return None
        return self.ours.fund_pay_total - (self.platform.fund_pay_total if self.platform else ZERO)

    @property
    def insurance_label(self) -> str:
        return str(InsuranceType(self.insurance_type).label)


def _whole_months(start: datetime.date, end: datetime.date) -> bool:
    return start.day == 1 and (end + datetime.timedelta(days=1)).day == 1


def _ours(county: County, lines: list[ReconciliationLine], types: dict) -> dict[tuple, Side]:
    """{(institution id, type, month or day): Side} over the lines' span, from the roll-ups: by
    month when every line is whole months, else by day."""
    start, end = min(line.period_start for line in lines), max(line.period_end for line in lines)
    if all(_whole_months(line.period_start, line.period_end) for line in lines):
        rows = ClaimMonthly.objects.filter(county=county, month__gte=start.replace(day=1), month__lte=end, **types)
        period = "month"
    else:
        rows = ClaimDaily.objects.filter(county=county, day__gte=start, day__lte=end, **types)
        period = "day"
    found: dict[tuple, Side] = {}
    for institution, kind, when, count, total, every, with_every in rows.values_list(
            "institution_id", "insurance_type", period, "claims", "total_cost", "fund_pay_total",
            "fund_pay_total_claims").iterator():
        side = found.setdefault((institution, kind, when), Side())
        side.claims += count
        side.total_cost += total
        side.fund_pay_total += every
        side.without_all_funds += count - with_every
    return found


def _add(into: Side, side: Side) -> None:
    into.claims += side.claims
    into.total_cost += side.total_cost
    into.fund_pay_total += side.fund_pay_total
    into.without_all_funds += side.without_all_funds


def compare(county: County, lines: list[ReconciliationLine], insurance_type: str | None = None) -> list[Compared]:
    """Each line beside our claims of its institution, type and period; then what we hold of an
    institution and type in the lines' span that no line names (of `insurance_type` only, when
    given). Matched lines have no problems."""
    if not lines:
        return []
    ours = _ours(county, lines, {"insurance_type": insurance_type} if insurance_type else {})
    institutions = Institution.objects.in_bulk({key[0] for key in ours} | {
        line.institution_id for line in lines if line.institution_id})
    by_place: dict[tuple, list] = {}
    for key, found in ours.items():
        by_place.setdefault(key[:2], []).append((key, found))
    used: set[tuple] = set()
    results = []
    for line in sorted(lines, key=lambda x: (x.institution_code, x.insurance_type, x.period_start)):
        side = Side()
        for key, found in by_place.get((line.institution_id, line.insurance_type), ()):
            if line.period_start <= key[2] <= line.period_end:
                _add(side, found)
                used.add(key)
        platform = Side(line.claims, line.total_cost, line.fund_pay_total)
        result = Compared(line, institutions.get(line.institution_id), line.insurance_type, line.period_start,
                          line.period_end, platform, side)
        if line.institution_id is None:
            result.problems.append(_("the institution is not in this county's registry"))
        if result.claims_difference:
            result.problems.append(_("claims differ"))
        if result.total_difference:
            result.problems.append(_("total cost differs"))
        if result.fund_difference:
            result.problems.append(_("all funds paid differ"))
        results.append(result)
    start, end = min(line.period_start for line in lines), max(line.period_end for line in lines)
    unnamed: dict[tuple, Side] = {}
    for key, found in ours.items():
        if key not in used:
            _add(unnamed.setdefault(key[:2], Side()), found)
    for (institution, kind), side in sorted(unnamed.items(), key=lambda item: (
            institutions[item[0][0]].code, item[0][1])):
        result = Compared(None, institutions[institution], kind, start, end, None, side)
        result.problems.append(_("claims here that the platform's totals do not name"))
        results.append(result)
    return results


def latest_lines(*, county: County, start: datetime.date, end: datetime.date,
                 insurance_type: str | None = None) -> list[ReconciliationLine]:
    """The county's uploaded lines within a span, the latest upload of each institution, type and
    period standing for it (a correction supersedes)."""
    lines = ReconciliationLine.objects.filter(reconciliation__county=county, period_start__gte=start,
                                              period_end__lte=end).order_by("reconciliation__uploaded_at", "pk")
    if insurance_type is not None:
        lines = lines.filter(insurance_type=insurance_type)
    latest = {}
    for line in lines:
        latest[(line.institution_code, line.insurance_type, line.period_start, line.period_end)] = line
    return list(latest.values())


def year_reconciled(*, county: County, year: int, insurance_type: str) -> dict:
    """Whether a year's claims of a type are reconciled: every month covered by the platform's
    totals and every line matched. For the clearing's warning."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    lines = latest_lines(county=county, start=start, end=end, insurance_type=insurance_type)
    covered = set()
    for line in lines:
        month = line.period_start.replace(day=1)
        while month <= line.period_end:
            following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            if line.period_start <= month and following - datetime.timedelta(days=1) <= line.period_end:
                covered.add(month.month)
            month = following
    if not lines:
        return {"reconciled": False, "uploaded": False, "missing_months": list(range(1, 13)), "differences": 0}
    differences = sum(1 for result in compare(county, lines, insurance_type) if not result.matched)
    missing = [m for m in range(1, 13) if m not in covered]
    return {"reconciled": not missing and not differences, "uploaded": True, "missing_months": missing,
            "differences": differences}


def platform_totals(*, county: County, year: int) -> list[list]:
    """The 3201 lines the platform would give for the county's imported claims of a year, by
    institution, type and month (the demo's file, and the tests' start for a planted difference)."""
    totals: dict[tuple, list] = {}
    for code, kind, month, count, total, every in ClaimMonthly.objects.filter(county=county, month__year=year).values_list(
            "institution__code", "insurance_type", "month", "claims", "total_cost", "fund_pay_total"):
        entry = totals.setdefault((code, kind, month), [ZERO, ZERO, 0])
        entry[0] += total
        entry[1] += every
        entry[2] += count
    rows = []
    for (code, kind, month), (total, every, count) in sorted(totals.items()):
        end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        rows.append([code, kind, month.isoformat(), end.isoformat(), total, every, count])
    return rows


PLATFORM_HEADER = ["fixmedins_code", "insutype", "stmt_begndate", "stmt_enddate", "medfee_sumamt",
                   "fund_pay_sumamt", "fixmedins_setl_cnt"]


def claims_for(result: Compared) -> dict:
    """The claims list's filters that show a result's claims here."""
    query = {"settled_from": result.period_start.isoformat(), "settled_to": result.period_end.isoformat(),
             "insurance_type": result.insurance_type}
    if result.institution is not None:
        query["member"] = result.institution.pk
    return query

