"""REST API v1 of claims: the claims and their monthly roll-ups (scoped like the pages, personal
ids masked as on the pages) and the import of a file as a job."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from consortia.apis import JobSerializer
from consortia.models import County
from consortia.permissions import can_write, has_role
from consortia.selectors import scope_queryset

from . import filters
from .benefits import expected_fund
from .importers import claims_import_enqueue
from .models import Claim, ClaimMonthly
from .selectors import person_id_shown


class AnyRole(BasePermission):
    def has_permission(self, request, view):
        return has_role(request.user)


class ClaimSerializer(serializers.ModelSerializer):
    person_id = serializers.SerializerMethodField()
    institution_code = serializers.CharField(source="institution.code", read_only=True)

    class Meta:
        model = Claim
        exclude = ["import_job"]

    def get_person_id(self, obj) -> str:
        return person_id_shown(self.context["request"].user, obj.person_id)


class ClaimMonthlySerializer(serializers.ModelSerializer):
    institution_code = serializers.CharField(source="institution.code", read_only=True)

    class Meta:
        model = ClaimMonthly
        fields = "__all__"


class ImportInput(serializers.Serializer):
    county = serializers.CharField(help_text="code of the pooling area")
    file = serializers.FileField()


class ClaimPages(CursorPagination):
    """Claims page by page with a next link, never a count: a county's three years are twenty
    million rows, and counting the scope on every call would read them all. Keyset on the primary
    key, the order the claims were imported in."""

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Claim.objects.select_related("institution")
    serializer_class = ClaimSerializer
    pagination_class = ClaimPages
    ordering_fields = ["id"]  # another order would page by offset among its ties
    permission_classes = [AnyRole]
    filterset_class = filters.ClaimFilter
    search_fields = ["claim_no", "diagnosis"]

    def get_queryset(self):
        from .selectors import claims_of

        return claims_of(self.request.user, super().get_queryset())

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def benefit(self, request, pk=None):
        """What the benefit rules give for this claim (B1-B6), and whether the fund paid differs."""
        result = expected_fund(claim=self.get_object())
        if result is None:
            return Response({"detail": _("No benefit rule fits this claim.")}, status=status.HTTP_404_NOT_FOUND)
        return Response({k: (format(v, "f") if hasattr(v, "quantize") else v) for k, v in result.items()})

    @extend_schema(request=ImportInput, responses={202: JobSerializer})
    @action(detail=False, methods=["post"], url_path="imports")
    def imports(self, request):
        """Upload a claims file; it is imported by a worker as a job (see /jobs/)."""
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        county = scope_queryset(request.user, County.objects.all()).filter(code=data.validated_data["county"]).first()
        if county is None or not can_write(request.user, Claim):
            raise PermissionDenied
        job = claims_import_enqueue(county=county, upload=data.validated_data["file"], user=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ClaimMonthlyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ClaimMonthly.objects.select_related("institution").order_by("month", "institution__code")
    serializer_class = ClaimMonthlySerializer
    permission_classes = [AnyRole]
    filterset_class = filters.ClaimMonthlyFilter

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())
