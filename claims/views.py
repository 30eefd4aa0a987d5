"""The claims pages: the import for bureau staff (the county and the file; the job's page shows
the progress and the rows to correct; the latest imports below), and the list of the claims in
scope with filters, the totals of everything that matches, pages and a streamed CSV export. The
insured person's id is shown as the user's role may see it."""

import calendar
import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.forms import add_service_errors
from consortia.models import Consortium, County, Institution, Job
from consortia.permissions import can_write
from consortia.selectors import jobs_visible, scope_queryset
from consortia.templatetags.money import yuan

from .audits import audit_recovery_record, spot_check_record
from .benefits import benefit_rules_create
from .columns import ALLOWED, COLUMNS, EXAMPLE_CLAIM_NO, OPTIONAL
from .exporters import ClaimsExport, ClaimsTemplateExport, ReconciliationExport
from .forms import (
    AuditRecoveryForm,
    BenefitRateForm,
    BenefitRulesForm,
    DipCatalogueForm,
    DipForm,
    ReconciliationForm,
    SpotCheckForm,
    UploadForm,
    benefit_rate_formset,
)
from .models import AuditRecovery, BenefitRuleSet, Claim, DipCatalogue, DipPeriod, Reconciliation, SpotCheck
from .pricing import dip_period_compute
from .selectors import claims_of, keyset_page, latest_month, list_totals, person_id_shown

PAGE_SIZE = 50


@login_required
def import_page(request):
    if not can_write(request.user, Claim):
        raise PermissionDenied
    counties = scope_queryset(request.user, County.objects.all())
    form = UploadForm(request.POST or None, request.FILES or None, counties=counties,
                      initial={"county": counties.first()} if counties.count() == 1 else None)
    if request.method == "POST" and form.is_valid() and (job := form.enqueue(request.user)):
        return redirect("job-page", job.pk)
    jobs = jobs_visible(request.user, Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT)).order_by("-created_at")[:20]
    columns = [(aliases[0], "、".join(a for a in aliases[1:] if not a.isascii()) or "—",
                "、".join(a for a in aliases if a.isascii()) or "—", name in OPTIONAL, ALLOWED[name])
               for name, aliases in COLUMNS.items()]
    return render(request, "claims/import.html", {"form": form, "jobs": jobs, "columns": columns,
                                                  "example": EXAMPLE_CLAIM_NO})


@login_required
def template_download(request):
    """The template, as CSV or (`?format=xlsx`) a workbook that also says what each column takes."""
    return ClaimsTemplateExport().response("xlsx" if request.GET.get("format") == "xlsx" else "csv")


class ClaimListFilter(django_filters.FilterSet):
    """The claims list's filters: who, where, when, what kind; labelled for the clerk."""

    q = django_filters.CharFilter(label=gettext_lazy("claim number or diagnosis"), method="search")
    county = django_filters.ModelChoiceFilter(label=gettext_lazy("pooling area"), field_name="county",
                                              queryset=County.objects.none())
    member = django_filters.ModelChoiceFilter(label=gettext_lazy("institution"), field_name="institution",
                                              queryset=Institution.objects.none())
    settled_from = django_filters.DateFilter(label=gettext_lazy("settled from"), field_name="settled_on",
                                             lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"}))
    settled_to = django_filters.DateFilter(label=gettext_lazy("settled to"), field_name="settled_on",
                                           lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Claim
        fields = ["county", "insurance_type", "visit_type", "placement", "member", "settled_from", "settled_to"]

    def __init__(self, *args, user, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["member"].queryset = scope_queryset(user, Institution.objects.all()).order_by("code")
        if counties.count() > 1:
            self.filters["county"].queryset = counties
        else:  # one county in scope: nothing to choose
            del self.filters["county"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(claim_no=value.strip()) | Q(diagnosis__istartswith=value.strip()))


@login_required
def claim_list(request):
    """The claims of the scope with filters. It never reads a whole scope: without a settlement
    period (or a claim number to look up) it shows the latest month with claims, the totals come
    from the monthly roll-ups whenever the filters allow, and the pages are found by position
    (keyset), never by an offset."""
    user = request.user
    claims = claims_of(user, Claim.objects.select_related("institution")).order_by("-settled_on", "-id")
    data = request.GET.copy()
    counties = scope_queryset(user, County.objects.all()).order_by("code")
    defaulted = county_defaulted = None
    if counties.count() > 1 and not data.get("county") and not data.get("q"):
        # A province's reviewer reads one county at a time: a county's claims sit in one partition.
        county_defaulted = counties.first()
        data["county"] = str(county_defaulted.pk)
    if not (data.get("settled_from") or data.get("settled_to") or data.get("q")):
        defaulted = latest_month(user)
        if defaulted is not None:
            end = defaulted.replace(day=calendar.monthrange(defaulted.year, defaulted.month)[1])
            data["settled_from"], data["settled_to"] = defaulted.isoformat(), end.isoformat()
    found = ClaimListFilter(data, queryset=claims, user=user, counties=counties)
    claims = found.qs
    if request.GET.get("export") == "csv":
        return ClaimsExport(user=user, claims=claims).response("csv")  # streamed
    chosen = found.form.cleaned_data if found.form.is_valid() else {}
    totals, rolled_up = list_totals(user=user, chosen=chosen, claims=claims)
    page, positions = keyset_page(claims, after=request.GET.get("after"), before=request.GET.get("before"),
                                  size=PAGE_SIZE)
    for claim in page:
        claim.person_shown = person_id_shown(user, claim.person_id)
    for name in ("after", "before", "page"):
        data.pop(name, None)
    return render(request, "claims/list.html", {"filter": found, "page": page, "totals": totals,
                                                "positions": positions, "page_size": PAGE_SIZE,
                                                "query": data.urlencode(),
                                                "defaulted": defaulted, "county_defaulted": county_defaulted,
                                                "rolled_up": rolled_up})


@login_required
def checks_page(request):
    """Spot checks (J7) and the lead hospital's own audits (S10) of a year: what the clearing will
    take off or add, recorded by the bureau; read by everyone in scope. Records are never edited:
    a correction is a new record with its note."""
    user = request.user
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else datetime.date.today().year
    writer = can_write(user, Claim)
    if request.method == "POST" and not writer:
        raise PermissionDenied
    step = request.POST.get("step")
    data = request.POST if request.method == "POST" else None
    members = scope_queryset(user, Institution.objects.filter(consortium__isnull=False)).order_by("code")
    spot_form = SpotCheckForm(data if step == "spot_check" else None, prefix="spot", initial={"year": year},
                              institutions=members)
    audit_form = AuditRecoveryForm(data if step == "audit" else None, prefix="audit", initial={"year": year},
                                   consortia=scope_queryset(user, Consortium.objects.all()))
    form = {"spot_check": spot_form, "audit": audit_form}.get(step)
    if form is not None and form.is_valid():
        try:
            if step == "spot_check":
                saved = spot_check_record(user=user, **form.cleaned_data)
                messages.success(request, _("Spot check recorded: %(amount)s refused after scaling up.") % {
                    "amount": yuan(saved.refused)})
            else:
                saved = audit_recovery_record(user=user, **form.cleaned_data)
                messages.success(request, _("Own audit recorded."))
            return redirect(f"{reverse('checks')}?year={saved.year}")
        except ValidationError as error:
            add_service_errors(form, error)
    elif form is not None:
        messages.error(request, _("Correct the fields marked below."))
    spot_checks = scope_queryset(user, SpotCheck.objects.filter(year=year).select_related(
        "institution", "recorded_by")).order_by("institution__code", "recorded_at")
    audits = scope_queryset(user, AuditRecovery.objects.filter(year=year).select_related(
        "consortium", "recorded_by")).order_by("consortium__code", "recorded_at")
    zero = Decimal("0.00")
    return render(request, "claims/checks.html", {
        "year": year, "writer": writer, "spot_form": spot_form, "audit_form": audit_form,
        "spot_checks": spot_checks, "audits": audits,
        "refused_total": sum((c.refused for c in spot_checks), zero),
        "recovered_total": sum((a.recovered for a in audits), zero),
        "penalty_total": sum((a.own_penalty for a in audits), zero),
    })


@login_required
def dip_page(request):
    """D1: the DIP point value of a year, computed from the county's cases outside the consortium
    when the bureau enters the points budget; kept with its inputs. And the disease catalogue's
    versions (D1-D3 score the cases from the one in force), uploaded whole."""
    from .dip_catalogue import COLUMNS as CATALOGUE_COLUMNS
    from .dip_catalogue import dip_catalogue_upload

    user = request.user
    writer = can_write(user, Claim)
    if request.method == "POST" and not writer:
        raise PermissionDenied
    counties = scope_queryset(user, County.objects.all())
    initial = {"year": datetime.date.today().year, "county": counties.first() if counties.count() == 1 else None}
    uploading = request.method == "POST" and request.POST.get("step") == "catalogue"
    form = DipForm(request.POST if request.method == "POST" and not uploading else None, counties=counties,
                   initial=initial)
    catalogue_form = DipCatalogueForm(request.POST if uploading else None, request.FILES if uploading else None,
                                      counties=counties, initial=initial, prefix="catalogue")  # ids of its own
    if uploading:
        if catalogue_form.is_valid():
            try:
                data = catalogue_form.cleaned_data
                made = dip_catalogue_upload(user=user, county=data["county"], version=data["version"],
                                            year=data["year"], upload=data["file"])
            except ValidationError as error:
                add_service_errors(catalogue_form, error)
            else:
                messages.success(request, _("Catalogue %(version)s kept: %(n)s disease groups, in force from %(year)s.")
                                 % {"version": made.version, "n": made.groups.count(), "year": made.year})
                return redirect("dip")
        messages.error(request, _("The file was not kept. Correct it and upload it again."))
    elif request.method == "POST":
        if form.is_valid():
            try:
                period = dip_period_compute(user=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Point value of %(year)s: %(value)s (%(cases)s cases).") % {
                    "year": period.year, "value": period.point_value, "cases": period.cases})
                return redirect("dip")
        else:
            messages.error(request, _("Correct the fields marked below."))
    periods = scope_queryset(user, DipPeriod.objects.select_related("county", "computed_by", "catalogue")).order_by(
        "-year")
    catalogues = scope_queryset(user, DipCatalogue.objects.select_related("county", "uploaded_by")).annotate(
        core=Count("groups", filter=Q(groups__type="core")),
        comprehensive=Count("groups", filter=Q(groups__type="comprehensive")),
        basic=Count("groups", filter=Q(groups__type="basic"))).order_by("county__code", "-year", "-uploaded_at")
    columns = [(aliases[0], "、".join(a for a in aliases[1:] if not a.isascii()) or "—",
                "、".join(a for a in aliases if a.isascii())) for aliases in CATALOGUE_COLUMNS.values()]
    return render(request, "claims/dip.html", {"form": form if writer else None, "periods": periods,
                                               "catalogue_form": catalogue_form if writer else None,
                                               "catalogues": catalogues, "columns": columns})


@login_required
def benefit_rules_page(request):
    """B6: the county's benefit rules by year and version, each version's lines; bureau staff enter
    the next version, starting from the latest one's lines, checked against B1-B3 and B5."""
    user = request.user
    writer = can_write(user, Claim)
    if request.method == "POST" and not writer:
        raise PermissionDenied
    sets = scope_queryset(user, BenefitRuleSet.objects.select_related("county")).order_by("county__code", "-year",
                                                                                         "-version")
    shown = sets.filter(pk=request.GET.get("set")).first() if request.GET.get("set", "").isdigit() else sets.first()
    form = rates = None
    if writer:
        counties = scope_queryset(user, County.objects.all())
        start = [{f: getattr(r, f) for f in BenefitRateForm._meta.fields} for r in shown.rates.all()] if shown else []
        form = BenefitRulesForm(request.POST or None, counties=counties, initial={
            "county": shown.county if shown else counties.first(), "year": shown.year if shown else
            datetime.date.today().year})
        # Bound without `initial`: a line left as it was in the latest version is still a line.
        rates = benefit_rate_formset(request.POST) if request.method == "POST" else benefit_rate_formset(initial=start)
        if request.method == "POST":
            if form.is_valid() and rates.is_valid():
                lines = [{f: line[f] for f in BenefitRateForm._meta.fields} for line in rates.cleaned_data
                         if line and not line.get("DELETE")]
                try:
                    made = benefit_rules_create(**form.cleaned_data, rates=lines)
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("Benefit rules saved as version %(version)s of %(year)s.") % {
                        "version": made.version, "year": made.year})
                    return redirect(f"{reverse('benefit-rules')}?set={made.pk}")
            messages.error(request, _("Correct the fields marked below."))
    return render(request, "claims/benefit_rules.html", {
        "sets": sets, "shown": shown, "lines": shown.rates.order_by("visit_type", "area", "level", "-referred")
        if shown else [], "form": form, "rates": rates})


@login_required
def reconciliation_list(request):
    """对账: the uploads of the platform's totals in scope, and for bureau staff the upload."""
    from .reconciliation import COLUMNS as TOTALS_COLUMNS
    from .reconciliation import reconciliation_upload

    user = request.user
    writer = can_write(user, Claim)
    if request.method == "POST" and not writer:
        raise PermissionDenied
    counties = scope_queryset(user, County.objects.all())
    form = ReconciliationForm(request.POST or None, request.FILES or None, counties=counties,
                              initial={"county": counties.first()} if counties.count() == 1 else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                made = reconciliation_upload(county=form.cleaned_data["county"], upload=form.cleaned_data["file"],
                                             user=user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The platform's totals are kept: %(n)s lines.") % {
                    "n": made.lines.count()})
                return redirect("reconciliation-page", made.pk)
        messages.error(request, _("The file was not kept. Correct it and upload it again."))
    uploads = scope_queryset(user, Reconciliation.objects.select_related("county", "uploaded_by")).order_by(
        "-uploaded_at")[:50]
    columns = [(aliases[0], "、".join(a for a in aliases[1:] if not a.isascii()) or "—",
                "、".join(a for a in aliases if a.isascii())) for aliases in TOTALS_COLUMNS.values()]
    return render(request, "claims/reconciliations.html", {"form": form if writer else None, "uploads": uploads,
                                                           "columns": columns})


@login_required
def reconciliation_page(request, pk: int):
    """One upload compared with the claims: each line matched or its differences, with a link to
    the claims to look at, and what the claims hold that the platform does not name."""
    from urllib.parse import urlencode

    from django.shortcuts import get_object_or_404

    from .reconciliation import claims_for, compare

    reconciliation = get_object_or_404(scope_queryset(request.user, Reconciliation.objects.select_related(
        "county", "uploaded_by")), pk=pk)
    if request.GET.get("format") in ("xlsx", "csv"):
        return ReconciliationExport(reconciliation).response(request.GET["format"])
    results = compare(reconciliation.county, list(reconciliation.lines.all()))
    for result in results:
        result.link = f"{reverse('claims')}?{urlencode(claims_for(result))}"
    differing = [r for r in results if not r.matched]
    return render(request, "claims/reconciliation.html", {
        "reconciliation": reconciliation, "results": differing if request.GET.get("all") != "1" else results,
        "showing_all": request.GET.get("all") == "1", "matched": len(results) - len(differing),
        "differing": len(differing), "lines": len(results)})
