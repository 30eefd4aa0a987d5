"""The rules clarified in docs/rules.md (J4, J7, J8, S5 and T4), with the amounts a clerk would read,
worked out by hand. Each of these failed before the clarification was built."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payrules import run_scenario
from payrules.jiangmen import overspend_fund_share
from payrules.money import money
from payrules.tianjin import family_doctor_fees

BANDS = [{"up_to": "0.10", "fund_share": "0.5"}, {"up_to": None, "fund_share": "0"}]


def jiangmen(allocation="1000.07", actual="1200.00", refused=None, bands=None, grade="A", **member):
    """One member whose allocation is the whole control target (no deductions, no reserve)."""
    scenario = {
        "scheme": "jiangmen-2016", "year": 2025,
        "fund": {"budget": allocation, "deductions": {}},
        "members": [{"code": "H", "tier": "lead", "history": ["0", "0", "100"], "coefficient": "1",
                     "compliant_two_years": False, "grade": grade, **member}],
        "actuals": {"in_consortium": {"H": actual}, "out_of_consortium": "0",
                    "working_capital_paid": {"H": "0.00"}},
        "parameters": {"control_reserve_rate": "0", "overspend_bands": bands or BANDS},
    }
    if refused is not None:
        scenario["actuals"]["refused"] = {"H": refused}
    return run_scenario(scenario).as_dict()


# --- J4: a band's limit is an amount, rounded to the fen first ------------------------------------

def test_a_band_limit_is_rounded_to_the_fen_before_the_band_part_is_taken():
    # limit = money(1000.07 × 0.10) = 100.01 (not 100.007); part 100.01 × 0.5 = 50.005 → 50.01
    assert overspend_fund_share(D("199.93"), D("1000.07"), BANDS) == D("50.01")
    out = jiangmen()
    line = out["members"][0]
    assert line["fund_overspend_share"] == "50.01"
    assert line["settled"] == "1050.08"  # allocation + fund share
    # J5 deposit 5% of settled = 52.50 (52.504), grade A forfeits nothing; J6 final = settled − actual
    assert line["final_payment"] == "-149.92"


@settings(max_examples=300, deadline=None)
@given(
    allocation_fen=st.integers(min_value=1, max_value=10**11),
    overspend_fen=st.integers(min_value=1, max_value=10**11),
    up_to=st.decimals(min_value=D("0.001"), max_value=D("0.999"), places=3),
    share=st.decimals(min_value=D("0"), max_value=D("1"), places=2),
)
def test_band_parts_are_taken_between_limits_in_fen(allocation_fen, overspend_fen, up_to, share):
    """Hypothesis, at odd fen: the first band's part never exceeds its limit rounded to the fen,
    and what the fund bears equals the parts as a clerk would work them out with the rounded limit."""
    allocation, overspend = D(allocation_fen) / 100, D(overspend_fen) / 100
    bands = [{"up_to": str(up_to), "fund_share": str(share)}, {"up_to": None, "fund_share": "0"}]
    limit = money(allocation * up_to)
    assert overspend_fund_share(overspend, allocation, bands) == money(min(overspend, limit) * share)


# --- J7: a refusal is money the fund paid but did not owe ------------------------------------------

def test_a_refusal_lowers_the_final_payment_by_exactly_the_refusal():
    before = jiangmen(allocation="10000000.00", actual="9000000.00")["members"][0]
    after = jiangmen(allocation="10000000.00", actual="9000000.00", refused="2000000.00")["members"][0]
    assert after["actual"] == before["actual"] == "9000000.00"  # J4-J6 on the actual as paid
    assert after["settled"] == before["settled"] == "9500000.00"
    assert before["final_payment"] == "500000.00"  # 9,500,000 − 0 forfeited − 9,000,000
    assert after["final_payment"] == "-1500000.00"  # exactly 2,000,000.00 less, never more
    assert after["refused"] == "2000000.00"


@settings(max_examples=200, deadline=None)
@given(
    violation_fen=st.integers(min_value=1, max_value=10**9),
    ratio=st.decimals(min_value=D("0.001"), max_value=D("1"), places=3),
)
def test_every_sample_ratio_lowers_the_final_payment_by_the_scaled_refusal(violation_fen, ratio):
    from payrules.rules import spot_check_refusal

    if ratio == 0:
        return
    refused = spot_check_refusal(D(violation_fen) / 100, ratio)
    before = jiangmen(allocation="50000000.00", actual="48000000.00")["members"][0]
    after = jiangmen(allocation="50000000.00", actual="48000000.00", refused=str(refused))["members"][0]
    assert D(before["final_payment"]) - D(after["final_payment"]) == refused


def test_a_refusal_lowers_every_scheme_s_final_payment():
    from tests.budgets.test_edges import guangdong

    plain = guangdong()
    scenario = {
        "scheme": "guangdong-2019", "year": 2025, "fund": {"revenue": "1000000.00"},
        "members": [{"code": "L", "tier": "lead", "prior_year_paid": "1", "score": "90"}],
        "actuals": {"in_consortium": {"L": "500000.00"}, "out_of_consortium": "100000.00",
                    "refused": {"L": "30000.00"}},
        "evaluation": {"score": "90"},
    }
    refused = run_scenario(scenario).as_dict()
    assert refused["clearing"]["expenditure"] == plain["clearing"]["expenditure"]
    assert D(plain["clearing"]["final_payment"]) - D(refused["clearing"]["final_payment"]) == D("30000.00")


def test_a_refusal_for_a_code_that_is_no_member_is_refused():
    with pytest.raises(Exception) as error:
        run_scenario({
            "scheme": "guangdong-2019", "year": 2025, "fund": {"revenue": "1000000.00"},
            "members": [{"code": "L", "tier": "lead", "prior_year_paid": "1", "score": "90"}],
            "actuals": {"in_consortium": {"L": "1.00"}, "out_of_consortium": "0", "refused": {"X": "1.00"}},
            "evaluation": {"score": "90"},
        })
    assert "actuals.refused.X" in str(error.value)


# --- S5: the finance reward follows any cut in the deficit ----------------------------------------

def _shexian(inside, prior="900000.00", deficit="100000.00"):
    from tests.budgets.test_edges import member, shexian

    return shexian([member("A", "lead")], {"A": inside}, prior=prior, deficit=deficit)["clearing"]


def test_the_finance_reward_follows_a_cut_in_the_deficit_when_no_target_is_met():
    # T1 1,000,000, T2 900,000, X 1,040,000: neither target met; the deficit fell 100,000 → 60,000.
    c = _shexian("1040000.00")
    assert (c["target_one_met"], c["target_two_met"]) == (False, False)
    assert c["deficit_reduction"] == "60000.00"
    assert c["finance_reward"] == "30000.00"  # 50%
    assert c["training_fund"] == "0.00"  # only when target one or two is met


def test_the_training_fund_needs_target_one_or_two():
    c = _shexian("1040000.00", prior="1100000.00")  # target two met
    assert c["target_two_met"] is True
    assert (c["deficit_reduction"], c["finance_reward"], c["training_fund"]) == ("60000.00", "30000.00", "12000.00")


# --- T4: the family-doctor fee month by month --------------------------------------------------------

def test_the_family_doctor_fee_months_sum_exactly_to_the_annual_fee():
    heads = [1001, 1003, 998, 1000, 1007, 1001, 999, 1000, 1002, 1003, 1001, 1005]
    months = family_doctor_fees(heads, D("40"))
    annual = money(D(sum(heads)) * 40 / 12)
    assert months[:11] == [money(D(h) * 40 / 12) for h in heads[:11]]
    assert months[0] == D("3336.67")  # 1001 × 40 / 12 = 3336.666…
    assert sum(months) == annual == D("40066.67")
    assert months[11] == annual - sum(months[:11])  # the last month takes the difference


def test_the_family_doctor_fee_is_known_only_for_months_with_a_roster():
    months = family_doctor_fees([1001, None, 998] + [None] * 9, D("40"))
    assert months[:3] == [D("3336.67"), None, D("3326.67")]
    assert months[11] is None  # the last month waits for the whole year


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=200000), min_size=12, max_size=12),
       st.integers(min_value=0, max_value=20000).map(lambda fen: D(fen) / 100))
def test_the_family_doctor_fee_months_always_sum_to_the_annual_fee(heads, fee):
    assert sum(family_doctor_fees(heads, fee)) == money(D(sum(heads)) * fee / 12)


def test_the_tianjin_schedule_lists_each_month_s_fee():
    from tests.budgets.test_golden import load
    from payrules import loads

    inputs, _expected = load("tianjin-2021-capitation")
    out = run_scenario(loads(inputs)).as_dict()
    fees = [D(row["family_doctor_fee"]) for row in out["prepayments"]]
    assert sum(fees) == D(out["clearing"]["family_doctor_fee"])
