"""REST API v1 of the fund cycle: the feasibility study, budgets, actuals, prepayment runs,
payment orders with their signatures, and clearings. Scoped like the pages; every write goes
through the same services, so the API obeys the same two-signature rules."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from consortia.glossary import api_fund_fields, api_member_fields
from consortia.models import ServiceAgreement
from consortia.parsers import body_within_limit
from consortia.permissions import can_write, has_role
from consortia.selectors import scope_queryset
from consortia.services.work import work_checked, work_enqueue

from .models import AnnualBudget, Clearing, ClearingRun, MoneyRun, PaymentOrder, PrepaymentRun, YearActuals
from .selectors import run_lines_in_scope, runs_visible
from .services import budgets as budget_services
from .services import clearing as clearing_services
from .services import payments
from .services.actuals import FIGURES, year_actuals_save
from .services.prepayments import prepayment_run_review, prepayment_run_start
from .services.runs import may_run
from .simulations import scenario_parse, simulation_run


class DecimalJSONParser(BaseParser):
    """JSON with every number read as an exact Decimal: no float ever touches the money."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        body_within_limit(parser_context)
        try:
            return scenario_parse(stream.read())
        except ValueError as error:
            raise ParseError(str(error)) from None


class AnyRole(BasePermission):
    """Every role may call; the services decide who may do what (auditor signs, officer co-signs)."""

    def has_permission(self, request, view):
        return has_role(request.user)


class SimulationView(APIView):
    parser_classes = [DecimalJSONParser]
    permission_classes = [AnyRole]

    @extend_schema(
        summary="Run a feasibility study (scenario/1)",
        request={"application/json": {"type": "object", "description": "a scenario/1 document"}},
        responses={200: {"type": "object"}, 400: {"type": "object"}},
        parameters=[OpenApiParameter("scheme", str, description="run the inputs under another scheme")],
    )
    def post(self, request):
        (outcome,) = simulation_run(data=request.data, schemes=[request.query_params["scheme"]]
                                    if request.query_params.get("scheme") else None)
        if outcome.errors:
            return Response(
                {"detail": _("The scenario has errors."), "errors": outcome.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(outcome.output)


class ScopedReadMixin:
    permission_classes = [AnyRole]

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())


def _agreement_for_write(request, agreement_id, model):
    agreement = scope_queryset(request.user, ServiceAgreement.objects.all()).filter(pk=agreement_id).first()
    if agreement is None or not can_write(request.user, model):
        raise PermissionDenied
    return agreement


class OpinionInput(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=1000,
                                    help_text=gettext_lazy("The approver's opinion; required when sending back."))


class BudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualBudget
        fields = ["id", "agreement", "version", "status", "fund", "members", "reason", "computed", "created_by",
                  "submitted_by", "approved_by", "approved_at"]
        read_only_fields = ["version", "status", "computed", "created_by", "submitted_by", "approved_by",
                            "approved_at"]
        extra_kwargs = {"fund": {"help_text": api_fund_fields()}, "members": {"help_text": api_member_fields()}}
        # budget_save numbers the versions; DRF's (agreement, version) check would take every new
        # version for version 1 again and refuse it.
        validators = []


class BudgetViewSet(ScopedReadMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A new budget (or, when one is in force, its next version with a reason); a draft is edited;
    submit, then approve by someone else."""

    queryset = AnnualBudget.objects.select_related("agreement")
    serializer_class = BudgetSerializer
    filterset_fields = ["agreement", "status"]

    # A refusal of budget_save (a Django ValidationError) answers 400 (consortia.apis.api_exception_handler).
    def perform_create(self, serializer):
        data = serializer.validated_data
        agreement = _agreement_for_write(self.request, data["agreement"].pk, AnnualBudget)
        serializer.instance = budget_services.budget_save(
            agreement=agreement, fund=data.get("fund", {}), members=data.get("members", []),
            reason=data.get("reason", ""), user=self.request.user)

    def perform_update(self, serializer):
        budget = serializer.instance
        agreement = _agreement_for_write(self.request, budget.agreement_id, AnnualBudget)
        data = serializer.validated_data
        if "agreement" in data and data["agreement"].pk != budget.agreement_id:
            raise serializers.ValidationError({"agreement": [_("A budget stays with its agreement.")]})
        serializer.instance = budget_services.budget_save(
            agreement=agreement, budget=budget, fund=data.get("fund", budget.fund),
            members=data.get("members", budget.members), reason=data.get("reason"), user=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        budget = self.get_object()
        _agreement_for_write(request, budget.agreement_id, AnnualBudget)
        return Response(self.get_serializer(budget_services.budget_submit(budget=budget, user=request.user)).data)

    @extend_schema(request=OpinionInput)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        budget = budget_services.budget_approve(budget=self.get_object(), user=request.user,
                                                opinion=request.data.get("opinion", ""))
        return Response(self.get_serializer(budget).data)

    @extend_schema(request=OpinionInput)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """退回: back to its author as a draft; the opinion is required."""
        budget = budget_services.budget_send_back(budget=self.get_object(), user=request.user,
                                                  opinion=request.data.get("opinion", ""))
        return Response(self.get_serializer(budget).data)


class ActualsSerializer(serializers.ModelSerializer):
    class Meta:
        model = YearActuals
        fields = ["id", "agreement", "source", "in_consortium", "out_of_consortium", "enrollee_expenditure",
                  "evaluation_score", "member_scores", "entered_by"]
        read_only_fields = ["source", "entered_by"]


class ActualsViewSet(ScopedReadMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = YearActuals.objects.all()
    serializer_class = ActualsSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        agreement = _agreement_for_write(self.request, data["agreement"].pk, YearActuals)
        blank = YearActuals()  # a figure not sent is the model's default
        serializer.instance = year_actuals_save(agreement=agreement, user=self.request.user,
                                                **{name: data.get(name, getattr(blank, name)) for name in FIGURES})

    def perform_update(self, serializer):
        actuals, data = serializer.instance, serializer.validated_data
        agreement = _agreement_for_write(self.request, actuals.agreement_id, YearActuals)
        if "agreement" in data and data["agreement"].pk != actuals.agreement_id:
            raise serializers.ValidationError({"agreement": [_("The actuals stay with their agreement.")]})
        serializer.instance = year_actuals_save(agreement=agreement, user=self.request.user,
                                                **{name: data.get(name, getattr(actuals, name)) for name in FIGURES})


class RunLinesMixin(serializers.Serializer):
    errors = serializers.SerializerMethodField()

    def get_errors(self, run) -> list:
        run_lines_in_scope(user=self.context["request"].user, run=run)
        return run.errors


class RunSerializer(RunLinesMixin, serializers.ModelSerializer):
    heartbeat_at = serializers.DateTimeField(source="moved_at", read_only=True)  # the run's last sign of life

    class Meta:
        model = PrepaymentRun
        fields = ["id", "period", "status", "trigger", "started_by", "county", "started_at", "heartbeat_at",
                  "finished_at", "orders_created", "orders_existing", "errors", "reason"]
        read_only_fields = ["status", "trigger", "started_by", "county", "started_at", "heartbeat_at", "finished_at",
                            "orders_created", "orders_existing", "errors", "reason"]


class CheckedRunsMixin:
    """Runs read through the user's scope; one whose process died is marked failed first."""

    permission_classes = [AnyRole]

    def get_queryset(self):
        visible = runs_visible(user=self.request.user, queryset=super().get_queryset())
        work_checked(visible.filter(status__in=[MoneyRun.Status.QUEUED, MoneyRun.Status.RUNNING]))
        return visible


class RunViewSet(CheckedRunsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Start a run for a period (it is queued and runs in a worker, on the agreements of your
    scope); watch its row; review (复核) the orders a scheduled run made."""

    queryset = PrepaymentRun.objects.all()
    serializer_class = RunSerializer
    filterset_fields = ["period", "status"]

    def perform_create(self, serializer):
        if not may_run(self.request.user):
            raise PermissionDenied
        try:
            run = prepayment_run_start(period=serializer.validated_data["period"], user=self.request.user)
        except ValueError as error:
            raise serializers.ValidationError({"period": [str(error)]}) from None
        serializer.instance = work_enqueue(run)

    @extend_schema(request=None, responses={200: {"type": "object"}})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        reviewed = prepayment_run_review(run=self.get_object(), user=request.user)
        return Response({"reviewed": reviewed})


class ClearingRunSerializer(RunLinesMixin, serializers.ModelSerializer):
    results = serializers.SerializerMethodField()
    heartbeat_at = serializers.DateTimeField(source="moved_at", read_only=True)

    class Meta:
        model = ClearingRun
        fields = ["id", "year", "agreement", "status", "trigger", "started_by", "county", "started_at",
                  "heartbeat_at", "finished_at", "total", "done", "results", "errors", "reason"]
        read_only_fields = ["status", "trigger", "started_by", "county", "started_at", "heartbeat_at", "finished_at",
                            "total", "done", "results", "errors", "reason"]

    def get_results(self, run) -> list:
        run_lines_in_scope(user=self.context["request"].user, run=run)
        return run.results


class ClearingRunViewSet(CheckedRunsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Start the year-end clearing of every agreement of a year in your scope, or of one (queued,
    runs in a worker); watch its row, with each agreement's clearing or the reason it has none."""

    queryset = ClearingRun.objects.all()
    serializer_class = ClearingRunSerializer
    filterset_fields = ["year", "status", "agreement"]

    def perform_create(self, serializer):
        if not may_run(self.request.user):
            raise PermissionDenied
        data = serializer.validated_data
        agreement = data.get("agreement")
        if agreement is not None and not scope_queryset(self.request.user, ServiceAgreement.objects.filter(
                pk=agreement.pk)).exists():
            raise PermissionDenied
        run = clearing_services.clearing_run_start(year=data["year"], agreement=agreement, user=self.request.user)
        serializer.instance = work_enqueue(run)


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentOrder
        fields = ["id", "agreement", "period", "kind", "channel", "payee_code", "payee_name", "amount", "status",
                  "trace", "budget", "clearing", "funded_by", "reverses", "created_by", "approved_by", "co_signed_by",
                  "reviewed_by", "paid_by", "paid_on", "bank_reference", "voided_reason"]


class PayInput(serializers.Serializer):
    paid_on = serializers.DateField()
    bank_reference = serializers.CharField(max_length=64)

    def validate_paid_on(self, value):
        problem = payments.paid_on_problem(order=self.context["order"], paid_on=value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class OrderViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Payment orders; the signatures, payment, voiding and reversal as actions."""

    queryset = PaymentOrder.objects.select_related("agreement")
    serializer_class = OrderSerializer
    filterset_fields = ["agreement", "period", "kind", "status", "channel"]

    def _done(self, order, status_code=status.HTTP_200_OK):
        return Response(OrderSerializer(order).data, status=status_code)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._done(payments.order_approve(order=self.get_object(), user=request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="co-sign")
    def co_sign(self, request, pk=None):
        return self._done(payments.order_co_sign(order=self.get_object(), user=request.user))

    @extend_schema(request=PayInput)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        order = self.get_object()
        data = PayInput(data=request.data, context={"order": order})
        data.is_valid(raise_exception=True)
        return self._done(payments.order_pay(order=order, user=request.user, **data.validated_data))

    @extend_schema(request=ReasonInput)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(payments.order_void(order=self.get_object(), user=request.user, **data.validated_data))

    @extend_schema(request=ReasonInput)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(payments.order_reverse(order=self.get_object(), user=request.user, **data.validated_data),
                          status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OrderSerializer(many=True))
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        """S3: pass a quarter's money received into the co-managed account on to the members."""
        made = payments.disbursements_create(order=self.get_object(), user=request.user)
        return Response(OrderSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


class ClearingSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = Clearing
        fields = ["id", "agreement", "status", "inputs", "inputs_hash", "result", "computed_by", "computed_at",
                  "approved_by", "approved_at", "current"]
        read_only_fields = fields

    def get_current(self, obj) -> bool:
        return clearing_services.clearing_is_current(clearing=obj)


class ClearingInput(serializers.Serializer):
    agreement = serializers.IntegerField()


class ClearingViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Clearing.objects.select_related("agreement")
    serializer_class = ClearingSerializer
    filterset_fields = ["agreement", "status"]

    @extend_schema(request=ClearingInput, responses=ClearingSerializer)
    @action(detail=False, methods=["post"])
    def compute(self, request):
        data = ClearingInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = _agreement_for_write(request, data.validated_data["agreement"], YearActuals)
        clearing = clearing_services.clearing_compute(agreement=agreement, user=request.user)
        return Response(ClearingSerializer(clearing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ClearingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        clearing, _orders = clearing_services.clearing_approve(clearing=self.get_object(), user=request.user)
        return Response(ClearingSerializer(clearing).data)
