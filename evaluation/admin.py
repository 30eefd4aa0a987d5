"""Admin screens of the evaluation: start the year's evaluation, fill each item with its result,
evidence and files, refresh the items the data answers, submit, confirm (another person of the
bureau) or send back, download the Annex-2 workbook; the provincial summary as a job; the
negative list with its signals and reviews; checklist templates and their versions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consortia.admin_base import HistoryAdmin, ScopedAdminMixin, ScopedInline, ServiceRefusalsMixin
from consortia.models import Province
from consortia.permissions import can_write
from consortia.selectors import scope_queryset

from . import services
from .exporters import annex2_response
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Evaluation,
    EvidenceFile,
    IndicatorEntry,
    ItemResult,
    NegativeFinding,
)
from .views import STEPS, StartForm, evaluation_step


def _figure_html(figure: dict) -> str:
    if not figure:
        return "—"
    from .exporters import figure_text

    return figure_text(figure)


class ItemResultInline(ScopedInline):
    model = ItemResult
    fields = ["number", "text", "result", "score", "evidence", "shown_figure"]
    readonly_fields = ["number", "text", "score", "shown_figure"]
    can_delete = False
    max_num = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["evidence"].widget = forms.Textarea(attrs={"rows": 2, "cols": 40})
        return formset

    @admin.display(description=_("item number"))
    def number(self, obj):
        return obj.item.number

    @admin.display(description=_("item text"))
    def text(self, obj):
        return obj.item.text

    @admin.display(description=_("computed figure"))
    def shown_figure(self, obj):
        return _figure_html(obj.figure)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is not None and obj.status == Evaluation.Status.DRAFT and can_write(request.user, Evaluation, obj)


class IndicatorEntryInline(ItemResultInline):
    model = IndicatorEntry
    fields = ["key", "value", "verdict", "evidence"]
    readonly_fields = ["key"]


class EvidenceFileForm(forms.ModelForm):
    class Meta:
        model = EvidenceFile
        fields = ["result", "file"]

    def clean_file(self):
        services.evidence_check(self.cleaned_data["file"])
        return self.cleaned_data["file"]


class EvidenceFileInline(ScopedInline):
    model = EvidenceFile
    form = EvidenceFileForm
    fields = ["result", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "result" and request.resolver_match.kwargs.get("object_id"):
            field.queryset = field.queryset.filter(evaluation_id=request.resolver_match.kwargs["object_id"])
        return field

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.status == Evaluation.Status.DRAFT and can_write(request.user, Evaluation, obj)

    has_change_permission = has_delete_permission = has_add_permission


class SummaryForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2019, max_value=2100)
    province = forms.ModelChoiceField(label=_("province"), queryset=Province.objects.none(), required=False,
                                      empty_label=_("all I may see"))


@admin.register(Evaluation)
class EvaluationAdmin(ScopedAdminMixin, HistoryAdmin):
    list_display = ["consortium", "year", "status", "total_score", "created_by", "submitted_by", "confirmed_by"]
    list_filter = ["year", "status"]
    search_fields = ["consortium__name", "consortium__code"]
    fields = ["consortium", "year", "template", "status", "total_score", "remarks", "created_by", "submitted_by",
              "submitted_at", "confirmed_by", "confirmed_at"]
    readonly_fields = [f for f in fields if f != "remarks"]
    inlines = [ItemResultInline, IndicatorEntryInline, EvidenceFileInline]
    change_form_template = "admin/evaluation/evaluation/change_form.html"
    change_list_template = "admin/evaluation/evaluation/change_list.html"

    def has_change_permission(self, request, obj=None):
        return can_write(request.user, Evaluation, obj) and (obj is None or obj.status == Evaluation.Status.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="evaluation_evaluation_start"),
            path("summary/", view(self.summary_view), name="evaluation_evaluation_summary"),
            path("<int:pk>/step/<str:step>/", view(self.step_view), name="evaluation_evaluation_step"),
            path("<int:pk>/annex2.xlsx", view(self.annex2_view), name="evaluation_evaluation_annex2"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:evaluation_evaluation_start")

    def start_view(self, request):
        if not can_write(request.user, Evaluation):
            raise PermissionDenied
        form = StartForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid() and (evaluation := form.start()):
            return redirect("admin:evaluation_evaluation_change", evaluation.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Start the year's evaluation")}
        return TemplateResponse(request, "admin/budgets/simple_form.html", context)

    def summary_view(self, request):
        form = SummaryForm(request.POST or None)
        form.fields["province"].queryset = scope_queryset(request.user, Province.objects.all())
        if request.method == "POST" and form.is_valid():
            job = services.province_export_enqueue(user=request.user, **form.cleaned_data)
            return redirect("admin:consortia_job_change", job.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Provincial summary workbook")}
        return TemplateResponse(request, "admin/budgets/simple_form.html", context)

    def step_view(self, request, pk, step):
        evaluation = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return redirect("admin:evaluation_evaluation_change", pk)
        if step not in STEPS or not can_write(request.user, Evaluation, evaluation):
            raise PermissionDenied
        try:
            evaluation_step(request, evaluation, step)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        return redirect("admin:evaluation_evaluation_change", pk)

    def annex2_view(self, request, pk):
        return annex2_response(get_object_or_404(self.get_queryset(request), pk=pk))

    def save_formset(self, request, form, formset, change):
        """Every write goes through the services (score, draft only, the bureau only)."""
        if formset.model is ItemResult:
            formset.save(commit=False)  # what the admin's change message reads; the service saves
            for item_form in formset.forms:
                if item_form.has_changed():
                    services.item_result_set(result=item_form.instance, value=item_form.cleaned_data["result"],
                                             evidence=item_form.cleaned_data["evidence"], user=request.user)
            return
        if formset.model is EvidenceFile:  # new files through the service, like the page's
            formset.save(commit=False)
            for file_form in formset.extra_forms:
                if file_form.has_changed() and not file_form.cleaned_data.get("DELETE"):
                    services.evidence_attach(result=file_form.cleaned_data["result"],
                                             upload=file_form.cleaned_data["file"], user=request.user)
            for deleted in formset.deleted_objects:
                deleted.delete()
            return
        formset.save(commit=False)  # entered indicators, through the service too
        for entry_form in formset.forms:
            if entry_form.has_changed():
                services.indicator_entry_set(evaluation=form.instance, key=entry_form.instance.key,
                                             user=request.user, **{name: entry_form.cleaned_data[name]
                                                                   for name in ("value", "verdict", "evidence")})


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["number", "section", "text", "weight", "computed"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and (obj is None or not obj.in_use)

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    """Administrators keep the checklist; a version in use is read-only and copied to change."""

    list_display = ["title", "version", "valid_from_year", "in_use"]
    fields = ["code", "version", "valid_from_year", "title", "source", "sections"]
    inlines = [ChecklistItemInline]
    actions = ["new_version"]

    @admin.display(boolean=True, description=_("in use"))
    def in_use(self, obj):
        return obj.in_use

    def get_changeform_initial_data(self, request):
        # The sections start as an empty set of them, not the JSON word `null`.
        return {"sections": {}, **super().get_changeform_initial_data(request)}

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None and obj.in_use else ["code", "version"] if obj else []

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_authenticated and bool(request.user.role
                                                                                 or request.user.is_superuser)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_delete_permission = has_change_permission

    @admin.action(description=_("Copy as a new version (for next year)"), permissions=["change"])
    def new_version(self, request, queryset):
        for template in queryset:
            copy = services.template_new_version(template=template, valid_from_year=template.valid_from_year + 1,
                                                 user=request.user)
            self.message_user(request, gettext("Version %(v)s made; reword it before it is used.")
                              % {"v": copy.version}, messages.SUCCESS)


@admin.register(NegativeFinding)
class NegativeFindingAdmin(ServiceRefusalsMixin, ScopedAdminMixin, HistoryAdmin):
    list_display = ["consortium", "year", "situation", "source", "status", "recorded_by", "reviewed_by"]
    list_filter = ["year", "situation", "source", "status"]
    search_fields = ["consortium__name", "description"]
    fields = ["consortium", "year", "situation", "description", "evidence", "source", "status", "shown_figure",
              "recorded_by", "reviewed_by", "reviewed_at"]
    readonly_fields = ["source", "status", "shown_figure", "recorded_by", "reviewed_by", "reviewed_at"]
    actions = ["confirm", "dismiss"]

    @admin.display(description=_("computed figure"))
    def shown_figure(self, obj):
        return format_html("<code>{}</code>", obj.figure) if obj.figure else "—"

    def has_change_permission(self, request, obj=None):
        return can_write(request.user, NegativeFinding, obj) and (
            obj is None or obj.status == NegativeFinding.Status.RAISED)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.finding_record(consortium=obj.consortium, year=obj.year, situation=obj.situation,
                                        description=obj.description, evidence=obj.evidence, user=request.user,
                                        finding=obj if change else None)
        obj.pk = saved.pk


    def _review(self, request, queryset, status):
        for finding in queryset:
            try:
                services.finding_review(finding=finding, status=status, user=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)

    @admin.action(description=_("Confirm the selected findings"))
    def confirm(self, request, queryset):
        self._review(request, queryset, NegativeFinding.Status.CONFIRMED)

    @admin.action(description=_("Dismiss the selected findings"))
    def dismiss(self, request, queryset):
        self._review(request, queryset, NegativeFinding.Status.DISMISSED)

