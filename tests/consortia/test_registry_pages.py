"""The registry as pages: bureau staff register and correct institutions of their county; where
one stands is fixed once claims may have been classified by it; others only read."""

from decimal import Decimal

from django.urls import reverse

from consortia.models import Institution


def _code(world, n: int, county=None) -> str:
    return f"H{(county or world.county_a1).code}{90000 + n:05d}"


def _new(world, **values):
    return {"county": world.county_a1.pk, "code": _code(world, 1), "name": "新建村卫生室", "placement": "in_consortium",
            "consortium": world.consortium_a1x.pk, "tier": "village", "level": "basic", "ownership": "public",
            "dip_coefficient": "1", **values}


def test_staff_register_a_member_and_correct_it(client, world):
    client.force_login(world.staff_a1)
    page = client.post(reverse("registry"), _new(world), follow=True)
    made = Institution.objects.get(code=_code(world, 1))
    assert made.consortium == world.consortium_a1x and "已保存：新建村卫生室" in page.content.decode()
    url = reverse("registry-institution", args=[made.pk])
    client.post(url, {**_new(world), "name": "新建村卫生室（更名）", "dip_coefficient": "0.95",
                      "placement": "in_city", "consortium": ""})
    made.refresh_from_db()
    assert made.name == "新建村卫生室（更名）" and made.dip_coefficient == Decimal("0.9500")
    assert made.placement == "in_consortium" and made.consortium == world.consortium_a1x  # fixed once made
    history = client.get(url).content.decode()
    assert "机构变更记录" in history and history.count("<td>staff_a1</td>") == 2  # made, then corrected


def test_the_registry_refuses_what_the_model_refuses(client, world):
    client.force_login(world.staff_a1)
    second_lead = client.post(reverse("registry"), _new(world, code=_code(world, 2), tier="lead"))
    assert second_lead.context["form"].errors == {"__all__": ["一个医共体只能有一家牵头医院。"]}
    assert "一个医共体只能有一家牵头医院。" in second_lead.content.decode()
    outside = client.post(reverse("registry"), _new(world, code=_code(world, 3), placement="in_city"))
    assert outside.context["form"].errors == {"placement": ["医共体成员单位的位置必须是“医共体内”。"]}
    other_county = client.post(reverse("registry"), _new(world, code=_code(world, 4, world.county_a2), county=world.county_a2.pk,
                                                         consortium=world.consortium_a2.pk))
    assert other_county.context["form"].errors["county"]
    refused = [_code(world, 2), _code(world, 3), _code(world, 4, world.county_a2)]
    assert not Institution.objects.filter(code__in=refused).exists()


def test_others_read_their_scope_only(client, world):
    client.force_login(world.finance_a1x)
    body = client.get(reverse("registry")).content.decode()
    assert world.outside_a1.name not in body  # outside the consortium: not the finance officer's
    assert world.consortium_a1x.lead_hospital.name in body and "登记机构" not in body
    assert client.post(reverse("registry"), _new(world)).status_code == 403
    client.force_login(world.reviewer_a)
    body = client.get(reverse("registry")).content.decode()
    assert world.consortium_a2.lead_hospital.name in body and world.consortium_b1.lead_hospital.name not in body
