"""REST API v1 of the fund cycle. The feasibility study: POST a scenario, get the engine's result."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from consortia.permissions import has_role

from .simulations import scenario_parse, simulation_run


class DecimalJSONParser(BaseParser):
    """JSON with every number read as an exact Decimal: no float ever touches the money."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return scenario_parse(stream.read())
        except ValueError as error:
            raise ParseError(str(error)) from None


class AnyRole(BasePermission):
    """A feasibility study stores nothing: every role may run one."""

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
