"""Claims import: classified against the registry, all or nothing, row-numbered Chinese errors."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook

from claims.importers import claims_import_enqueue, template_header
from claims.models import Claim, ClaimMonthly, ClaimStaging
from consortia.models import Job

HEADER = ",".join(template_header()[0])


def csv(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


def row(no, institution, fund="800.00", total="1000.00", visit="住院", admitted="2025-03-01", discharged="2025-03-05",
        settled="2025-03-06", person="P001", insurance="390"):
    return (f"{no},{person},{institution},{visit},{admitted},{discharged},K35.9,,,{total},{total},0.00,"
            f"{max(Decimal(0), Decimal(total) - Decimal(fund))},{fund},300.00,20.00,,,{settled},{insurance},V{no},")


def run(world, content, name="claims.csv", encoding="utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    job = claims_import_enqueue(county=world.county_a1, upload=SimpleUploadedFile(name, data), user=world.staff_a1)
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_a_good_file_is_classified_and_rolled_up(world, codes):
    inside, outside = codes
    job = run(world, csv(row("C1", inside), row("C2", inside, person="P002"), row("C3", outside, fund="500.00")))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result == {"rows": 3, "imported": 3, "months": ["2025-03"],
                          "path": "copy" if connection.vendor == "postgresql" else "rows"}
    c1 = Claim.objects.get(claim_no="C1")
    assert (c1.placement, c1.consortium, c1.fund_paid, c1.visit_type) == (
        "in_consortium", world.consortium_a1x, Decimal("800.00"), "inpatient")
    assert Claim.objects.get(claim_no="C3").placement == "in_city"
    lead = ClaimMonthly.objects.get(institution=world.consortium_a1x.lead_hospital)
    assert (lead.claims, lead.fund_paid) == (2, Decimal("1600.00"))
    assert (lead.antibiotic_claims, lead.referrals_up, lead.referrals_down) == (2, 0, 0)  # both with antibiotics
    assert not ClaimStaging.objects.exists()
    again = run(world, csv(row("C1", inside), row("C2", inside, person="P002"), row("C3", outside, fund="500.00")))
    assert again.result["already_imported"] is True
    assert Claim.objects.count() == 3


BAD = [
    ("unknown institution", lambda i, o: csv(row("C1", i), row("C2", "NOPE")),
     {"row": 3, "column": "定点医药机构编号", "message": "机构 NOPE 不在本统筹区的定点机构名录中"}),
    ("bad date", lambda i, o: csv(row("C1", i, admitted="2025-02-30")),
     {"row": 2, "column": "入院日期", "message": "不是有效日期（请写作 2025-03-31）"}),
    ("negative amount", lambda i, o: csv(row("C1", i, fund="-1.00")),
     {"row": 2, "column": "统筹基金支付", "message": "金额不能为负数"}),
    ("fund above total", lambda i, o: csv(row("C1", i, fund="1200.00")),
     {"row": 2, "column": "统筹基金支付", "message": "统筹基金支付 1200.00 超过医疗费总额 1000.00"}),
    ("duplicate in the file", lambda i, o: csv(row("C1", i), row("C1", i)),
     {"row": 3, "column": "结算流水号", "message": "结算流水号 C1 已在第 2 行出现"}),
    ("discharge before admission", lambda i, o: csv(row("C1", i, discharged="2025-02-27")),
     {"row": 2, "column": "出院日期", "message": "出院日期早于入院日期"}),
    ("visit type", lambda i, o: csv(row("C1", i, visit="急诊")),
     {"row": 2, "column": "医疗类别",
      "message": "必须是住院、门诊或门特，或国家医保信息平台的医疗类别代码：11, 12, 13, 14, 21, 22, 23, 24, 41, 51, 52"}),
    ("missing column", lambda i, o: "claim_no,person_id\nC1,P1\n", {"row": 0, "column": ""}),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("label, make, expected", BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_imports_nothing(world, codes, label, make, expected):
    inside, outside = codes
    assert run(world, csv(row("C0", inside))).status == Job.Status.SUCCEEDED
    job = run(world, make(inside, outside))
    assert job.status == Job.Status.FAILED
    assert any(all(e[k] == v for k, v in expected.items()) for e in job.errors), job.errors
    assert list(Claim.objects.values_list("claim_no", flat=True)) == ["C0"]
    assert not ClaimStaging.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_claim_number_imported_before_is_refused(world, codes):
    inside, _outside = codes
    run(world, csv(row("C1", inside)))
    job = run(world, csv(row("C2", inside), row("C1", inside, fund="1.00")))
    assert job.status == Job.Status.FAILED
    assert job.errors == [{"row": 3, "column": "结算流水号", "message": "结算流水号 C1 此前已导入"}]
    assert Claim.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_gb18030_with_chinese_headers_and_xlsx_with_floats(world, codes):
    inside, _outside = codes
    chinese = ",".join(template_header()[0])
    assert chinese.startswith("结算流水号,人员编号,")
    content = chinese + "\n" + row("C1", inside) + "\n"
    assert run(world, content.encode("gb18030")).status == Job.Status.SUCCEEDED
    book = Workbook()
    sheet = book.active
    sheet.append(template_header()[1])  # the English names stay accepted
    values = row("C2", inside).split(",")
    for index in range(9, 16):
        values[index] = float(values[index])
    sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    job = run(world, buffer.getvalue(), name="claims.xlsx")
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert Claim.objects.get(claim_no="C2").fund_paid == Decimal("800.00")


@pytest.mark.django_db(transaction=True)
def test_the_command(world, codes, tmp_path, capsys):
    from django.core.management import call_command

    inside, _outside = codes
    path = tmp_path / "march.csv"
    path.write_text(csv(row("C1", inside)), encoding="utf-8-sig")
    call_command("import_claims", str(path), "--county", world.county_a1.code)
    assert "1" in capsys.readouterr().out
    assert Claim.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_clearing_takes_its_actuals_from_claims(world, codes):
    from budgets.services.clearing import actuals_from_claims

    inside, outside = codes
    lead = world.consortium_a1x.lead_hospital
    run(world, csv(row("C1", inside), row("C2", inside, fund="250.50", settled="2025-11-30"),
                   row("C3", outside, fund="500.00"), row("C4", inside, settled="2024-12-31")))
    actuals = actuals_from_claims(agreement=world.agreement_a1x, user=world.staff_a1)
    assert actuals.in_consortium[lead.code] == "1050.50"  # 2025 only
    assert actuals.out_of_consortium == Decimal("500.00")
    assert set(actuals.in_consortium) == set(world.consortium_a1x.members.values_list("code", flat=True))


@pytest.mark.django_db(transaction=True)
def test_personal_ids_are_masked_for_roles_that_do_not_need_them(world):
    from claims.selectors import person_id_shown

    assert person_id_shown(world.staff_a1, "340102199001011234") == "340102199001011234"
    assert person_id_shown(world.finance_a1x, "340102199001011234") == "34**************34"
    assert person_id_shown(world.reviewer_a, "P1") == "**"


@pytest.mark.django_db(transaction=True)
def test_the_import_page_the_error_report_and_the_api(client, world, codes):
    from django.urls import reverse

    inside, outside = codes
    client.force_login(world.staff_a1)
    template = client.get(reverse("admin:claims_claim_template"))
    assert template.content.decode("utf-8").lstrip("\ufeff").startswith("结算流水号,人员编号,定点医药机构编号")
    bad = SimpleUploadedFile("bad.csv", csv(row("C1", inside), row("C2", "NOPE")).encode())
    response = client.post(reverse("admin:claims_claim_import"), {"county": world.county_a1.pk, "file": bad})
    job = Job.objects.get()
    assert response.url == reverse("admin:consortia_job_change", args=[job.pk])
    report = client.get(reverse("admin:consortia_job_errors", args=[job.pk])).content.decode("utf-8")
    assert report.lstrip("\ufeff").splitlines() == ["行号,列,问题", "3,定点医药机构编号,机构 NOPE 不在本统筹区的定点机构名录中"]
    good = SimpleUploadedFile("good.csv", csv(row("C1", inside, person="340102199001011234"),
                                              row("C9", outside)).encode())
    accepted = client.post(reverse("claim-imports"), {"county": world.county_a1.code, "file": good})
    assert accepted.status_code == 202
    assert client.get(reverse("job-detail", args=[accepted.json()["id"]])).json()["status"] == "succeeded"
    listed = client.get(reverse("claim-list"), {"consortium": world.consortium_a1x.code}).json()
    assert [c["person_id"] for c in listed["results"]] == ["340102199001011234"]  # bureau staff: in full
    client.force_login(world.finance_a1x)
    mine = client.get(reverse("claim-list")).json()
    assert [c["claim_no"] for c in mine["results"]] == ["C1"]  # not the claim outside the consortium
    assert mine["results"][0]["person_id"] == "34**************34"
    assert client.get(reverse("claim-rollup-list")).json()["count"] == 1
    again = SimpleUploadedFile("again.csv", csv(row("C7", inside)).encode())
    assert client.post(reverse("claim-imports"), {"county": world.county_a1.code, "file": again}).status_code == 403
    page = client.get(reverse("admin:claims_claim_changelist"))
    assert "34**************34" in page.content.decode() and "340102199001011234" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_clearing_page_runs_on_the_claims(client, world, codes):
    from django.urls import reverse

    from budgets.models import YearActuals

    inside, outside = codes
    run(world, csv(row("C1", inside), row("C3", outside, fund="500.00")))
    client.force_login(world.staff_a1)
    client.post(reverse("clearing-page", args=[world.agreement_a1x.pk]), {"action": "from_claims"})
    actuals = YearActuals.objects.get(agreement=world.agreement_a1x)
    assert actuals.in_consortium[inside] == "800.00" and actuals.out_of_consortium == Decimal("500.00")


@pytest.mark.django_db(transaction=True)
def test_fund_burn_against_the_package(world, codes):
    import datetime

    from budgets.selectors import fund_burn
    from budgets.services import budgets as budget_services

    inside, outside = codes
    agreement = world.agreement_a1x  # shexian-2025: the package is target one
    members = [{"code": m.code, "tier": m.tier, "prior_year_paid": "100.00"} for m in world.consortium_a1x.members.all()]
    budget = budget_services.budget_create(agreement=agreement, user=world.staff_a1, members=members, fund={
        "raised": "10000.00", "risk_adjustment_remittance": "0", "critical_illness_premium": "0",
        "prior_year_expenditure": "9000.00", "prior_year_deficit_subsidy": "0"})
    budget_services.budget_submit(budget=budget, user=world.staff_a1)
    budget_services.budget_approve(budget=budget, user=world.auditor_a1)
    run(world, csv(row("C1", inside, fund="3000.00", total="4000.00"), row("C2", outside, fund="1000.00", total="1000.00")))
    burn = fund_burn(agreement=agreement, today=datetime.date(2025, 3, 31))  # 90 of 365 days
    assert (burn["package"], burn["consumed"], burn["share"], burn["elapsed"]) == (
        Decimal("10000.00"), Decimal("4000.00"), Decimal("0.4000"), Decimal("0.2466"))
    assert burn["projected"] == Decimal("16222.22")
    assert burn["outside_share"] == Decimal("0.2500")
    assert burn["warning"] is True
    assert fund_burn(agreement=agreement, today=datetime.date(2025, 10, 31))["warning"] is False


@pytest.mark.django_db(transaction=True)
def test_dip_prices_the_cases_outside_the_consortium_inside_the_city(world, codes):
    import datetime

    from budgets.services.clearing import actuals_from_claims
    from claims.pricing import dip_period_compute
    from consortia import services as registry
    from consortia.models import Institution

    inside, city = codes
    private = Institution.objects.create(county=world.county_a1, code="PRIV", name="县民营医院", tier="private",
                                         level="1", ownership="private", placement="in_county",
                                         dip_coefficient=Decimal("0.9"))
    far = Institution.objects.create(county=world.county_a1, code="FAR", name="省立医院", level="3",
                                     ownership="public", placement="out_of_city")

    def dip_row(no, institution, group, score, fund):
        values = row(no, institution, fund=fund, total="20000.00", settled="2026-05-10", admitted="2026-05-01",
                     discharged="2026-05-08").split(",")
        values[7], values[8] = group, score
        return ",".join(values)

    job = run(world, csv(dip_row("D1", city, "K35.9", "1000", "9000.00"),
                         dip_row("D2", private.code, "J18.9", "800", "7000.00"),
                         dip_row("D3", far.code, "I21.0", "3000", "15432.10"),
                         dip_row("D4", inside, "K35.9", "1000", "8000.00")))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    # D3: J18.9 is a basic-level group with one score, 500, wherever it is treated.
    period = dip_period_compute(county=world.county_a1, year=2026, points_budget=Decimal("10500.00"),
                                basic_groups={"J18.9": "500"}, user=world.staff_a1)
    # points: 1000 × 1 (city) + 500 × 0.9 (private) = 1450; D1 point value 10500 / 1450
    assert (period.cases, period.total_points, period.point_value) == (2, Decimal("1450"), Decimal("7.241379"))
    agreement = registry.agreement_create(consortium=world.consortium_a1x, year=2026, scheme="guangdong-2019",
                                          user=None, signed_date=datetime.date(2026, 1, 4))
    actuals = actuals_from_claims(agreement=agreement, user=world.staff_a1)
    # G8: 1000 × 7.241379 = 7241.38 and 450 × 7.241379 = 3258.62 by points, 15432.10 as settled
    assert actuals.out_of_consortium == Decimal("25932.10")
    assert actuals.in_consortium[inside] == "8000.00"


@pytest.mark.django_db(transaction=True)
def test_the_point_value_is_computed_on_its_page(client, world, codes):
    from django.urls import reverse

    from claims.models import DipPeriod

    _inside, city = codes
    values = row("D1", city, fund="9000.00", total="20000.00", settled="2026-05-10", admitted="2026-05-01",
                 discharged="2026-05-08").split(",")
    values[7], values[8] = "K35.9", "1000"
    assert run(world, csv(",".join(values))).status == Job.Status.SUCCEEDED
    client.force_login(world.staff_a1)
    form = {"county": world.county_a1.pk, "year": 2026, "points_budget": "10500.00"}
    bad = client.post(reverse("dip"), {**form, "basic_groups": "J18.9 500\nK35.9"})
    assert bad.context["form"].errors == {"basic_groups": ["第 2 行：请填写病种编码、一个空格和大于 0 的分值。"]}
    page = client.post(reverse("dip"), {**form, "basic_groups": "J18.9 500\n"}, follow=True).content.decode()
    assert "2026 年度点值：10.500000（1 个病例）" in page  # 10500 / 1000 points
    period = DipPeriod.objects.get()
    assert period.basic_groups == {"J18.9": "500"} and period.computed_by == world.staff_a1
    client.force_login(world.finance_a1x)
    assert client.post(reverse("dip"), form).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_point_value_is_entered_in_the_admin(client, world, codes):
    from django.urls import reverse

    from claims.models import DipPeriod

    client.force_login(world.staff_a1)
    url = reverse("admin:claims_dipperiod_add")
    page = client.post(url, {"county": world.county_a1.pk, "year": 2026, "points_budget": "1000.00",
                             "basic_groups": "{}"}, follow=True)
    assert "2026 年度尚无带 DIP 分值的医共体外病例。" in page.content.decode()
    assert not DipPeriod.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_fourth_quarter_volume_check(world, codes):
    from claims.selectors import fourth_quarter_flags

    inside, _outside = codes
    rows = []
    for month, count in ((2, 3), (5, 3), (8, 3), (11, 4)):  # Q4 4 against a mean of 3: +33%
        for n in range(count):
            rows.append(row(f"Q{month}-{n}", inside, admitted=f"2025-{month:02d}-01", discharged=f"2025-{month:02d}-02",
                            settled=f"2025-{month:02d}-03", person=f"P{month}{n}"))
    assert run(world, csv(*rows)).status == Job.Status.SUCCEEDED
    assert fourth_quarter_flags(agreement=world.agreement_a1x) == [
        {"member": inside, "quarters": [3, 3, 3, 4], "change": Decimal("0.3333")}]


@pytest.mark.django_db(transaction=True)
def test_the_jiangmen_clearing_page_shows_the_fourth_quarter_flags(client, world, codes):
    import datetime

    from django.urls import reverse

    from consortia import services as registry

    inside, _outside = codes
    agreement = registry.agreement_create(consortium=world.consortium_a1x, year=2026, scheme="jiangmen-2016",
                                          user=None, signed_date=datetime.date(2026, 1, 4))
    rows = [row(f"J{m}-{n}", inside, admitted=f"2026-{m:02d}-01", discharged=f"2026-{m:02d}-02",
                settled=f"2026-{m:02d}-03") for m, count in ((1, 2), (4, 2), (7, 2), (10, 1)) for n in range(count)]
    run(world, csv(*rows))
    client.force_login(world.staff_a1)
    body = client.get(reverse("clearing-page", args=[agreement.pk])).content.decode()
    assert "第四季度就诊人次超出前三季度季均值 ±15% 范围（J8）" in body
    assert "-50%" in body


def _xlsx(rows, tweak=None):
    book = Workbook()
    sheet = book.active
    for values in rows:
        sheet.append(values)
    if tweak:
        tweak(book, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _hostile_cases(inside):
    import datetime
    import zipfile

    header = template_header()[0]
    good = row("H1", inside).split(",")

    def formula(book, sheet):
        sheet["N2"] = "=1+1"

    def epoch(book, sheet):
        book.epoch = datetime.datetime(1904, 1, 1)

    def merged(book, sheet):
        sheet.merge_cells("A2:B2")

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    laughs = _xlsx([header, good])
    source = zipfile.ZipFile(io.BytesIO(laughs))
    patched = io.BytesIO()
    entity = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
              b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = entity + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            target.writestr(item, data)
    return [
        ("formula", _xlsx([header, good], formula), "工作簿中含有公式"),
        ("1904 epoch", _xlsx([header, good], epoch), "1904 日期系统"),
        ("merged cells", _xlsx([header, good], merged), "合并单元格"),
        ("zip bomb", bomb.getvalue(), "解压后的大小远超文件本身"),
        ("billion laughs", patched.getvalue(), "不是有效的 Excel"),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("index", range(5), ids=["formula", "1904 epoch", "merged cells", "zip bomb", "billion laughs"])
def test_hostile_workbooks_are_refused_safely(world, codes, index):
    inside, _outside = codes
    label, content, message = _hostile_cases(inside)[index]
    job = run(world, content, name=f"{label}.xlsx")
    assert job.status == Job.Status.FAILED, label
    assert any(message in e["message"] for e in job.errors), (label, job.errors)
    assert not Claim.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_file_far_larger_than_allowed_is_refused_before_reading(world, settings):
    from django.core.exceptions import ValidationError

    settings.CLAIMS_UPLOAD_MAX_BYTES = 10  # configurable: CLAIMS_UPLOAD_MAX_BYTES
    with pytest.raises(ValidationError):
        run(world, csv())
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_capitation_consumption_matches_claims_to_the_monthly_roster(world, codes):
    import datetime

    from budgets.services.clearing import actuals_from_claims
    from claims.selectors import capitation_consumption
    from consortia.models import RosterEntry

    inside, city = codes
    agreement = world.agreement_a1y  # tianjin-2021
    for month, enrollee in ((3, "E1"), (3, "E2"), (4, "E1")):
        RosterEntry.objects.create(agreement=agreement, month=datetime.date(2025, month, 1), enrollee_id=enrollee,
                                   team="T", category="门诊", baseline_cost=Decimal("1200.00"))
    township = world.consortium_a1y.members.get(tier="township").code
    run(world, csv(
        row("M1", township, visit="门诊", person="E1", fund="100.00", settled="2025-03-10"),
        row("M2", city, visit="门诊", person="E2", fund="50.00", settled="2025-03-12"),
        row("M3", township, visit="住院", person="E1", fund="900.00", settled="2025-03-15"),  # not a roster category
        row("M4", township, visit="门诊", person="E2", fund="70.00", settled="2025-04-02"),  # not enrolled in April
        row("M5", township, visit="门诊", person="E1", fund="30.00", settled="2025-04-20"),
    ))
    months = {r["month"]: r for r in capitation_consumption(agreement=agreement)}
    assert (months[3]["enrolled"], months[3]["consumed"]) == (2, Decimal("150.00"))
    assert (months[4]["consumed"], months[4]["cumulative"]) == (Decimal("30.00"), Decimal("180.00"))
    actuals = actuals_from_claims(agreement=agreement, user=world.staff_a1)
    assert actuals.enrollee_expenditure == Decimal("180.00")


@pytest.mark.django_db(transaction=True)
def test_the_tianjin_clearing_page_shows_the_quota_consumption(client, world):
    from django.urls import reverse

    client.force_login(world.staff_a1)
    body = client.get(reverse("clearing-page", args=[world.agreement_a1y.pk])).content.decode()
    assert "签约居民医疗费用与月度额度对照（T2）" in body


@pytest.mark.django_db(transaction=True)
def test_a_generated_year_imports_whole_and_is_the_same_for_the_same_seed(world):
    from claims.generator import claims_generate

    first, second = io.StringIO(), io.StringIO()
    claims_generate(county=world.county_a1, year=2025, rows=500, insured=200, seed=7, out=first)
    claims_generate(county=world.county_a1, year=2025, rows=500, insured=200, seed=7, out=second)
    assert first.getvalue() == second.getvalue()
    job = run(world, first.getvalue())
    assert job.status == Job.Status.SUCCEEDED, job.errors[:3]
    assert Claim.objects.count() == 500
    from django.db.models import Count

    visits = dict(Claim.objects.values_list("visit_type").annotate(n=Count("id")))
    assert visits["outpatient"] > visits["inpatient"]


@pytest.mark.django_db(transaction=True)
def test_the_templates_example_row_left_in_is_skipped(world, codes, client):
    """A clerk fills the downloaded template below its example row and forgets to delete it: the
    real rows import, the example does not (on PostgreSQL the fast path falls back to row by row)."""
    from django.urls import reverse

    from claims.columns import EXAMPLE_CLAIM_NO

    inside, _outside = codes
    client.force_login(world.staff_a1)
    template = client.get(reverse("claims-template")).content.decode("utf-8-sig")
    assert template.splitlines()[1].startswith(EXAMPLE_CLAIM_NO + ",")
    job = run(world, template + row("C1", inside) + "\n")
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["rows"] == 1 and list(Claim.objects.values_list("claim_no", flat=True)) == ["C1"]
