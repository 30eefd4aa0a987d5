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

from .importers import template_header

MONTH_WEIGHTS = [1.25, 1.05, 1.0, 0.95, 0.9, 0.85, 0.9, 0.95, 0.95, 1.0, 1.05, 1.2]  # winter peaks
DIAGNOSES = ["J06.9", "I10", "E11.9", "J18.9", "K35.9", "I21.0", "N39.0", "M54.5", "A16.2", "J44.1"]
FEN = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(FEN)


def claims_generate(*, county: County, year: int, rows: int, insured: int, seed: int, out: TextIO) -> int:
    """Writes `rows` claims (plus a few referral seconds) and returns how many were written."""
    rng = random.Random(seed)
    institutions = list(Institution.objects.filter(county=county).order_by("code"))
    basic = [i for i in institutions if i.level == Institution.Level.BASIC]
    hospitals = [i for i in institutions if i.placement == Institution.Placement.IN_CONSORTIUM and i.level != "basic"]
    elsewhere = [i for i in institutions if i.placement != Institution.Placement.IN_CONSORTIUM]
    writer = csv.writer(out)
    writer.writerow(template_header()[0])
    days = [datetime.date(year, m, d) for m in range(1, 13) for d in range(1, 29)]
    weights = [MONTH_WEIGHTS[day.month - 1] for day in days]
    written = 0
    for index in range(rows):
        roll = rng.random()
        visit = "outpatient" if roll < 0.85 else "chronic" if roll < 0.93 else "inpatient"
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
        writer.writerow(values)
        written += 1
    return written
