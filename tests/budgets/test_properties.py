"""Property tests (Hypothesis): thousands of generated counties per scheme. Allocations sum to
their totals, the clearing identities hold, every amount has two decimals, and member order
changes nothing beyond the documented tie-break (one fen)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from payrules import InputError, run_scenario
from payrules.money import allocate, even_split, money
from payrules.parameters import TIERS

EXAMPLES = settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
D = Decimal


def amounts(low=0, high=10**11):
    return st.integers(low, high).map(lambda fen: D(fen) / 100)


scores = st.integers(0, 1000).map(lambda tenths: D(tenths) / 10)
rates = st.integers(0, 100).map(lambda pct: D(pct) / 100)


def total(rows, key):
    return sum((D(row[key]) for row in rows), D("0.00"))


def two_decimals(out):
    for section in ("package", "clearing"):
        for key, value in out[section].items():
            if isinstance(value, str) and key != "growth_factor":
                assert len(value.split(".")[1]) == 2, (section, key, value)
    for row in out["prepayments"] + out.get("members", []):
        for key, value in row.items():
            if key not in ("code", "period", "member", "kind"):
                assert len(value.split(".")[1]) == 2, (key, value)


@st.composite
def members(draw, min_size=1, max_size=8):
    n = draw(st.integers(min_size, max_size))
    return [
        {
            "code": f"M{i:02d}",
            "tier": draw(st.sampled_from(TIERS)),
            "prior_year_paid": str(draw(amounts(0, 10**10))),
            "score": str(draw(scores)),
            "actual": str(draw(amounts(0, 10**10))),
        }
        for i in range(n)
    ]


def with_actuals(rows):
    return [{k: v for k, v in row.items() if k != "actual"} for row in rows], {r["code"]: r["actual"] for r in rows}


@EXAMPLES
@given(st.integers(2000, 2100), st.integers(0, 10**12).map(lambda f: D(f) / 100), scores, members(),
       amounts(), st.fixed_dictionaries({
           "adjustment_fund_rate": rates, "risk_fund_rate": rates, "prepay_rate": rates,
           "overspend_fund_share_rate": rates}))
def test_guangdong_identities(year, revenue, score, rows, outside, parameters):
    member_rows, inside = with_actuals(rows)
    scenario = {
        "scheme": "guangdong-2019", "year": year, "fund": {"revenue": str(revenue)}, "members": member_rows,
        "actuals": {"in_consortium": inside, "out_of_consortium": str(outside)}, "evaluation": {"score": str(score)},
        "parameters": {k: str(v) for k, v in parameters.items()},
    }
    if parameters["adjustment_fund_rate"] + parameters["risk_fund_rate"] > 1:  # G1: no negative package
        with pytest.raises(InputError, match="may not exceed 1"):
            run_scenario(scenario)
        return
    out = run_scenario(scenario).as_dict()
    p, c = out["package"], out["clearing"]
    assert D(p["package"]) >= 0
    assert D(p["revenue"]) == D(p["package"]) + D(p["adjustment_fund"]) + D(p["risk_fund"])  # G1
    assert total(out["prepayments"], "amount") == D(p["prepayment_total"]) == money(D(p["package"]) * parameters["prepay_rate"])
    assert len({D(r["amount"]) for r in out["prepayments"]}) <= 2
    assert D(c["expenditure"]) == D(c["in_consortium"]) + D(c["out_of_consortium"])
    assert D(c["final_payment"]) == (D(c["entitlement"]) + D(c["fund_overspend_share"]) - D(c["out_of_consortium"])
                                     - D(c["prepaid"]))  # G6
    assert D(c["fund_overspend_share"]) + D(c["consortium_overspend_share"]) == D(c["overspend"])
    assert D(c["fund_overspend_share"]) <= D(p["adjustment_fund"])
    assert D(c["surplus"]) == max(D(0), D(c["entitlement"]) - D(c["expenditure"]))
    two_decimals(out)


@EXAMPLES
@given(st.integers(2000, 2100), amounts(10**8, 10**11), amounts(0, 10**7), amounts(0, 10**7), amounts(0, 10**11),
       amounts(0, 10**9), members(), amounts(0, 10**10), st.permutations(range(8)),
       st.fixed_dictionaries({"lead": st.integers(0, 10), "township": st.integers(0, 10),
                              "village": st.integers(1, 10)}))
def test_shexian_identities_and_order(year, raised, remittance, premium, prior, deficit, rows, outside, order, ratio):
    member_rows, inside = with_actuals(rows)
    data = {
        "scheme": "shexian-2025", "year": year,
        "fund": {"raised": str(raised), "risk_adjustment_remittance": str(remittance),
                 "critical_illness_premium": str(premium), "prior_year_expenditure": str(prior),
                 "prior_year_deficit_subsidy": str(deficit)},
        "members": member_rows, "actuals": {"in_consortium": inside, "out_of_consortium": str(outside)},
        "parameters": {"tier_ratio": ratio},
    }
    out = run_scenario(data).as_dict()
    p, c, lines = out["package"], out["clearing"], out["members"]
    T1 = D(p["target_one"])
    assert T1 == D(p["advance"]) + D(p["insurer_reserve"])
    assert total(out["prepayments"], "amount") == D(p["advance"]) - D(p["assessment_reserve"])  # S2
    assert total(lines, "budget") == T1  # S3, M4
    assert total(lines, "assessment_pool") == D(p["assessment_reserve"])
    assert total(lines, "assessment_release") + D(c["assessment_retained"]) == D(p["assessment_reserve"])  # S9
    assert total(lines, "surplus_share") == D(c["surplus"]) + D(c["finance_reward"])  # S7
    assert total(lines, "overspend_share") == D(c["consortium_overspend_share"])  # S8
    assert D(c["final_payment"]) == D(c["insurer_total"]) - D(c["out_of_consortium"]) - D(c["prepaid"])  # S6
    X = D(c["expenditure"])
    assert D(c["surplus"]) == max(D(0), D(c["insurer_total"]) - X)
    assert D(c["insurer_total"]) <= max(T1, D(p["target_two"]))
    two_decimals(out)

    # Member order: the same county listed in another order gives each member the same lines,
    # but for the tie-break, which may move single fen between members.
    keep = [i for i in order if i < len(rows)]
    shuffled = dict(data, members=[member_rows[i] for i in keep])
    rerun = run_scenario(shuffled).as_dict()
    again = {line["code"]: line for line in rerun["members"]}
    # What is not released depends on which member a tied fen of the pools went to.
    retained = D(rerun["clearing"].pop("assessment_retained"))
    assert rerun["clearing"] == {k: v for k, v in c.items() if k != "assessment_retained"}
    assert abs(retained - D(c["assessment_retained"])) <= D("0.01") * len(rows)
    for line in lines:
        for key, value in line.items():
            if key != "code":
                assert abs(D(value) - D(again[line["code"]][key])) <= D("0.01") * len(rows), (key, line["code"])


@st.composite
def jiangmen_members(draw):
    n = draw(st.integers(1, 8))
    return [
        {
            "code": f"J{i:02d}", "tier": draw(st.sampled_from(TIERS)),
            "history": [str(draw(amounts(0, 10**10))) for _ in range(3)],
            "coefficient": str(D(draw(st.integers(50, 150))) / 100),
            "compliant_two_years": draw(st.booleans()), "grade": draw(st.sampled_from("ABC")),
            "assessment_deduction": str(draw(amounts(0, 10**6))), "actual": str(draw(amounts(0, 10**10))),
        }
        for i in range(n)
    ]


@EXAMPLES
@given(amounts(10**9, 10**12), st.lists(amounts(0, 10**8), max_size=5), jiangmen_members(),
       st.integers(0, 15).map(lambda pct: D(pct) / 100))
def test_jiangmen_identities(budget, deductions, rows, reserve_rate):
    member_rows, inside = with_actuals(rows)
    out = run_scenario({
        "scheme": "jiangmen-2016", "year": 2017,
        "fund": {"budget": str(budget), "deductions": {f"item{i}": str(d) for i, d in enumerate(deductions)}},
        "members": member_rows, "actuals": {"in_consortium": inside, "out_of_consortium": "0"},
        "parameters": {"control_reserve_rate": str(reserve_rate)},
    }).as_dict()
    p, c, lines = out["package"], out["clearing"], out["members"]
    assert D(p["control_target"]) == D(p["budget"]) - D(p["deductions"]) - D(p["control_reserve"])  # J1
    assert total(lines, "allocation") == D(p["control_target"]) == D(c["allocated"])  # J2, M4
    for line in lines:
        allocation, actual, settled = D(line["allocation"]), D(line["actual"]), D(line["settled"])
        if actual <= allocation:
            assert settled == actual + D(line["surplus_retained"])
            assert actual <= settled <= allocation
        else:
            assert settled == allocation + D(line["fund_overspend_share"])
            assert D(line["fund_overspend_share"]) <= money((actual - allocation) * D("0.5"))
        assert D(line["deposit_forfeited"]) <= D(line["deposit"])
        assert D(line["final_payment"]) == (settled - D(line["deposit_forfeited"]) - D(line["assessment_deduction"])
                                            - actual - D(line["working_capital"]) - D(line["extra_working_capital"]))  # J6
    assert total(lines, "final_payment") == D(c["final_payment"])
    assert total(out["prepayments"], "amount") == total(lines, "working_capital") + total(lines, "extra_working_capital")
    two_decimals(out)


@EXAMPLES
@given(amounts(1, 10**13), amounts(1, 10**13), st.lists(amounts(0, 10**9), min_size=12, max_size=12),
       st.lists(st.integers(0, 10**6), min_size=12, max_size=12), amounts(0, 10**10), scores, rates)
def test_tianjin_identities(purchase, baseline_total, baselines, heads, spent, score, fund_rate):
    out = run_scenario({
        "scheme": "tianjin-2021", "year": 2022,
        "fund": {"purchase_total": str(purchase), "baseline_year_total": str(baseline_total)},
        "enrollment": {"monthly_baseline": [str(b) for b in baselines], "monthly_headcount": heads},
        "actuals": {"enrollee_expenditure": str(spent)}, "evaluation": {"score": str(score)},
        "parameters": {"overspend_fund_share_rate": str(fund_rate)},
    }).as_dict()
    p, c = out["package"], out["clearing"]
    assert total(out["prepayments"], "quota") == D(p["quota"])  # T2
    assert D(c["surplus"]) == D(c["surplus_retained"]) + D(c["fund_recovered"])  # T3
    assert D(c["overspend"]) == D(c["fund_overspend_share"]) + D(c["consortium_overspend_share"])
    assert D(c["final_payment"]) == D(c["surplus_retained"]) - D(c["consortium_overspend_share"])
    assert D(c["family_doctor_fee"]) == money(D(sum(heads)) * 40 / 12)  # T4
    two_decimals(out)


@EXAMPLES
@given(amounts(0, 10**12), st.lists(st.integers(0, 10**9).map(D), min_size=1, max_size=30))
def test_allocation_sums_to_the_total_and_stays_within_a_fen(amount, weights):
    parts = allocate(amount, weights)
    assert sum(parts, D("0.00")) == amount  # M4
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part >= 0 and part.as_tuple().exponent == -2
        if weight_sum:
            assert abs(part - amount * weight / weight_sum) < D("0.01")


@EXAMPLES
@given(amounts(0, 10**12), st.integers(1, 48))
def test_even_split_gives_the_leftover_fen_to_the_earliest(amount, n):
    parts = even_split(amount, n)
    assert sum(parts, D("0.00")) == amount  # M3
    assert parts == sorted(parts, reverse=True) and parts[0] - parts[-1] <= D("0.01")
