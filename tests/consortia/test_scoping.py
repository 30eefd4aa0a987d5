"""Every list and detail URL of the registry, in the API and the admin, shows each role exactly
its own scope: a finance officer of one consortium gets nothing of another's."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from consortia.models import (
    City, Consortium, County, Institution, Job, Province, RosterEntry, ServiceAgreement, User,
)


def _place(obj):
    """(consortium, county, province) of a row, read through plain attributes."""
    if isinstance(obj, Province):
        return None, None, obj
    if isinstance(obj, City):
        return None, None, obj.province
    if isinstance(obj, County):
        return None, obj, obj.city.province
    if isinstance(obj, Consortium):
        return obj, obj.county, obj.county.city.province
    if isinstance(obj, Institution):
        return obj.consortium, obj.county, obj.county.city.province
    if isinstance(obj, ServiceAgreement):
        return _place(obj.consortium)
    if isinstance(obj, RosterEntry):
        return _place(obj.agreement.consortium)
    if isinstance(obj, Job):
        return obj.consortium, obj.county, obj.county.city.province
    raise TypeError(obj)


def expected_visible(user, obj) -> bool:
    consortium, county, province = _place(obj)
    if user.role == "administrator":
        return True
    if user.role == "provincial_reviewer":
        return province == user.province
    if user.role in ("bureau_staff", "bureau_auditor"):
        if isinstance(obj, (Province, City)):
            return obj == user.county.city.province or obj == user.county.city
        return county == user.county
    if user.role == "finance_officer":
        mine = user.consortium
        if isinstance(obj, Province):
            return obj == mine.county.city.province
        if isinstance(obj, City):
            return obj == mine.county.city
        if isinstance(obj, County):
            return obj == mine.county
        return consortium == mine
    return False


API = {
    Province: "province",
    City: "city",
    County: "county",
    Consortium: "consortium",
    Institution: "institution",
    ServiceAgreement: "agreement",
    RosterEntry: "roster",
    Job: "job",
}
ADMIN = {model: f"admin:consortia_{model._meta.model_name}" for model in API}
USERS = ["admin", "staff_a1", "auditor_a1", "finance_a1x", "finance_a1y", "reviewer_a"]


@pytest.fixture
def populated(world):
    RosterEntry.objects.create(
        agreement=world.agreement_a1y, month=datetime.date(2025, 1, 1), enrollee_id="E1",
        team="T1", category="门诊", baseline_cost=Decimal("1200.00"),
    )
    Job.objects.create(kind=Job.Kind.ROSTER_IMPORT, county=world.county_a1, consortium=world.consortium_a1y)
    Job.objects.create(kind=Job.Kind.ROSTER_IMPORT, county=world.county_b1, consortium=world.consortium_b1)
    return world


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("model", list(API), ids=lambda m: m.__name__)
def test_api_list_and_detail_show_exactly_the_scope(client, populated, username, model):
    user = getattr(populated, username)
    client.force_login(user)
    everything = list(model.objects.all())
    visible = {o.pk for o in everything if expected_visible(user, o)}
    assert everything, "the fixture must hold rows of every model"

    url = reverse(f"{API[model]}-list")
    response = client.get(url)
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert listed == visible

    for obj in everything:
        detail = client.get(reverse(f"{API[model]}-detail", args=[obj.pk]))
        assert detail.status_code == (200 if obj.pk in visible else 404), (obj, detail.status_code)


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("model", list(ADMIN), ids=lambda m: m.__name__)
def test_admin_list_and_detail_show_exactly_the_scope(client, populated, username, model):
    user = getattr(populated, username)
    client.force_login(user)
    everything = list(model.objects.all())
    visible = {o.pk for o in everything if expected_visible(user, o)}

    changelist = client.get(reverse(f"{ADMIN[model]}_changelist"))
    assert changelist.status_code == 200
    assert {o.pk for o in changelist.context["cl"].result_list} == visible

    for obj in everything:
        page = client.get(reverse(f"{ADMIN[model]}_change", args=[obj.pk]))
        if obj.pk in visible:
            assert page.status_code == 200
        else:  # the admin answers "does not exist" with a redirect to its index
            assert page.status_code == 302
            assert page.url == reverse("admin:index")
        if model is not RosterEntry and model is not Job:
            history = client.get(reverse(f"{ADMIN[model]}_history", args=[obj.pk]))
            assert history.status_code == (200 if obj.pk in visible else 403)


def test_finance_officer_sees_no_other_consortium_anywhere(client, populated):
    """The plain statement of the rule, with the names a user would see."""
    client.force_login(populated.finance_a1x)
    other = populated.consortium_a1y
    for url in (
        reverse("consortium-list"), reverse("institution-list"), reverse("agreement-list"),
        reverse("roster-list"), reverse("job-list"), reverse("home"),
        reverse("admin:consortia_consortium_changelist"),
        reverse("admin:consortia_institution_changelist"),
    ):
        body = client.get(url).content.decode()
        assert other.name not in body, url
        assert other.code not in body, url
    assert populated.consortium_a1x.name in client.get(reverse("home")).content.decode()


def test_home_page_lists_the_scope(client, populated):
    client.force_login(populated.reviewer_a)
    body = client.get(reverse("home")).content.decode()
    for consortium in (populated.consortium_a1x, populated.consortium_a1y, populated.consortium_a2):
        assert consortium.name in body
    assert populated.consortium_b1.name not in body


@pytest.mark.parametrize("username", ["reviewer_a", "finance_a1x", "auditor_a1"])
def test_read_only_roles_write_nothing(client, populated, username):
    client.force_login(getattr(populated, username))
    lead = populated.consortium_a1x.lead_hospital
    assert client.patch(
        reverse("institution-detail", args=[lead.pk]), {"name": "改名"}, content_type="application/json"
    ).status_code == 403
    assert client.post(
        reverse("agreement-activate", args=[populated.agreement_a2.pk])
    ).status_code in (403, 404)
    assert client.post(
        reverse("agreement-parameters", args=[populated.agreement_a1x.pk]),
        {"values": {}, "reason": "x", "effective_from": "2025-06-01"}, content_type="application/json",
    ).status_code == 403
    assert client.get(reverse("admin:consortia_institution_change", args=[lead.pk])).context[
        "has_change_permission"
    ] is False
    lead.refresh_from_db()
    assert lead.name != "改名"


def test_bureau_staff_write_only_inside_their_county(client, populated):
    client.force_login(populated.staff_a1)
    new = {
        "code": f"H{populated.county_a1.code}90001", "name": "新建卫生院", "tier": "township", "level": "basic",
        "ownership": "public", "placement": "in_consortium",
    }
    ok = client.post(
        reverse("institution-list"),
        {**new, "county": populated.county_a1.pk, "consortium": populated.consortium_a1x.pk},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.json()
    refused = client.post(
        reverse("institution-list"),
        {**new, "code": f"H{populated.county_a2.code}90002", "county": populated.county_a2.pk,
         "consortium": populated.consortium_a2.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert set(refused.json()) >= {"county", "consortium"}
    assert not Institution.objects.filter(code=f"H{populated.county_a2.code}90002").exists()
    other = populated.consortium_a2.lead_hospital
    assert client.patch(
        reverse("institution-detail", args=[other.pk]), {"name": "x"}, content_type="application/json"
    ).status_code == 404


def test_user_admin_is_for_administrators_only(client, populated):
    client.force_login(populated.staff_a1)
    assert client.get(reverse("admin:consortia_user_changelist")).status_code == 403
    client.force_login(populated.admin)
    assert client.get(reverse("admin:consortia_user_changelist")).status_code == 200


def test_anonymous_gets_nothing(client, populated):
    assert client.get(reverse("consortium-list")).status_code == 403
    assert client.get(reverse("home")).status_code == 302


def test_only_the_administrator_deletes_and_never_what_money_refers_to(client, populated):
    consortium = populated.consortium_a1x
    client.force_login(populated.staff_a1)
    assert client.delete(reverse("consortium-detail", args=[consortium.pk])).status_code == 403
    client.force_login(populated.admin)
    refused = client.delete(reverse("consortium-detail", args=[consortium.pk]))
    assert refused.status_code == 409
    assert refused.json()["detail"] == "其他记录仍在引用该记录，不能删除。"
    assert Consortium.objects.filter(pk=consortium.pk).exists()


def test_agreement_actions_outside_the_scope_are_not_found(client, populated):
    """The custom admin pages and API actions are scoped like the lists."""
    client.force_login(populated.staff_a1)
    other = populated.agreement_b1
    assert client.get(reverse("admin:consortia_serviceagreement_parameters", args=[other.pk])).status_code == 404
    assert client.post(
        reverse("admin:consortia_serviceagreement_transition", args=[other.pk, "activate"])
    ).status_code == 404
    assert client.post(
        reverse("agreement-parameters", args=[other.pk]), {"values": {}}, content_type="application/json"
    ).status_code == 404
    assert client.post(reverse("agreement-activate", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == ServiceAgreement.Status.DRAFT
    client.force_login(populated.finance_a1x)
    mine = populated.agreement_a1x
    assert client.get(reverse("admin:consortia_serviceagreement_parameters", args=[mine.pk])).status_code == 403
    assert client.get(reverse("admin:consortia_rosterentry_import")).status_code == 403


def test_a_user_without_their_place_is_refused_with_a_message(client, populated):
    client.force_login(populated.admin)
    response = client.post(
        reverse("admin:consortia_user_add"),
        {"username": "new_fo", "password1": "Long-enough-pass-9", "password2": "Long-enough-pass-9",
         "usable_password": "true", "role": "finance_officer"},
    )
    assert response.status_code == 200
    assert "医共体财务人员须属于一个医共体" in response.content.decode()
    response = client.post(
        reverse("admin:consortia_user_add"),
        {"username": "new_fo", "password1": "Long-enough-pass-9", "password2": "Long-enough-pass-9",
         "usable_password": "true", "role": "finance_officer", "consortium": populated.consortium_a1x.pk},
    )
    assert response.status_code == 302
    created = User.objects.get(username="new_fo")
    assert (created.is_staff, created.is_superuser) == (True, False)
    client.force_login(created)
    assert client.get(reverse("consortium-list")).json()["count"] == 1
