"""The feasibility study page: upload or fill in, compare schemes side by side, read the trace,
download the result as JSON and Excel."""

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.budgets.scenarios import SCENARIOS
from tests.budgets.test_golden import contains



def upload(client, case):
    content = (SCENARIOS / f"{case}.json").read_bytes()
    return client.post(reverse("feasibility"), {"file": SimpleUploadedFile(f"{case}.json", content)})


def management(prefix="members", total=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.staff_a1)
    return client


def test_the_page_opens_and_starts_from_a_consortiums_members(signed_in, world):
    page = signed_in.get(reverse("feasibility"))
    assert page.status_code == 200
    assert "可行性测算" in page.content.decode()
    prefilled = signed_in.get(reverse("feasibility"), {"consortium": world.consortium_a1x.pk})
    codes = [f.initial["code"] for f in prefilled.context["members"].forms if f.initial]
    assert codes == sorted(m.code for m in world.consortium_a1x.members.all())
    foreign = signed_in.get(reverse("feasibility"), {"consortium": world.consortium_b1.pk})
    assert not any(f.initial for f in foreign.context["members"].forms)


def test_an_uploaded_scenario_runs_with_its_trace(signed_in):
    page = upload(signed_in, "guangdong-2019-surplus")
    body = page.content.decode()
    assert page.status_code == 200
    assert "¥347,886,000.00" in body  # the package
    assert "-¥584,272.10" in body  # the final payment: the consortium pays back
    assert "G1</span> <strong>打包总额</strong> — 打包总额 P = 年度基金收入 R − 调剂金 A − 风险金 K = ¥347,886,000.00" in body
    form = page.context["form"]
    assert str(form.initial["revenue"]) == "386540000.00"
    assert [f.initial["code"] for f in page.context["members"].forms if f.initial] == ["YX-H01", "YX-T01", "YX-V01"]


def test_a_bad_upload_says_why(signed_in):
    page = signed_in.post(reverse("feasibility"), {"file": SimpleUploadedFile("x.json", b"{oops")})
    assert page.status_code == 200
    assert "文件不是有效的 JSON" in page.content.decode()


def filled(schemes, **extra):
    data = {
        "name": "甲县测算", "year": "2025", "schemes": schemes, "score": "92.5",
        "revenue": "386540000.00", "raised": "468000000.00", "risk_adjustment_remittance": "9360000.00",
        "critical_illness_premium": "32760000.00", "prior_year_expenditure": "452000000.00",
        "prior_year_deficit_subsidy": "26120000.00", "out_of_consortium": "98765432.10",
        **management(total=3),
    }
    rows = [("YX-H01", "lead", "152300000.00", "93", "201345678.90"),
            ("YX-T01", "township", "18650000.00", "88", "27123456.78"),
            ("YX-V01", "village", "412000.00", "81", "901234.56")]
    for i, (code, tier, paid, score, actual) in enumerate(rows):
        data.update({f"members-{i}-code": code, f"members-{i}-tier": tier, f"members-{i}-prior_year_paid": paid,
                     f"members-{i}-score": score, f"members-{i}-actual": actual})
    data.update(extra)
    return data


def test_schemes_side_by_side_on_the_same_inputs(signed_in):
    page = signed_in.post(reverse("feasibility"), filled(["guangdong-2019", "shexian-2025", "jiangmen-2016"]))
    assert page.status_code == 200
    results = page.context["results"]
    assert [r["scheme"] for r in results] == ["guangdong-2019", "shexian-2025", "jiangmen-2016"]
    guangdong = dict(results[0]["clearing"])
    assert str(guangdong["清算应拨付"]) == "-584272.10"  # same as the golden file: same inputs
    shexian = dict(results[1]["package"])
    assert str(shexian["目标一"]) == "425880000.00"
    assert "缺少基金预算（fund.budget）。" in [e["message"] for e in results[2]["errors"]]
    body = page.content.decode()
    assert "该付费方式无法按现有数据测算" in body
    table = page.context["comparison"]  # the two that computed, in one table, against the first
    assert len(table["schemes"]) == 2 and [r["label"] for r in table["rows"]] == ["打包额度", "全年预拨合计", "年终清算应拨付"]
    final = table["rows"][2]["cells"]
    assert str(final[0]["value"]) == "-584272.10" and final[0]["difference"] is None
    assert final[1]["difference"] == final[1]["value"] - final[0]["value"]
    assert 'id="comparison"' in body


def test_a_bad_figure_stays_on_the_form(signed_in):
    page = signed_in.post(reverse("feasibility"), filled(["guangdong-2019"], revenue="-5"))
    assert page.status_code == 200
    assert page.context["form"].errors["revenue"]
    assert not page.context["results"]


def download(client, fmt, page):
    return client.post(reverse("feasibility-download", args=[fmt]),
                       {"scenario": page.context["scenario_json"], "schemes": page.context["schemes"]})


def test_downloads_json_excel_and_the_inputs(signed_in):
    page = upload(signed_in, "shexian-2025-target-two")
    expected = json.loads((SCENARIOS / "shexian-2025-target-two.expected.json").read_text(encoding="utf-8"))

    as_json = download(signed_in, "json", page)
    assert as_json["Content-Disposition"] == 'attachment; filename="feasibility-2025.json"'
    contains(expected, json.loads(as_json.content))

    as_excel = download(signed_in, "xlsx", page)
    assert as_excel["Content-Disposition"] == 'attachment; filename="feasibility-2025.xlsx"'
    book = load_workbook(io.BytesIO(as_excel.content))
    assert book.sheetnames == ["歙县 2025 医共体打包付费（双目标）"]  # the scheme in Chinese, not its key
    sheet = book["歙县 2025 医共体打包付费（双目标）"]
    cells = {sheet.cell(r, 1).value: sheet.cell(r, 2) for r in range(1, sheet.max_row + 1)}
    assert cells["目标一"].value == 425880000 and cells["目标一"].number_format == "#,##0.00"
    assert cells["清算应拨付"].value == -11398000
    assert sheet.cell(1, 1).value.startswith("可行性测算")
    texts = [sheet.cell(r, 4).value for r in range(1, sheet.max_row + 1)]
    assert any(isinstance(t, str) and t.startswith("实际支出 X = 医共体内结算费用 I + 医共体外结算费用 O = ¥439,000,000.00") for t in texts)

    inputs = download(signed_in, "scenario", page)
    again = signed_in.post(reverse("feasibility"), {"file": SimpleUploadedFile("again.json", inputs.content)})
    assert [dict(r["clearing"]) for r in again.context["results"]] == [dict(r["clearing"]) for r in page.context["results"]]


def test_excel_writes_formula_like_text_as_text(signed_in):
    data = json.loads((SCENARIOS / "guangdong-2019-surplus.json").read_text(encoding="utf-8"))
    data["name"] = "=HYPERLINK(\"http://evil\")"
    response = signed_in.post(reverse("feasibility-download", args=["xlsx"]),
                              {"scenario": json.dumps(data), "schemes": ["guangdong-2019"]})
    sheet = load_workbook(io.BytesIO(response.content))["广东 2019 医共体打包付费（阳西模式）"]
    assert sheet.cell(2, 1).data_type == "s"
    assert sheet.cell(2, 1).value == data["name"]


@pytest.mark.parametrize("case", ["guangdong-2019-surplus", "jiangmen-2016-total-control",
                                  "shexian-2025-target-two", "tianjin-2021-capitation"])
def test_the_page_gives_the_golden_numbers(signed_in, case):
    page = upload(signed_in, case)
    expected = json.loads((SCENARIOS / f"{case}.expected.json").read_text(encoding="utf-8"))
    contains(expected, json.loads(download(signed_in, "json", page).content))


def test_a_fresh_page_runs_with_its_spare_member_rows_left_empty(signed_in):
    """The clerk fills two members on a fresh page; the spare rows stay as they came: a spare row's
    tier starts blank, so the browser posts nothing for it (a first choice of 牵头医院 made every
    spare row a member wanting a code)."""
    fresh = signed_in.get(reverse("feasibility")).content.decode()
    select = fresh[fresh.index('name="members-1-tier"'):]
    assert select[select.index("<option"):].startswith('<option value="" selected>—</option>')
    data = filled(["guangdong-2019"])
    data.update({"members-TOTAL_FORMS": "5", "members-INITIAL_FORMS": "0"})
    for i in (3, 4):  # untouched: the select posts its blank first choice
        data.update({f"members-{i}-code": "", f"members-{i}-tier": "", f"members-{i}-prior_year_paid": ""})
    page = signed_in.post(reverse("feasibility"), data)
    assert page.context["members"].is_valid() and page.context["results"][0]["errors"] == []


def test_the_comparison_is_drawn_and_filed_as_the_workbooks_first_sheet(signed_in):
    page = signed_in.post(reverse("feasibility"), filled(["guangdong-2019", "shexian-2025"]))
    table = page.context["comparison"]
    chart = str(page.context["comparison_chart"])
    assert "<title id=\"comparison-chart-t\">各付费方式关键金额对比</title>" in chart
    for scheme in table["schemes"]:  # the legend names each scheme; the description every amount
        assert scheme in chart
    final = table["rows"][2]["cells"]
    assert f"{final[0]['value']:,}" in chart and f"{final[1]['value']:,}" in chart
    assert chart.count("<rect") == 2 * 3 + 2  # a bar per scheme and amount, a legend swatch per scheme

    book = load_workbook(io.BytesIO(download(signed_in, "xlsx", page).content))
    assert book.sheetnames[0] == "方案对比" and len(book.sheetnames) == 3
    sheet = book["方案对比"]
    rows = {sheet.cell(r, 1).value: [Decimal(str(sheet.cell(r, c).value)) for c in (2, 3)] for r in range(5, 8)}
    assert [sheet.cell(4, c).value for c in (2, 3)] == table["schemes"]
    for row in table["rows"]:
        assert rows[row["label"]] == [c["value"] for c in row["cells"]]
    differences = {sheet.cell(r, 1).value: Decimal(str(sheet.cell(r, 3).value)) for r in range(10, 13)}
    assert differences["年终清算应拨付"] == final[1]["value"] - final[0]["value"]
    assert len(sheet._charts) == 1 and sheet.cell(9, 1).value == "与第一种方式的差额"
