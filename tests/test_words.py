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
