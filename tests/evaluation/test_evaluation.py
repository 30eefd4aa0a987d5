"""The Annex-2 evaluation: items pre-filled from the data, filled, submitted, confirmed by another
person of the bureau, final once confirmed, fed to the clearing (E1, E5)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from budgets.services.clearing import clearing_compute
from evaluation import services
from consortia.models import User
from evaluation.models import ChecklistTemplate, Evaluation, ItemResult, NegativeFinding
from tests.consortia import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def fill(evaluation, user, **overrides):
    """Every item not pre-filled: met, unless overridden by number (n3="partly")."""
    for result in evaluation.results.select_related("item"):
        value = overrides.get(f"n{result.item.number}", result.result or "met")
        services.item_result_set(result=result, value=value, evidence=f"证明材料 {result.item.number}", user=user)


def test_the_checklist_has_seventeen_items_in_three_sections_worth_100_points(yangxi):
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=yangxi.county.staff)
    items = list(evaluation.template.items.order_by("number"))
    assert [i.number for i in items] == list(range(1, 18))
    assert {i.section for i in items[:5]} == {1} and {i.section for i in items[5:12]} == {2}
    assert {i.section for i in items[12:]} == {3}
    assert sum(i.weight for i in items) == Decimal("100.00")
    assert items[13].text == "县域内基本医疗保险参保人住院率提升。"
    assert evaluation.template.section_title(2) == "医共体医保服务管理情况"


def test_items_the_data_can_answer_are_pre_filled_with_their_figure(yangxi):
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=yangxi.county.staff)
    results = {r.item.number: r for r in evaluation.results.select_related("item")}
    share = results[14]
    assert (share.result, share.score) == ("met", Decimal("8.00"))
    assert share.figure["value"] == "0.7500" and share.figure["last_year"] == "0.5000"
    assert share.figure["computed"] is True and "住院" in share.figure["formula"]
    assert (results[15].result, results[16].result) == ("met", "met")  # no confirmed fraud or refusal findings
    assert results[13].result == ""  # no roster: the enrollment rate is entered with evidence
    assert results[1].result == "" and results[1].figure == {}


def test_a_confirmed_finding_turns_item_15_to_not_met_on_refresh(yangxi):
    staff = yangxi.county.staff
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    finding = NegativeFinding.objects.create(consortium=yangxi.consortium, year=2025, situation=7,
                                             description="某卫生院虚记住院费用", recorded_by=staff)
    services.finding_review(finding=finding, status=NegativeFinding.Status.CONFIRMED, user=yangxi.county.auditor)
    assert services.evaluation_refresh(evaluation=evaluation, user=staff) == 1
    item15 = evaluation.results.get(item__number=15)
    assert (item15.result, item15.score, item15.figure["value"]) == ("not_met", Decimal("0.00"), "1")


def test_submit_confirm_and_the_total_on_100_points(yangxi):
    staff, staff2 = yangxi.county.staff, yangxi.county.staff2
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    fill(evaluation, staff, n3="partly", n5="not_met", n10="na", n17="partly")
    evaluation = services.evaluation_submit(evaluation=evaluation, user=staff)
    # Earned: 100 - 5 (item 10, n/a) - 2.5 (3) - 5 (5) - 4 (17) = 83.5 of 95 applicable points -> 87.89.
    assert evaluation.total_score == Decimal("87.89")
    with pytest.raises(ValidationError, match="另一位"):
        services.evaluation_confirm(evaluation=evaluation, user=staff)
    evaluation = services.evaluation_confirm(evaluation=evaluation, user=staff2)
    assert (evaluation.status, evaluation.confirmed_by) == (Evaluation.Status.CONFIRMED, staff2)
    assert services.confirmed_score(consortium=yangxi.consortium, year=2025) == Decimal("87.89")


def test_submitting_needs_every_item_and_a_finance_officer_cannot_fill(yangxi):
    staff = yangxi.county.staff
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    with pytest.raises(ValidationError, match="1, 2, 3"):
        services.evaluation_submit(evaluation=evaluation, user=staff)
    with pytest.raises(ValidationError):
        services.item_result_set(result=evaluation.results.first(), value="met", evidence="", user=yangxi.finance)
    with pytest.raises(ValidationError):
        services.item_result_set(result=evaluation.results.first(), value="excellent", evidence="", user=staff)


def test_a_confirmed_evaluation_never_changes(yangxi):
    staff, staff2 = yangxi.county.staff, yangxi.county.staff2
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    fill(evaluation, staff)
    services.evaluation_confirm(evaluation=services.evaluation_submit(evaluation=evaluation, user=staff), user=staff2)
    result = evaluation.results.get(item__number=1)
    with pytest.raises(ValidationError, match="已确认"):
        services.item_result_set(result=result, value="not_met", evidence="", user=staff)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        ItemResult.objects.filter(pk=result.pk).update(result="not_met")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(total_score=Decimal("100"))
    if connection.vendor == "postgresql":  # SQLite has the update guards only (see 0002)
        with pytest.raises(IntegrityError), transaction.atomic():
            ItemResult.objects.filter(pk=result.pk).delete()


def test_a_sent_back_evaluation_can_be_corrected(yangxi):
    staff, staff2 = yangxi.county.staff, yangxi.county.staff2
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    fill(evaluation, staff)
    evaluation = services.evaluation_submit(evaluation=evaluation, user=staff)
    evaluation = services.evaluation_send_back(evaluation=evaluation, user=staff2, reason="第5项证明不足")
    assert evaluation.status == Evaluation.Status.DRAFT and "第5项证明不足" in evaluation.remarks
    services.item_result_set(result=evaluation.results.get(item__number=5), value="partly", evidence="", user=staff)
    assert services.evaluation_submit(evaluation=evaluation, user=staff).total_score == Decimal("97.50")
    services.evaluation_confirm(evaluation=evaluation, user=staff2)
    from consortia.services.approvals import decisions_of

    assert [(d.step, d.by, d.opinion) for d in decisions_of(evaluation)] == [
        ("submitted", staff, ""), ("sent_back", staff2, "第5项证明不足"), ("submitted", staff, ""),
        ("approved", staff2, "")]


def test_the_confirmed_score_feeds_the_clearing(yangxi):
    staff, staff2 = yangxi.county.staff, yangxi.county.staff2
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    fill(evaluation, staff, n5="not_met")
    services.evaluation_confirm(evaluation=services.evaluation_submit(evaluation=evaluation, user=staff), user=staff2)
    yangxi.county.actuals(yangxi.agreement, yangxi.data)  # entered with the scenario's 92.5
    clearing = clearing_compute(agreement=yangxi.agreement, user=staff)
    assert clearing.inputs["evaluation"]["score"] == "95.00"


def test_a_template_in_use_is_not_reworded_but_copied_to_a_new_version(client, yangxi):
    from django.urls import reverse

    staff = yangxi.county.staff
    evaluation = services.evaluation_start(consortium=yangxi.consortium, year=2025, user=staff)
    template = evaluation.template
    with pytest.raises(IntegrityError), transaction.atomic():
        template.items.filter(number=1).update(text="改写")
    with pytest.raises(ValidationError):  # the checklist is the administrator's
        services.template_new_version(template=template, valid_from_year=2026, user=staff)
    admin = f.user(User.Role.ADMINISTRATOR, "tpl-admin")
    client.force_login(admin)  # even the administrator's admin page shows a version in use read-only
    page = client.get(reverse("admin:evaluation_checklisttemplate_change", args=[template.pk])).content.decode()
    assert template.title in page and 'name="title"' not in page and 'name="items-0-text"' not in page
    newer = services.template_new_version(template=template, valid_from_year=2026, user=admin)
    newer.items.filter(number=1).update(text="建设人、财、物统一管理的紧密型医共体。")
    assert services.template_for(2026) == newer and services.template_for(2025) == template
    assert evaluation.results.get(item__number=1).item.text == "建设人、财、物实现统一的紧密型医共体。"


def test_only_the_administrator_copies_the_checklist_template_in_the_admin(client, yangxi):
    from django.urls import reverse

    template = services.template_for(2025)
    before = ChecklistTemplate.objects.count()
    client.force_login(yangxi.county.staff)
    client.post(reverse("admin:evaluation_checklisttemplate_changelist"),
                {"action": "new_version", "_selected_action": [template.pk]})
    assert ChecklistTemplate.objects.count() == before
    client.force_login(f.user(User.Role.ADMINISTRATOR, "tpl-admin2"))
    client.post(reverse("admin:evaluation_checklisttemplate_changelist"),
                {"action": "new_version", "_selected_action": [template.pk]})
    assert ChecklistTemplate.objects.count() == before + 1
