"""Indicators, negative-list signals, the Annex-2 and provincial workbooks, the API and the pages."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from evaluation import checklist, services
from evaluation.exporters import annex2_workbook
from evaluation.indicators import jiangmen_quarterly, supervision_indicators
from evaluation.models import Evaluation, NegativeFinding
from tests.evaluation.conftest import claims

pytestmark = pytest.mark.django_db(transaction=True)


def confirmed(yangxi, **overrides):
    staff = yangxi.county.staff
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    for result in evaluation.results.select_related("item"):
        value = overrides.get(f"n{result.item.number}", result.result or "met")
        services.item_result_set(result=result, value=value, evidence="=HYPERLINK(\"x\")" if result.item.number == 2
                                 else f"材料{result.item.number}", user=staff)
    evaluation = services.evaluation_submit(evaluation=evaluation, user=staff)
    return services.evaluation_confirm(evaluation=evaluation, user=yangxi.county.staff2)


def test_supervision_indicators_this_year_beside_the_last(yangxi):
    figures = {f.key: f for f in supervision_indicators(consortium=yangxi.consortium, year=2025)}
    share = figures["in_county_inpatient_share"]
    assert (share.value, share.last_year, share.verdict) == (Decimal("0.7500"), Decimal("0.5000"), True)
    growth = figures["cost_growth"]  # 4000.00 both years
    assert (growth.value, growth.verdict) == (Decimal("0.0000"), True)
    assert figures["self_pay_rate"].value == Decimal("0.0000")
    readmission = figures["readmission_rate"]  # four different persons: nobody came back
    assert (readmission.value, readmission.inputs) == (Decimal("0.0000"), {"readmissions": 0, "admissions": 4})


def test_readmissions_and_returns_per_member_and_quarter(county):
    agreement, *_ = county.agreement("jiangmen-2016-total-control")
    consortium = agreement.consortium
    rows = [  # person P1 back at JM-H01 8 days after discharge, then 25 days after; P2 once at JM-T01.
        ("A1", "P1", "JM-H01", "住院", "2017-01-02", "2017-01-06", "3000.00", "2000.00", "", "2017-01-06"),
        ("A2", "P1", "JM-H01", "住院", "2017-01-14", "2017-01-20", "5000.00", "3000.00", "", "2017-01-20"),
        ("A3", "P1", "JM-H01", "住院", "2017-02-14", "2017-02-16", "1000.00", "500.00", "", "2017-02-16"),
        ("A4", "P2", "JM-T01", "住院", "2017-03-01", "2017-03-03", "800.00", "600.00", "", "2017-03-03"),
        ("O1", "P2", "JM-T01", "门诊", "2017-03-05", "", "100.00", "80.00", "", "2017-03-05"),
    ]
    claims(county, *rows)
    quarterly = {(r["member"].code, r["quarter"]): {f.key: f.value for f in r["figures"]}
                 for r in jiangmen_quarterly(consortium=consortium, year=2017)}
    lead = quarterly[("JM-H01", 1)]
    assert lead["admissions"] == Decimal("3")
    assert lead["average_stay"] == Decimal("4.0000")  # (4 + 6 + 2) / 3
    assert lead["cost_per_admission"] == Decimal("3000.00")
    assert (lead["readmission_rate"], lead["return_rate"]) == (Decimal("0.6667"), Decimal("0.3333"))
    assert lead["visits_per_person"] == Decimal("3.0000")
    assert lead["drug_share"] == Decimal("1.0000")  # the test file's drug cost is the total
    town = quarterly[("JM-T01", 1)]
    assert (town["admissions"], town["readmission_rate"]) == (Decimal("1"), Decimal("0.0000"))


def test_upward_only_referrals_raise_one_signal_for_review(yangxi):
    claims(yangxi.county, ("R1", "P9", "YX-H01", "住院", "2025-05-01", "2025-05-03", "900.00", "600.00", "上转",
                           "2025-05-03"))
    first = services.signals_raise(consortium=yangxi.consortium, year=2025)
    again = services.signals_raise(consortium=yangxi.consortium, year=2025)
    situations = [f.situation for f in first]
    assert 2 in situations and again == []
    upward = NegativeFinding.objects.get(consortium=yangxi.consortium, year=2025, situation=2)
    assert (upward.source, upward.status, upward.figure) == ("signal", "raised", {"up": 1, "down": 0})
    assert "上转 1 人次" in upward.description


def test_the_annex2_workbook_reads_like_the_document(yangxi):
    evaluation = confirmed(yangxi, n3="partly")
    buffer = io.BytesIO()
    annex2_workbook(evaluation, buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["评价清单", "监管指标", "负面清单"]
    sheet = book["评价清单"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "紧密型县域医共体医疗保障监管与绩效评价清单"
    assert ["总得分", Decimal("97.5")] == [cells[7][0], Decimal(str(cells[7][1]))]
    assert cells[1][0] == "粤医保发〔2019〕25号 附件2（市、县级医疗保障部门）"
    texts = [row[1] for row in cells if isinstance(row[0], int)]
    assert texts == [text for _n, _s, text, _c in checklist.ITEMS]  # all 17, in the document's words
    assert texts[13] == "县域内基本医疗保险参保人住院率提升。"
    sections = [row[0] for row in cells if isinstance(row[0], str) and row[0].startswith("（")]
    assert sections == ["（一）医共体建设监测情况", "（二）医共体医保服务管理情况", "（三）医共体医保绩效评价"]
    item3 = next(row for row in cells if row[0] == 3)
    assert (item3[2], Decimal(str(item3[3])), Decimal(str(item3[4]))) == ("部分达标", Decimal("2.5"), Decimal("5"))
    item14 = next(row for row in cells if row[0] == 14)
    assert item14[6] == ("系统计算：75.00%（县域内（医共体及县内其他机构）住院人次 / 本县参保人全部住院人次）；上年 50.00%")
    item2 = next(r for r in sheet.iter_rows(min_row=1) if r[0].value == 2)
    assert item2[5].value == '=HYPERLINK("x")' and item2[5].data_type == "s"  # text, not a formula
    assert sheet.freeze_panes == "A10" and sheet.page_setup.orientation == "landscape"
    assert sheet["B11"].alignment.wrap_text and sheet["B11"].font.name == "SimSun"
    indicators = [[c.value for c in row] for row in book["监管指标"].iter_rows()]
    assert indicators[1][:5] == ["（一）县域内基本医疗保险参保人住院率逐年提升", 0.75, 0.5, "高于上年", "达标"]
    assert book["监管指标"]["B2"].number_format == "0.00%"  # a share the province can average, shown 75.00%
    negative = [row[0].value for row in book["负面清单"].iter_rows(min_row=2)]
    assert len(negative) == 11 and negative[6] == "(七) 发生医保骗保事件。"
    assert negative[9:] == [None, "制表人："]  # nine situations, a blank row, the signature line


def test_the_provincial_summary_has_a_row_per_consortium_and_averages(yangxi, tmp_path):
    confirmed(yangxi, n5="not_met")
    out = tmp_path / "province.xlsx"
    call_command("export_annex2", year=2025, out=out, stdout=io.StringIO())
    rows = [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]
    assert rows[0][:5] == ["县（市、区）", "医共体", "状态", "总得分", "第1项"]
    mine = next(r for r in rows if r[1] == yangxi.consortium.name)
    assert (mine[2], mine[3], mine[4], mine[8]) == ("已确认", 95, 5, 0)
    average = next(r for r in rows if r[0] == "平均")
    assert average[3] == 95 and rows[-1][:5] == ["制表人：", None, "审核人：", None, "负责人："]


def test_the_command_writes_one_consortiums_workbook(yangxi, tmp_path):
    confirmed(yangxi)
    out = tmp_path / "annex2.xlsx"
    call_command("export_annex2", year=2025, consortium=yangxi.consortium.code, out=out, stdout=io.StringIO())
    assert load_workbook(out)["评价清单"]["A1"].value == "紧密型县域医共体医疗保障监管与绩效评价清单"


def test_the_api_fills_submits_confirms_and_downloads(client, yangxi):
    staff, staff2 = yangxi.county.staff, yangxi.county.staff2
    client.force_login(staff)
    started = client.post("/api/v1/evaluations/", {"consortium": yangxi.consortium.pk, "year": 2025},
                          content_type="application/json")
    assert started.status_code == 201, started.content
    pk = started.json()["id"]
    item14 = next(r for r in started.json()["results"] if r["number"] == 14)
    assert (item14["result"], item14["score"], item14["figure"]["value"]) == ("met", "8.00", "0.7500")
    for number in range(1, 18):
        if number not in (14, 15, 16):
            answer = client.post(f"/api/v1/evaluations/{pk}/items/", {"number": number, "result": "met"},
                                 content_type="application/json")
            assert answer.status_code == 200
    entry = client.post(f"/api/v1/evaluations/{pk}/indicators/", {"key": "satisfaction", "value": "91%",
                        "verdict": "met", "evidence": "满意度调查报告"}, content_type="application/json")
    assert entry.json()["indicator_entries"][1]["value"] == "91%"
    assert client.post(f"/api/v1/evaluations/{pk}/submit/").json()["total_score"] == "100.00"
    refused = client.post(f"/api/v1/evaluations/{pk}/confirm/")
    assert refused.status_code == 400 and "另一位" in refused.content.decode()
    client.force_login(staff2)
    assert client.post(f"/api/v1/evaluations/{pk}/confirm/").json()["status"] == "confirmed"
    figures = client.get(f"/api/v1/evaluations/{pk}/figures/").json()
    assert figures["supervision"][0]["value"] == "0.7500"
    book = client.get(f"/api/v1/evaluations/{pk}/annex2/")
    assert book.status_code == 200 and load_workbook(io.BytesIO(book.content))["评价清单"]["A1"].value


def test_a_finance_officer_reads_their_consortium_but_cannot_fill(client, yangxi):
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=yangxi.county.staff)
    client.force_login(yangxi.finance)
    assert [e["id"] for e in client.get("/api/v1/evaluations/").json()["results"]] == [evaluation.pk]
    answer = client.post(f"/api/v1/evaluations/{evaluation.pk}/items/", {"number": 1, "result": "met"},
                         content_type="application/json")
    assert answer.status_code == 403


def test_the_admin_page_fills_and_steps_through(client, yangxi):
    staff = yangxi.county.staff
    client.force_login(staff)
    page = client.post("/admin/evaluation/evaluation/start/", {"consortium": yangxi.consortium.pk, "year": 2025})
    evaluation = Evaluation.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/{evaluation.pk}/change/")
    body = client.get(page["Location"]).content.decode()
    assert "县域内基本医疗保险参保人住院率提升。" in body and "系统计算：75.00%" in body
    assert "提交待确认" in body and "下载附件2工作簿" in body
    answer = client.post(f"/admin/evaluation/evaluation/{evaluation.pk}/step/submit/", follow=True)
    assert "尚未评价" in answer.content.decode()  # items 1-13 have no result yet
    assert client.get(f"/admin/evaluation/evaluation/{evaluation.pk}/annex2.xlsx").status_code == 200


def test_evidence_files_attach_to_an_item_and_show_in_the_workbook(client, yangxi):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=yangxi.county.staff)
    client.force_login(yangxi.county.staff)
    pdf = SimpleUploadedFile("转诊制度.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    answer = client.post(f"/api/v1/evaluations/{evaluation.pk}/files/", {"number": 2, "file": pdf})
    assert answer.status_code == 201, answer.content
    assert next(r for r in answer.json()["results"] if r["number"] == 2)["files"] == ["转诊制度.pdf"]
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = client.post(f"/api/v1/evaluations/{evaluation.pk}/files/", {"number": 2, "file": script})
    assert refused.status_code == 400 and "PDF" in refused.content.decode()
    buffer = io.BytesIO()
    annex2_workbook(evaluation, buffer)
    item2 = next(r for r in load_workbook(io.BytesIO(buffer.getvalue()))["评价清单"].iter_rows() if r[0].value == 2)
    assert item2[5].value == "转诊制度.pdf"


def test_the_provincial_summary_is_a_job_with_a_workbook_to_download(client, yangxi):
    from consortia.models import Job, Province, User
    from tests.consortia import factories as f

    confirmed(yangxi)
    province = Province.objects.get(pk=yangxi.consortium.county.city.province_id)
    reviewer = f.user(User.Role.PROVINCIAL_REVIEWER, "reviewer", province=province)
    client.force_login(reviewer)
    started = client.post("/api/v1/evaluations/province-export/", {"year": 2025, "province": province.pk},
                          content_type="application/json")
    assert started.status_code == 202
    job = Job.objects.get(pk=started.json()["job"])
    assert (job.status, job.result) == (Job.Status.SUCCEEDED, {"consortia": 1, "year": 2025})
    book = client.get(f"/api/v1/jobs/{job.pk}/output/")
    rows = list(load_workbook(io.BytesIO(b"".join(book.streaming_content))).active.iter_rows(values_only=True))
    assert rows[1][1] == yangxi.consortium.name and rows[1][3] == 100
    assert client.get(f"/admin/consortia/job/{job.pk}/change/").status_code == 200


def test_evidence_uploaded_in_the_admin_goes_through_the_same_checks(client, yangxi):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=yangxi.county.staff)
    client.force_login(yangxi.county.staff)
    url = f"/admin/evaluation/evaluation/{evaluation.pk}/change/"
    page = client.get(url)
    data = {"remarks": ""}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for form in formset.initial_forms:
            data.update({form.add_prefix(name): field.value() if field.value() is not None else ""
                         for name, field in ((n, form[n]) for n in form.fields)})
    item2 = evaluation.results.get(item__number=2)

    def post(name, content):
        return client.post(url, {**data, "files-TOTAL_FORMS": "1", "files-0-result": item2.pk,
                                 "files-0-file": SimpleUploadedFile(name, content), "results-0-result": "met",
                                 "indicator_entries-1-value": "93%"})

    refused = post("run.exe", b"MZ")
    assert refused.status_code == 200 and "请上传 PDF" in refused.content.decode()
    assert post("制度.pdf", b"%PDF-1.4").status_code == 302
    attached = item2.files.get()
    assert (attached.name, attached.uploaded_by, attached.evaluation) == ("制度.pdf", yangxi.county.staff, evaluation)
    item1 = evaluation.results.get(item__number=1)  # the item's result went through the service too
    assert (item1.result, item1.score, item1.updated_by) == ("met", Decimal("5.00"), yangxi.county.staff)
    assert evaluation.indicator_entries.get(key="satisfaction").value == "93%"
