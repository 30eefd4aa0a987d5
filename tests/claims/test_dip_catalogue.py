"""The DIP disease catalogue (病种目录) is uploaded per pooling area and version on the DIP page and
scores the cases of D1-D3: by group code over the score the claims file carried, by main diagnosis
for a claim without a code, a basic-level group's one score at every level; a bad file keeps nothing."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import DipCatalogue, DipGroup, DipPeriod
from claims.pricing import dip_period_compute
from consortia.models import Institution, Job
from tests.claims.test_import import csv, row, run

HEADER = "dip_code,diag_code,oprn_oprt_code,dip_type,dip_score"


def _catalogue(*lines):
    return SimpleUploadedFile("病种目录2026.csv", "\n".join([HEADER, *lines]).encode("utf-8"))


def _claim(no, institution, diagnosis, group, score):
    values = row(no, institution, fund="9000.00", total="20000.00", settled="2026-05-10", admitted="2026-05-01",
                 discharged="2026-05-08").split(",")
    values[6], values[7], values[8] = diagnosis, group, score
    return ",".join(values)


@pytest.mark.django_db(transaction=True)
def test_the_catalogue_scores_the_cases_by_code_by_diagnosis_and_basic_groups_alike(client, world, codes):
    _inside, city = codes
    private = Institution.objects.create(county=world.county_a1, code=f"H{world.county_a1.code}80001",
                                         name="县民营医院", tier="private", level="1", ownership="private",
                                         placement="in_county", dip_coefficient=Decimal("0.9"))
    job = run(world, csv(_claim("D1", city, "K35.9", "K35.9", "1000"),  # the file says 1000; the catalogue 1200
                         _claim("D2", private.code, "J18.9", "J18.9", "800"),  # basic-level: 450 at every level
                         _claim("D5", city, "E11.9", "", "")))  # no code: found by its diagnosis
    assert job.status == Job.Status.SUCCEEDED, job.errors
    client.force_login(world.staff_a1)
    page = client.post(reverse("dip"), {"step": "catalogue", "catalogue-county": world.county_a1.pk,
                                        "catalogue-version": "2026年版", "catalogue-year": 2026,
                                        "catalogue-file": _catalogue(
                                            "K35.9,K35.9,47.0901,核心,1200", "J18.9,J18.9,,基层,450",
                                            "E11.9,E11.9,,综合,520")}, follow=True).content.decode()
    assert "病种目录 2026年版 已保存：3 个病种，自 2026 年起执行。" in page
    catalogue = DipCatalogue.objects.get()
    assert dict(catalogue.groups.values_list("dip_code", "type")) == {"K35.9": "core", "J18.9": "basic",
                                                                       "E11.9": "comprehensive"}
    period = dip_period_compute(county=world.county_a1, year=2026, points_budget=Decimal("10625.00"),
                                basic_groups={}, user=world.staff_a1)
    # 1200 × 1 (city) + 450 × 0.9 (private) + 520 × 1 (city, by diagnosis) = 2125 points; 10625 / 2125 = 5
    assert (period.cases, period.total_points, period.point_value) == (3, Decimal("2125"), Decimal("5.000000"))
    assert DipPeriod.objects.get().catalogue == catalogue
    listing = client.get(reverse("dip")).content.decode()
    assert "2026年版" in listing and '<td class="num">1</td><td class="num">1</td><td class="num">1</td>' in listing


@pytest.mark.django_db(transaction=True)
def test_a_bad_catalogue_keeps_nothing_and_says_each_row(client, world):
    client.force_login(world.staff_a1)
    page = client.post(reverse("dip"), {"step": "catalogue", "catalogue-county": world.county_a1.pk,
                                        "catalogue-version": "2026年版", "catalogue-year": 2026,
                                        "catalogue-file": _catalogue(
                                            "K35.9,K35.9,,核心,1200", "K35.9,K35.9,,专科,0", ",,,基层,1.23456")})
    body = page.content.decode()
    assert not DipCatalogue.objects.exists() and not DipGroup.objects.exists()
    assert "第 3 行，病种类型：必须是核心、综合或基层" in body and "第 3 行，病种分值：应为大于 0、最多四位小数的分值" in body
    assert "第 4 行，病种分值组编码：不能为空" in body and "第 4 行，病种分值：应为大于 0、最多四位小数的分值" in body
    assert "文件未保存。请更正后重新上传。" in body
    client.force_login(world.finance_a1x)
    assert client.post(reverse("dip"), {"step": "catalogue"}).status_code == 403


def test_scores_are_read_from_a_workbook_too(world, db):
    from openpyxl import Workbook

    from claims.dip_catalogue import dip_catalogue_upload

    book = Workbook()
    sheet = book.active
    sheet.append(["病种分值组编码", "主诊断编码", "手术操作编码", "病种类型", "病种分值"])
    sheet.append(["I21.0", "I21.0", None, "综合病种", 3000.5])
    data = io.BytesIO()
    book.save(data)
    made = dip_catalogue_upload(county=world.county_a1, version="v1", year=2025, user=world.staff_a1,
                                upload=SimpleUploadedFile("目录.xlsx", data.getvalue()))
    assert list(made.groups.values_list("dip_code", "operation", "type", "score")) == [
        ("I21.0", "", "comprehensive", Decimal("3000.5000"))]
