
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consortia.admin_base import MaskedIdsMixin, ReadOnlyMixin, ScopedAdminMixin, ServiceRefusalsMixin
from consortia.models import County
from consortia.permissions import can_write, has_role
from consortia.selectors import scope_queryset

from .audits import audit_recovery_record, spot_check_record
from .benefits import benefit_rules_create, expected_fund
from .forms import UploadForm
from .importers import COLUMNS
from .models import AuditRecovery, BenefitRate, BenefitRuleSet, Claim, ClaimMonthly, DipPeriod, SpotCheck
from .pricing import dip_period_compute


@admin.register(Claim)
class ClaimAdmin(MaskedIdsMixin, ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["claim_no", "person_id", "insurance_type", "institution", "placement", "visit_type", "settled_on",
                    "total_cost", "fund_paid"]
    list_filter = ["insurance_type", "placement", "visit_type", "settled_on", "consortium"]
    search_fields = ["claim_no", "institution__name", "diagnosis"]
    list_select_related = ["institution"]
    exclude = ["person_id"]
    masked_fields = ("person_id",)
    change_list_template = "admin/claims/claim/change_list.html"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [self._masked(request, "person_id"), "benefit"]

    @admin.display(description=_("What the benefit rules give"))
    def benefit(self, obj):
        result = expected_fund(claim=obj)
        if result is None:
            return gettext("No benefit rule fits this claim.")
        text = gettext("deductible %(deductible)s, rate %(rate)s, fund due %(expected)s, paid %(fund_paid)s") % result
        if result["differs"]:
            text += " — " + gettext("differs by %(difference)s") % result
        return text

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="claims_claim_import"),
            path("template.csv", self.admin_site.admin_view(self.template_view), name="claims_claim_template"),
        ] + super().get_urls()

    def import_view(self, request):
        if not can_write(request.user, Claim):
            raise PermissionDenied
        counties = scope_queryset(request.user, County.objects.all())
        form = UploadForm(request.POST or None, request.FILES or None, counties=counties)
        if request.method == "POST" and form.is_valid() and (job := form.enqueue(request.user)):
            return redirect("admin:consortia_job_change", job.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Import claims"), "columns": COLUMNS}
        return TemplateResponse(request, "admin/claims/claim/import.html", context)

    def template_view(self, request):
        from .views import template_download

        return template_download(request)


@admin.register(ClaimMonthly)
class ClaimMonthlyAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["month", "institution", "placement", "visit_type", "insurance_type", "claims", "total_cost",
                    "fund_paid"]
    list_filter = ["month", "insurance_type", "placement", "visit_type", "consortium"]


class DipForm(forms.ModelForm):
    class Meta:
        model = DipPeriod
        fields = ["county", "year", "points_budget", "basic_groups"]


@admin.register(DipPeriod)
class DipPeriodAdmin(ServiceRefusalsMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Enter the year's points budget (and the basic-level groups' one score); the point value is
    computed from the cases when saved."""

    form = DipForm
    list_display = ["county", "year", "points_budget", "cases", "total_points", "point_value", "computed_by",
                    "computed_at"]
    readonly_fields = ["cases", "total_points", "point_value", "computed_by", "computed_at"]

    def has_change_permission(self, request, obj=None):
        return can_write(request.user, Claim)

    def has_add_permission(self, request, *args):
        return can_write(request.user, Claim)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = dip_period_compute(county=obj.county, year=obj.year, points_budget=obj.points_budget,
                                   basic_groups=obj.basic_groups or {}, user=request.user)
        obj.pk = saved.pk



RATE_FIELDS = ("visit_type", "level", "area", "referred", "deductible", "rate", "cap")


class BenefitRateInline(admin.TabularInline):
    model = BenefitRate
    extra = 3

    # The lines belong to their rule set: whoever may edit it, edits them.
    def has_view_permission(self, request, obj=None):
        return has_role(request.user)

    def has_add_permission(self, request, obj=None):
        return can_write(request.user, Claim)

    def has_change_permission(self, request, obj=None):
        return can_write(request.user, Claim)

    def has_delete_permission(self, request, obj=None):
        return can_write(request.user, Claim)


@admin.register(BenefitRuleSet)
class BenefitRuleSetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The county's benefit rules by year and version (B6); saved only when they obey B1-B3, B5.
    A version is never edited: a change is the next version, with its reason, made by the same
    service as on the page (benefit_rules_create)."""

    list_display = ["county", "year", "version", "effective_from", "reason"]
    fields = ["county", "year", "version", "effective_from", "reason"]
    readonly_fields = ["version"]
    inlines = [BenefitRateInline]

    def has_add_permission(self, request, *args):
        return can_write(request.user, Claim)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Nothing here: the rule set is made whole, with its lines, in save_related."""

    def save_related(self, request, form, formsets, change):
        rule_set = form.instance
        rates = [{name: line[name] for name in RATE_FIELDS} for formset in formsets
                 for line in formset.cleaned_data if line and not line.get("DELETE")]
        for formset in formsets:
            formset.save(commit=False)  # what the admin's change message reads; the service saves
        try:
            saved = benefit_rules_create(county=rule_set.county, year=rule_set.year,
                                         effective_from=rule_set.effective_from, reason=rule_set.reason, rates=rates)
        except ValidationError as error:
            transaction.set_rollback(True)
            for message in error.messages:
                self.message_user(request, message, level="error")
            raise _RulesRefused from None
        rule_set.pk, rule_set.version = saved.pk, saved.version

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except _RulesRefused:
            return redirect(request.get_full_path())


class _RulesRefused(Exception):
    """Unwinds the admin's save so nothing of a refused rule table is kept."""


class RecordOnlyMixin(ServiceRefusalsMixin):
    """Records that are entered, never edited or removed: a correction is a new record."""

    def has_add_permission(self, request, *args):
        return can_write(request.user, Claim)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False



class SpotCheckForm(forms.ModelForm):
    class Meta:
        model = SpotCheck
        fields = ["institution", "year", "violation_amount", "sample_ratio", "note"]


@admin.register(SpotCheck)
class SpotCheckAdmin(RecordOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """J7: record what a sample refused; the refusal scaled up by the ratio is computed on save."""

    form = SpotCheckForm
    list_display = ["institution", "year", "violation_amount", "sample_ratio", "refused", "recorded_by"]
    readonly_fields = ["refused", "recorded_by"]


    def save_model(self, request, obj, form, change):
        saved = spot_check_record(institution=obj.institution, year=obj.year, violation_amount=obj.violation_amount,
                                  sample_ratio=obj.sample_ratio, note=obj.note, user=request.user)
        obj.pk = saved.pk


@admin.register(AuditRecovery)
class AuditRecoveryAdmin(RecordOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """S10: the lead hospital's own audit recoveries and its penalties, two amounts never netted."""

    list_display = ["consortium", "year", "recovered", "own_penalty", "description", "recorded_by"]
    fields = ["consortium", "year", "recovered", "own_penalty", "description"]


    def save_model(self, request, obj, form, change):
        saved = audit_recovery_record(consortium=obj.consortium, year=obj.year, recovered=obj.recovered,
                                      own_penalty=obj.own_penalty, description=obj.description, user=request.user)
        obj.pk = saved.pk
