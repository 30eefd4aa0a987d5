from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import (AdminPasswordChangeForm, ReadOnlyPasswordHashWidget, SetUnusablePasswordMixin,
                                       UserChangeForm)
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy as _

from payrules import schemes_with

from . import services
from .admin_base import (HistoryAdmin, MaskedIdsMixin, ReadOnlyMixin, ScopedAdmin, ScopedAdminMixin, ScopedInline,
                         json_html)
from .forms import AgreementParametersForm, RosterUploadForm
from .models import (
    AgreementParameters,
    City,
    Consortium,
    County,
    HolidayDay,
    HolidayNotice,
    Institution,
    Job,
    Province,
    RosterEntry,
    ServiceAgreement,
    User,
)
from .permissions import can_write, has_role
from .selectors import agreement_current_parameters, scope_queryset
from .services.roster import ROSTER_COLUMNS
from . import admin_schedules  # noqa: F401  (replaces the beat's own screens)

admin.site.site_header = _("County consortium package payment")
admin.site.site_title = _("County consortium package payment")
admin.site.index_title = _("Administration")


def _validation_messages(error: ValidationError) -> list[str]:
    return list(error.messages)


@admin.register(Province)
class ProvinceAdmin(ScopedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(City)
class CityAdmin(ScopedAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name"]


@admin.register(County)
class CountyAdmin(ScopedAdmin):
    list_display = ["code", "name", "city", "insured_count"]
    list_filter = ["city__province", "city"]
    search_fields = ["code", "name"]


class MemberInline(ScopedInline):
    model = Institution
    fields = ["code", "name", "tier", "level", "ownership", "placement", "county"]
    ordering = ["tier", "code"]
    verbose_name = _("member")
    verbose_name_plural = _("members")


@admin.register(Consortium)
class ConsortiumAdmin(ScopedAdmin):
    list_display = ["code", "name", "county", "lead_hospital_name", "member_count"]
    list_filter = ["county__city__province", "county"]
    search_fields = ["code", "name", "members__name"]
    inlines = [MemberInline]

    @admin.display(description=_("lead hospital"))
    def lead_hospital_name(self, obj):
        lead = obj.lead_hospital
        return lead.name if lead else "—"

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.members.count()


@admin.register(Institution)
class InstitutionAdmin(ScopedAdmin):
    list_display = ["code", "legacy_code", "name", "tier", "level", "ownership", "placement", "consortium", "county"]
    list_filter = ["placement", "tier", "level", "ownership", "county", "consortium"]
    search_fields = ["code", "legacy_code", "name"]
    list_select_related = ["consortium", "county"]


class ParameterVersionInline(ReadOnlyMixin, ScopedInline):
    model = AgreementParameters
    fields = ["version", "effective_from", "shown_values", "reason", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("parameter versions (each applies from its month until the next)")

    @admin.display(description=_("parameter values"))
    def shown_values(self, obj):
        return json_html(obj.values)


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(ScopedAdmin):
    list_display = ["consortium", "year", "scheme", "status", "signed_date", "current_version"]
    list_filter = ["year", "scheme", "status", "consortium__county"]
    search_fields = ["consortium__name", "consortium__code"]
    inlines = [ParameterVersionInline]
    change_form_template = "admin/consortia/serviceagreement/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["consortium", "year", "scheme", "insurance_type", "signed_date"]
        return ["consortium", "year", "scheme", "insurance_type", "signed_date", "status", "paid_through", "created_by",
                "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["consortium", "year", "status", "paid_through", "created_by", "created_at"]
        if obj.status != ServiceAgreement.Status.DRAFT:
            fixed += ["scheme", "insurance_type", "signed_date"]
        return fixed

    @admin.display(description=_("current version"))
    def current_version(self, obj):
        version = agreement_current_parameters(agreement=obj)
        return version.version if version else "—"

    def save_model(self, request, obj, form, change):
        # The services own the writes; a refusal comes back as a message (changeform_view).
        if change:
            saved = services.agreement_update(
                agreement=obj, user=request.user, scheme=obj.scheme, signed_date=obj.signed_date,
                insurance_type=obj.insurance_type,
            )
        else:
            saved = services.agreement_create(
                consortium=obj.consortium, year=obj.year, scheme=obj.scheme,
                signed_date=obj.signed_date, insurance_type=obj.insurance_type, user=request.user,
            )
        obj.pk = saved.pk

    def get_inlines(self, request, obj):
        # Versions are written by the services only; the first one comes with the agreement.
        return [] if obj is None else self.inlines

    def get_urls(self):
        return [
            path("<int:pk>/parameters/", self.admin_site.admin_view(self.parameters_view), name="consortia_serviceagreement_parameters"),
            path("<int:pk>/transition/<str:action>/", self.admin_site.admin_view(self.transition_view), name="consortia_serviceagreement_transition"),
        ] + super().get_urls()

    def _agreement(self, request, pk):
        agreement = get_object_or_404(self.get_queryset(request), pk=pk)
        if not can_write(request.user, ServiceAgreement, agreement):
            raise PermissionDenied
        return agreement

    def parameters_view(self, request, pk):
        agreement = self._agreement(request, pk)
        current = agreement_current_parameters(agreement=agreement)
        form = AgreementParametersForm(
            request.POST or None, agreement=agreement, initial_values=current.values
        )
        if agreement.status == ServiceAgreement.Status.CLOSED:
            messages.error(request, gettext("A closed agreement's parameters cannot change."))
            return redirect("admin:consortia_serviceagreement_change", agreement.pk)
        if request.method == "POST" and form.is_valid():
            try:
                version = services.agreement_parameters_change(
                    agreement=agreement,
                    values=form.parameter_values(),
                    user=request.user,
                    effective_from=form.cleaned_data.get("effective_from"),
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    gettext("Parameters saved as version %(version)s, in force from %(month)s.")
                    % {"version": version.version, "month": version.effective_from.strftime("%Y-%m")},
                )
                return redirect("admin:consortia_serviceagreement_change", agreement.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": agreement,
            "title": gettext("Parameters of %(agreement)s") % {"agreement": agreement},
            "form": form,
            "current": current,
        }
        return TemplateResponse(request, "admin/consortia/serviceagreement/parameters.html", context)

    def transition_view(self, request, pk, action):
        agreement = self._agreement(request, pk)
        actions = {
            "activate": (services.agreement_activate, _("Activate this agreement? Its parameters will then change only through new versions.")),
            "close": (services.agreement_close, _("Close this agreement? Nothing in it can change afterwards.")),
        }
        if action not in actions:
            raise PermissionDenied
        service, question = actions[action]
        if request.method == "POST":
            try:
                service(agreement=agreement, user=request.user)
            except ValidationError as error:
                for message in _validation_messages(error):
                    messages.error(request, message)
            else:
                messages.success(request, gettext("Done: the agreement is now %(status)s.") % {
                    "status": ServiceAgreement.objects.get(pk=agreement.pk).get_status_display()
                })
            return redirect("admin:consortia_serviceagreement_change", agreement.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": agreement,
            "title": question,
            "question": question,
        }
        return TemplateResponse(request, "admin/consortia/serviceagreement/confirm.html", context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in _validation_messages(error):
                messages.error(request, message)
            return redirect(request.get_full_path())


@admin.register(RosterEntry)
class RosterEntryAdmin(MaskedIdsMixin, ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["month", "enrollee_id", "team", "category", "baseline_cost", "agreement"]
    masked_fields = ("enrollee_id",)
    list_filter = ["month", "category", "agreement__consortium"]
    search_fields = ["enrollee_id", "team"]
    list_select_related = ["agreement__consortium"]
    change_list_template = "admin/consortia/rosterentry/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="consortia_rosterentry_import"),
        ] + super().get_urls()

    def import_view(self, request):
        if not can_write(request.user, ServiceAgreement):
            raise PermissionDenied
        agreements = scope_queryset(
            request.user, ServiceAgreement.objects.filter(scheme__in=schemes_with(capitation=True)).exclude(status=ServiceAgreement.Status.CLOSED)
        )
        form = RosterUploadForm(request.POST or None, request.FILES or None, agreements=agreements)
        if request.method == "POST" and form.is_valid() and (job := form.enqueue(request.user)):
            return redirect("admin:consortia_job_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import an enrollment roster"),
            "form": form,
            "columns": ROSTER_COLUMNS,
        }
        return TemplateResponse(request, "admin/consortia/rosterentry/import.html", context)


@admin.register(Job)
class JobAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    change_form_template = "admin/consortia/job/change_form.html"

    def get_queryset(self, request):
        from .selectors import jobs_visible

        return jobs_visible(request.user, admin.ModelAdmin.get_queryset(self, request))

    def has_view_permission(self, request, obj=None):
        return has_role(request.user) and (obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())
    fields = ["kind", "status", "progress", "consortium", "county", "input_file", "input_sha256",
              "created_by", "created_at", "started_at", "finished_at", "shown_result", "shown_errors"]
    readonly_fields = fields

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.status == Job.Status.RUNNING and not obj.progress_total:
            return gettext("%(stage)s · %(rows)s rows so far") % {
                "stage": obj.get_stage_display() or gettext("reading the file"), "rows": f"{obj.progress_done:,}"}
        return f"{obj.progress_percent}%"

    def get_urls(self):
        return [path("<int:pk>/errors.csv", self.admin_site.admin_view(self.errors_view), name="consortia_job_errors"),
                path("<int:pk>/output/", self.admin_site.admin_view(self.output_view), name="consortia_job_output"),
                ] + super().get_urls()

    def output_view(self, request, pk):
        """What an export job wrote, to whoever may see the job."""
        from .views import job_output_response

        return job_output_response(get_object_or_404(self.get_queryset(request), pk=pk))

    def errors_view(self, request, pk):
        from .views import job_errors_response

        return job_errors_response(get_object_or_404(self.get_queryset(request), pk=pk))

    @admin.display(description=_("result"))
    def shown_result(self, obj):
        return json_html(obj.result) if obj.result else "—"

    @admin.display(description=_("errors"))
    def shown_errors(self, obj):
        if not obj.errors:
            return "—"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((e["row"] or "—", e["column"], e["message"]) for e in obj.errors),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("row"), gettext("column"), gettext("problem"), rows,
        )


class PasswordStateWidget(ReadOnlyPasswordHashWidget):
    """Says whether a password is set, not its hash's algorithm, rounds and salt (pbkdf2_sha256,
    1000000, xoqjdZ****): nothing an administrator acts on, in words nobody at a bureau reads."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if len(context["summary"]) > 1:
            context["summary"] = [{"label": gettext("A password is set; it is kept encrypted and nobody can read it.")}]
        return context


class UserForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget = PasswordStateWidget()


class PasswordForm(AdminPasswordChangeForm):
    """Django's, with its warning in Chinese (Django wrote that one sentence untranslated)."""

    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."))


# Who may do what is the user's role (consortia.permissions), not Django's groups of permissions,
# whose names Django writes in English when it creates them.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(HistoryAdmin, BaseUserAdmin):
    form = UserForm
    change_password_form = PasswordForm
    list_display = ["username", "last_name", "first_name", "role", "county", "consortium", "province", "is_active"]
    list_filter = ["role", "is_active", "county", "consortium", "province"]
    fieldsets = BaseUserAdmin.fieldsets[:2] + (
        (_("Role and place of work"), {"fields": ("role", "province", "county", "consortium")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role and place of work"), {"fields": ("role", "province", "county", "consortium")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        services.user_apply_role(obj)
        super().save_model(request, obj, form, change)


class HolidayDayInline(admin.TabularInline):
    model = HolidayDay
    fields = ["date", "kind", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read here with its history; entered and corrected on the holidays page."""

    list_display = ["year", "notice_number", "published_on", "shown_source", "entered_by"]
    fields = ["year", "notice_number", "published_on", "shown_source", "entered_by"]
    readonly_fields = fields
    inlines = [HolidayDayInline]

    @admin.display(description=_("source"))
    def shown_source(self, obj):
        return obj.source_shown()

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.is_superuser or request.user.role == User.Role.ADMINISTRATOR)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)
