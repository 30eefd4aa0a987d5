"""One writer each: a budget entered, changed and given a new version on the page, in the admin or
through the API is the same row with the same figures and the same history line, because all
three call budget_save; a refusal keeps nothing, whichever door. The same for the year's actuals
(admin and API, year_actuals_save)."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets.models import AnnualBudget, YearActuals
from budgets.services import budgets as budget_services
from consortia import services as registry
from tests.consortia import factories as f

FIRST, CHANGED, REVISED = "1000000.00", "2000000.00", "3000000.00"


def _agreement(county):
    """A Guangdong agreement of the county with one member and no budget yet."""
    consortium = f.ConsortiumFactory(county=county.county)
    lead = f.MemberFactory(consortium=consortium, tier="lead", name="牵头医院")
    agreement = registry.agreement_create(consortium=consortium, year=2025, scheme="guangdong-2019", user=None,
                                          signed_date=datetime.date(2025, 1, 2))
    return agreement, [{"code": lead.code, "name": lead.name, "tier": "lead", "prior_year_paid": "100.00"}]


class Page:
    name = "page"

    def __init__(self, client):
        self.client = client

    def save(self, agreement, members, revenue, budget=None, reason=None):
        url = reverse("budget-page", args=[agreement.pk]) + ("?revise=1" if reason is not None else "")
        data = {"step": "save", "revenue": revenue, "members-TOTAL_FORMS": len(members),
                "members-INITIAL_FORMS": 0, "reason": reason or ""}
        for n, m in enumerate(members):
            data |= {f"members-{n}-{key}": value for key, value in m.items()}
        response = self.client.post(url, data, follow=True)
        said = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
        if "members" in response.context:  # a refusal is set beside the member or field it concerns
            for row in response.context["members"].forms:
                said += [str(e) for errors in row.errors.values() for e in errors]
            said += [str(e) for errors in response.context["form"].errors.values() for e in errors]
        return said


class Admin:
    name = "admin"

    def __init__(self, client):
        self.client = client

    def save(self, agreement, members, revenue, budget=None, reason=None):
        data = {"fund": json.dumps({"revenue": revenue}), "members": json.dumps(members), "reason": reason or ""}
        if budget is None:
            url = reverse("admin:budgets_annualbudget_add")
            data["agreement"] = agreement.pk
        else:
            url = reverse("admin:budgets_annualbudget_change", args=[budget.pk])
        response = self.client.post(url, data)
        if response.status_code != 200:
            return [] if response.status_code == 302 else [str(response.status_code)]
        return [str(e) for e in response.context["adminform"].form.errors.values()]


class Api:
    name = "api"

    def __init__(self, client):
        self.client = client

    def save(self, agreement, members, revenue, budget=None, reason=None):
        data = {"fund": {"revenue": revenue}, "members": members}
        if reason is not None:
            data["reason"] = reason
        if budget is None:
            response = self.client.post(reverse("budget-list"), {"agreement": agreement.pk, **data},
                                        content_type="application/json")
        else:
            response = self.client.patch(reverse("budget-detail", args=[budget.pk]), data,
                                         content_type="application/json")
        return [] if response.status_code in (200, 201) else [json.dumps(response.json(), ensure_ascii=False)]


DOORS = [Page, Admin, Api]


def _state(agreement):
    """Everything a user would see of the agreement's budgets and their history, door-blind."""
    rows = []
    for b in agreement.budgets.order_by("version"):
        history = [(h.history_type, h.history_user_id, h.version, h.status, h.fund["revenue"])
                   for h in AnnualBudget.history.filter(id=b.pk).order_by("history_id")]
        rows.append((b.version, b.status, b.fund, b.members, b.reason, b.created_by_id, b.computed, history))
    return rows


def _journey(county, door):
    """First version, a change to the draft, approval, a new version; with a refusal at each step."""
    agreement, members = _agreement(county)
    refused = door.save(agreement, members * 2, FIRST)  # the engine refuses, in Chinese
    assert any("重复出现" in m for m in refused)
    assert not agreement.budgets.exists() and not AnnualBudget.history.filter(agreement=agreement).exists()
    assert door.save(agreement, members, FIRST) == []
    budget = agreement.budgets.get()
    assert door.save(agreement, members, CHANGED, budget=budget) == []
    budget_services.budget_submit(budget=budget, user=county.staff)
    budget_services.budget_approve(budget=budget, user=county.auditor)
    before = _state(agreement)
    refused = door.save(agreement, members, REVISED, reason="")  # a new version gives its reason
    assert refused and _state(agreement) == before
    refused = door.save(agreement, members * 2, REVISED, reason="年中追加筹资")
    assert any("重复出现" in m for m in refused), refused
    assert _state(agreement) == before
    assert door.save(agreement, members, REVISED, reason="年中追加筹资") == []
    return agreement


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.name)
def test_each_door_enters_changes_and_revises_a_budget_alike(client, county, door):
    client.force_login(county.staff)
    agreement = _journey(county, door(client))
    (first, second) = _state(agreement)
    staff = county.staff.pk
    assert first[:2] == (1, "approved") and first[6]["package"]["package"] == "1800000.00"
    assert first[7] == [("+", staff, 1, "draft", FIRST), ("~", staff, 1, "draft", CHANGED),
                        ("~", staff, 1, "submitted", CHANGED), ("~", county.auditor.pk, 1, "approved", CHANGED)]
    assert second[:2] == (2, "draft") and second[4] == "年中追加筹资" and second[5] == staff
    assert second[6]["package"]["package"] == "2700000.00"
    assert second[7] == [("+", staff, 2, "draft", REVISED)]


def test_the_three_doors_leave_the_same_rows(client, county):
    client.force_login(county.staff)
    states = []
    for door in DOORS:
        agreement = _journey(county, door(client))
        code = agreement.consortium.members.get().code
        states.append(json.loads(json.dumps(_state(agreement)).replace(code, "MEMBER")))
    assert states[0] == states[1] == states[2]


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.name)
def test_an_auditor_enters_no_budget_by_any_door(client, county, door):
    agreement, members = _agreement(county)
    client.force_login(county.auditor)
    door(client).save(agreement, members, FIRST)
    assert not agreement.budgets.exists()


def test_the_service_refuses_whoever_may_not_write_and_a_submitted_budget(county):
    from django.core.exceptions import ValidationError

    agreement, members = _agreement(county)
    with pytest.raises(ValidationError):
        budget_services.budget_save(agreement=agreement, fund={"revenue": FIRST}, members=members, user=county.auditor)
    budget = budget_services.budget_save(agreement=agreement, fund={"revenue": FIRST}, members=members,
                                         user=county.staff)
    budget_services.budget_submit(budget=budget, user=county.staff)
    for kwargs in ({"budget": budget}, {"reason": "再改"}):  # neither changed nor superseded while it waits
        with pytest.raises(ValidationError):
            budget_services.budget_save(agreement=agreement, fund={"revenue": CHANGED}, members=members,
                                        user=county.staff, **kwargs)
    assert list(agreement.budgets.values_list("version", "fund")) == [(1, {"revenue": FIRST})]


# --- the year's actuals -------------------------------------------------------------------------

def _actuals_by_api(client, agreement, figures):
    response = client.post(reverse("actuals-list"), {"agreement": agreement.pk, **figures},
                           content_type="application/json")
    return response.status_code, json.dumps(response.json(), ensure_ascii=False)


def _actuals_by_admin(client, agreement, figures):
    data = {"agreement": agreement.pk, "enrollee_expenditure": "", "evaluation_score": "", "member_scores": "{}",
            **{k: json.dumps(v) if isinstance(v, dict) else v for k, v in figures.items()}}
    response = client.post(reverse("admin:budgets_yearactuals_add"), data)
    body = response.content.decode() if response.status_code != 302 else ""
    return response.status_code, body


def _actuals_state(agreement):
    row = YearActuals.objects.get(agreement=agreement)
    codes = {m["code"]: f"M{n}" for n, m in enumerate(agreement.budgets.get().members)}
    history = [(h.history_type, h.history_user_id, h.source) for h in YearActuals.history.filter(id=row.pk)]
    return (row.source, row.entered_by_id, {codes[k]: v for k, v in row.in_consortium.items()},
            row.out_of_consortium, row.evaluation_score, history)


@pytest.mark.parametrize("door", [_actuals_by_api, _actuals_by_admin], ids=["api", "admin"])
def test_actuals_are_checked_by_the_scheme_and_refusals_keep_nothing(client, county, door):
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    inside = data["actuals"]["in_consortium"]
    client.force_login(county.staff)
    short = dict(list(inside.items())[1:])  # a member without its figure
    status, body = door(client, agreement, {"in_consortium": short, "out_of_consortium": "10.00"})
    missing = next(m for m in _budget.members if m["code"] == next(iter(inside)))
    assert status in (200, 400) and f"缺少医共体内结算费用（{missing['name']}）" in body
    assert "actuals.in_consortium" not in body  # the member by name, not a path
    status, body = door(client, agreement, {"in_consortium": {**inside, "XX-1": "1.00"},
                                            "out_of_consortium": "10.00"})
    assert "不是本测算中的成员单位" in body
    assert not YearActuals.objects.exists() and not YearActuals.history.exists()
    client.force_login(county.auditor)  # reads, enters nothing
    status, _body = door(client, agreement, {"in_consortium": inside, "out_of_consortium": "10.00"})
    assert status == 403 and not YearActuals.objects.exists()


def test_actuals_entered_by_the_api_and_the_admin_are_the_same(client, county):
    client.force_login(county.staff)
    states = []
    for door in (_actuals_by_api, _actuals_by_admin):
        agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
        figures = {"in_consortium": data["actuals"]["in_consortium"], "out_of_consortium": "25932.1",
                   "evaluation_score": "92.5"}
        status, body = door(client, agreement, figures)
        assert status in (201, 302), body
        states.append(_actuals_state(agreement))
    assert states[0] == states[1]
    source, entered_by, inside, outside, score, history = states[0]
    assert (source, entered_by, outside, score) == ("entered", county.staff.pk, D("25932.10"), D("92.50"))
    assert history == [("+", county.staff.pk, "entered")]
    assert all(isinstance(v, str) and v == format(D(v).quantize(D("0.01")), "f") for v in inside.values())


def test_actuals_sent_as_json_numbers_are_kept_as_exact_texts(client, county):
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    client.force_login(county.staff)
    numbers = {code: float(value) for code, value in data["actuals"]["in_consortium"].items()}
    status, body = _actuals_by_api(client, agreement, {"in_consortium": numbers, "out_of_consortium": "0"})
    assert status == 201, body
    kept = YearActuals.objects.get(agreement=agreement).in_consortium
    assert kept == {code: format(D(value).quantize(D("0.01")), "f")
                    for code, value in data["actuals"]["in_consortium"].items()}


def test_actuals_stay_with_their_agreement_and_freeze_with_the_approved_clearing(client, county):
    from budgets.services import clearing as clearing_services

    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    other, _b, _f, _d = county.agreement("guangdong-2019-surplus")
    client.force_login(county.staff)
    status, body = _actuals_by_api(client, agreement, {"in_consortium": data["actuals"]["in_consortium"],
                                                       "out_of_consortium": data["actuals"]["out_of_consortium"]})
    assert status == 201, body
    row = YearActuals.objects.get(agreement=agreement)
    url = reverse("actuals-detail", args=[row.pk])
    moved = client.patch(url, {"agreement": other.pk}, content_type="application/json")
    assert moved.status_code == 400
    assert YearActuals.objects.get(pk=row.pk).agreement == agreement
    clearing = clearing_services.clearing_compute(agreement=agreement, user=county.staff)
    clearing_services.clearing_approve(clearing=clearing, user=county.auditor)
    late = client.patch(url, {"out_of_consortium": "1.00"}, content_type="application/json")
    assert late.status_code == 400 and "清算" in json.dumps(late.json(), ensure_ascii=False)
    assert YearActuals.objects.get(pk=row.pk).out_of_consortium == D(data["actuals"]["out_of_consortium"])
    admin = client.post(reverse("admin:budgets_yearactuals_change", args=[row.pk]), {
        "in_consortium": json.dumps(row.in_consortium), "out_of_consortium": "1.00", "enrollee_expenditure": "",
        "evaluation_score": "", "member_scores": "{}"})
    assert admin.status_code == 200 and "清算" in admin.content.decode()
    assert YearActuals.objects.get(pk=row.pk).out_of_consortium == D(data["actuals"]["out_of_consortium"])


@pytest.mark.parametrize("door", [_actuals_by_api, _actuals_by_admin], ids=["api", "admin"])
def test_a_negative_amount_is_refused_in_words_not_by_the_constraint_name(client, county, door):
    agreement, _budget, _fo, data = county.agreement("guangdong-2019-surplus")
    client.force_login(county.staff)
    status, body = door(client, agreement, {"in_consortium": data["actuals"]["in_consortium"],
                                            "out_of_consortium": "-5", "evaluation_score": "101"})
    assert status in (200, 400)
    assert "医共体外结算费用不能为负数" in body and "绩效评价得分应在 0 到 100 之间" in body
    assert "actuals_outside_non_negative" not in body and "actuals_score_range" not in body
    assert not YearActuals.objects.exists()


def test_the_budget_page_sets_the_engines_refusal_beside_the_member_it_concerns(client, county):
    """A clerk enters the same member twice: the page says once, at the top, how many figures to
    correct, and sets the refusal on the second row, naming the member (牵头医院), not members[1]."""
    agreement, members = _agreement(county)
    client.force_login(county.staff)
    url = reverse("budget-page", args=[agreement.pk])
    data = {"step": "save", "revenue": FIRST, "members-TOTAL_FORMS": 2, "members-INITIAL_FORMS": 0}
    for n, m in enumerate(members * 2):
        data |= {f"members-{n}-{key}": value for key, value in m.items()}
    response = client.post(url, data, follow=True)
    body = response.content.decode()
    said = [str(m) for m in response.context["messages"]]
    assert said == ["1 处数据需要更正，已在下方对应的栏目或成员单位旁标出。"]
    rows = response.context["members"].forms
    assert rows[0].errors == {} and list(rows[1].errors) == ["code"]
    assert rows[1].errors["code"] == [f"牵头医院的成员单位编码：成员单位编码 {members[0]['code']} 重复出现。"]
    assert "members[" not in body and 'class="has-errors"' in body
    assert not agreement.budgets.exists()
