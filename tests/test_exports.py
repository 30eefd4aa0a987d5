"""Exports: one registry of classes, one base that writes CSV (UTF-8 with BOM, formulas
neutralised, large ones streamed) and XLSX (numbers as numbers, amounts formatted as money), and
every registered export makes a file a bureau user can open from the demo's data."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils.functional import Promise
from openpyxl import load_workbook

from consortia.exports import CSV_BATCH, EXPORTS, Export, WorkbookExport, attachment, csv_cell, register

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


class Sample(Export):
    """Not registered: the cells a spreadsheet would get wrong."""

    identifier = "sample"
    title = "样例"
    columns = ("名称", "金额", "数量", "日期", "已付")

    def __init__(self, rows):
        self._rows = rows

    def rows(self):
        return iter(self._rows)


HOSTILE = [
    ["=HYPERLINK(\"http://x\",\"点我\")", Decimal("1234.50"), 3, datetime.date(2025, 3, 31), True],
    ["+1", Decimal("-11398000.00"), -2, None, False],
    ["@SUM(A1)", Decimal("0.7500"), 0, datetime.date(2025, 1, 1), None],
    ["-1+1", None, None, None, None],
    ["\t=1", Decimal("0"), 1, None, None],
    ["普通\x07文字", Decimal("5"), 1, None, None],
]


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads Chinese only with the BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the registry -------------------------------------------------------------------------------

def test_every_export_is_registered_once_under_its_identifier_with_a_translatable_title():
    assert set(EXPORTS) >= {"claims", "claims-template", "payment-orders", "job-errors", "feasibility",
                            "clearing-statement", "annex2", "province-summary", "budget-members"}
    for identifier, export in EXPORTS.items():
        assert export.identifier == identifier
        assert isinstance(export.title, Promise) and str(export.title), identifier  # translated when shown
        assert set(export.formats) <= {"csv", "xlsx"} and export.formats


def test_an_identifier_is_not_taken_twice():
    class Again(Export):
        identifier = "payment-orders"

    class Nameless(Export):
        pass

    with pytest.raises(ImproperlyConfigured, match="payment-orders"):
        register(Again)
    with pytest.raises(ImproperlyConfigured):
        register(Nameless)
    assert EXPORTS["payment-orders"].__module__ == "budgets.exporters"
    assert register(EXPORTS["annex2"]) is EXPORTS["annex2"]  # imported again: the same class, fine


# --- the base -----------------------------------------------------------------------------------

def test_csv_cell_quotes_what_a_spreadsheet_would_run_and_nothing_else():
    assert [csv_cell(v) for v in ("=1+2", "+86", "-5", "@A1", "\tx", "\rx")] == [
        "'=1+2", "'+86", "'-5", "'@A1", "'\tx", "'\rx"]
    assert [csv_cell(v) for v in ("歙县", "a=b", "", Decimal("-5.00"), -3, None)] == [
        "歙县", "a=b", "", Decimal("-5.00"), -3, None]


def test_the_csv_has_a_bom_a_header_and_neutralised_text():
    rows = _csv_rows(Sample(HOSTILE).csv())
    assert rows[0] == ["名称", "金额", "数量", "日期", "已付"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\",\"点我\")", "1234.50", "3", "2025-03-31", "是"]
    assert rows[2] == ["'+1", "-11398000.00", "-2", "", "否"]  # a negative amount stays a number
    assert [r[0] for r in rows[3:]] == ["'@SUM(A1)", "'-1+1", "'\t=1", "普通\x07文字"]
    assert rows[4][1:] == ["", "", "", ""]


def test_a_streaming_csv_is_sent_in_pieces_as_it_is_written():
    many = [[f"C{n}", Decimal("1.00"), n, None, None] for n in range(2 * CSV_BATCH + 5)]

    class Streamed(Sample):
        streaming = True

    response = Streamed(iter(many)).response("csv")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    chunks = list(response.streaming_content)
    assert len(chunks) == 3 and chunks[0].startswith(b"\xef\xbb\xbf")
    assert len(_csv_rows(b"".join(chunks))) == len(many) + 1


def test_the_xlsx_keeps_numbers_numbers_and_text_text():
    book = load_workbook(io.BytesIO(Sample(HOSTILE).xlsx()))
    sheet = book["样例"]
    assert [c.value for c in sheet[1]] == ["名称", "金额", "数量", "日期", "已付"] and sheet[1][0].font.bold
    formula, amount, count, day, paid = sheet[2]
    assert (formula.value, formula.data_type) == ("=HYPERLINK(\"http://x\",\"点我\")", "s")  # text, never run
    assert formula.quotePrefix
    assert (amount.value, amount.data_type, amount.number_format) == (1234.5, "n", "#,##0.00")
    assert (count.value, count.data_type) == (3, "n")
    assert (day.value, day.number_format) == (datetime.datetime(2025, 3, 31), "yyyy-mm-dd")
    assert paid.value == "是"
    assert (sheet["B3"].value, sheet["B3"].number_format) == (-11398000, "#,##0.00")
    assert sheet["B4"].number_format != "#,##0.00"  # a share of four decimals is not money
    assert [sheet.cell(r, 1).data_type for r in range(2, 7)] == ["s"] * 5
    assert sheet["A7"].value == "普通文字"  # a control character XML cannot hold is dropped
    assert sheet["B5"].value is None and sheet.freeze_panes == "A2"


def test_workbook_only_exports_are_not_offered_as_csv():
    from evaluation.exporters import Annex2Workbook

    with pytest.raises(ValueError):
        Annex2Workbook(None).response("csv")


@pytest.mark.parametrize(("name", "header"), [
    ("claims.csv", 'attachment; filename="claims.csv"'),
    ("annex2-歙县-2025.xlsx",
     "attachment; filename=\"annex2-_-2025.xlsx\"; filename*=UTF-8''annex2-%E6%AD%99%E5%8E%BF-2025.xlsx"),
    ('a"b\r\nSet-Cookie: x=1.csv', 'attachment; filename="a_b_Set-Cookie_ x=1.csv"'),
    ("../../etc/passwd", 'attachment; filename="passwd"'),
    ("..", 'attachment; filename="export"'),
])
def test_the_download_name_is_safe(name, header):
    assert attachment(name) == header


# --- every export, on the demo ------------------------------------------------------------------

@pytest.fixture
def demo(db):
    from budgets.services.clearing import clearing_compute
    from consortia.models import ServiceAgreement, User

    call_command("load_demo", claims=300, stdout=io.StringIO())
    users = {name: User.objects.get(username=name) for name in ("sx_staff", "sx_finance", "yx_staff")}
    yx = ServiceAgreement.objects.get(consortium__code="YX-YGT-01", year=2025)
    clearing_compute(agreement=yx, user=users["yx_staff"])  # 阳西县 entered its actuals by hand
    return users


def _build(identifier: str, users: dict):
    """Each registered export as its page builds it, for a bureau user of the demo."""
    from budgets.models import Clearing
    from budgets.simulations import scenario_parse, simulation_run
    from consortia.models import Job
    from evaluation.exporters import consortia_for_summary
    from evaluation.models import Evaluation

    staff = users["sx_staff"]
    export = EXPORTS[identifier]
    if identifier in ("claims", "payment-orders"):
        return export(user=staff)
    if identifier == "claims-template":
        return export()
    if identifier == "job-errors":
        job = Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT).latest("pk")
        job.errors = [{"row": 2, "column": "人员编号", "message": "=cmd|' /C calc'!A0"}]
        return export(job=job)
    if identifier == "feasibility":
        scenario = scenario_parse((SCENARIOS / "shexian-2025-target-two.json").read_text())
        return export(simulation_run(data=scenario), name="歙县 2025")
    if identifier == "clearing-statement":
        return export(Clearing.objects.get(agreement__consortium__code="YX-YGT-01", agreement__year=2025))
    if identifier == "annex2":
        return export(Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025))
    if identifier == "province-summary":
        return export(consortia=consortia_for_summary(staff), year=2025)
    if identifier == "budget-members":
        from budgets.forms import member_initial
        from budgets.models import AnnualBudget

        budget = AnnualBudget.objects.filter(agreement__consortium__code="SX-YGT-01").latest("version")
        return export(rows=[member_initial(m) for m in budget.members])
    if identifier == "reconciliation":
        from claims.models import Reconciliation

        return export(Reconciliation.objects.latest("pk"))
    raise AssertionError(f"a new export, {identifier}: build it here")


def test_every_registered_export_makes_a_file_from_the_demo(demo):
    from evaluation.exporters import consortia_for_summary

    for identifier in EXPORTS:
        export = _build(identifier, demo)
        for fmt in export.formats:
            response = export.response(fmt)
            body = _body(response)
            assert re.fullmatch(rf'attachment; filename="[\w.-]+\.{fmt}"', response["Content-Disposition"])
            if fmt == "csv":
                rows = _csv_rows(body)
                assert rows[0] == export.header() and all(re.search(r"[\u4e00-\u9fff]", h) or h.isidentifier()
                                                          for h in rows[0]), identifier
            elif isinstance(export, WorkbookExport):
                assert load_workbook(io.BytesIO(body)).worksheets[0].max_row > 1, identifier
            else:
                sheet = load_workbook(io.BytesIO(body)).worksheets[0]
                assert [c.value for c in sheet[1]] == export.header(), identifier
    errors = _csv_rows(_build("job-errors", demo).csv())
    assert errors == [["行号", "列", "问题"], ["2", "人员编号", "'=cmd|' /C calc'!A0"]]
    claims = _csv_rows(_build("claims", demo).csv())
    assert len(claims) == 308 and claims[0][:2] == ["结算流水号", "人员编号"]
    summary = load_workbook(io.BytesIO(_build("province-summary", demo).xlsx())).active
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    average = [row[0] for row in rows].index("平均")
    names = [row[1] for row in rows[:average]]
    assert rows[-1][:7] == ("制表人：", None, "审核人：", None, "负责人：", None, "日期：")
    assert names == [c.name for c in consortia_for_summary(demo["sx_staff"]).order_by("county__code", "code")]


def test_the_four_csv_downloads_keep_their_addresses_columns_and_masking(client, demo):
    from budgets.models import PaymentOrder
    from consortia.models import Job
    from consortia.selectors import scope_queryset

    finance, staff = demo["sx_finance"], demo["sx_staff"]
    client.force_login(finance)
    claims = client.get(reverse("claims"), {"export": "csv"})
    assert claims["Content-Disposition"] == 'attachment; filename="claims.csv"'
    rows = _csv_rows(_body(claims))
    assert rows[0] == ["结算流水号", "人员编号", "险种类型", "定点医疗机构", "就医地点", "医疗类别", "入院（就诊）日期", "结算日期",
                       "医疗费总额", "统筹基金支付", "全自费"]
    assert len(rows) > 1 and all("*" in row[1] for row in rows[1:])  # a finance officer sees masked ids
    client.force_login(staff)
    full = _csv_rows(_body(client.get(reverse("claims"), {"export": "csv"})))
    assert not any("*" in row[1] for row in full[1:]) and len(full) >= len(rows)

    template = client.get(reverse("claims-template"))
    assert template["Content-Disposition"] == 'attachment; filename="claims-template.csv"'
    header, example = _csv_rows(template.content)
    assert header[:3] == ["结算流水号", "人员编号", "定点医药机构编号"]
    assert example[:4] == ["示例-导入时跳过", "34102100000012345", "H34102100001", "住院"]
    book = load_workbook(io.BytesIO(client.get(reverse("claims-template"), {"format": "xlsx"}).content))
    assert book.sheetnames == ["结算数据导入模板", "填写说明"]
    guide = [[c.value for c in r] for r in book["填写说明"].iter_rows(min_row=2, max_row=5)]
    assert guide[3] == ["医疗类别", "是", "住院、门诊或门特（门诊慢特病），或国家医保信息平台的医疗类别代码（11、14、21…）", "住院",
                        "就诊类型、med_type"]

    orders = client.get(reverse("payments"), {"export": "csv"})
    assert orders["Content-Disposition"] == 'attachment; filename="payment-orders.csv"'
    rows = _csv_rows(orders.content)
    assert rows[0] == ["期间", "医共体", "类型", "收款方", "金额", "状态", "支付渠道", "支付日期", "银行流水号"]
    seen = scope_queryset(staff, PaymentOrder.objects.all())
    assert len(rows) - 1 == seen.count() > 0
    assert sum(Decimal(row[4]) for row in rows[1:]) == sum(o.amount for o in seen)  # to the fen

    job = Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT).latest("pk")
    Job.objects.filter(pk=job.pk).update(errors=[{"row": 0, "column": "", "message": "@文件是空的"}])
    report = client.get(reverse("job-errors", args=[job.pk]))
    assert report["Content-Disposition"] == f'attachment; filename="job-{job.pk}-errors.csv"'
    assert _csv_rows(report.content) == [["行号", "列", "问题"], ["", "", "'@文件是空的"]]
