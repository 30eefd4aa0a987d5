"""The printed sheets of the fund cycle (consortia.printing): the 付款审批单 of an order and of a
batch (the payments list's filters), the year-end clearing statement and the budget approval sheet.
Anyone who may see the object may print it; printing changes nothing."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from consortia.printing import SIGNED_BY, Sheet, bureau_name, printed
from consortia.selectors import scope_queryset
from consortia.services.approvals import decisions_of
from consortia.templatetags.money import period

from .models import AnnualBudget, Clearing, PaymentOrder
from .payment_views import OrderFilter, _orders, channel_totals
from .selectors import budget_comparison
from .simulations import package_amount, present_output

BATCH_LIMIT = 500  # orders on one printed batch sheet; a larger batch is narrowed with the filters


def _order_signers(order) -> list:
    maker = order.created_by or order.reviewed_by
    signers = [Sheet.signer(SIGNED_BY[0], maker), Sheet.signer(SIGNED_BY[1], order.approved_by),
               Sheet.signer(SIGNED_BY[2], None)]
    if order.channel == PaymentOrder.Channel.CO_MANAGED:
        signers.insert(2, Sheet.signer(_("Consortium finance"), order.co_signed_by))
    return signers


def _seals(agreement, *, consortium: bool = True) -> list[str]:
    return [bureau_name(agreement.consortium.county)] + ([agreement.consortium.name] if consortium else [])


@login_required
def order_sheet(request, pk: int, pdf: bool = False):
    order = get_object_or_404(_orders(request.user).select_related("agreement__consortium__county", "reviewed_by",
                                                                   "paid_by"), pk=pk)
    agreement = order.agreement
    sheet = Sheet(title=_("Payment approval form"), unit=bureau_name(agreement.consortium.county),
                  number=str(order.pk), signers=_order_signers(order),
                  seals=_seals(agreement, consortium=order.channel == PaymentOrder.Channel.CO_MANAGED))
    return printed(request, "print/order.html", {"order": order, "agreement": agreement,
                                                  "trail": decisions_of(order)},
                   sheet=sheet, filename=f"payment-order-{order.pk}", pdf=pdf)


@login_required
def orders_sheet(request, pdf: bool = False):
    """The orders the payments list shows with its filters, on one sheet with their total."""
    found = OrderFilter(request.GET or None, queryset=_orders(request.user), user=request.user)
    orders = list(found.qs.select_related("agreement__consortium__county")[:BATCH_LIMIT + 1])
    cut = len(orders) > BATCH_LIMIT
    orders = orders[:BATCH_LIMIT]
    totals = channel_totals((o.channel, o.amount) for o in orders)
    counties = {o.agreement.consortium.county for o in orders} or ({request.user.county} if request.user.county_id
                                                                   else set())
    if len(counties) == 1:
        unit = bureau_name(next(iter(counties)))
    else:  # a province's reviewer printing several counties', or an administrator with nothing found
        unit = _("Medical insurance bureaus of %(n)s counties") % {"n": len(counties)} if counties else ""
    sheet = Sheet(title=_("Payment approval form (batch)"), unit=unit,
                  signers=[Sheet.signer(role, request.user if role == SIGNED_BY[0] else None) for role in SIGNED_BY],
                  seals=[unit] if len(counties) == 1 else [])
    return printed(request, "print/orders.html", {
        "orders": orders, "cut": cut, "limit": BATCH_LIMIT, "filters": _filters_said(found.form),
        "from_bureau": totals[PaymentOrder.Channel.BUREAU], "from_co_managed": totals[PaymentOrder.Channel.CO_MANAGED],
        "channels": len([t for t in totals.values() if t]) > 1,
    }, sheet=sheet, filename="payment-orders", pdf=pdf)


def _filters_said(form) -> list[tuple[str, str]]:
    """The list's filters as the clerk chose them: choices by their names, periods as said."""
    if not form.is_valid():
        return []
    said = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if name == "period":
            value = period(value)
        elif getattr(field, "choices", None) and not hasattr(value, "pk"):
            value = dict(field.choices).get(value, value)
        said.append((field.label, str(value)))
    return said


@login_required
def clearing_sheet(request, pk: int, pdf: bool = False):
    clearing = get_object_or_404(scope_queryset(request.user, Clearing.objects.select_related(
        "agreement__consortium__county", "computed_by", "approved_by")), pk=pk)
    agreement = clearing.agreement
    shown = present_output(agreement.scheme, clearing.result)
    final = clearing.result.get("clearing", {}).get("final_payment")
    sheet = Sheet(title=_("Year-end clearing statement"), unit=bureau_name(agreement.consortium.county),
                  number=f"{agreement.consortium.code}-{agreement.year}-{clearing.pk}",
                  signers=[Sheet.signer(SIGNED_BY[0], clearing.computed_by),
                           Sheet.signer(SIGNED_BY[1], clearing.approved_by), Sheet.signer(SIGNED_BY[2], None),
                           Sheet.signer(_("Consortium"), None)],
                  seals=_seals(agreement))
    return printed(request, "print/clearing.html", {
        "clearing": clearing, "agreement": agreement, "shown": shown,
        "final": Decimal(final) if final is not None else None, "trail": decisions_of(clearing),
    }, sheet=sheet, filename=f"clearing-{agreement.consortium.code}-{agreement.year}", pdf=pdf)


@login_required
def budget_sheet(request, pk: int, pdf: bool = False):
    budget = get_object_or_404(scope_queryset(request.user, AnnualBudget.objects.select_related(
        "agreement__consortium__county", "created_by", "submitted_by", "approved_by")), pk=pk)
    agreement = budget.agreement
    computed = budget.computed or {}
    shown = present_output(agreement.scheme, {**computed, "clearing": {}}) if computed.get("package") else {}
    package = package_amount(computed) if computed.get("package") else None
    sheet = Sheet(title=_("Budget approval sheet"), unit=bureau_name(agreement.consortium.county),
                  number=f"{agreement.consortium.code}-{agreement.year}-v{budget.version}",
                  signers=[Sheet.signer(SIGNED_BY[0], budget.submitted_by or budget.created_by),
                           Sheet.signer(SIGNED_BY[1], budget.approved_by), Sheet.signer(SIGNED_BY[2], None)],
                  seals=_seals(agreement, consortium=False))
    return printed(request, "print/budget.html", {
        "budget": budget, "agreement": agreement, "shown": shown, "package": package,
        "comparison": budget_comparison(budget=budget), "trail": decisions_of(budget),
    }, sheet=sheet, filename=f"budget-{agreement.consortium.code}-{agreement.year}-v{budget.version}", pdf=pdf)
