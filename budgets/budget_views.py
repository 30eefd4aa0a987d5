"""The budget page of an agreement: its versions, the figures of the one in force computed by the
engine with every number's rule, and the clerk's steps: enter or change the draft (the scheme's
fund figures and the members, starting from the registry), submit, have another person of the
bureau approve it, start a new version with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from consortia.models import ServiceAgreement
from consortia.permissions import can_write
from consortia.selectors import scope_queryset

from .forms import BudgetForm, BudgetMemberFormSet, member_initial, member_row, member_rows, registry_members
from .models import AnnualBudget
from .services import budgets as budget_services
from .simulations import present_output


@login_required
def budget_page(request, agreement_pk: int):
    user = request.user
    agreement = get_object_or_404(scope_queryset(user, ServiceAgreement.objects.select_related("consortium")),
                                  pk=agreement_pk)
    versions = list(agreement.budgets.select_related("created_by", "submitted_by", "approved_by").order_by("-version"))
    latest = versions[0] if versions else None
    writer = can_write(user, AnnualBudget)
    revising = bool(request.GET.get("revise")) and latest is not None and latest.status in (
        AnnualBudget.Status.APPROVED, AnnualBudget.Status.LOCKED)
    editing = writer and (latest is None or latest.status == AnnualBudget.Status.DRAFT or revising)
    members_needed = agreement.rules.members
    source = latest if latest is not None else None
    form = BudgetForm(scheme=agreement.scheme, initial=BudgetForm.initial_from(source.fund) if source else None)
    rows = [member_initial(m) for m in source.members] if source else registry_members(agreement.consortium)
    members = BudgetMemberFormSet(initial=rows if members_needed else [], prefix="members")

    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "save":
                if not editing:
                    raise PermissionDenied
                form = BudgetForm(request.POST, scheme=agreement.scheme)
                members = BudgetMemberFormSet(request.POST, prefix="members")
                if form.is_valid() and (members.is_valid() or not members_needed):
                    chosen = [member_row(m) for m in member_rows(members)] if members_needed else []
                    budget_services.budget_save(
                        agreement=agreement, budget=latest if latest is not None and not revising else None,
                        fund=form.fund(), members=chosen, reason=request.POST.get("reason", "") if revising else None,
                        user=user)
                    messages.success(request, _("Budget saved and computed."))
                    return redirect("budget-page", agreement.pk)
                messages.error(request, _("Correct the fields marked below."))
            elif step == "submit" and latest is not None:
                budget_services.budget_submit(budget=latest, user=user)
                messages.success(request, _("Submitted for approval by another person of the bureau."))
                return redirect("budget-page", agreement.pk)
            elif step == "approve" and latest is not None:
                budget_services.budget_approve(budget=latest, user=user)
                messages.success(request, _("Approved. Prepayments follow this version from now on."))
                return redirect("budget-page", agreement.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            if step != "save":
                return redirect("budget-page", agreement.pk)
    in_force = next((b for b in versions if b.status in (AnnualBudget.Status.APPROVED, AnnualBudget.Status.LOCKED)),
                    None)
    return render(request, "budgets/budget.html", {
        "agreement": agreement, "versions": versions, "latest": latest, "in_force": in_force,
        "shown": present_output(agreement.scheme, {**latest.computed, "clearing": {}}) if latest else None,
        "form": form, "members": members, "members_needed": members_needed, "editing": editing,
        "revising": revising, "writer": writer,
        "can_submit": writer and latest is not None and latest.status == AnnualBudget.Status.DRAFT,
        "can_approve": latest is not None and _allowed(budget_services.budget_may_approve, budget=latest, user=user),
        "can_revise": writer and latest is not None and latest.status in (AnnualBudget.Status.APPROVED,
                                                                          AnnualBudget.Status.LOCKED),
    })


def _allowed(check, **arguments) -> bool:
    try:
        check(**arguments)
    except ValidationError:
        return False
    return True
