"""The feasibility study of a very large county (benchmark 6): a scenario of 20,000 and of 40,000
members read and computed by the engine, as the command, the page and the API do, and written out
as JSON. The engine looks members up by code in sets and dicts, so the time per member is flat."""

from __future__ import annotations

import json
import random
import time

from payrules import SHEXIAN

from .claims_import import Result

TIERS = ("county", "private", "township", "village")


def scenario(members: int, seed: int) -> bytes:
    """A shexian-2025 county with `members` members, their prior-year payments, scores and actuals."""
    rng = random.Random(seed)
    rows, inside = [], {}
    for index in range(members):
        code = f"M{index:06d}"
        rows.append({"code": code, "tier": "lead" if index == 0 else rng.choice(TIERS),
                     "prior_year_paid": f"{rng.randint(1_000, 10_000_000)}.{rng.randint(0, 99):02d}",
                     "score": str(rng.randint(60, 100))})
        inside[code] = f"{rng.randint(1_000, 1_000_000)}.{rng.randint(0, 99):02d}"
    return json.dumps({
        "format": "scenario/1", "scheme": SHEXIAN.id, "year": 2025,
        "fund": {"raised": "4680000000.00", "risk_adjustment_remittance": "93600000.00",
                 "critical_illness_premium": "327600000.00", "prior_year_expenditure": "4520000000.00",
                 "prior_year_deficit_subsidy": "261200000.00"},
        "members": rows,
        "actuals": {"in_consortium": inside, "out_of_consortium": "884000000.00", "refused": {"M000001": "10.00"}},
    }).encode("utf-8")


def _best(fn, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> list[Result]:
    from payrules import loads, run_scenario

    def study(text: bytes, write: bool):
        result = run_scenario(loads(text))
        return json.dumps(result.as_dict()) if write else result

    timings = {}
    for members in (20_000, 40_000):
        text = scenario(members, seed=members)
        timings[members] = (_best(lambda t=text: study(t, False)), _best(lambda t=text: study(t, True)))
    (c20, w20), (c40, _w40) = timings[20_000], timings[40_000]
    per = (c40 / 40_000) / (c20 / 20_000)
    return [
        Result("feasibility study of 20,000 members, read and computed", c20,
               f"{c20:.2f} s ({w20:.2f} s with the JSON output and its trace)", "< 1 s", c20 < 1.0,
               "a shexian-2025 scenario read from JSON (numbers as Decimal), checked and computed: budgets, "
               "assessment pools, the clearing and the surplus shared by tier, 100,000 traced steps; best of three"),
        Result("feasibility study, time per member at 40,000 / at 20,000", per,
               f"{per:.2f} ({c40:.2f} s against {c20:.2f} s)", "flat (≤ 1.2)", per <= 1.2,
               "the same county twice as large; member codes are looked up in sets and dicts, never in lists"),
    ]
