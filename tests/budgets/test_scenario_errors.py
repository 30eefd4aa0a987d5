"""A malformed scenario is refused with one clear line naming the field, status 2, no traceback;
the API answers 400 with the same messages."""

import copy
import json
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.budgets.scenarios import ROOT, SCENARIOS
from payrules import InputError, loads, run_scenario



def scenario(name="guangdong-2019-surplus"):
    return json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))


def broken(change, name="guangdong-2019-surplus"):
    data = copy.deepcopy(scenario(name))
    change(data)
    return data


CASES = [
    ("missing field", broken(lambda d: d["fund"].pop("revenue")), "缺少年度基金收入（fund.revenue）。"),
    ("unknown scheme", broken(lambda d: d.update(scheme="beijing-2030")),
     "付费方式（scheme）：未知的付费方式 beijing-2030。"),
    ("negative revenue", broken(lambda d: d["fund"].update(revenue="-1.00")),
     "年度基金收入（fund.revenue）不能为负数。"),
    ("bad number", broken(lambda d: d["actuals"]["in_consortium"].update({"YX-T01": "12,3x"})),
     "医共体内结算费用（actuals.in_consortium.YX-T01）必须是数字，“12,3x”不是数字。"),
    ("three decimals", broken(lambda d: d["actuals"].update(out_of_consortium="1.005")),
     "医共体外结算费用（actuals.out_of_consortium）最多保留两位小数（到分）。"),
    ("score above 100", broken(lambda d: d["evaluation"].update(score="100.5")),
     "评分（evaluation.score）必须是 0 到 100 之间的分数。"),
    ("duplicate member", broken(lambda d: d["members"][1].update(code="YX-H01")),
     "成员单位编码（members[1].code）：成员单位编码 YX-H01 重复出现。"),
    ("unknown tier", broken(lambda d: d["members"][0].update(tier="clinic")),
     "类别（members[0].tier）必须是以下之一：lead, county, private, township, village。"),
    ("actual for no member", broken(lambda d: d["actuals"]["in_consortium"].update({"XX-1": "1.00"})),
     "医共体内结算费用（actuals.in_consortium.XX-1）不是本测算中的成员单位。"),
    ("ratio that does not add up",
     broken(lambda d: d.update(parameters={"history_weights": ["0.1", "0.2", "0.6"]}), "jiangmen-2016-total-control"),
     "前三年历史数据权重（parameters.history_weights）必须是三个非负数，按年份从早到晚排列，合计等于 1。"),
    ("tier ratio all zero",
     broken(lambda d: d.update(parameters={"tier_ratio": {"lead": 0, "township": 0, "village": 0}}),
            "shexian-2025-target-two"),
     "结余分配比例（牵头组:乡镇:村）（parameters.tier_ratio）不能全部为零。"),
]


@pytest.mark.parametrize("label, data, message", CASES, ids=[c[0] for c in CASES])
def test_engine_names_the_field(label, data, message):
    from consortia.problems import problem_list

    with pytest.raises(InputError) as caught:
        run_scenario(loads(json.dumps(data)))
    assert message in [row["message"] for row in problem_list(caught.value)]


@pytest.mark.parametrize("label, data, message", CASES[:6], ids=[c[0] for c in CASES[:6]])
def test_the_command_exits_2_with_one_line(label, data, message, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "manage.py", "simulate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == message
    assert "Traceback" not in done.stderr


def test_the_command_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"scheme": ', encoding="utf-8")
    done = subprocess.run([sys.executable, "manage.py", "simulate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("文件不是有效的 JSON")
    assert len(done.stderr.strip().splitlines()) == 1


def test_floats_in_the_file_are_read_exactly(tmp_path):
    data = scenario()
    text = json.dumps(data).replace('"386540000.00"', "386540000.10")
    out = run_scenario(loads(text)).as_dict()
    assert out["package"]["revenue"] == "386540000.10"


def test_the_api_answers_400_with_the_messages(client, world):
    client.force_login(world.staff_a1)
    data = CASES[2][1]
    response = client.post(reverse("simulation"), json.dumps(data), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "fund.revenue", "message": "年度基金收入（fund.revenue）不能为负数。"}]
    assert client.post(reverse("simulation"), "{", content_type="application/json").status_code == 400


def test_the_api_needs_a_signed_in_user(client):
    assert client.post(reverse("simulation"), "{}", content_type="application/json").status_code == 403


# --- hostile files: each gets one Chinese line naming the field, never a traceback ------------------

HOSTILE = [
    ("a list where the fund should be", broken(lambda d: d.update(fund=[1, 2])),
     "基金数据（fund）必须是对象（{...}），不能是列表、文本或数字。"),
    ("a text where the actuals should be", broken(lambda d: d.update(actuals="all of them")),
     "实际支出（actuals）必须是对象（{...}），不能是列表、文本或数字。"),
    ("a text where a member should be", broken(lambda d: d["members"].__setitem__(0, "YX-H01")),
     "成员单位（members[0]）必须是对象（{...}），不能是列表、文本或数字。"),
    ("a list of parameters", broken(lambda d: d.update(parameters=[1])),
     "参数（parameters）必须是对象（{...}），不能是列表、文本或数字。"),
    ("26 digits", broken(lambda d: d["fund"].update(revenue="1" * 26)),
     "年度基金收入（fund.revenue）必须小于 10,000,000,000,000。"),
    ("1e400 as text", broken(lambda d: d["fund"].update(revenue="1e400")),
     "年度基金收入（fund.revenue）必须小于 10,000,000,000,000。"),
    ("minus zero", broken(lambda d: d["actuals"].update(out_of_consortium="-0")),
     "医共体外结算费用（actuals.out_of_consortium）不能为负数。"),
    ("adjustment and risk above 1", broken(lambda d: d.update(parameters={"adjustment_fund_rate": "0.6",
                                                                           "risk_fund_rate": "0.5"})),
     "调剂金比例与风险金比例合计不能超过 1：打包额是基金收入扣除二者后的余额（G1）。"),
    ("deductions above the budget",
     broken(lambda d: d["fund"]["deductions"].update(out_of_area="2000000000.00"), "jiangmen-2016-total-control"),
     "各项扣除（2360000000.00）与调控金（135000000.00）超过基金预算（1350000000.00），控制指标将为负数（J1）。"),
]


@pytest.mark.parametrize("label, data, message", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_a_hostile_scenario_gets_one_line_and_status_2(label, data, message, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "manage.py", "simulate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(message) and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("label, text, message", [
    ("a raw 1e400", lambda t: t.replace('"386540000.00"', "1e400"), "年度基金收入（fund.revenue）必须小于 10,000,000,000,000。"),
    ("a raw 31-digit number", lambda t: t.replace('"386540000.00"', "1" + "0" * 30),
     "年度基金收入（fund.revenue）必须小于 10,000,000,000,000。"),
    ("deeply nested", lambda t: "[" * 100_000 + "]" * 100_000, "文件嵌套超过 32 层，不是测算文件。"),
    ("not UTF-8", lambda t: t.encode("gb18030").decode("latin-1"), None),
], ids=["1e400", "31 digits", "nested", "gb18030"])
def test_hostile_json_gets_one_line_and_status_2(label, text, message, tmp_path):
    source = (SCENARIOS / "guangdong-2019-surplus.json").read_text(encoding="utf-8")
    path = tmp_path / "bad.json"
    if label == "not UTF-8":
        path.write_bytes(json.dumps({"name": "阳西县"}, ensure_ascii=False).encode("gb18030"))
        message = "文件不是 UTF-8 文本，请另存为 UTF-8 后重新上传。"
    else:
        path.write_text(text(source), encoding="utf-8")
    done = subprocess.run([sys.executable, "manage.py", "simulate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr.strip()) == (2, "", message)


def test_the_api_answers_400_to_hostile_bodies(client, world):
    client.force_login(world.staff_a1)
    url = reverse("simulation")
    nested = client.post(url, "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert nested.status_code == 400 and "嵌套超过 32 层" in nested.json()["detail"]
    for label, data, message in HOSTILE:
        answer = client.post(url, json.dumps(data), content_type="application/json")
        assert answer.status_code == 400, label
        assert message in [e["message"] for e in answer.json()["errors"]], label


def test_the_api_refuses_a_body_above_the_limit_before_reading_it(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(world.staff_a1)
    body = json.dumps(dict(scenario(), name="阳西县" * 1000))  # about 10 KB
    for url in (reverse("simulation"), reverse("run-list")):
        answer = client.post(url, body, content_type="application/json")
        assert answer.status_code == 400, url
        assert "超过可接受的上限 1,000 字节" in answer.json()["detail"], url
