"""The spot checks and own audits page: bureau staff record J7 spot checks and S10 own audits for
the clearing; the finance officer reads their consortium's; nothing is half-saved."""

from decimal import Decimal

from django.urls import reverse

from claims.models import AuditRecovery, SpotCheck


def test_staff_record_a_spot_check_scaled_up_by_the_sample(client, world):
    member = world.consortium_a1x.members.order_by("code").last()
    client.force_login(world.staff_a1)
    page = client.post(reverse("checks"), {
        "step": "spot_check", "spot-institution": member.pk, "spot-year": 2025,
        "spot-violation_amount": "1234.56", "spot-sample_ratio": "0.2000", "spot-note": "第一季度抽查",
    }, follow=True)
    check = SpotCheck.objects.get()
    assert check.refused == Decimal("6172.80") and check.recorded_by == world.staff_a1  # 1234.56 / 0.2
    body = page.content.decode()
    assert "抽查已登记：按比例放大后拒付 ¥6,172.80" in body
    assert '<td class="num" id="refused-total">¥6,172.80</td>' in body


def test_a_sample_ratio_above_one_is_refused_and_nothing_saved(client, world):
    member = world.consortium_a1x.members.first()
    client.force_login(world.staff_a1)
    page = client.post(reverse("checks"), {
        "step": "spot_check", "spot-institution": member.pk, "spot-year": 2025,
        "spot-violation_amount": "100", "spot-sample_ratio": "1.5",
    })
    assert page.context["spot_form"].errors == {"sample_ratio": ["抽样比例须大于 0 且不超过 1。"]}
    assert "请更正下面标出的内容" in page.content.decode() and not SpotCheck.objects.exists()


def test_own_audits_keep_two_amounts_and_are_read_in_scope(client, world):
    client.force_login(world.staff_a1)
    for consortium, recovered, penalty in ((world.consortium_a1x, "50000.00", "2000.00"),
                                          (world.consortium_a1y, "700.00", "0")):
        client.post(reverse("checks"), {
            "step": "audit", "audit-consortium": consortium.pk, "audit-year": 2025,
            "audit-recovered": recovered, "audit-own_penalty": penalty, "audit-description": "自查自纠",
        })
    assert AuditRecovery.objects.count() == 2
    assert AuditRecovery.objects.get(consortium=world.consortium_a1x).own_penalty == Decimal("2000.00")
    staff_page = client.get(reverse("checks"), {"year": 2025}).content.decode()
    assert '<td class="num" id="recovered-total">¥50,700.00</td>' in staff_page

    client.force_login(world.finance_a1x)
    own = client.get(reverse("checks"), {"year": 2025}).content.decode()
    assert '<td class="num" id="recovered-total">¥50,000.00</td>' in own
    assert '<td class="num" id="penalty-total">¥2,000.00</td>' in own
    assert "登记自查" not in own
    assert client.post(reverse("checks"), {"step": "audit"}).status_code == 403


def test_staff_cannot_record_for_another_county(client, world):
    client.force_login(world.staff_a1)
    page = client.post(reverse("checks"), {
        "step": "audit", "audit-consortium": world.consortium_a2.pk, "audit-year": 2025,
        "audit-recovered": "1", "audit-own_penalty": "0", "audit-description": "x",
    })
    assert "选择一个有效的选项" in page.content.decode() and not AuditRecovery.objects.exists()
