"""The golden scenarios of tests/scenarios, exactly, through the engine, the command and the API: the
four public ones of the policy documents, and one for each rule clarified since (J4, J7, S5, T4)."""

import json
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.budgets.scenarios import ROOT, SCENARIOS
from payrules import loads, run_scenario

CASES = sorted(p.name.removesuffix(".expected.json") for p in SCENARIOS.glob("*.expected.json"))


def test_the_golden_scenarios_are_there():
    assert CASES == [
        "guangdong-2019-surplus", "jiangmen-2016-band-limit-at-odd-fen", "jiangmen-2016-spot-check-refusal",
        "jiangmen-2016-total-control", "shexian-2025-deficit-cut-no-target-met", "shexian-2025-target-two",
        "tianjin-2021-capitation", "tianjin-2021-fee-months",
    ]


def contains(expected, actual, path="$"):
    """Every key of `expected` is in `actual` with the same value; lists item by item, in order."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} is missing"
            contains(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            contains(e, a, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: expected {expected!r}, got {actual!r}"


def load(case):
    inputs = (SCENARIOS / f"{case}.json").read_text(encoding="utf-8")
    expected = json.loads((SCENARIOS / f"{case}.expected.json").read_text(encoding="utf-8"))
    return inputs, expected


@pytest.mark.parametrize("case", CASES)
def test_engine_reproduces_the_expected_output(case):
    inputs, expected = load(case)
    contains(expected, run_scenario(loads(inputs)).as_dict())


@pytest.mark.parametrize("case", CASES)
def test_the_simulate_command_reproduces_it(case, tmp_path):
    out = tmp_path / "out.json"
    done = subprocess.run(
        [sys.executable, "manage.py", "simulate", str(SCENARIOS / f"{case}.json"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    contains(load(case)[1], json.loads(out.read_text(encoding="utf-8")))


@pytest.mark.parametrize("case", CASES)
def test_the_api_reproduces_it(client, world, case):
    inputs, expected = load(case)
    client.force_login(world.reviewer_a)  # reads only, and may still run a study
    response = client.post(reverse("simulation"), inputs, content_type="application/json")
    assert response.status_code == 200, response.content
    contains(expected, response.json())


def test_amounts_have_two_decimals_and_flags_are_booleans():
    inputs, _expected = load("shexian-2025-target-two")
    out = run_scenario(loads(inputs)).as_dict()
    assert out["clearing"]["target_one_met"] is False
    for section in ("package", "clearing"):
        for key, value in out[section].items():
            if not isinstance(value, bool):
                assert isinstance(value, str) and value.split(".")[1].__len__() == 2, (key, value)
