"""Words a county clerk reads: Django's own admin words keep Django's Chinese (our catalogue once
turned the admin's 修改 into 切换), and a column of links is not headed 分页."""

from django.urls import reverse


def test_the_admin_says_change_as_django_does(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("admin:index")).content.decode()
    assert ">修改<" in body and ">切换<" not in body
    page = client.get(reverse("home")).content.decode()
    assert "切换语言" in page  # the language switch (without JavaScript) says what it switches


def test_the_agreements_list_heads_its_links_as_pages_of_the_agreement(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("agreements")).content.decode()
    assert "相关页面" in body and ">分页<" not in body


def test_the_admin_app_list_reads_chinese_to_a_screen_reader_too(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("admin:index")).content.decode()
    for english in ("Model name", "Add link", "Change or view list link", "Models in the"):
        assert english not in body
    assert "模型名称" in body and "修改或查看列表链接" in body


def test_an_order_names_itself_with_its_period_and_amount_as_a_clerk_says_them():
    from decimal import Decimal

    from django.utils import translation

    from budgets.models import PaymentOrder

    order = PaymentOrder(kind="prepayment", period="2025-Q1", payee_name="歙县人民医院", amount=Decimal("90499500.00"))
    with translation.override("zh-hans"):
        assert str(order) == "预拨 2025年第1季度 歙县人民医院 ¥90,499,500.00"


def test_the_api_docs_are_in_the_administrators_menu_only(client, world):
    docs = reverse("api-docs")
    client.force_login(world.staff_a1)
    assert f'href="{docs}"' not in client.get(reverse("home")).content.decode()
    client.force_login(world.admin)
    assert f'href="{docs}"' in client.get(reverse("home")).content.decode()


def test_the_payments_list_totals_one_flow_once(client, world):
    """The bureau pays ¥100.00 into the co-managed account, which passes ¥60.00 and ¥40.00 on:
    ¥100.00 paid from the fund, of it ¥100.00 passed on — never a total of ¥200.00."""
    from decimal import Decimal

    from budgets.models import PaymentOrder

    agreement = world.agreement_a1x
    common = {"agreement": agreement, "period": "2025-Q1", "created_by": world.staff_a1}
    PaymentOrder.objects.create(kind="prepayment", payee_code="CM", payee_name="共管账户", amount=Decimal("100.00"),
                                **common)
    for code, amount in (("M1", "60.00"), ("M2", "40.00")):
        PaymentOrder.objects.create(kind="disbursement", channel="co_managed", payee_code=code, payee_name=code,
                                    amount=Decimal(amount), **common)
    client.force_login(world.staff_a1)
    body = client.get(reverse("payments")).content.decode()
    assert "共 3 笔支付单，医保基金支付 ¥100.00；由共管账户转付给成员单位 ¥100.00（系医保基金拨入共管账户的资金再转付，不重复相加）" in body
    assert "¥200.00" not in body
