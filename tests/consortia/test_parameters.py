"""Parameter validation (docs/rules.md M6 and each preset's list) and agreement versioning."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from consortia import services
from payrules import SCHEMES, ParameterError
from consortia.models import AgreementParameters, ServiceAgreement
from consortia.selectors import agreement_parameters_for
from tests.consortia import factories as f


def problems(scheme, values):
    with pytest.raises(ParameterError) as caught:
        SCHEMES[scheme].validate(values)
    return {p.field: p.render() for p in caught.value.problems}


def test_defaults_are_policy_values():
    assert SCHEMES["guangdong-2019"].default_parameters() == {
        "adjustment_fund_rate": "0.02", "risk_fund_rate": "0.08",
        "prepay_rate": "0.8", "overspend_fund_share_rate": "0.5",
    }
    shexian = SCHEMES["shexian-2025"].default_parameters()
    assert shexian["tier_ratio"] == {"lead": "6", "township": "3", "village": "1"}
    assert shexian["disbursement_workdays"] == 10
    jiangmen = SCHEMES["jiangmen-2016"].default_parameters()
    assert jiangmen["history_weights"] == ["0.1", "0.2", "0.7"]
    assert jiangmen["overspend_bands"] == [
        {"up_to": "0.1", "fund_share": "0.5"}, {"up_to": None, "fund_share": "0"},
    ]
    assert SCHEMES["tianjin-2021"].default_parameters()["family_doctor_fee_per_year"] == "40.00"


@pytest.mark.parametrize(
    "scheme, values, field",
    [
        ("jiangmen-2016", {"control_reserve_rate": "0.16"}, "control_reserve_rate"),
        ("jiangmen-2016", {"control_reserve_rate": "-0.01"}, "control_reserve_rate"),
        ("guangdong-2019", {"risk_fund_rate": "1.2"}, "risk_fund_rate"),
        ("guangdong-2019", {"prepay_rate": "eighty"}, "prepay_rate"),
        ("guangdong-2019", {"prepay_rate": True}, "prepay_rate"),
        ("jiangmen-2016", {"history_weights": ["0.1", "0.2", "0.6"]}, "history_weights"),
        ("jiangmen-2016", {"history_weights": ["0.5", "0.5"]}, "history_weights"),
        ("jiangmen-2016", {"history_weights": ["-0.1", "0.4", "0.7"]}, "history_weights"),
        ("shexian-2025", {"tier_ratio": {"lead": 0, "township": 0, "village": 0}}, "tier_ratio"),
        ("shexian-2025", {"tier_ratio": {"lead": 6, "township": 3}}, "tier_ratio"),
        ("shexian-2025", {"tier_ratio": {"lead": 6, "township": -3, "village": 1}}, "tier_ratio.township"),
        ("shexian-2025", {"disbursement_workdays": "7.5"}, "disbursement_workdays"),
        ("shexian-2025", {"assessment_reserve_rate": "0.96"}, "assessment_reserve_rate"),
        ("tianjin-2021", {"family_doctor_fee_per_year": "40.005"}, "family_doctor_fee_per_year"),
        ("jiangmen-2016", {"deposit_forfeit_rate_by_grade": {"A": 0, "B": 2, "C": 1}}, "deposit_forfeit_rate_by_grade.B"),
        ("jiangmen-2016", {"overspend_bands": [{"up_to": "0.2", "fund_share": "0.5"}, {"up_to": "0.1", "fund_share": "0"}]}, "overspend_bands"),
        ("jiangmen-2016", {"overspend_bands": [{"up_to": None, "fund_share": "0.5"}, {"up_to": "0.1", "fund_share": "0"}]}, "overspend_bands"),
        ("guangdong-2019", {"surplus_rate": "0.1"}, "surplus_rate"),
    ],
)
def test_invalid_parameters_name_the_field(scheme, values, field):
    assert field in problems(scheme, values)


def test_jiangmen_reserve_above_fifteen_percent_is_refused_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.parameters_validate(scheme="jiangmen-2016", values={"control_reserve_rate": "0.16"})
    assert caught.value.message_dict == {
        "control_reserve_rate": ["预留控制指标比例必须在 0 到 0.15 之间。"]
    }


def test_unknown_scheme_is_refused():
    with pytest.raises(ValidationError) as caught:
        services.parameters_validate(scheme="beijing-2030", values={})
    assert "scheme" in caught.value.message_dict


def test_valid_overrides_are_kept_canonically():
    cleaned = SCHEMES["jiangmen-2016"].validate(
        {"control_reserve_rate": 0.15, "history_weights": [0.2, 0.3, 0.5],
         "overspend_bands": [{"up_to": "0.05", "fund_share": "0.7"}, {"up_to": "0.10", "fund_share": "0.5"},
                             {"up_to": None, "fund_share": 0}]},
    )
    assert cleaned["control_reserve_rate"] == "0.15"
    assert cleaned["history_weights"] == ["0.2", "0.3", "0.5"]
    assert cleaned["overspend_bands"][1] == {"up_to": "0.1", "fund_share": "0.5"}


@pytest.fixture
def consortium(db):
    return f.ConsortiumFactory()


def test_a_draft_edits_its_single_version(consortium):
    agreement = f.agreement(consortium, "guangdong-2019")
    services.agreement_parameters_change(agreement=agreement, values={"prepay_rate": "0.85"}, user=None)
    assert agreement.parameter_versions.count() == 1
    assert agreement.parameter_versions.get().values["prepay_rate"] == "0.85"


def test_change_after_activation_keeps_the_old_version_for_paid_periods(consortium):
    agreement = f.agreement(consortium, "guangdong-2019", active=True)
    services.agreement_mark_paid_through(agreement=agreement, period=datetime.date(2025, 3, 31))

    with pytest.raises(ValidationError) as too_early:
        services.agreement_parameters_change(
            agreement=agreement, values={"prepay_rate": "0.85"}, user=None,
            effective_from=datetime.date(2025, 3, 1), reason="调整预付比例",
        )
    assert "effective_from" in too_early.value.message_dict

    version = services.agreement_parameters_change(
        agreement=agreement, values={"prepay_rate": "0.85"}, user=None,
        effective_from=datetime.date(2025, 4, 15), reason="调整预付比例",
    )
    assert (version.version, version.effective_from) == (2, datetime.date(2025, 4, 1))
    march = agreement_parameters_for(agreement=agreement, period=datetime.date(2025, 3, 31))
    april = agreement_parameters_for(agreement=agreement, period=datetime.date(2025, 4, 1))
    december = agreement_parameters_for(agreement=agreement, period=datetime.date(2025, 12, 1))
    assert march.values["prepay_rate"] == "0.8"
    assert april.values["prepay_rate"] == "0.85" == december.values["prepay_rate"]


def test_active_change_needs_reason_month_and_a_real_change(consortium):
    agreement = f.agreement(consortium, "guangdong-2019", active=True)
    with pytest.raises(ValidationError) as caught:
        services.agreement_parameters_change(agreement=agreement, values={"prepay_rate": "0.85"}, user=None)
    assert set(caught.value.message_dict) == {"reason", "effective_from"}
    with pytest.raises(ValidationError):
        services.agreement_parameters_change(
            agreement=agreement, values={}, user=None, effective_from=datetime.date(2025, 5, 1), reason="无变化",
        )
    with pytest.raises(ValidationError):
        services.agreement_parameters_change(
            agreement=agreement, values={"prepay_rate": "0.85"}, user=None,
            effective_from=datetime.date(2026, 1, 1), reason="跨年",
        )
    assert agreement.parameter_versions.count() == 1


def test_closed_agreement_refuses_changes(consortium):
    agreement = f.agreement(consortium, "guangdong-2019", active=True)
    services.agreement_close(agreement=agreement, user=None)
    with pytest.raises(ValidationError):
        services.agreement_parameters_change(
            agreement=agreement, values={"prepay_rate": "0.85"}, user=None,
            effective_from=datetime.date(2025, 6, 1), reason="x",
        )
    with pytest.raises(ValidationError):
        services.agreement_close(agreement=agreement, user=None)


def test_activation_needs_signature_and_lead_hospital(consortium):
    agreement = services.agreement_create(consortium=consortium, year=2025, scheme="shexian-2025", user=None)
    with pytest.raises(ValidationError) as unsigned:
        services.agreement_activate(agreement=agreement, user=None)
    assert "signed_date" in unsigned.value.message_dict
    services.agreement_update(agreement=agreement, user=None, signed_date=datetime.date(2025, 1, 3))
    with pytest.raises(ValidationError):
        services.agreement_activate(agreement=agreement, user=None)  # no lead hospital yet
    f.MemberFactory(consortium=consortium, tier="lead")
    services.agreement_activate(agreement=agreement, user=None)
    agreement.refresh_from_db()
    assert agreement.status == ServiceAgreement.Status.ACTIVE


def test_changing_a_drafts_scheme_starts_from_the_new_defaults(consortium):
    agreement = f.agreement(consortium, "guangdong-2019")
    services.agreement_update(agreement=agreement, user=None, scheme="jiangmen-2016")
    assert agreement.parameter_versions.get().values == SCHEMES["jiangmen-2016"].default_parameters()


def test_parameter_history_records_who_changed_what(world):
    agreement = world.agreement_a1x
    services.agreement_parameters_change(
        agreement=agreement, values={"advance_rate": "0.9"}, user=world.staff_a1,
        effective_from=datetime.date(2025, 7, 1), reason="年中调整",
    )
    version = agreement.parameter_versions.get(version=2)
    assert version.created_by == world.staff_a1
    assert AgreementParameters.history.filter(id=version.pk).count() == 1


def test_api_refuses_a_bad_parameter_with_the_field_named(client, world):
    client.force_login(world.staff_a1)
    response = client.post(
        reverse("agreement-list"),
        {"consortium": world.consortium_a1x.pk, "year": 2026, "scheme": "jiangmen-2016",
         "parameters": {"control_reserve_rate": "0.2"}},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-US,en",
    )
    assert response.status_code == 400
    assert response.json() == {"control_reserve_rate": ["预留控制指标比例必须在 0 到 0.15 之间。"]}
    assert not ServiceAgreement.objects.filter(year=2026).exists()


def test_api_versions_an_active_agreement(client, world):
    client.force_login(world.staff_a1)
    url = reverse("agreement-parameters", args=[world.agreement_a1x.pk])
    response = client.post(
        url, {"values": {"advance_rate": "0.9"}, "effective_from": "2025-07-01", "reason": "年中调整"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    detail = client.get(reverse("agreement-detail", args=[world.agreement_a1x.pk])).json()
    assert detail["current_parameters"]["advance_rate"] == "0.9"
    assert [v["version"] for v in detail["parameter_versions"]] == [1, 2]


def test_admin_parameter_page_saves_a_new_version(client, world):
    client.force_login(world.staff_a1)
    agreement = world.agreement_a1x
    url = reverse("admin:consortia_serviceagreement_parameters", args=[agreement.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update({"effective_from": "2025-09-01", "reason": "调整考核金比例", "assessment_reserve_rate": "0.12"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    version = agreement.parameter_versions.get(version=2)
    assert version.values["assessment_reserve_rate"] == "0.12"
    assert version.values["tier_ratio"] == {"lead": "6", "township": "3", "village": "1"}
    assert version.effective_from == datetime.date(2025, 9, 1)


def test_admin_parameter_page_shows_the_rule_in_chinese(client, world):
    client.force_login(world.staff_a1)
    agreement = f.agreement(world.consortium_a1x, "jiangmen-2016", year=2026)
    url = reverse("admin:consortia_serviceagreement_parameters", args=[agreement.pk])
    data = {name: ("" if v is None else v) for name, v in client.get(url).context["form"].initial.items()}
    data["control_reserve_rate"] = "0.2"
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.status_code == 200
    assert "预留控制指标比例必须在 0 到 0.15 之间。" in response.content.decode()
    assert agreement.parameter_versions.get().values["control_reserve_rate"] == "0.1"


@pytest.mark.django_db(transaction=True)
def test_database_refuses_to_edit_or_delete_a_version_of_an_active_agreement():
    from django.db import IntegrityError, connection

    agreement = f.agreement(f.ConsortiumFactory(), "guangdong-2019")
    AgreementParameters.objects.filter(agreement=agreement).update(reason="草稿可以改")  # a draft may
    f.MemberFactory(consortium=agreement.consortium, tier="lead")
    services.agreement_activate(agreement=agreement, user=None)
    with pytest.raises(IntegrityError):
        AgreementParameters.objects.filter(agreement=agreement).update(values={"prepay_rate": "1"})
    if connection.vendor == "postgresql":  # SQLite has the update trigger only (see 0002)
        with pytest.raises(IntegrityError):
            AgreementParameters.objects.filter(agreement=agreement).delete()
    assert AgreementParameters.objects.get(agreement=agreement).values["prepay_rate"] == "0.8"


def test_admin_parameter_page_shows_a_month_already_paid_at_its_field(client, world):
    client.force_login(world.staff_a1)
    agreement = world.agreement_a1x
    services.agreement_mark_paid_through(agreement=agreement, period=datetime.date(2025, 6, 1))
    url = reverse("admin:consortia_serviceagreement_parameters", args=[agreement.pk])
    data = {name: ("" if v is None else v) for name, v in client.get(url).context["form"].initial.items()}
    data.update({"effective_from": "2025-05-01", "reason": "补录", "advance_rate": "0.9"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"] == [
        "按当前参数已支付至 2025-06，新参数最早只能从下一个月开始生效。"
    ]
    assert agreement.parameter_versions.count() == 1
