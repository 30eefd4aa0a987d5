"""The agreement pages: bureau staff set up a year's agreement, its parameters and its steps in
the browser; everyone else reads their scope; nobody writes outside theirs."""

import datetime

from django.urls import reverse

from consortia.models import AgreementParameters, ServiceAgreement


def test_the_list_shows_the_scope_and_only_staff_may_create(client, world):
    client.force_login(world.staff_a1)
    body = client.get(reverse("agreements")).content.decode()
    assert world.consortium_a1x.name in body and world.consortium_a1y.name in body
    assert world.consortium_a2.name not in body and world.consortium_b1.name not in body
    assert "创建草稿" in body
    client.force_login(world.finance_a1x)
    body = client.get(reverse("agreements")).content.decode()
    assert world.consortium_a1x.name in body and world.consortium_a1y.name not in body
    assert "创建草稿" not in body
    assert client.post(reverse("agreements"), {"consortium": world.consortium_a1x.pk}).status_code == 403


def test_staff_create_a_draft_with_the_default_parameters(client, world):
    client.force_login(world.staff_a1)
    page = client.post(reverse("agreements"), {"consortium": world.consortium_a1x.pk, "year": 2026,
                                               "scheme": "shexian-2025"}, follow=True)
    made = ServiceAgreement.objects.get(consortium=world.consortium_a1x, year=2026)
    assert page.redirect_chain[-1][0] == reverse("agreement-page", args=[made.pk])
    body = page.content.decode()
    assert "协议已按所选付费方式的默认参数创建为草稿" in body and "草稿" in body
    assert "参数第 1 版，自 2026年1月 起生效" in body
    assert made.created_by == world.staff_a1 and made.parameter_versions.get().values["advance_rate"] == "0.95"
    assert made.insurance_type == "390" and "打包险种</dt><dd id=\"agreement-insurance-type\">城乡居民基本医疗保险（390）" in body


def test_staff_cannot_create_for_another_county_or_twice(client, world):
    client.force_login(world.staff_a1)
    other = client.post(reverse("agreements"), {"consortium": world.consortium_a2.pk, "year": 2026,
                                                "scheme": "shexian-2025"})
    assert "选择一个有效的选项" in other.content.decode()
    again = client.post(reverse("agreements"), {"consortium": world.consortium_a1x.pk, "year": 2025,
                                                "scheme": "shexian-2025"})
    assert "该医共体该年度的服务协议已存在" in again.content.decode()
    assert ServiceAgreement.objects.filter(consortium=world.consortium_a1x).count() == 1


def test_a_draft_is_signed_checked_and_activated(client, world):
    client.force_login(world.staff_a1)
    draft = ServiceAgreement.objects.create(consortium=world.consortium_a1x, year=2026, scheme="shexian-2025")
    AgreementParameters.objects.create(agreement=draft, version=1, effective_from=datetime.date(2026, 1, 1),
                                       values={"advance_rate": "0.95"})
    url = reverse("agreement-page", args=[draft.pk])
    refused = client.post(url, {"step": "activate"}, follow=True).content.decode()
    assert "启用协议前，请先填写签订日期" in refused
    client.post(url, {"step": "draft", "scheme": "shexian-2025", "signed_date": "2025-12-20"})
    activated = client.post(url, {"step": "activate"}, follow=True).content.decode()
    draft.refresh_from_db()
    assert draft.status == "active" and draft.signed_date == datetime.date(2025, 12, 20)
    assert "协议已启用" in activated and "变更记录" in activated


def test_parameters_of_a_draft_are_replaced_and_of_an_active_agreement_versioned(client, world):
    client.force_login(world.staff_a1)
    draft = world.agreement_a2  # guangdong-2019, a draft in county A2: not this clerk's
    assert client.get(reverse("agreement-parameters-page", args=[draft.pk])).status_code == 404
    active = world.agreement_a1x
    url = reverse("agreement-parameters-page", args=[active.pk])
    form = client.get(url).context["form"]
    values = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    values["advance_rate"] = "0.9"
    missing = client.post(url, values).context["form"]
    assert missing.errors["reason"] == ["该字段是必填项。"] and missing.errors["effective_from"] == ["该字段是必填项。"]
    assert active.parameter_versions.count() == 1
    early = client.post(url, {**values, "effective_from": "2025-01-01", "reason": "补充协议"}).content.decode()
    assert "新参数的生效月份必须晚于 2025-01" in early
    client.post(url, {**values, "effective_from": "2025-07-15", "reason": "补充协议"})
    version = active.parameter_versions.get(version=2)
    assert version.effective_from == datetime.date(2025, 7, 1) and version.values["advance_rate"] == "0.9"
    assert version.reason == "补充协议" and version.created_by == world.staff_a1
    body = client.get(reverse("agreement-page", args=[active.pk])).content.decode()
    assert "参数第 2 版，自 2025年7月 起生效" in body and "补充协议" in body


def test_the_finance_officer_reads_and_cannot_act(client, world):
    client.force_login(world.finance_a1x)
    url = reverse("agreement-page", args=[world.agreement_a1x.pk])
    body = client.get(url).content.decode()
    assert "终止协议" not in body and "新增参数版本" not in body and "预付比例" in body
    assert client.post(url, {"step": "close"}).status_code == 403
    assert client.get(reverse("agreement-parameters-page", args=[world.agreement_a1x.pk])).status_code == 403
    assert client.get(reverse("agreement-page", args=[world.agreement_a1y.pk])).status_code == 404
    members = client.get(reverse("consortium-page", args=[world.consortium_a1x.pk])).content.decode()
    assert "牵头医院" in members and "共 2 家成员单位" in members
    assert client.get(reverse("consortium-page", args=[world.consortium_a1y.pk])).status_code == 404


def test_a_closed_agreement_keeps_its_parameters(client, world):
    client.force_login(world.staff_a1)
    url = reverse("agreement-page", args=[world.agreement_a1x.pk])
    client.post(url, {"step": "close"})
    world.agreement_a1x.refresh_from_db()
    assert world.agreement_a1x.status == "closed"
    page = client.get(reverse("agreement-parameters-page", args=[world.agreement_a1x.pk]), follow=True)
    assert "协议已终止，参数不能再修改" in page.content.decode()


def test_everyone_changes_their_own_password(client, world):
    from tests.consortia.factories import PASSWORD

    client.force_login(world.finance_a1x)
    url = reverse("password_change")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert "这个密码太常见了" in weak.content.decode()
    done = client.post(url, {"old_password": PASSWORD, "new_password1": "Qiang-mima-2026!",
                             "new_password2": "Qiang-mima-2026!"}, follow=True)
    assert "您的密码已修改。" in done.content.decode()
    world.finance_a1x.refresh_from_db()
    assert world.finance_a1x.check_password("Qiang-mima-2026!")
