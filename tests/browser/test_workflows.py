"""The clerk's main flows in the browser: import a claims file with an error, then a good one;
fill the evaluation with evidence, submit, and have another person of the bureau confirm it;
download the Annex-2 workbook."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from claims.importers import template_header

from .conftest import sign_in

pytestmark = pytest.mark.browser

HEADER = ",".join(template_header()[0])


def _file(tmp_path, name, *rows):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _row(no, institution, fund="800.00"):
    return (f"{no},P001,{institution},住院,2025-03-01,2025-03-05,K35.9,,,1000.00,1000.00,0.00,"
            f"{1000 - float(fund):.2f},{fund},300.00,20.00,,,2025-03-06")


def test_a_claims_file_with_an_error_imports_nothing_and_a_corrected_one_imports(page, tmp_path):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="导入结算数据").click()
    expect(page.get_by_role("heading", name="导入结算数据")).to_be_visible()
    bad = _file(tmp_path, "三月.csv", _row("B1", "H34102100001"), _row("B2", "NOPE"))
    page.get_by_label("结算数据文件").set_input_files(str(bad))
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#job-status")).to_have_text("失败")
    errors = page.get_by_role("table", name="需要更正的行")
    expect(errors.get_by_role("row")).to_have_count(2)  # the header and row 3
    expect(errors).to_contain_text("机构 NOPE 不在本统筹区的定点机构名录中")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").click()
    assert "NOPE" in download.value.path().read_text(encoding="utf-8-sig")

    page.get_by_role("link", name="导入结算数据").click()
    good = _file(tmp_path, "三月更正.csv", _row("B1", "H34102100001"), _row("B2", "H34102100101"))
    page.get_by_label("结算数据文件").set_input_files(str(good))
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#job-status")).to_have_text("已完成")
    expect(page.get_by_text("已从 2 行数据中导入 2 条结算记录。")).to_be_visible()


def test_the_evaluation_is_filled_with_evidence_submitted_confirmed_and_exported(page, tmp_path):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="绩效评价").first.click()
    page.get_by_role("link", name="歙县人民医院紧密型县域医共体").click()
    expect(page.locator("#evaluation-status")).to_have_text("草稿")
    expect(page.get_by_role("img", name="自费率月度趋势")).to_be_visible()
    expect(page.get_by_role("row", name="（三）自费率")).to_contain_text("≤ 10%")
    for number in range(1, 18):
        page.get_by_label(f"第 {number} 项评价结果").select_option("met" if number != 5 else "partly")
    page.get_by_label("第 2 项佐证说明").fill("县域双向转诊管理办法（歙医保〔2025〕3号）")
    evidence = tmp_path / "转诊办法.pdf"
    evidence.write_bytes(b"%PDF-1.4 demo")
    page.get_by_label("第 2 项附件").set_input_files(str(evidence))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    expect(page.locator("#item-2")).to_contain_text("附件：转诊办法.pdf")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交待确认").click()
    expect(page.locator("#evaluation-status")).to_have_text("已提交")
    expect(page.get_by_text("总得分：97.50（满分100）。")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "sx_auditor")
    page.get_by_role("link", name="绩效评价").first.click()
    page.get_by_role("link", name="歙县人民医院紧密型县域医共体").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认（医保局另一位人员）").click()
    expect(page.locator("#evaluation-status")).to_have_text("已确认")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载附件2工作簿").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    items = {row[0]: row for row in book["评价清单"].iter_rows(values_only=True) if isinstance(row[0], int)}
    assert items[5][2:5] == ("部分达标", 2.5, 5)  # score and full marks as numbers
    assert "转诊办法.pdf" in items[2][5]


def test_a_finance_officer_reads_the_evaluation_but_has_no_form(page):
    sign_in(page, "sx_finance")
    page.get_by_role("link", name="绩效评价").first.click()
    page.get_by_role("link", name="歙县人民医院紧密型县域医共体").click()
    expect(page.get_by_role("heading", name="紧密型县域医共体医疗保障监管与绩效评价清单")).to_be_visible()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    expect(page.get_by_role("link", name="导入结算数据")).to_have_count(0)
