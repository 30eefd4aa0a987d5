"""Every workbook the product hands out, opened as the province opens it: sheets named in Chinese,
numbers stored as numbers (so a sum or an average works) with the bureau's formats — amounts
#,##0.00, shares 0.00% — no programmer words in any cell, and set up to print on A4 with the header
repeated on each page; the statements a bureau files carry the 制表人/审核人/负责人 line."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from consortia.exports import AMOUNT_FORMAT, EXPORTS, RATE_FORMAT, WorkbookExport
from tests.plainwords import programmer_words
from tests.test_exports import _build, demo  # noqa: F401  (the demo fixture)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Text that a spreadsheet would have kept as a number: 1234, -1,234.50, ¥90,499,500.00, 12.5%.
# A long run of digits alone (a person's or a bank's number) is an identifier, rightly text.
NUMBER_AS_TEXT = re.compile(r"^\s*(?!\d{12,}\s*$)[-+]?¥?\s*\d[\d,]*(\.\d+)?\s*%?\s*$")
SIGNED = ("制表人：", "审核人：", "负责人：")


def _problems(identifier: str, body: bytes) -> list[str]:
    problems = []
    book = load_workbook(io.BytesIO(body))
    for sheet in book.worksheets:
        where = f"{identifier}/{sheet.title}"
        if not CHINESE.search(sheet.title) or programmer_words(sheet.title):
            problems.append(f"{where}: the sheet's name is not Chinese")
        if sheet.page_setup.paperSize not in ("9", 9):
            problems.append(f"{where}: not set to print on A4")
        if not sheet.print_title_rows:
            problems.append(f"{where}: the header is not repeated on each printed page")
        if not sheet.sheet_properties.pageSetUpPr or not sheet.sheet_properties.pageSetUpPr.fitToPage:
            problems.append(f"{where}: not fitted to the page's width")
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    if NUMBER_AS_TEXT.match(value):
                        problems.append(f"{where}!{cell.coordinate}: the number {value!r} is stored as text")
                    words = programmer_words("<p>" + value.replace("<", "&lt;") + "</p>")
                    if words:
                        problems.append(f"{where}!{cell.coordinate}: programmer words {words} in {value[:60]!r}")
                elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    if cell.number_format not in ("General", AMOUNT_FORMAT, RATE_FORMAT, "0"):
                        problems.append(f"{where}!{cell.coordinate}: number format {cell.number_format!r}")
    if issubclass(EXPORTS[identifier], WorkbookExport):
        texts = {c.value for s in book.worksheets for r in s.iter_rows() for c in r if isinstance(c.value, str)}
        if not all(label in texts for label in SIGNED):
            problems.append(f"{identifier}: no 制表人/审核人/负责人 line to sign")
    return problems


@pytest.mark.django_db
def test_every_workbook_keeps_numbers_numbers_chinese_names_and_prints_on_a4(demo):  # noqa: F811
    problems = []
    for identifier, export in EXPORTS.items():
        if "xlsx" not in export.formats:
            continue
        export = _build(identifier, demo)
        if identifier == "job-errors":  # _build's message is a hostile one; a real report's is Chinese
            export.job.errors = [{"row": 2, "column": "人员编号", "message": "为空"}]
        problems += _problems(identifier, export.xlsx())
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_the_annex2_indicators_are_percentages_a_spreadsheet_can_average(demo):  # noqa: F811
    book = load_workbook(io.BytesIO(_build("annex2", demo).xlsx()))
    sheet = book["监管指标"]
    share = sheet["B2"]
    assert isinstance(share.value, (int, float)) and share.number_format == RATE_FORMAT
    inputs = sheet["F2"].value
    assert "县域内住院人次 = " in inputs and "admissions" not in inputs
    checklist = book.worksheets[0]
    header = [c.value for c in checklist[checklist.print_title_rows.split(":")[0].strip("$")]]
    assert header[:5] == ["序号", "项目内容", "评价结果", "评分", "满分"]


@pytest.mark.django_db
def test_a_workbook_with_text_for_numbers_fails_the_check():
    """The check itself can fail: a sheet named in English with a number typed as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "shexian-2025"
    sheet.append(["目标一", "¥90,499,500.00", "admissions_in_county = 2495"])
    buffer = io.BytesIO()
    book.save(buffer)
    found = _problems("annex2", buffer.getvalue())
    assert any("sheet's name" in p for p in found)
    assert any("stored as text" in p for p in found)
    assert any("admissions_in_county" in p for p in found)
    assert any("A4" in p for p in found) and any("制表人" in p for p in found)
