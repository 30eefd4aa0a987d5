"""REST API v1 of the evaluation: evaluations with their item results and entered indicators,
the computed indicators, the negative list, and the workbooks. Scoped like the pages; every
write goes through the services, so the API obeys the same rules (the bureau fills, another
person confirms, a confirmed evaluation is final)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from consortia.models import Consortium, Province
from consortia.permissions import can_write, has_role
from consortia.selectors import scope_queryset

from . import services
from .exporters import annex2_response
from .indicators import jiangmen_quarterly, supervision_indicators
from .models import Evaluation, IndicatorEntry, ItemResult, NegativeFinding

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AnyRole(BasePermission):
    def has_permission(self, request, view):
        return has_role(request.user)


class ItemResultSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="item.number", read_only=True)
    section = serializers.IntegerField(source="item.section", read_only=True)
    text = serializers.CharField(source="item.text", read_only=True)
    weight = serializers.DecimalField(source="item.weight", max_digits=6, decimal_places=2, read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = ItemResult
        fields = ["number", "section", "text", "weight", "result", "score", "evidence", "figure", "files"]

    def get_files(self, obj) -> list[str]:
        return [f.name for f in obj.files.all()]


class IndicatorEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorEntry
        fields = ["key", "value", "verdict", "evidence"]


class EvaluationSerializer(serializers.ModelSerializer):
    results = ItemResultSerializer(many=True, read_only=True)
    indicator_entries = IndicatorEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "consortium", "year", "template", "status", "total_score", "remarks", "created_by",
                  "submitted_by", "submitted_at", "confirmed_by", "confirmed_at", "results", "indicator_entries"]
        read_only_fields = fields


class StartInput(serializers.Serializer):
    consortium = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2019, max_value=2100)


class ItemInput(serializers.Serializer):
    number = serializers.IntegerField()
    result = serializers.ChoiceField(choices=ItemResult.Result.choices)
    evidence = serializers.CharField(allow_blank=True, required=False, default="")


class SendBackInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ConfirmInput(serializers.Serializer):
    opinion = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EvidenceInput(serializers.Serializer):
    number = serializers.IntegerField()
    file = serializers.FileField()


class SummaryInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2019, max_value=2100)
    province = serializers.IntegerField(required=False)


def _consortium_year(request, model):
    """(the consortium, the validated input) of a {consortium, year} write the user may make."""
    data = StartInput(data=request.data)
    data.is_valid(raise_exception=True)
    consortium = scope_queryset(request.user, Consortium.objects.all()).filter(
        pk=data.validated_data["consortium"]).first()
    if consortium is None or not can_write(request.user, model):
        raise PermissionDenied
    return consortium, data


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Evaluation.objects.select_related("consortium").prefetch_related("results__item", "results__files",
                                                                               "indicator_entries")
    serializer_class = EvaluationSerializer
    permission_classes = [AnyRole]
    filterset_fields = ["consortium", "year", "status"]

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())

    def _writable(self):
        evaluation = self.get_object()
        if not can_write(self.request.user, Evaluation, evaluation):
            raise PermissionDenied
        return evaluation

    def _item(self, serializer_class):
        """(evaluation, the item's result, the validated input) for a write to one item by number."""
        evaluation = self._writable()
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        result = evaluation.results.filter(item__number=data.validated_data["number"]).first()
        if result is None:
            raise NotFound
        return evaluation, result, data

    def _answer(self, evaluation, code=status.HTTP_200_OK):
        return Response(EvaluationSerializer(self.get_queryset().get(pk=evaluation.pk)).data, status=code)

    @extend_schema(request=StartInput, responses=EvaluationSerializer)
    def create(self, request):
        consortium, data = _consortium_year(request, Evaluation)
        evaluation = services.evaluation_start(consortium=consortium, year=data.validated_data["year"],
                                               user=request.user)
        return self._answer(evaluation, status.HTTP_201_CREATED)

    @extend_schema(request=ItemInput, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        evaluation, result, data = self._item(ItemInput)
        services.item_result_set(result=result, value=data.validated_data["result"],
                                 evidence=data.validated_data["evidence"], user=request.user)
        return self._answer(evaluation)

    @extend_schema(request={"multipart/form-data": EvidenceInput}, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def files(self, request, pk=None):
        """Attaches a file of evidence to one item (PDF, image, office document, zip; at most 20 MB)."""
        evaluation, result, data = self._item(EvidenceInput)
        services.evidence_attach(result=result, upload=data.validated_data["file"], user=request.user)
        return self._answer(evaluation, status.HTTP_201_CREATED)

    @extend_schema(request=IndicatorEntrySerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def indicators(self, request, pk=None):
        evaluation = self._writable()
        data = IndicatorEntrySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.indicator_entry_set(evaluation=evaluation, user=request.user, **data.validated_data)
        return self._answer(evaluation)

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        evaluation = self._writable()
        services.evaluation_refresh(evaluation=evaluation, user=request.user)
        return self._answer(evaluation)

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(services.evaluation_submit(evaluation=self._writable(), user=request.user))

    @extend_schema(request=ConfirmInput, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.evaluation_confirm(evaluation=self._writable(), user=request.user,
                                                        opinion=data.validated_data["opinion"]))

    @extend_schema(request=SendBackInput, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        data = SendBackInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.evaluation_send_back(evaluation=self._writable(), user=request.user,
                                                          reason=data.validated_data["reason"]))

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        """The supervision indicators (E2) and the quarterly set per member (E4), this year and last."""
        evaluation = self.get_object()
        consortium, year = evaluation.consortium, evaluation.year
        return Response({
            "supervision": [f.as_dict() for f in supervision_indicators(consortium=consortium, year=year)],
            "quarterly": [{"member": row["member"].code, "quarter": row["quarter"],
                           "figures": [f.as_dict() for f in row["figures"]]}
                          for row in jiangmen_quarterly(consortium=consortium, year=year)],
        })

    @extend_schema(responses={(200, XLSX): bytes})
    @action(detail=True, methods=["get"])
    def annex2(self, request, pk=None):
        return annex2_response(self.get_object())

    @extend_schema(request=SummaryInput, responses={202: {"type": "object"}},
                   description="Starts the provincial summary workbook as a job; fetch it from /jobs/{id}/output/.")
    @action(detail=False, methods=["post"], url_path="province-export")
    def province_export(self, request):
        data = SummaryInput(data=request.data)
        data.is_valid(raise_exception=True)
        province = None
        if data.validated_data.get("province"):
            province = scope_queryset(request.user, Province.objects.all()).filter(
                pk=data.validated_data["province"]).first()
            if province is None:
                raise PermissionDenied
        job = services.province_export_enqueue(year=data.validated_data["year"], user=request.user,
                                               province=province)
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = NegativeFinding
        fields = ["id", "consortium", "year", "situation", "source", "status", "description", "evidence", "figure",
                  "recorded_by", "reviewed_by", "created_at", "reviewed_at"]
        read_only_fields = ["source", "status", "figure", "recorded_by", "reviewed_by", "created_at", "reviewed_at"]


class ReviewInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[NegativeFinding.Status.CONFIRMED, NegativeFinding.Status.DISMISSED])
    evidence = serializers.CharField(allow_blank=True, required=False, default="")


class NegativeFindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    queryset = NegativeFinding.objects.all()
    serializer_class = FindingSerializer
    permission_classes = [AnyRole]
    filterset_fields = ["consortium", "year", "situation", "status", "source"]

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())

    def perform_create(self, serializer):
        consortium = serializer.validated_data["consortium"]
        if not can_write(self.request.user, NegativeFinding) or not scope_queryset(
                self.request.user, Consortium.objects.filter(pk=consortium.pk)).exists():
            raise PermissionDenied
        data = serializer.validated_data
        serializer.instance = services.finding_record(
            consortium=consortium, year=data["year"], situation=data["situation"], description=data["description"],
            evidence=data.get("evidence", ""), user=self.request.user)

    @extend_schema(request=ReviewInput, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.finding_review(finding=self.get_object(), user=request.user, **data.validated_data)
        return Response(FindingSerializer(finding).data)

    @extend_schema(request=StartInput, responses=FindingSerializer(many=True),
                   parameters=[OpenApiParameter("consortium", int), OpenApiParameter("year", int)])
    @action(detail=False, methods=["post"], url_path="raise-signals")
    def raise_signals(self, request):
        consortium, data = _consortium_year(request, NegativeFinding)
        raised = services.signals_raise(consortium=consortium, year=data.validated_data["year"])
        return Response(FindingSerializer(raised, many=True).data, status=status.HTTP_201_CREATED)
