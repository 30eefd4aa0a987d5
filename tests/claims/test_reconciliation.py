"""Reconciliation (对账) with the national platform: its 3201 totals per institution, insurance type
and period are uploaded through the page and compared with the imported claims; a planted
difference shows with its size and the claims to look at, the workbook says the same, a bad file
keeps nothing, and the clearing warns while its year's claims are not reconciled."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from claims.models import Reconciliation, ReconciliationLine
from claims.reconciliation import PLATFORM_HEADER, platform_totals, year_reconciled
from tests.claims.test_insurance_types import _import_both


def _file(rows, header=PLATFORM_HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("3201对总账.csv", out.getvalue().encode("utf-8"))


def _upload(client, world, rows):
    return client.post(reverse("reconciliations"), {"county": world.county_a1.pk, "file": _file(rows)})


@pytest.mark.django_db(transaction=True)
def test_a_planted_difference_shows_with_its_size_and_the_claims_to_look_at(client, world, codes):
    inside, outside = codes
    _import_both(world, inside, outside)  # March 2025: R1/E1 inside, R2/E2 outside; 390 and 310
    rows = platform_totals(county=world.county_a1, year=2025)
    assert len(rows) == 4 and all(r[2] == "2025-03-01" and r[3] == "2025-03-31" for r in rows)
    planted = next(r for r in rows if r[0] == outside and r[1] == "390")
    planted[4], planted[6] = planted[4] + Decimal("120.50"), planted[6] + 1  # the platform has one more claim
    rows.append(["H34102199999", "390", "2025-03-01", "2025-03-31", Decimal("10.00"), Decimal("8.00"), 1])
    client.force_login(world.staff_a1)
    response = _upload(client, world, rows)
    made = Reconciliation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reconciliation-page", args=[made.pk])
    page = client.get(response["Location"]).content.decode()
    assert "共比对 5 行：3 行一致，2 行有差异。" in page
    assert "笔数不一致；医疗费总额不一致" in page
    assert "（本系统笔数减平台笔数：-1）（医疗费总额：-¥120.50）" in page
    assert (f'href="/claims/?settled_from=2025-03-01&amp;settled_to=2025-03-31&amp;insurance_type=390&amp;'
            f'member={world.outside_a1.pk}"') in page
    assert "H34102199999" in page and "该机构不在本县机构库中" in page
    book = load_workbook(io.BytesIO(client.get(response["Location"], {"format": "xlsx"}).content))
    sheet = book.worksheets[0]
    lines = {(r[0], r[2]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert lines[(outside, "城乡居民基本医疗保险")][5:11] == (2, 1, -1, Decimal("620.50"), Decimal("500"),
                                                          Decimal("-120.5"))
    assert lines[(inside, "职工基本医疗保险")][-1] == "一致"


@pytest.mark.django_db(transaction=True)
def test_claims_the_platform_does_not_name_and_a_day_by_day_line(client, world, codes):
    inside, outside = codes
    _import_both(world, inside, outside)
    client.force_login(world.staff_a1)
    # One day's line (compared from the claims, not the roll-ups): only the inside residents' claim.
    response = _upload(client, world, [[inside, "390", "2025-03-06", "2025-03-06", "1000.00", "800.00", "1"]])
    page = client.get(response["Location"], {"all": "1"}).content.decode()
    assert "共比对 4 行：1 行一致，3 行有差异。" in page
    assert page.count("本系统有结算数据，平台对账数据中没有") == 3


@pytest.mark.django_db(transaction=True)
def test_a_bad_totals_file_keeps_nothing_and_says_each_row(client, world, codes):
    inside, _outside = codes
    client.force_login(world.staff_a1)
    response = _upload(client, world, [[inside, "390", "2025-03-01", "2025-03-31", "1000.00", "800.00", "1"],
                                       [inside, "9", "2025-03-01", "2025-02-01", "1,0x", "800.00", "1.5"]])
    page = response.content.decode()
    assert response.status_code == 200 and not Reconciliation.objects.exists()
    assert not ReconciliationLine.objects.exists()
    assert "第 3 行，险种类型：必须是国家医保信息平台的险种类型代码" in page
    assert "第 3 行，医疗费总额：" in page and "第 3 行，定点医药机构结算笔数：不是整数笔数" in page
    assert "文件未保存。请更正后重新上传。" in page


@pytest.mark.django_db(transaction=True)
def test_the_clearing_warns_until_the_years_claims_are_reconciled(client, world, codes):
    inside, outside = codes
    _import_both(world, inside, outside)
    agreement = world.agreement_a1x
    client.force_login(world.staff_a1)
    page = client.get(reverse("clearing-page", args=[agreement.pk])).content.decode()
    assert "本年度结算数据尚未与国家医保信息平台对账" in page and "尚未上传该险种 2025 年的对账数据。" in page
    year = [[code, kind, "2025-01-01", "2025-12-31", total, every, n]
            for code, kind, _s, _e, total, every, n in platform_totals(county=world.county_a1, year=2025)]
    wrong = [list(r) for r in year]
    next(r for r in wrong if r[1] == "390")[6] += 1
    _upload(client, world, wrong)
    assert year_reconciled(county=world.county_a1, year=2025, insurance_type="390") == {
        "reconciled": False, "uploaded": True, "missing_months": [], "differences": 1}
    assert year_reconciled(county=world.county_a1, year=2025, insurance_type="310")["reconciled"] is True
    page = client.get(reverse("clearing-page", args=[agreement.pk])).content.decode()
    assert "1 行与本系统导入的结算数据不一致。" in page
    _upload(client, world, year)  # the corrected file: the latest upload of each line counts
    assert year_reconciled(county=world.county_a1, year=2025, insurance_type="390") == {
        "reconciled": True, "uploaded": True, "missing_months": [], "differences": 0}
    page = client.get(reverse("clearing-page", args=[agreement.pk])).content.decode()
    assert "尚未与国家医保信息平台对账" not in page
