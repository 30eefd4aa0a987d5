from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consortia.admin_base import ReadOnlyMixin, ScopedAdmin, ScopedAdminMixin, ServiceRefusalsMixin, json_html
from consortia.forms import add_service_errors
from consortia.models import ServiceAgreement, User
from consortia.permissions import can_write
from consortia.selectors import scope_queryset
from consortia.services.work import work_checked, work_enqueue
from consortia.templatetags.money import period

from .explain import steps_shown
from .forms import PayForm, ReasonForm, RunForm
from .models import (
    AnnualBudget,
    Clearing,
    ClearingRun,
    JournalEntry,
    MoneyRun,
    PaymentOrder,
    PrepaymentRun,
    YearActuals,
)
from .selectors import runs_visible
from .services import budgets as budget_services
from .services import clearing as clearing_services
from .services import payments
from .services.actuals import FIGURES, year_actuals_check, year_actuals_save
from .services.prepayments import prepayment_run_start


def _trace_table(steps, scheme=None):
    rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            ((s["rule"], s["label"], s["member"], s["explanation"]) for s in steps_shown(steps, scheme)))
    return format_html("<table><tbody>{}</tbody></table>", rows) if steps else "—"


def _act(modeladmin, request, queryset, service, argument: str):
    """Runs a service on each chosen row; a refusal is reported for that row, the others go on."""
    done = 0
    for obj in queryset:
        try:
            service(**{argument: obj}, user=request.user)
            done += 1
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {'; '.join(error.messages)}", messages.ERROR)
    if done:
        modeladmin.message_user(request, gettext("%(n)s done.") % {"n": done}, messages.SUCCESS)


class ServiceForm(forms.ModelForm):
    """An admin form that asks the service which will store the row whether it would (`check`):
    its refusal shows on the form beside what was typed, and nothing is stored."""

    user = None  # the person at the screen, set on the form class made for each request

    def check(self, value):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # A field the screen shows read-only keeps the row's value.
            def value(name, default=None):
                return cleaned.get(name, default) if name in self.fields else getattr(self.instance, name)

            try:
                self.check(value)
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


class ServiceAdminMixin(ServiceRefusalsMixin):
    """save_model calls the service; a refusal there (a colleague was quicker, under the row lock)
    is the admin's message, and nothing is stored."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form



class BudgetForm(ServiceForm):
    class Meta:
        model = AnnualBudget
        fields = ["agreement", "fund", "members", "reason"]

    def check(self, value):
        budget = self.instance if self.instance.pk else None
        agreement = budget.agreement if budget else value("agreement")
        if agreement is not None:
            budget_services.budget_check(agreement=agreement, budget=budget, fund=value("fund") or {},
                                         members=value("members") or [], reason=value("reason", ""), user=self.user)


@admin.register(AnnualBudget)
class AnnualBudgetAdmin(ServiceAdminMixin, ScopedAdmin):
    form = BudgetForm
    list_display = ["agreement", "version", "status", "package", "created_by", "approved_by"]
    list_filter = ["status", "agreement__year", "agreement__scheme"]
    search_fields = ["agreement__consortium__name"]
    readonly_fields = ["version", "status", "created_by", "submitted_by", "approved_by", "approved_at",
                       "shown_package", "shown_schedule", "shown_members", "shown_trace"]
    actions = ["submit", "approve"]

    def get_readonly_fields(self, request, obj=None):
        fixed = list(self.readonly_fields)
        if obj is not None:
            fixed.append("agreement")
            if obj.status != AnnualBudget.Status.DRAFT:
                fixed += ["fund", "members", "reason"]
        return fixed

    @admin.display(description=_("Package"))
    def package(self, obj):
        return (obj.computed.get("package") or {}).get("package") or (obj.computed.get("package") or {}).get(
            "target_one") or (obj.computed.get("package") or {}).get("control_target") or "—"

    @admin.display(description=_("Package"))
    def shown_package(self, obj):
        return json_html(obj.computed.get("package") or {})

    @admin.display(description=_("Prepayment schedule"))
    def shown_schedule(self, obj):
        return json_html(obj.computed.get("prepayments") or [])

    @admin.display(description=_("Members"))
    def shown_members(self, obj):
        return json_html(obj.computed.get("members") or [])

    @admin.display(description=_("How each number was computed"))
    def shown_trace(self, obj):
        return _trace_table(obj.computed.get("trace") or [], obj.agreement.scheme)

    def save_model(self, request, obj, form, change):
        saved = budget_services.budget_save(agreement=obj.agreement, budget=obj if change else None,
                                            fund=obj.fund or {}, members=obj.members or [], reason=obj.reason,
                                            user=request.user)
        obj.pk, obj.version = saved.pk, saved.version

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "agreement":
            field.queryset = field.queryset.exclude(status=ServiceAgreement.Status.CLOSED)
        return field

    @admin.action(description=_("Submit for approval"))
    def submit(self, request, queryset):
        _act(self, request, queryset, budget_services.budget_submit, "budget")

    @admin.action(description=_("Approve (not your own)"))
    def approve(self, request, queryset):
        _act(self, request, queryset, budget_services.budget_approve, "budget")


class ActualsForm(ServiceForm):
    class Meta:
        model = YearActuals
        fields = ["agreement", *FIGURES]

    def check(self, value):
        agreement = self.instance.agreement if self.instance.pk else value("agreement")
        if agreement is not None:
            year_actuals_check(agreement=agreement, user=self.user, **{name: value(name) for name in FIGURES})


@admin.register(YearActuals)
class YearActualsAdmin(ServiceAdminMixin, ScopedAdmin):
    form = ActualsForm
    list_display = ["agreement", "source", "out_of_consortium", "evaluation_score", "entered_by"]
    fields = ["agreement", *FIGURES]

    def get_readonly_fields(self, request, obj=None):
        return ["agreement"] if obj is not None else []  # actuals stay with their agreement

    def save_model(self, request, obj, form, change):
        saved = year_actuals_save(agreement=obj.agreement, user=request.user,
                                  **{name: getattr(obj, name) for name in FIGURES})
        obj.pk = saved.pk


class RunAdminMixin:
    """Money runs, read by the bureau and the administrator: those of the user's county and of
    every county, a dead one marked failed first."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.role in (User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR,
                                                                User.Role.ADMINISTRATOR) or request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_queryset(self, request):
        visible = runs_visible(user=request.user, queryset=super().get_queryset(request))
        work_checked(visible.filter(status__in=[MoneyRun.Status.QUEUED, MoneyRun.Status.RUNNING]))
        return visible


@admin.register(PrepaymentRun)
class PrepaymentRunAdmin(RunAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["period", "status", "trigger", "started_by", "started_at", "orders_created", "orders_existing"]
    list_filter = ["status", "period"]
    change_list_template = "admin/budgets/prepaymentrun/change_list.html"

    def get_urls(self):
        return [path("start/", self.admin_site.admin_view(self.start_view), name="budgets_prepaymentrun_start")
                ] + super().get_urls()

    def start_view(self, request):
        """Start a run by hand (a catch-up, say): queued after commit, watched in the list."""
        if not can_write(request.user, AnnualBudget):
            raise PermissionDenied
        form = RunForm(request.POST or None, agreements=scope_queryset(request.user, ServiceAgreement.objects.filter(
            status=ServiceAgreement.Status.ACTIVE)))
        if request.method == "POST" and form.is_valid():
            try:
                run = prepayment_run_start(period=form.cleaned_data["period"], user=request.user)
            except (ValueError, ValidationError) as error:
                form.add_error("period", "; ".join(getattr(error, "messages", [str(error)])))
            else:
                work_enqueue(run)
                self.message_user(request, gettext("Run %(id)s for %(period)s started.") % {
                    "id": run.pk, "period": period(run.period)}, messages.SUCCESS)
                return redirect("admin:budgets_prepaymentrun_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Start a prepayment run")}
        return TemplateResponse(request, "admin/budgets/simple_form.html", context)



@admin.register(ClearingRun)
class ClearingRunAdmin(RunAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "agreement", "status", "trigger", "started_by", "started_at", "done", "total"]
    list_filter = ["status", "year"]


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["period", "agreement", "kind", "payee_name", "amount", "status", "channel", "created_by",
                    "approved_by", "co_signed_by", "paid_on"]
    list_filter = ["status", "kind", "channel", "period", "agreement__consortium"]
    search_fields = ["payee_name", "payee_code", "bank_reference"]
    readonly_fields = ["shown_trace"]
    actions = ["co_sign", "approve"]
    change_form_template = "admin/budgets/paymentorder/change_form.html"

    def get_urls(self):
        return [path("<int:pk>/<str:step>/", self.admin_site.admin_view(self.step_view),
                     name="budgets_paymentorder_step")] + super().get_urls()

    def step_view(self, request, pk, step):
        """Pay (date and bank reference), void or reverse (a reason), or pass a quarter on (S3)."""
        order = get_object_or_404(self.get_queryset(request), pk=pk)
        forms_by_step = {"pay": PayForm, "void": ReasonForm, "reverse": ReasonForm, "disburse": None}
        if step not in forms_by_step:
            raise PermissionDenied
        form_class = forms_by_step[step]
        extra = {"order": order} if form_class is PayForm else {}
        form = form_class(request.POST or None, **extra) if form_class else None
        if request.method == "POST" and (form is None or form.is_valid()):
            data = form.cleaned_data if form else {}
            try:
                if step == "pay":
                    payments.order_pay(order=order, user=request.user, **data)
                elif step == "void":
                    payments.order_void(order=order, user=request.user, reason=data["reason"])
                elif step == "reverse":
                    order = payments.order_reverse(order=order, user=request.user, reason=data["reason"])
                else:
                    made = payments.disbursements_create(order=order, user=request.user)
                    self.message_user(request, gettext("%(n)s done.") % {"n": len(made)}, messages.SUCCESS)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                return redirect("admin:budgets_paymentorder_change", order.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "original": order, "title": f"{order} · {step}"}
        return TemplateResponse(request, "admin/budgets/simple_form.html", context)

    @admin.display(description=_("rule trace"))
    def shown_trace(self, obj):
        return _trace_table(obj.trace or [], obj.agreement.scheme)

    @admin.action(description=_("Co-sign (consortium finance officer)"))
    def co_sign(self, request, queryset):
        _act(self, request, queryset, payments.order_co_sign, "order")

    @admin.action(description=_("Approve (bureau auditor, not your own)"))
    def approve(self, request, queryset):
        _act(self, request, queryset, payments.order_approve, "order")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Clearing)
class ClearingAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["agreement", "status", "final_payment", "inputs_hash", "computed_by", "computed_at",
                    "approved_by"]
    list_filter = ["status", "agreement__year"]
    readonly_fields = ["shown_trace"]
    actions = ["approve"]

    @admin.display(description=_("Final payment"))
    def final_payment(self, obj):
        return obj.result.get("clearing", {}).get("final_payment")

    @admin.display(description=_("How each number was computed"))
    def shown_trace(self, obj):
        return _trace_table(obj.result.get("trace") or [], obj.agreement.scheme)

    @admin.action(description=_("Approve (not your own) and make the final payment orders"))
    def approve(self, request, queryset):
        _act(self, request, queryset, clearing_services.clearing_approve, "clearing")


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["posted_on", "memo", "order"]
    date_hierarchy = "posted_on"
