"""REST API v1 for the registry, scoped exactly like the admin screens."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from payrules import SCHEMES

from . import filters, services
from .models import (
    AgreementParameters,
    City,
    Consortium,
    County,
    Institution,
    Job,
    Province,
    RosterEntry,
    ServiceAgreement,
)
from .parsers import too_big_message
from .permissions import can_write
from .selectors import agreement_current_parameters, jobs_visible, person_id_shown, scope_queryset, sees_full_ids


def api_exception_handler(exc, context):
    """A Django ValidationError raised by a service becomes a 400 with the clerk's message; a
    row others still refer to answers 409 instead of failing."""
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": _("Other records still refer to this one; it cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RequestDataTooBig):  # DRF reads JSON and forms through request.body, which checks
        return Response({"detail": too_big_message()}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    return exception_handler(exc, context)


class ScopedSerializerMixin:
    """Related rows offered or accepted are those the requesting user may see."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for field in fields.values():
            if isinstance(field, serializers.RelatedField) and getattr(field, "queryset", None) is not None:
                field.queryset = scope_queryset(request.user, field.queryset) if request else field.queryset.none()
        return fields


class ScopedViewSet(viewsets.ModelViewSet):
    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer):
        if not can_write(self.request.user, self.queryset.model, serializer.instance):
            raise PermissionDenied
        serializer.instance = services.registry_record_save(
            instance=serializer.instance or self.queryset.model(), values=serializer.validated_data
        )


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name"]


class CitySerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["id", "code", "name", "province"]


class CountySerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["id", "code", "name", "city", "insured_count"]


class ConsortiumSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    lead_hospital = serializers.SerializerMethodField()

    class Meta:
        model = Consortium
        fields = ["id", "code", "name", "county", "established", "lead_hospital"]

    def get_lead_hospital(self, obj) -> str | None:
        lead = obj.lead_hospital
        return lead.code if lead else None


class InstitutionSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "code", "legacy_code", "name", "tier", "level", "ownership", "placement", "county",
                  "consortium"]
        validators = []  # the model's constraints are checked by full_clean, in Chinese


class ParameterVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementParameters
        fields = ["version", "effective_from", "values", "reason", "created_by", "created_at"]


class ServiceAgreementSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    parameters = serializers.JSONField(
        write_only=True, required=False, help_text="Overrides of the scheme's default parameters."
    )
    current_parameters = serializers.SerializerMethodField()
    parameter_versions = ParameterVersionSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceAgreement
        fields = [
            "id", "consortium", "year", "scheme", "signed_date", "status", "paid_through",
            "parameters", "current_parameters", "parameter_versions", "created_at",
        ]
        read_only_fields = ["status", "paid_through", "created_at"]
        validators = []

    def get_current_parameters(self, obj) -> dict:
        version = agreement_current_parameters(agreement=obj)
        return version.values if version else {}


class ParameterChangeSerializer(serializers.Serializer):
    values = serializers.JSONField()
    effective_from = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RosterEntrySerializer(serializers.ModelSerializer):
    enrollee_id = serializers.SerializerMethodField()

    class Meta:
        model = RosterEntry
        fields = ["id", "agreement", "month", "enrollee_id", "team", "category", "baseline_cost"]

    def get_enrollee_id(self, obj) -> str:
        return person_id_shown(self.context["request"].user, obj.enrollee_id)


class RosterImportSerializer(serializers.Serializer):
    month = serializers.DateField()
    file = serializers.FileField()


class JobSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "county", "consortium", "parameters", "progress_done",
            "progress_total", "progress_percent", "stage", "result", "errors", "created_by", "created_at",
            "started_at", "finished_at",
        ]


class ProvinceViewSet(ScopedViewSet):
    queryset = Province.objects.all()
    serializer_class = ProvinceSerializer
    search_fields = ["code", "name"]


class CityViewSet(ScopedViewSet):
    queryset = City.objects.all()
    serializer_class = CitySerializer
    filterset_class = filters.CityFilter
    search_fields = ["code", "name"]


class CountyViewSet(ScopedViewSet):
    queryset = County.objects.select_related("city__province")
    serializer_class = CountySerializer
    filterset_class = filters.CountyFilter
    search_fields = ["code", "name"]


class ConsortiumViewSet(ScopedViewSet):
    queryset = Consortium.objects.select_related("county")
    serializer_class = ConsortiumSerializer
    filterset_class = filters.ConsortiumFilter
    search_fields = ["code", "name"]


class InstitutionViewSet(ScopedViewSet):
    queryset = Institution.objects.select_related("county", "consortium")
    serializer_class = InstitutionSerializer
    filterset_class = filters.InstitutionFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "tier"]


class ServiceAgreementViewSet(ScopedViewSet):
    queryset = ServiceAgreement.objects.select_related("consortium").prefetch_related("parameter_versions")
    serializer_class = ServiceAgreementSerializer
    filterset_class = filters.ServiceAgreementFilter
    search_fields = ["consortium__name", "consortium__code"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.agreement_create(
            consortium=data["consortium"], year=data["year"], scheme=data["scheme"],
            signed_date=data.get("signed_date"), parameters=data.get("parameters"), user=self.request.user,
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        agreement = serializer.instance
        if not can_write(self.request.user, ServiceAgreement, agreement):
            raise PermissionDenied
        if "parameters" in data:
            raise DjangoValidationError(
                {"parameters": [_("Change the parameters through the parameters action of the agreement.")]}
            )
        serializer.instance = services.agreement_update(
            agreement=agreement, user=self.request.user,
            scheme=data.get("scheme"), signed_date=data.get("signed_date"),
        )

    def _acting_on(self):
        agreement = self.get_object()
        if not can_write(self.request.user, ServiceAgreement, agreement):
            raise PermissionDenied
        return agreement

    @extend_schema(request=ParameterChangeSerializer, responses=ParameterVersionSerializer)
    @action(detail=True, methods=["post"])
    def parameters(self, request, pk=None):
        agreement = self._acting_on()
        change = ParameterChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        version = services.agreement_parameters_change(
            agreement=agreement, user=request.user, **change.validated_data
        )
        return Response(ParameterVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        agreement = services.agreement_activate(agreement=self._acting_on(), user=request.user)
        return Response(self.get_serializer(agreement).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        agreement = services.agreement_close(agreement=self._acting_on(), user=request.user)
        return Response(self.get_serializer(agreement).data)

    @extend_schema(request=RosterImportSerializer, responses={202: JobSerializer})
    @action(detail=True, methods=["post"], url_path="roster-imports")
    def roster_imports(self, request, pk=None):
        agreement = self._acting_on()
        upload = RosterImportSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        job = services.roster_import_enqueue(
            agreement=agreement, month=upload.validated_data["month"],
            upload=upload.validated_data["file"], user=request.user,
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SchemeSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    default_parameters = serializers.JSONField()


class SchemeViewSet(viewsets.ViewSet):
    """The payment scheme presets with their parameter defaults (docs/rules.md)."""

    @extend_schema(responses=SchemeSerializer(many=True))
    def list(self, request):
        return Response(
            [
                {"id": scheme.id, "label": _(scheme.label), "default_parameters": scheme.default_parameters()}
                for scheme in SCHEMES.values()
            ]
        )


class RosterEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = RosterEntry.objects.all()
    serializer_class = RosterEntrySerializer
    filterset_class = filters.RosterEntryFilter
    search_fields = ["enrollee_id", "team"]

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())

    def initial(self, request, *args, **kwargs):
        """No filter or search on an enrollee's id for a role that sees it masked."""
        super().initial(request, *args, **kwargs)
        if not sees_full_ids(request.user):
            self.search_fields = ["team"]
            if "enrollee_id" in request.query_params:
                raise PermissionDenied(_("Your role sees enrollees' ids masked and may not look for one."))


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Job.objects.all()
    serializer_class = JobSerializer
    filterset_class = filters.JobFilter

    def get_queryset(self):
        return jobs_visible(self.request.user, super().get_queryset())

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes})
    @action(detail=True, methods=["get"])
    def output(self, request, pk=None):
        """What an export job wrote."""
        from .views import job_output_response

        return job_output_response(self.get_object())
