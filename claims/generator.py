"""A realistic synthetic year of a county's claims, deterministic from a seed, written as an
import file: outpatient-heavy, winter peaks, basic-level care mostly in townships and villages,
inpatient care at county hospitals, some out-of-county and out-of-city care, referral pairs."""

from __future__ import annotations

import csv
import datetime
import random
from decimal import Decimal
from typing import TextIO

from consortia.models import County, Institution

from .columns import COLUMNS

MONTH_WEIGHTS = [1.25, 1.05, 1.0, 0.95, 0.9, 0.85, 0.9, 0.95, 0.95, 1.0, 1.05, 1.2]  # winter peaks
DIAGNOSES = ["J06.9", "I10", "E11.9", "J18.9", "K35.9", "I21.0", "N39.0", "M54.5", "A16.2", "J44.1"]
FEN = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(FEN)


# DIP scores of the generated diagnoses (cases outside the consortium in the county and city, G8).
DIP_SCORES = {"J06.9": 120, "I10": 450, "E11.9": 520, "J18.9": 800, "K35.9": 1000, "I21.0": 3000,
              "N39.0": 600, "M54.5": 400, "A16.2": 1500, "J44.1": 900}
READMITTED, REFERRED, WITH_ANTIBIOTICS = 0.04, 0.03, 0.35


OUTPATIENT_MIX = (0.85, 0.08)  # a county's claims as they come: outpatient visits, chronic-disease visits
STAYS_MIX = (0.41, 0.10)  # every stay of the year with a sample of the visits (the demo: see claims.demo)


# The columns a generated row has, in its order (the rows below are written by position).
GENERATED = ("claim_no", "person_id", "institution_code", "visit_type", "admitted_on", "discharged_on", "diagnosis",
             "dip_group", "dip_score", "total_cost", "policy_cost", "self_pay_full", "co_pay", "fund_paid",
             "drug_cost", "antibiotic_cost", "referral_no", "referral_direction", "settled_on")


class TemplateWriter:
    """Writes the generated rows under the template's Chinese headers."""

    def __init__(self, writer):
        self.writer = writer

    @staticmethod
    def header() -> list[str]:
        return [COLUMNS[name][0] for name in GENERATED]

    def writerow(self, values: list) -> None:
        self.writer.writerow(values)


class PlatformWriter(TemplateWriter):
    """Writes the generated rows as the national platform exports them (docs/national-platform.md):
    its field codes as headers, 医疗类别 codes for visit types, times of day after the dates, and the
    visit id, insurance type (a row's type: the last value given, else 390) and all funds paid the
    platform adds (here the pooled fund's part: no other fund pays in the generated year)."""

    CODES = {"outpatient": "11", "chronic": "14", "inpatient": "21"}
    TIMES = {4: "08:00:00", 5: "09:30:00", 18: "10:00:00"}  # admitted, discharged, settled

    @staticmethod
    def header() -> list[str]:
        return [next((a for a in COLUMNS[name] if a.isascii()), COLUMNS[name][0])
                for name in (*GENERATED, "visit_id", "insurance_type", "fund_pay_total")]

    def writerow(self, values: list) -> None:
        values = list(values)
        insurance_type = values.pop() if len(values) > len(GENERATED) else "390"
        values[3] = self.CODES[values[3]]
        for index, clock in self.TIMES.items():
            if values[index]:
                values[index] = f"{values[index]} {clock}"
        self.writer.writerow([*values, f"M{values[0]}", insurance_type, values[13]])


def claims_generate(*, county: County, year: int, rows: int, insured: int, seed: int, out: TextIO,
                    realistic: bool = False, mix: tuple[float, float] = OUTPATIENT_MIX, platform: bool = False,
                    employees: int = 0) -> int:
    """Writes `rows` claims and returns how many were written. `realistic` (generate_county) adds,
    from a second random stream so the plain rows stay as they were: readmissions within 30 days,
    referral pairs (a township's claim referred up, then the admission at a county hospital with the
    same referral number), DIP scores on the cases priced by points, and antibiotics on about a
    third of the claims instead of all of them. `mix`: the shares of outpatient and chronic-disease
    visits; the rest are inpatient stays. `platform`: in the national platform's format
    (PlatformWriter), the same claims, followed by `employees` claims of the employees' insurance
    (310) from a stream of their own, which the residents' package never counts."""
    rng = random.Random(seed)
    extra = random.Random(seed * 7919 + 17)
    institutions = list(Institution.objects.filter(county=county).order_by("code"))
    basic = [i for i in institutions if i.level == Institution.Level.BASIC]
    hospitals = [i for i in institutions if i.placement == Institution.Placement.IN_CONSORTIUM and i.level != "basic"]
    elsewhere = [i for i in institutions if i.placement != Institution.Placement.IN_CONSORTIUM]
    kind = PlatformWriter if platform else TemplateWriter
    out_csv = csv.writer(out)
    out_csv.writerow(kind.header())
    writer = kind(out_csv)
    days = [datetime.date(year, m, d) for m in range(1, 13) for d in range(1, 29)]
    weights = [MONTH_WEIGHTS[day.month - 1] for day in days]
    written = 0
    for index in range(rows):
        roll = rng.random()
        visit = "outpatient" if roll < mix[0] else "chronic" if roll < mix[0] + mix[1] else "inpatient"
        if visit == "inpatient":
            institution = rng.choice(hospitals if rng.random() < 0.75 or not elsewhere else elsewhere)
        else:
            institution = rng.choice(basic if rng.random() < 0.9 or not elsewhere else elsewhere)
        admitted = rng.choices(days, weights)[0]
        stay = rng.randint(2, 12) if visit == "inpatient" else 0
        total = rng.uniform(3000, 30000) if visit == "inpatient" else rng.uniform(25, 400)
        self_pay = total * rng.uniform(0, 0.08)
        policy = total - self_pay
        fund = policy * (0.85 if institution.level == "basic" else 0.7 if institution.level == "2" else 0.6)
        co_pay = policy - fund
        person = f"P{rng.randrange(insured):08d}"
        values = [f"C{year}S{seed}-{index:09d}", person, institution.code, visit, admitted.isoformat(),
                  (admitted + datetime.timedelta(days=stay)).isoformat() if stay else "",
                  rng.choice(DIAGNOSES), "", "", _money(total), _money(policy), _money(self_pay), _money(co_pay),
                  _money(fund), _money(total * 0.4), _money(total * 0.03), "", "",
                  min(admitted + datetime.timedelta(days=stay + 1), datetime.date(year, 12, 31)).isoformat()]
        # A policy cost rounded up may pass the fund above the total by a fen: keep the fund within it.
        if values[13] > values[9]:
            values[13] = values[9]
        if realistic:
            written += _realistic(values, institution, visit, index, extra, writer, year, hospitals, basic)
        writer.writerow(values)
        written += 1
    if platform and employees:
        written += _employees(county, year, employees, seed, writer, days, weights, basic, hospitals)
    return written


def _employees(county, year, rows, seed, writer, days, weights, basic, hospitals) -> int:
    """Claims of the county's employees (职工医保, 310): visits at the townships, a few stays."""
    rng = random.Random(seed * 104729 + 310)
    for index in range(rows):
        inpatient = rng.random() < 0.1
        institution = rng.choice(hospitals if inpatient else basic)
        admitted = rng.choices(days, weights)[0]
        stay = rng.randint(2, 8) if inpatient else 0
        total = _money(rng.uniform(4000, 20000) if inpatient else rng.uniform(30, 300))
        fund = (total * Decimal("0.8")).quantize(FEN)
        writer.writerow([f"E{year}S{seed}-{index:07d}", f"W{rng.randrange(10_000):08d}", institution.code,
                         "inpatient" if inpatient else "outpatient", admitted.isoformat(),
                         (admitted + datetime.timedelta(days=stay)).isoformat() if stay else "",
                         rng.choice(DIAGNOSES), "", "", total, total, "0.00", total - fund, fund,
                         (total * Decimal("0.4")).quantize(FEN), "0.00", "", "",
                         min(admitted + datetime.timedelta(days=stay + 1), datetime.date(year, 12, 31)).isoformat(),
                         "310"])
    return rows


def _realistic(values: list, institution: Institution, visit: str, index: int, extra: random.Random, writer,
               year: int, hospitals: list, basic: list) -> int:
    """Amends one generated claim and writes the claims that go with it; returns how many."""
    P = Institution.Placement
    if extra.random() >= WITH_ANTIBIOTICS:
        values[15] = "0.00"
    if visit == "inpatient" and institution.placement in (P.IN_COUNTY, P.IN_CITY):
        values[7], values[8] = values[6], DIP_SCORES[values[6]]
    more = 0
    end_of_year = datetime.date(year, 12, 31)
    if visit == "inpatient" and extra.random() < READMITTED:  # back within 30 days, same hospital
        discharged = datetime.date.fromisoformat(values[5] or values[4])
        again = discharged + datetime.timedelta(days=extra.randint(3, 30))
        if again + datetime.timedelta(days=3) <= end_of_year:
            follow = list(values)
            follow[0] = f"{values[0]}-R"
            follow[4], follow[5] = again.isoformat(), (again + datetime.timedelta(days=2)).isoformat()
            follow[18] = (again + datetime.timedelta(days=3)).isoformat()
            writer.writerow(follow)
            more += 1
    if visit != "inpatient" and institution in basic and hospitals and extra.random() < REFERRED:
        admitted = datetime.date.fromisoformat(values[4]) + datetime.timedelta(days=extra.randint(0, 3))
        if admitted + datetime.timedelta(days=6) <= end_of_year:
            referral = f"ZZ{year}{index:09d}"
            values[16], values[17] = referral, "up"  # the township refers up; the county hospital admits
            hospital = extra.choice(hospitals)
            total = Decimal(extra.randint(300_000, 2_000_000)) / 100
            fund = (total * Decimal("0.7")).quantize(FEN)
            writer.writerow([f"{values[0]}-U", values[1], hospital.code, "inpatient", admitted.isoformat(),
                             (admitted + datetime.timedelta(days=5)).isoformat(), values[6], "", "", total, total,
                             "0.00", total - fund, fund, (total * Decimal("0.4")).quantize(FEN), "0.00", referral,
                             "", (admitted + datetime.timedelta(days=6)).isoformat()])
            more += 1
    return more
