"""The registry as pages: a consortium with its members and agreements; the designated
institutions of the scope, which bureau staff add and correct; and everyone's own password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _, gettext_lazy

from .forms import InstitutionForm, add_service_errors
from .models import Consortium, County, Institution
from .permissions import can_write
from .selectors import consortium_members, scope_queryset
from .services.records import registry_record_save


@login_required
def consortium_page(request, pk: int):
    """A consortium as the registry has it: members by tier, and its agreements by year."""
    consortium = get_object_or_404(scope_queryset(request.user, Consortium.objects.select_related("county")), pk=pk)
    return render(request, "consortia/consortium.html", {
        "consortium": consortium, "members": consortium_members(consortium),
        "agreements": consortium.agreements.order_by("-year"),
    })


class PasswordChange(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Everyone changes their own password here (the old one first, the validators apply); the
    administrator sets a new person's first one."""

    success_url = reverse_lazy("home")
    success_message = gettext_lazy("Your password has been changed.")


@login_required
def registry_page(request, pk: int | None = None):
    """The designated institutions of the scope, inside and outside the consortia; bureau staff add
    one or correct one (its name, tier, level, ownership, DIP coefficient), with its history."""
    user = request.user
    institutions = scope_queryset(user, Institution.objects.select_related("county", "consortium"))
    editing = get_object_or_404(institutions, pk=pk) if pk else None
    writer = can_write(user, Institution, editing)
    if request.method == "POST" and not writer:
        raise PermissionDenied
    form = None
    if writer:
        form = InstitutionForm(request.POST or None, instance=editing or Institution(),
                               counties=scope_queryset(user, County.objects.all()),
                               consortia=scope_queryset(user, Consortium.objects.all()))
        if request.method == "POST" and form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.changed_data}
            # The form offers only the writer's own counties and consortia.
            try:
                saved = registry_record_save(instance=editing or Institution(),
                                             values=values if editing else form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
                return redirect("registry")
    placement = request.GET.get("placement", "")
    shown = institutions.filter(placement=placement) if placement in Institution.Placement.values else institutions
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(shown.order_by("county__code", "placement", "consortium__code", "tier", "code"), 100
                     ).get_page(request.GET.get("page"))
    return render(request, "consortia/registry.html", {
        "page": page, "query": query.urlencode(), "form": form, "editing": editing, "placement": placement,
        "placements": Institution.Placement.choices,
        "history": editing.history.select_related("history_user").order_by("-history_date")[:20] if editing else [],
    })
