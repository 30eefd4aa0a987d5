from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.utils import timezone

from .models import Consortium, ServiceAgreement
from .selectors import scope_queryset


@login_required
def home(request):
    user = request.user
    year = timezone.localdate().year
    agreements = ServiceAgreement.objects.order_by("-year")
    consortia = (
        scope_queryset(user, Consortium.objects.select_related("county__city__province"))
        .annotate(member_count=Count("members"))
        .prefetch_related(Prefetch("agreements", queryset=agreements))
    )
    rows = []
    for consortium in consortia:
        listed = list(consortium.agreements.all())
        current = next((a for a in listed if a.year <= year), listed[0] if listed else None)
        rows.append({"consortium": consortium, "agreement": current})
    scope = user.consortium or user.county or user.province
    return render(request, "home.html", {"rows": rows, "scope_name": scope})
