"""Every step of a calculation reads as a clerk would write it: the formula in Chinese words, the
numbers put in by their Chinese names, amounts in yuan, rates in per cent, never a programmer's
name or True/False (issue 16)."""

import re

import pytest
from django.utils import translation

from budgets.explain import explain, steps_shown
from payrules import loads, run_scenario
from tests.budgets.scenarios import SCENARIOS

PROGRAMMER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b(?:True|False|None)\b|\b[a-z]{4,}\b")


@pytest.mark.parametrize("path", sorted(p for p in SCENARIOS.glob("*.json") if not p.name.endswith(".expected.json")),
                         ids=lambda p: p.stem)
def test_every_step_of_every_golden_scenario_reads_in_chinese(path):
    result = run_scenario(loads(path.read_text(encoding="utf-8"))).as_dict()
    with translation.override("zh-hans"):
        shown = steps_shown(result["trace"], result["scheme"])
    words = {m for step in shown for text in (step["label"], step["explanation"]) for m in PROGRAMMER.findall(text)}
    assert words == set()
    assert all(re.search(r"= -?¥[\d,]+\.\d\d|= [是否]|= [\d.]+(%|（)|= [\d,.]+$", step["explanation"])
               or "=" not in step["explanation"] for step in shown), [s["explanation"] for s in shown][:5]


def test_a_step_names_its_inputs_and_shows_rates_as_per_cent():
    step = {"name": "advance", "rule": "S2", "formula": "T1 × advance_rate", "value": "404586000.00",
            "inputs": {"T1": "425880000.00", "advance_rate": "0.95"}, "member": ""}
    with translation.override("zh-hans"):
        assert explain(step, "shexian-2025") == (
            "目标一 T1 × 预付比例 = ¥404,586,000.00（其中 T1 = ¥425,880,000.00，预付比例 = 95.00%）")
    flag = {"name": "target_one_met", "rule": "S4", "formula": "X ≤ T1", "value": True,
            "inputs": {"X": "1.00", "T1": "2.00"}, "member": ""}
    with translation.override("zh-hans"):
        assert explain(flag, "shexian-2025") == "实际支出 X ≤ 目标一 T1 = 是（其中 X = ¥1.00，T1 = ¥2.00）"


def test_a_score_is_a_number_not_an_amount():
    step = {"name": "risk_fund_released", "rule": "G4", "formula": "K × s / 100", "value": "28449344.00",
            "inputs": {"K": "30923200.00", "s": "92.00"}, "member": ""}
    with translation.override("zh-hans"):
        assert explain(step, "guangdong-2019") == (
            "风险金 K × 考核得分 s ÷ 100 = ¥28,449,344.00（其中 K = ¥30,923,200.00，s = 92.00）")
