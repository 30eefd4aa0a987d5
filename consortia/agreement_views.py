"""The service agreements as pages: the list of the scope, a new agreement, an agreement's page
(its steps draft → active → closed, its parameter versions, links to its budget, payments and
clearing) and the parameter form. Every write goes through the agreement services, which hold
the rules; these views only ask, call and show."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy

from .forms import (AgreementCreateForm, AgreementDraftForm, AgreementParametersForm, add_service_errors,
                    parameter_rows)
from .models import Consortium, ServiceAgreement
from .permissions import can_write
from .selectors import agreement_current_parameters, scope_queryset
from .services import agreements as services

PAGE_SIZE = 50


def _agreements(user):
    return scope_queryset(user, ServiceAgreement.objects.select_related("consortium__county"))


def _agreement(request, pk: int, *, write: bool = False) -> ServiceAgreement:
    agreement = get_object_or_404(_agreements(request.user), pk=pk)
    if write and not can_write(request.user, ServiceAgreement, agreement):
        raise PermissionDenied
    return agreement


def _year_to_set_up(today: datetime.date) -> int:
    """Agreements for next year are signed in the last quarter."""
    return today.year + 1 if today.month >= 10 else today.year


@login_required
def agreement_list(request):
    user = request.user
    found = _agreements(user)
    year, status = request.GET.get("year", ""), request.GET.get("status", "")
    if year.isdigit():
        found = found.filter(year=int(year))
    if status in ServiceAgreement.Status.values:
        found = found.filter(status=status)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    writer = can_write(user, ServiceAgreement)
    form = None
    if writer:
        form = AgreementCreateForm(request.POST or None, consortia=scope_queryset(user, Consortium.objects.all()),
                                   initial={"year": _year_to_set_up(datetime.date.today())})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data  # the form offers only the writer's own consortia
            try:
                agreement = services.agreement_create(
                    consortium=data["consortium"], year=data["year"], scheme=data["scheme"],
                    signed_date=data["signed_date"], insurance_type=data["insurance_type"], user=user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Agreement created as a draft with the scheme's default parameters. "
                                            "Check the parameters, then activate it."))
                return redirect("agreement-page", agreement.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "consortia/agreements.html", {
        "page": page, "count": page.paginator.count, "query": query.urlencode(), "form": form,
        "years": sorted(set(_agreements(user).values_list("year", flat=True)), reverse=True),
        "statuses": ServiceAgreement.Status.choices, "year": year, "status": status,
    })


STEPS = {
    "activate": (services.agreement_activate, gettext_lazy("Activated. Prepayments can now be run for this agreement.")),
    "close": (services.agreement_close, gettext_lazy("Closed. Nothing in this agreement can change any more.")),
}


@login_required
def agreement_page(request, pk: int):
    user = request.user
    agreement = _agreement(request, pk)
    writer = can_write(user, ServiceAgreement, agreement)
    draft = agreement.status == ServiceAgreement.Status.DRAFT
    draft_form = AgreementDraftForm(initial={"scheme": agreement.scheme, "signed_date": agreement.signed_date,
                                             "insurance_type": agreement.insurance_type})
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        step = request.POST.get("step")
        try:
            if step == "draft" and draft:
                draft_form = AgreementDraftForm(request.POST)
                if draft_form.is_valid():
                    services.agreement_update(agreement=agreement, user=user, **draft_form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("agreement-page", agreement.pk)
            elif step in STEPS:
                service, done = STEPS[step]
                service(agreement=agreement, user=user)
                messages.success(request, done)
                return redirect("agreement-page", agreement.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            if step == "draft":
                add_service_errors(draft_form, error)
            else:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("agreement-page", agreement.pk)
    versions = list(agreement.parameter_versions.select_related("created_by").order_by("-version"))
    return render(request, "consortia/agreement.html", {
        "agreement": agreement, "writer": writer, "draft": draft, "draft_form": draft_form,
        "versions": [(v, parameter_rows(agreement.scheme, v.values)) for v in versions],
        "capitation": agreement.rules.capitation,
        "history": agreement.history.select_related("history_user").order_by("-history_date")[:20],
    })


@login_required
def agreement_parameters(request, pk: int):
    user = request.user
    agreement = _agreement(request, pk, write=True)
    if agreement.status == ServiceAgreement.Status.CLOSED:
        messages.error(request, _("A closed agreement's parameters cannot change."))
        return redirect("agreement-page", agreement.pk)
    current = agreement_current_parameters(agreement=agreement)
    form = AgreementParametersForm(request.POST or None, agreement=agreement, initial_values=current.values)
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.agreement_parameters_change(
                    agreement=agreement, values=form.parameter_values(), user=user,
                    effective_from=form.cleaned_data.get("effective_from"),
                    reason=form.cleaned_data.get("reason", ""))
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Parameters saved as version %(version)s, in force from %(month)s.") % {
                    "version": version.version, "month": version.effective_from.strftime("%Y-%m")})
                return redirect("agreement-page", agreement.pk)
        messages.error(request, _("Correct the fields marked below."))
    return render(request, "consortia/parameters.html", {"agreement": agreement, "form": form, "current": current})
