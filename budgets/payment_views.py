"""The payments pages: start a prepayment run, the payment orders of the scope with filters,
totals, pages and a CSV of what is shown, the signatures (the finance officer's co-signature for
the co-managed account, the auditor's approval, never the maker's own), the payment record, and an
order's page with the rule behind its amount. Every step asks before money moves and goes through
the services, which hold the rules."""

import re
from decimal import Decimal

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consortia.models import Consortium, ServiceAgreement, User
from consortia.permissions import can_write
from consortia.selectors import scope_queryset, sees_everything
from consortia.services.work import work_enqueue
from consortia.services.approvals import decisions_of, sent_back
from consortia.templatetags.money import period, yuan

from .explain import steps_shown
from .exporters import PaymentOrdersExport
from .forms import PayForm, ReasonForm, RunForm
from .models import AnnualBudget, PaymentOrder, PrepaymentRun
from .services import payments
from .services.prepayments import prepayment_run_review, prepayment_run_start, unreviewed_orders
from .services.runs import runs_seen

PAGE_SIZE = 50
BULK_STEPS = {"review": payments.order_review, "approve": payments.order_approve, "co_sign": payments.order_co_sign}
SKIPPED_SHOWN = 20  # orders left out of a batch named in its message; the rest counted


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("payee or bank reference"), method="search")
    consortium = django_filters.ModelChoiceFilter(label=gettext_lazy("consortium"), field_name="agreement__consortium",
                                                  queryset=Consortium.objects.none())
    period = django_filters.CharFilter(label=gettext_lazy("period"), field_name="period", lookup_expr="startswith")

    class Meta:
        model = PaymentOrder
        fields = ["status", "kind", "channel", "period", "consortium"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["consortium"].queryset = scope_queryset(user, Consortium.objects.all())

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(payee_name__icontains=value) | Q(payee_code__icontains=value)
                               | Q(bank_reference__icontains=value))


def channel_totals(pairs) -> dict[str, Decimal]:
    """The amounts of (channel, amount) pairs totalled per channel, every channel present: money into
    the co-managed account and money paid on from it are one flow, never added together."""
    totals = {channel: Decimal("0.00") for channel in PaymentOrder.Channel.values}
    for channel, amount in pairs:
        totals[channel] += amount
    return totals


def _orders(user):
    return scope_queryset(user, PaymentOrder.objects.select_related(
        "agreement__consortium", "created_by", "approved_by", "co_signed_by")).order_by("-period", "kind", "payee_code")


@login_required
def payments_page(request):
    user = request.user
    found = OrderFilter(request.GET or None, queryset=_orders(user), user=user)
    orders = found.qs
    if request.GET.get("export") == "csv":
        return PaymentOrdersExport(user=user, orders=orders).response("csv")
    if request.method == "POST":
        _post(request)
        return redirect(request.get_full_path())
    # Money paid into the co-managed account and paid on from it to members is one flow: the two
    # channels are totalled apart, never added together.
    totals = channel_totals(orders.values_list("channel", "amount"))
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    bureau = can_write(user, AnnualBudget)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "budgets/payments.html", {
        "filter": found, "page": page, "from_bureau": totals[PaymentOrder.Channel.BUREAU],
        "from_co_managed": totals[PaymentOrder.Channel.CO_MANAGED],
        "matching_total": totals[PaymentOrder.Channel.BUREAU] + totals[PaymentOrder.Channel.CO_MANAGED],
        "count": page.paginator.count, "query": query.urlencode(),
        "run_form": RunForm(prefix="run", agreements=_runnable(user)) if bureau else None,  # not the filter's
        "runs": _runs(user),
        "can_review": user.role == User.Role.BUREAU_STAFF,
        "can_approve": user.role == User.Role.BUREAU_AUDITOR,
        "can_co_sign": user.role == User.Role.FINANCE_OFFICER,
    })


def _runnable(user):
    """The active agreements a run started by this user would act on."""
    return scope_queryset(user, ServiceAgreement.objects.filter(status=ServiceAgreement.Status.ACTIVE))


def _runs(user) -> list:
    """The latest prepayment runs the user sees, each with how many of its orders in the user's
    scope wait for the bureau's review (复核). A run of every county (the schedule's) counts the
    orders it made in the user's scope."""
    runs = runs_seen(user=user, limit=8)
    for run in runs:
        mine = scope_queryset(user, run.orders.all())
        if run.county_id is None and not sees_everything(user):
            run.orders_created, run.orders_existing = mine.count(), None
        run.unreviewed = unreviewed_orders(run, user).count() if run.status == PrepaymentRun.Status.SUCCEEDED else 0
        run.reviewed = mine.filter(created_by__isnull=True, reviewed_by__isnull=False).exists()
    return runs


def _post(request) -> None:
    user = request.user
    step = request.POST.get("step")
    if step == "review_run":
        run = next((r for r in runs_seen(user=user, pk=request.POST.get("run") or 0)), None)
        if run is None:
            raise PermissionDenied
        try:
            n = prepayment_run_review(run=run, user=user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return
        messages.success(request, _("%(n)s orders reviewed; an auditor other than you approves them.") % {"n": n})
        return
    if step == "run":
        if not can_write(user, AnnualBudget):
            raise PermissionDenied
        form = RunForm(request.POST, prefix="run", agreements=_runnable(user))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return
        try:
            run = prepayment_run_start(period=form.cleaned_data["period"], user=user)
        except (ValueError, ValidationError) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
            return
        work_enqueue(run)
        messages.success(request, _("Run %(id)s for %(period)s started.") % {
            "id": run.pk, "period": period(run.period)})
        run.refresh_from_db()
        if run.status == PrepaymentRun.Status.SUCCEEDED and run.reason:  # done already (no worker): why nothing
            messages.info(request, run.reason)
        return
    action = BULK_STEPS.get(step)
    if action is None:
        raise PermissionDenied
    if request.POST.get("scope") == "filtered":  # every order the list's filters find, on every page
        chosen = OrderFilter(request.GET or None, queryset=_orders(user), user=user).qs
    else:
        chosen = _orders(user).filter(pk__in=request.POST.getlist("orders"))
    done, total, skipped = 0, Decimal("0.00"), []
    for order in chosen:
        try:
            action(order=order, user=user)
        except ValidationError as error:  # not this order's step now: left out and listed, not an error
            skipped.append(f"{order}：{'；'.join(error.messages)}")
        else:
            done, total = done + 1, total + order.amount
    if done:
        messages.success(request, ngettext("%(n)s order signed, %(total)s.", "%(n)s orders signed, %(total)s in all.",
                                           done) % {"n": f"{done:,}", "total": yuan(total)})
    if skipped:
        shown = skipped[:SKIPPED_SHOWN]
        more = len(skipped) - len(shown)
        messages.warning(request, ngettext("%(n)s order could not take this step and was left out:",
                                           "%(n)s orders could not take this step and were left out:",
                                           len(skipped)) % {"n": f"{len(skipped):,}"} + " " + "；".join(shown)
                         + (_("… and %(n)s more.") % {"n": f"{more:,}"} if more else ""))
    if not chosen:
        messages.error(request, _("Tick the orders to sign first."))


@login_required
def order_page(request, pk: int):
    user = request.user
    order = get_object_or_404(_orders(user), pk=pk)
    pay_form, void_form = PayForm(prefix="pay", order=order), ReasonForm(prefix="void")
    reverse_form = ReasonForm(prefix="reverse")
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "approve":
                payments.order_approve(order=order, user=user, opinion=request.POST.get("opinion", ""))
                messages.success(request, _("Approved for payment."))
            elif step in BULK_STEPS:
                BULK_STEPS[step](order=order, user=user)
                messages.success(request, {"review": _("Reviewed."), "co_sign": _("Co-signed.")}[step])
            elif step == "pay":
                pay_form = PayForm(request.POST, prefix="pay", order=order)
                if pay_form.is_valid():
                    payments.order_pay(order=order, user=user, **pay_form.cleaned_data)
                    messages.success(request, _("Payment recorded and posted to the ledger."))
            elif step == "reverse":  # 冲正: a reversing order, signed and paid like any other
                reverse_form = ReasonForm(request.POST, prefix="reverse")
                if reverse_form.is_valid():
                    reversal = payments.order_reverse(order=order, user=user,
                                                      reason=reverse_form.cleaned_data["reason"])
                    messages.success(request, _("Reversing order made; an auditor other than you approves it."))
                    return redirect("payment-order", reversal.pk)
            elif step == "pass_on":
                made = payments.disbursements_create(order=order, user=user)
                messages.success(request, _("%(n)s orders to the members made; co-sign them, then the auditor "
                                            "approves.") % {"n": len(made)})
            elif step in ("send_back", "resubmit"):
                decide = payments.order_send_back if step == "send_back" else payments.order_resubmit
                decide(order=order, user=user, opinion=request.POST.get("opinion", ""))
                messages.success(request, _("Sent back with your opinion.") if step == "send_back"
                                 else _("Submitted again for approval."))
            elif step == "void":
                void_form = ReasonForm(request.POST, prefix="void")
                if void_form.is_valid():
                    payments.order_void(order=order, user=user, reason=void_form.cleaned_data["reason"])
                    messages.success(request, _("Voided."))
            else:
                raise PermissionDenied
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        if not (pay_form.errors or void_form.errors or reverse_form.errors):
            return redirect("payment-order", order.pk)
        order.refresh_from_db()
    return render(request, "budgets/order.html", {
        "order": order, "pay_form": pay_form, "void_form": void_form, "reverse_form": reverse_form,
        "reversed_by": PaymentOrder.objects.filter(reverses=order).first(),
        "disbursements": order.disbursements.select_related("agreement").order_by("payee_code"),
        "steps": payments.order_steps(order=order, user=user),
        "trace": steps_shown(order.trace or [], order.agreement.scheme),
        "trail": decisions_of(order), "sent_back": sent_back(order),
    })


BANK_SESSION = "bank-file-lines"


@login_required
def bank_file_page(request):
    """银行回单: upload the bank's file, see every line matched or not, record the matched together."""
    from .services import bank

    user = request.user
    if not (user.is_superuser or user.role == User.Role.BUREAU_STAFF):
        raise PermissionDenied
    lines = None
    if request.method == "POST" and request.POST.get("step") == "preview":
        upload = request.FILES.get("bank_file")
        if upload is None:
            messages.error(request, _("Choose the bank's file first."))
        else:
            try:
                lines = [line.as_dict() for line in bank.bank_file_read(upload=upload, user=user)]
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                request.session[BANK_SESSION] = lines
    elif request.method == "POST" and request.POST.get("step") == "record":
        stored = request.session.get(BANK_SESSION) or []
        if not any(line["state"] == "matched" for line in stored):
            messages.error(request, _("Match the bank's file first: no matched line waits to be recorded."))
            return redirect("bank-file")
        try:
            paid = bank.bank_file_record(lines=stored, user=user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            lines = stored
        else:
            request.session.pop(BANK_SESSION, None)
            total = sum((o.amount for o in paid), Decimal("0.00"))
            messages.success(request, ngettext("%(n)s payment recorded, %(total)s.",
                                               "%(n)s payments recorded, %(total)s in all.", len(paid))
                             % {"n": f"{len(paid):,}", "total": yuan(total)})
            return redirect("payments")
    counts = {state: sum(1 for line in lines or [] if line["state"] == state)
              for state in ("matched", "mismatched", "unmatched")}
    matched_total = sum((Decimal(line["amount"]) for line in lines or [] if line["state"] == "matched"),
                        Decimal("0.00"))
    for line in lines or []:
        line["amount_shown"] = yuan(Decimal(line["amount"])) if re.fullmatch(r"-?\d+\.\d{2}", line["amount"]) \
            else line["amount"]
    return render(request, "budgets/bank_file.html", {"lines": lines, "counts": counts,
                                                      "matched_total": matched_total})
