"""What every admin screen of the product shares: rows and choices cut to the user's scope,
rights by role, and the audit history."""

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from .permissions import can_write, has_role
from .selectors import object_in_scope, person_id_shown, scope_queryset, sees_full_ids


class ServiceRefusalsMixin:
    """An admin screen whose save calls a service: the service's refusal (who may, a colleague was
    quicker under the row lock, a rule) is the screen's message in Chinese, and nothing is stored."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return redirect(request.get_full_path())


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter that offers only the related rows the user may see."""

    def field_choices(self, field, request, model_admin):
        related = scope_queryset(request.user, field.related_model._default_manager.all())
        return [(row.pk, str(row)) for row in related]


class ScopedAdminMixin:
    def get_queryset(self, request):
        return scope_queryset(request.user, super().get_queryset(request))

    def get_list_filter(self, request):
        scoped = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, ScopedRelatedFilter)
            scoped.append(item)
        return scoped

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_queryset(request.user, field.queryset)
        return field

    def has_module_permission(self, request):
        return has_role(request.user)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user) and (obj is None or object_in_scope(request.user, obj))

    def has_add_permission(self, request, *args):
        return can_write(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        return can_write(request.user, self.model, obj)

    def has_delete_permission(self, request, obj=None):
        # Registry rows are referenced by money; only an administrator removes one.
        return can_write(request.user, self.model, obj) and request.user.is_superuser


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, answering 404 (not 500) for a history address that names no
    version: the user change form's relative link to ../password/ lands on one from a version's page."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not str(version_id).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedAdmin(ScopedAdminMixin, HistoryAdmin):
    """A registry screen with its change history."""


class ScopedInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0


class ReadOnlyMixin:
    """Rows written only by services and jobs: users look, nobody edits here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaskedIdsMixin:
    """Personal ids (`masked_fields`) shown masked to a role that may not read them in full, and
    never a filter, a search or a sort on them for such a role: ?person_id__startswith= recovered
    a full id one digit at a time, since the admin allows lookups on any field of the model."""

    masked_fields: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in self.masked_fields and (request is None or not sees_full_ids(request.user)):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if sees_full_ids(request.user):
            return fields
        return [f for f in fields if f.lstrip("^=@").split("__")[0] not in self.masked_fields]

    def get_list_display(self, request):
        return [self._masked(request, name) if name in self.masked_fields else name
                for name in super().get_list_display(request)]

    def _masked(self, request, name):
        def shown(obj):
            return person_id_shown(request.user, getattr(obj, name))

        shown.short_description = self.model._meta.get_field(name).verbose_name
        return shown
