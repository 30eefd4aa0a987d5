"""The single-claim and single-event rules: G7, G8/D1-D3, S3, S10, S11, J7, J8, T5."""

import datetime
from decimal import Decimal as D

import chinese_calendar
import pytest

from payrules import InputError
from payrules.rules import (
    OutsideClaim,
    co_managed_transfer_check,
    cost_shift_ratio,
    dip_case_payment,
    dip_case_score,
    dip_point_value,
    fourth_quarter_outside_band,
    out_of_consortium_total,
    recoveries_and_penalties,
    referral_pair_deductibles,
    spot_check_refusal,
    workday_deadline,
)


def test_a_referral_pair_pays_one_deductible():
    assert referral_pair_deductibles(D("300"), D("800")) == (D("300.00"), D("500.00"))  # up: the difference
    assert referral_pair_deductibles(D("800"), D("300")) == (D("800.00"), D("0.00"))  # down: nothing more


def test_dip_pricing():
    value = dip_point_value(D("12000000.00"), D("1500000"))
    assert value == D("8.000000")
    assert dip_point_value(D("10000000.00"), D("3000000")) == D("3.333333")
    assert dip_case_payment(D("850"), D("0.92"), value) == D("6256.00")
    scores = {"K35.9": D("900"), "J18.9": D("650")}
    basic = {"J18.9": D("500")}
    assert dip_case_score("J18.9", scores, basic) == D("500")  # D3: one score at every level
    assert dip_case_score("K35.9", scores, basic) == D("900")
    with pytest.raises(InputError):
        dip_point_value(D("1.00"), D("0"))


def test_out_of_consortium_total_prices_by_dip_inside_the_city():
    claims = [
        OutsideClaim("in_county", settled=D("7000.00"), dip_score=D("850"), institution_coefficient=D("0.92")),
        OutsideClaim("in_city", settled=D("9000.00"), dip_score=D("1000")),
        OutsideClaim("out_of_city", settled=D("15432.10"), dip_score=D("1200")),
    ]
    # 6,256.00 + 8,000.00 by points; 15,432.10 as settled. Read once: the claims stream from the database.
    assert out_of_consortium_total(iter(claims), D("8")) == D("29688.10")


def test_disbursement_deadline_across_spring_festival_with_make_up_days():
    # Received Fri 2025-01-24. Working days: Sun 1-26 (make-up), Mon 1-27, then the holiday
    # 1-28..2-04, Wed 2-05, Thu 2-06, Fri 2-07, Sat 2-08 (make-up), Mon 2-10, 2-11, 2-12, 2-13.
    deadline = workday_deadline(datetime.date(2025, 1, 24), 10, chinese_calendar.is_workday)
    assert deadline == datetime.date(2025, 2, 13)


def test_disbursement_deadline_across_national_day():
    # Received Mon 2025-09-29: Tue 9-30, holiday 10-01..10-08, Thu 10-09, Fri 10-10, Sat 10-11 (make-up),
    # Mon 10-13 .. Thu 10-16.
    assert workday_deadline(datetime.date(2025, 9, 29), 8, chinese_calendar.is_workday) == datetime.date(2025, 10, 16)


def test_recoveries_are_not_netted_against_penalties():
    assert recoveries_and_penalties(D("120000.00"), D("50000.00")) == {
        "credited_to_consortium": D("120000.00"), "penalty_charged": D("50000.00")}


def test_co_managed_account_moves_only_allowed_money():
    co_managed_transfer_check(direction="in", counterparty="bureau", approvals=set())
    co_managed_transfer_check(direction="out", counterparty="member", approvals={"finance_officer", "bureau_auditor"})
    with pytest.raises(InputError):
        co_managed_transfer_check(direction="in", counterparty="member", approvals=set())
    with pytest.raises(InputError):
        co_managed_transfer_check(direction="out", counterparty="supplier",
                                  approvals={"finance_officer", "bureau_auditor"})
    with pytest.raises(InputError):
        co_managed_transfer_check(direction="out", counterparty="member", approvals={"finance_officer"})


def test_spot_check_refusals_are_scaled_by_the_sample():
    assert spot_check_refusal(D("12345.67"), D("0.05")) == D("246913.40")
    assert spot_check_refusal(D("100.00"), D("0.3")) == D("333.33")
    with pytest.raises(InputError):
        spot_check_refusal(D("1.00"), D("0"))


def test_fourth_quarter_volume_band():
    assert not fourth_quarter_outside_band(D(1000), D(1100), D(900), D(1150))  # mean 1000, +15% exactly
    assert fourth_quarter_outside_band(D(1000), D(1100), D(900), D(1151))
    assert fourth_quarter_outside_band(D(1000), D(1100), D(900), D(849))


def test_cost_shift_ratio():
    assert cost_shift_ratio(D("1000000.00"), D("1200000.00"), D("1.094472")) == D("1.0964")
    assert cost_shift_ratio(D("0"), D("5.00"), D("1.1")) is None
