"""What the database refuses, the demo county, and the admin screens a clerk opens."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from consortia.models import Consortium, Institution, ServiceAgreement, User
from tests.consortia import factories as f


def test_database_refuses_a_member_without_consortium(db):
    county = f.CountyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(
            county=county, code="H1", name="x", tier="township", level="basic",
            ownership="public", placement="in_consortium",
        )


def test_database_refuses_a_second_lead_hospital(db):
    consortium = f.ConsortiumFactory()
    f.MemberFactory(consortium=consortium, tier="lead")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.MemberFactory(consortium=consortium, tier="lead")


def test_database_refuses_a_second_agreement_for_the_year(db):
    consortium = f.ConsortiumFactory()
    f.agreement(consortium)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceAgreement.objects.create(consortium=consortium, year=2025, scheme="guangdong-2019")


def test_database_refuses_an_unsigned_active_agreement_and_unknown_scheme(db):
    consortium = f.ConsortiumFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceAgreement.objects.create(consortium=consortium, year=2025, scheme="shexian-2025", status="active")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceAgreement.objects.create(consortium=consortium, year=2025, scheme="made-up")


def test_database_binds_every_role_to_its_place(db):
    county = f.CountyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="fo", role="finance_officer", county=county)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role="")


def test_member_must_sit_in_the_consortiums_county(db):
    from django.core.exceptions import ValidationError

    consortium = f.ConsortiumFactory()
    elsewhere = f.CountyFactory()
    member = f.MemberFactory.build(consortium=consortium, county=elsewhere)
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert "consortium" in caught.value.message_dict


def test_load_demo_builds_the_demo_county_and_is_idempotent(db, capsys):
    from budgets.models import PaymentOrder

    from claims.models import Claim, ClaimMonthly

    call_command("load_demo", claims=300)
    audited = (ServiceAgreement.history.count(), Institution.history.count(), PaymentOrder.history.count())
    call_command("load_demo", claims=300)
    assert (ServiceAgreement.history.count(), Institution.history.count(), PaymentOrder.history.count()) == audited
    claims = Claim.objects.filter(county__code="341021")  # a sample year, imported once
    assert (claims.filter(insurance_type="390").count(), claims.filter(insurance_type="310").count()) == (300, 7)
    assert sum(m.claims for m in ClaimMonthly.objects.all()) == 307
    from evaluation.models import Evaluation

    assert list(Evaluation.objects.values_list("consortium__code", "year", "status")) == [
        ("SX-YGT-01", 2025, "draft")]  # the demo year's evaluation, for the clerk to fill
    out = capsys.readouterr().out
    assert "sx_finance" in out and "Demo-2025-consortium" in out
    shexian = Consortium.objects.get(code="SX-YGT-01")
    tiers = {t: shexian.members.filter(tier=t).count() for t in ("lead", "county", "private", "township", "village")}
    assert tiers == {"lead": 1, "county": 2, "private": 1, "township": 12, "village": 60}
    assert shexian.lead_hospital.name == "歙县人民医院"
    assert Institution.objects.filter(county__code="341021", consortium__isnull=True).count() == 5
    agreements = dict(ServiceAgreement.objects.values_list("consortium__code", "scheme"))
    assert agreements == {"SX-YGT-01": "shexian-2025", "YX-YGT-01": "guangdong-2019"}
    assert Institution.history.count() == Institution.objects.count()
    assert set(User.objects.values_list("role", flat=True)) == {r for r, _ in User.Role.choices}


@pytest.mark.parametrize(
    "name",
    ["province", "city", "county", "consortium", "institution", "serviceagreement", "rosterentry", "job", "user"],
)
def test_admin_screens_open_in_chinese_for_the_administrator(client, world, name):
    client.force_login(world.admin)
    page = client.get(reverse(f"admin:consortia_{name}_changelist"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()
    assert client.get(reverse(f"admin:consortia_{name}_changelist"), {"q": "医"}).status_code == 200


def test_admin_add_agreement_goes_through_the_service(client, world):
    client.force_login(world.staff_a1)
    response = client.post(
        reverse("admin:consortia_serviceagreement_add"),
        {"consortium": world.consortium_a1x.pk, "year": 2026, "scheme": "guangdong-2019", "signed_date": "2026-01-08",
         "insurance_type": "310"},
    )
    assert response.status_code == 302
    agreement = ServiceAgreement.objects.get(consortium=world.consortium_a1x, year=2026)
    assert agreement.created_by == world.staff_a1 and agreement.insurance_type == "310"
    assert agreement.parameter_versions.get().values["risk_fund_rate"] == "0.08"
    confirm = client.get(reverse("admin:consortia_serviceagreement_transition", args=[agreement.pk, "activate"]))
    assert confirm.status_code == 200
    client.post(reverse("admin:consortia_serviceagreement_transition", args=[agreement.pk, "activate"]))
    agreement.refresh_from_db()
    assert agreement.status == "active"
    history = client.get(reverse("admin:consortia_serviceagreement_history", args=[agreement.pk]))
    assert "staff_a1" in history.content.decode()


def test_openapi_schema_and_docs_are_served(client, world):
    client.force_login(world.staff_a1)
    schema = client.get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/consortia/", "/api/v1/institutions/", "/api/v1/agreements/{id}/parameters/",
                 "/api/v1/agreements/{id}/roster-imports/", "/api/v1/jobs/"):
        assert path in paths
    budget = schema.json()["components"]["schemas"]["Budget"]["properties"]
    assert "revenue 年度基金收入" in budget["fund"]["description"]  # the glossary's words, as on the pages
    assert "lead 牵头医院" in budget["members"]["description"]
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200 and "swagger-ui" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()


def test_api_filters_and_paginates(client, world):
    client.force_login(world.admin)
    listed = client.get(reverse("institution-list"), {"consortium": world.consortium_a1x.code, "tier": "lead"}).json()
    assert listed["count"] == 1
    assert listed["results"][0]["code"] == world.consortium_a1x.lead_hospital.code
    schemes = client.get(reverse("scheme-list")).json()
    assert [s["id"] for s in schemes] == ["guangdong-2019", "shexian-2025", "jiangmen-2016", "tianjin-2021"]


def test_chinese_by_default_and_english_when_chosen(client, world):
    client.force_login(world.staff_a1)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert "概览" in page.content.decode()  # an English browser still gets Chinese
    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert switched.status_code == 302
    assert "Overview" in client.get(reverse("home")).content.decode()


def test_names_read_in_chinese_order(db):
    assert User(last_name="张", first_name="财务").get_full_name() == "张财务"
