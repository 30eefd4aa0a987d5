"""Accessibility basics: every form field of the main pages has a label, and the main steps work
from the keyboard."""

import pytest
from playwright.sync_api import expect

from budgets.models import PaymentOrder
from consortia.models import ServiceAgreement
from evaluation.models import Evaluation

from .conftest import sign_in

pytestmark = pytest.mark.browser

UNLABELLED = """elements => elements
  .filter(e => !['hidden', 'submit', 'button'].includes(e.type))
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id || e.outerHTML.slice(0, 80))"""


def test_every_field_of_the_main_pages_has_a_label(page):
    agreement = ServiceAgreement.objects.get(consortium__code="SX-YGT-01")
    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01")
    sign_in(page, "sx_staff")
    for path in ("/", "/claims/import/", "/claims/", "/payments/", "/evaluations/", f"/evaluations/{evaluation.pk}/",
                 f"/agreements/{agreement.pk}/budget/?revise=1", f"/agreements/{agreement.pk}/clearing/",
                 "/feasibility/", "/agreements/", f"/agreements/{agreement.pk}/",
                 f"/agreements/{agreement.pk}/parameters/", "/checks/", "/dip/", "/registry/", "/benefit-rules/",
                 "/accounts/password/"):
        page.goto(f"{page.live_url}{path}")
        assert page.locator("input, select, textarea").evaluate_all(UNLABELLED) == [], path


def test_an_auditor_approves_from_the_keyboard(page):
    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/payments/?kind=prepayment&status=paid")
    expect(page.get_by_role("cell", name="2025年第1季度").first).to_be_visible()
    page.get_by_label("状态").focus()
    page.keyboard.press("Tab")  # from one field to the next
    focused = page.evaluate("document.activeElement.id")
    assert focused and focused != "id_status"
    page.get_by_role("link", name=PaymentOrder.objects.get(period="2025-Q1", kind="prepayment").payee_name).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="预拨 2025年第1季度")).to_be_visible()
