"""The edge cases docs/rules.md names, with the numbers worked out by hand."""

from decimal import Decimal as D

from payrules import run_scenario
from payrules.jiangmen import overspend_fund_share
from payrules.money import allocate, even_split


def guangdong(revenue="1000000.00", score="90", inside="500000.00", outside="100000.00", **parameters):
    return run_scenario({
        "scheme": "guangdong-2019", "year": 2025, "fund": {"revenue": revenue},
        "members": [{"code": "L", "tier": "lead", "prior_year_paid": "1", "score": "90"}],
        "actuals": {"in_consortium": {"L": inside}, "out_of_consortium": outside},
        "evaluation": {"score": score}, "parameters": parameters,
    }).as_dict()


def shexian(members, actuals, raised="1000000.00", prior="900000.00", deficit="50000.00", outside="0.00"):
    return run_scenario({
        "scheme": "shexian-2025", "year": 2025,
        "fund": {"raised": raised, "risk_adjustment_remittance": "0", "critical_illness_premium": "0",
                 "prior_year_expenditure": prior, "prior_year_deficit_subsidy": deficit},
        "members": members, "actuals": {"in_consortium": actuals, "out_of_consortium": outside},
    }).as_dict()


def member(code, tier, paid="100.00", score="100"):
    return {"code": code, "tier": tier, "prior_year_paid": paid, "score": score}


def test_zero_weights_fall_back_to_the_even_split():
    assert allocate(D("100.00"), [D(0), D(0), D(0)]) == [D("33.34"), D("33.33"), D("33.33")]
    out = shexian([member("A", "lead", "0"), member("B", "township", "0"), member("C", "village", "0")],
                  {"A": "0", "B": "0", "C": "0"})
    assert [m["budget"] for m in out["members"]] == ["333333.34", "333333.33", "333333.33"]


def test_ties_go_to_the_earlier_member():
    assert allocate(D("0.02"), [D(1), D(1), D(1)]) == [D("0.01"), D("0.01"), D("0.00")]
    assert even_split(D("0.05"), 12)[:6] == [D("0.01")] * 5 + [D("0.00")]


def test_a_tier_group_without_members_drops_out():
    # T1 = 1,000,000; X = 800,000 ≤ T1: surplus 200,000; Dprev 50,000 fully reduced: reward 25,000.
    out = shexian([member("A", "lead"), member("B", "township")], {"A": "500000.00", "B": "300000.00"})
    assert out["clearing"]["surplus"] == "200000.00"
    assert out["clearing"]["finance_reward"] == "25000.00"
    # 225,000 between the lead group and the township group 6:3, the village group absent.
    assert [m["surplus_share"] for m in out["members"]] == ["150000.00", "75000.00"]


def test_t2_below_t1():
    members = [member("A", "lead")]
    below_t1 = shexian(members, {"A": "950000.00"}, prior="900000.00")
    assert below_t1["clearing"]["target_one_met"] is True and below_t1["clearing"]["target_two_met"] is False
    assert below_t1["clearing"]["insurer_total"] == "1000000.00"
    assert below_t1["clearing"]["surplus"] == "50000.00"
    above = shexian(members, {"A": "1100000.00"}, prior="900000.00")
    assert above["clearing"]["insurer_total"] == "1000000.00"  # max(T1, T2) = T1
    assert above["clearing"]["consortium_overspend_share"] == "100000.00"
    assert above["clearing"]["deficit_reduction"] == "0.00"  # neither target met
    assert above["members"][0]["overspend_share"] == "100000.00"


def test_overspend_shared_by_actual_and_score():
    # S8: weights actual × (2 − score/100): 100,000 × 1.0 and 100,000 × 1.5 → 2:3.
    out = shexian([member("A", "lead", score="100"), member("B", "township", score="50")],
                  {"A": "600000.00", "B": "600000.00"}, prior="900000.00")
    assert out["clearing"]["consortium_overspend_share"] == "200000.00"
    assert [m["overspend_share"] for m in out["members"]] == ["80000.00", "120000.00"]


def test_scores_zero_and_hundred():
    assert guangdong(score="0")["clearing"]["risk_fund_released"] == "0.00"
    full = guangdong(score="100")
    assert full["clearing"]["risk_fund_released"] == full["package"]["risk_fund"] == "80000.00"
    assert full["clearing"]["entitlement"] == "980000.00"


def test_overspend_beyond_the_adjustment_fund():
    # P = 900,000, K released at 90 = 72,000: W = 972,000; E = 1,300,000: overspend 328,000.
    out = guangdong(inside="1200000.00", outside="100000.00")
    c = out["clearing"]
    assert c["overspend"] == "328000.00"
    assert c["fund_overspend_share"] == "20000.00"  # half would be 164,000; A is 20,000
    assert c["consortium_overspend_share"] == "308000.00"
    # G6: 972,000 + 20,000 − 100,000 − 720,000 prepaid
    assert c["final_payment"] == "172000.00"


def test_overspend_bands():
    bands = [{"up_to": "0.1", "fund_share": "0.5"}, {"up_to": None, "fund_share": "0"}]
    allocation = D("1000000.00")
    assert overspend_fund_share(D("50000.00"), allocation, bands) == D("25000.00")
    assert overspend_fund_share(D("150000.00"), allocation, bands) == D("50000.00")
    three = [{"up_to": "0.05", "fund_share": "0.8"}, {"up_to": "0.1", "fund_share": "0.5"},
             {"up_to": None, "fund_share": "0.1"}]
    # 50,000 × 0.8 + 50,000 × 0.5 + 100,000 × 0.1
    assert overspend_fund_share(D("200000.00"), allocation, three) == D("75000.00")


def test_tianjin_score_zero_gives_the_surplus_back_to_the_fund():
    out = run_scenario({
        "scheme": "tianjin-2021", "year": 2022,
        "fund": {"purchase_total": "110.00", "baseline_year_total": "100.00"},
        "enrollment": {"monthly_baseline": ["1200.00"] * 12, "monthly_headcount": [3] * 12},
        "actuals": {"enrollee_expenditure": "1000.00"}, "evaluation": {"score": "0"},
    }).as_dict()
    assert out["package"] == {"growth_factor": "1.100000", "quota": "1320.00"}
    assert out["clearing"]["surplus_retained"] == "0.00"
    assert out["clearing"]["fund_recovered"] == "320.00"
    assert out["clearing"]["family_doctor_fee"] == "120.00"


def test_the_trace_explains_every_named_amount():
    out = guangdong()
    names = {step["name"] for step in out["trace"]}
    assert {"adjustment_fund", "risk_fund", "package", "expenditure", "entitlement", "final_payment"} <= names
    package = next(step for step in out["trace"] if step["name"] == "package")
    assert package == {"name": "package", "member": "", "rule": "G1", "formula": "P = R − A − K",
                       "inputs": {"R": "1000000.00", "A": "20000.00", "K": "80000.00"}, "value": "900000.00"}


def test_the_clearing_can_run_on_what_was_really_paid():
    scheduled = guangdong()
    assert scheduled["clearing"]["prepaid"] == "720000.00"
    two_months_short = run_scenario({
        "scheme": "guangdong-2019", "year": 2025, "fund": {"revenue": "1000000.00"},
        "members": [{"code": "L", "tier": "lead", "prior_year_paid": "1", "score": "90"}],
        "actuals": {"in_consortium": {"L": "500000.00"}, "out_of_consortium": "100000.00", "prepaid": "600000.00"},
        "evaluation": {"score": "90"},
    }).as_dict()
    assert two_months_short["clearing"]["prepaid"] == "600000.00"
    # G6: the 120,000 not prepaid comes with the final payment
    assert (D(two_months_short["clearing"]["final_payment"]) - D(scheduled["clearing"]["final_payment"])
            == D("120000.00"))


def test_the_package_is_never_a_fen_below_zero_when_the_two_rates_add_up_to_one():
    out = guangdong(revenue="4.50", inside="0", outside="0", adjustment_fund_rate="0.31", risk_fund_rate="0.69")
    assert (out["package"]["adjustment_fund"], out["package"]["risk_fund"], out["package"]["package"]) == (
        "1.40", "3.10", "0.00")
