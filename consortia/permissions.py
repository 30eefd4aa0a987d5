"""Who may change what. Reading is decided by scope (selectors.scope_queryset); writing by role,
and then only inside the writer's scope."""

from django.db.models import Model
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import City, Consortium, County, Institution, Province, ServiceAgreement, User
from .selectors import object_in_scope, sees_everything

# Models a county's bureau staff keep up to date for their own pooling area. Geography and
# people are the administrator's. Later apps add theirs with `grant_write`.
WRITERS: dict[type[Model], set[str]] = {
    Province: set(),
    City: set(),
    County: set(),
    Consortium: {User.Role.BUREAU_STAFF},
    Institution: {User.Role.BUREAU_STAFF},
    ServiceAgreement: {User.Role.BUREAU_STAFF},
}


def grant_write(model: type[Model], *roles: str) -> None:
    WRITERS.setdefault(model, set()).update(roles)


def has_role(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.role or user.is_superuser))


def can_write(user, model: type[Model], obj: Model | None = None) -> bool:
    if not has_role(user):
        return False
    if sees_everything(user):
        return True
    if user.role not in WRITERS.get(model, set()):
        return False
    return obj is None or object_in_scope(user, obj)


class RolePermission(BasePermission):
    """API: every role reads its scope; writes follow `can_write`. Views whose model needs
    another rule set `write_model` or their own permission classes."""

    def has_permission(self, request, view):
        if not has_role(request.user):
            return False
        if request.method in SAFE_METHODS:
            return True
        model = getattr(view, "write_model", None) or getattr(
            getattr(view, "queryset", None), "model", None
        )
        return model is not None and can_write(request.user, model)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        if request.method == "DELETE" and not sees_everything(request.user):
            return False  # registry rows are referenced by money; as in the admin
        return can_write(request.user, type(obj), obj)
