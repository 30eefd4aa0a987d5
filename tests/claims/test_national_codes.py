"""Institution codes in the national 12-character form (H, the 6-digit administrative division, 5
digits) are checked when the registry is kept; an institution in the county carries the county's
division. A former local code is mapped to the institution, so a claims file that still carries it
imports as that institution's, on both import paths."""

import pytest
from django.db import connection
from django.urls import reverse

from claims.models import Claim
from consortia.models import Institution, Job
from tests.claims.test_import import csv, row, run
from tests.consortia.test_registry_pages import _new


def test_a_code_not_in_the_national_form_or_of_another_division_is_refused_in_chinese(client, world):
    client.force_login(world.staff_a1)
    local = client.post(reverse("registry"), _new(world, code="WSY-017"))
    assert local.context["form"].errors == {"code": [
        "请填写 12 位国家医保定点医药机构编码：H、6 位行政区划代码和 5 位顺序号，例如 H34102100001。"
        "原来的本地编码请填在“原本地编码”中。"]}
    elsewhere = client.post(reverse("registry"), _new(world, code="H34100000001"))
    assert elsewhere.context["form"].errors == {"code": [
        f"本县的机构编码应以本县行政区划代码开头：H{world.county_a1.code}。"]}
    assert not Institution.objects.filter(code__in=["WSY-017", "H34100000001"]).exists()
    city = client.post(reverse("registry"), _new(world, code="H34100000001", placement="in_city", consortium="",
                                                  tier=""))
    assert city.status_code == 302 and Institution.objects.get(code="H34100000001").placement == "in_city"


@pytest.mark.django_db(transaction=True)
def test_a_file_with_a_former_local_code_imports_as_the_institution(client, world, codes):
    inside, _outside = codes
    member = Institution.objects.get(code=inside)
    client.force_login(world.staff_a1)
    page = client.post(reverse("registry-institution", args=[member.pk]), {**_new(world, code=inside),
                       "name": member.name, "tier": member.tier, "level": member.level, "legacy_code": "WSY-017"})
    assert page.status_code == 302
    member.refresh_from_db()
    assert member.legacy_code == "WSY-017"
    job = run(world, csv(row("L1", "WSY-017"), row("L2", inside)))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == ("copy" if connection.vendor == "postgresql" else "rows")
    assert set(Claim.objects.values_list("institution__code", flat=True)) == {inside}
    assert Claim.objects.get(claim_no="L1").consortium == world.consortium_a1x
