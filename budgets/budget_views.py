"""The budget page of an agreement: its versions, the figures of the one in force computed by the
engine with every number's rule, and the clerk's steps: enter or change the draft (the scheme's
fund figures and the members, starting from the registry), submit, have another person of the
bureau approve it, start a new version with a reason."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consortia.models import ServiceAgreement
from consortia.permissions import can_write
from consortia.selectors import scope_queryset
from consortia.services.approvals import decisions_of

from .forms import BudgetForm, BudgetMemberFormSet, member_forms, member_initial, member_row, registry_members
from .member_sheets import BudgetMembersExport, members_read
from .models import AnnualBudget
from .records import figures_found, fills_from_records, rows_filled
from .selectors import budget_comparison, last_years_budget
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
    source = latest if latest is not None and not (editing and request.GET.get("from") == "last_year") else None
    last_year = last_years_budget(agreement=agreement)
    if source is None and editing and request.GET.get("from") == "last_year" and last_year is not None:
        source = last_year  # a copy to start from: nothing is stored until the clerk saves
        messages.info(request, _("Filled from %(budget)s; check each figure and save.") % {"budget": last_year})
    initial = BudgetForm.initial_from(source.fund) if source else {}
    rows = [member_initial(m) for m in source.members] if source else registry_members(agreement.consortium)
    found = None
    if editing and request.GET.get("from") == "records" and fills_from_records(agreement):
        found = figures_found(agreement=agreement, codes=[row.get("code") for row in rows])
        rows = rows_filled(rows, found)
        initial.update({key: format(amount, "f") for key, amount in found.fund.items()})
        if found:
            messages.info(request, _("Filled from the records the system holds; where each figure came from is "
                                     "listed below. Check each figure and save."))
        else:
            messages.warning(request, _("The system holds no claims or approved clearing of the years asked for: "
                                        "nothing was filled."))
    form = BudgetForm(scheme=agreement.scheme, initial=initial or None)
    if request.GET.get("members_workbook") and members_needed:
        return BudgetMembersExport(rows=rows, scheme=agreement.scheme,
                                   name=f"budget-members-{agreement.consortium.code}-{agreement.year}").response("xlsx")
    upload_problems = []
    if request.method == "POST" and request.POST.get("step") == "upload_members":
        if not (editing and members_needed):
            raise PermissionDenied
        upload = request.FILES.get("members_file")
        read, upload_problems = members_read(upload, agreement.scheme) if upload else ([], [_("Choose the filled-in workbook first.")])
        if read:
            rows = read
            messages.success(request, ngettext(
                "%(n)s member read from the workbook; check the rows below and save.",
                "%(n)s members read from the workbook; check the rows below and save.", len(read)) % {"n": len(read)})
        else:
            messages.error(request, ngettext(
                "The workbook was not read: %(n)s problem, listed below. Nothing changed.",
                "The workbook was not read: %(n)s problems, listed below. Nothing changed.",
                len(upload_problems)) % {"n": len(upload_problems)})
    members = BudgetMemberFormSet(initial=rows if members_needed else [], prefix="members",
                                  form_kwargs={"scheme": agreement.scheme})

    if request.method == "POST" and request.POST.get("step") != "upload_members":
        step = request.POST.get("step")
        try:
            if step == "save":
                if not editing:
                    raise PermissionDenied
                form = BudgetForm(request.POST, scheme=agreement.scheme)
                members = BudgetMemberFormSet(request.POST, prefix="members", form_kwargs={"scheme": agreement.scheme})
                if form.is_valid() and (members.is_valid() or not members_needed):
                    kept = member_forms(members) if members_needed else []
                    try:
                        budget_services.budget_save(
                            agreement=agreement, budget=latest if latest is not None and not revising else None,
                            fund=form.fund(), members=[member_row(f.cleaned_data) for f in kept],
                            reason=request.POST.get("reason", "") if revising else None, user=user)
                    except ValidationError as error:
                        unplaced = _place(error, form, kept)
                        placed = len(error.messages) - len(unplaced)
                        if placed:
                            messages.error(request, ngettext(
                                "%(n)s figure to correct, marked below beside its field or member.",
                                "%(n)s figures to correct, marked below beside their fields or members.",
                                placed) % {"n": placed})
                        for message in unplaced:
                            messages.error(request, message)
                    else:
                        messages.success(request, _("Budget saved and computed."))
                        return redirect("budget-page", agreement.pk)
                else:
                    messages.error(request, _("Correct the fields marked below."))
            elif step == "submit" and latest is not None:
                budget_services.budget_submit(budget=latest, user=user)
                messages.success(request, _("Submitted for approval by another person of the bureau."))
                return redirect("budget-page", agreement.pk)
            elif step == "approve" and latest is not None:
                budget_services.budget_approve(budget=latest, user=user, opinion=request.POST.get("opinion", ""))
                messages.success(request, _("Approved. Prepayments follow this version from now on."))
                return redirect("budget-page", agreement.pk)
            elif step == "send_back" and latest is not None:
                budget_services.budget_send_back(budget=latest, user=user, opinion=request.POST.get("opinion", ""))
                messages.success(request, _("Sent back to its author as a draft, with your opinion."))
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
        "trail": decisions_of(latest) if latest else [],
        "upload_problems": upload_problems, "last_year": last_year, "found": found,
        "from_records": editing and fills_from_records(agreement),
        "comparison": budget_comparison(budget=latest) if latest is not None and latest.status in (
            AnnualBudget.Status.DRAFT, AnnualBudget.Status.SUBMITTED) else None,
        "shown": present_output(agreement.scheme, {**latest.computed, "clearing": {}}) if latest else None,
        "form": form, "members": members, "members_needed": members_needed, "editing": editing,
        "revising": revising, "writer": writer,
        "can_submit": writer and latest is not None and latest.status == AnnualBudget.Status.DRAFT,
        "can_approve": latest is not None and _allowed(budget_services.budget_may_approve, budget=latest, user=user),
        "can_revise": writer and latest is not None and latest.status in (AnnualBudget.Status.APPROVED,
                                                                          AnnualBudget.Status.LOCKED),
    })


def _place(error: ValidationError, form, kept: list) -> list[str]:
    """Sets each of the engine's problems beside what it concerns: a fund figure's field, or the
    member's row (`members[3].prior_year_paid` is the third member row kept, its 上年度支付额
    cell); returns the messages that concern no one place, for the top of the page."""
    unplaced = []
    parts = error.error_list if hasattr(error, "error_list") else [ValidationError(m) for m in error.messages]
    for part in parts:
        message = next(iter(part))
        path = getattr(part, "path", "")
        row = re.match(r"members\[(\d+)\]\.?(\w*)", path)
        fund = re.match(r"fund\.(\w+)$", path)
        if row and int(row[1]) < len(kept):
            target = kept[int(row[1])]
            target.add_error(row[2] if row[2] in target.fields else None, message)
        elif fund and fund[1] in form.fields:
            form.add_error(fund[1], message)
        else:
            unplaced.append(message)
    return unplaced


def _allowed(check, **arguments) -> bool:
    try:
        check(**arguments)
    except ValidationError:
        return False
    return True
