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


def json_html(value):
    """Data kept as JSON (a budget's members, a clearing's inputs and result, a job's result) as a
    clerk reads it: names in Chinese, amounts in yuan, tiers and periods in words; lists of rows as
    a table. A calculation trace is left out: the screen shows it as its own table."""
    from django.utils.html import format_html, format_html_join

    from consortia.glossary import shown, word

    if isinstance(value, dict):
        return format_html("<dl class=\"json\">{}</dl>", format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", ((word(k), json_html(v)) for k, v in value.items() if k != "trace")))
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        keys = list(dict.fromkeys(k for row in value for k in row))
        head = format_html_join("", "<th scope=\"col\">{}</th>", ((word(k),) for k in keys))
        body = format_html_join("", "<tr>{}</tr>", ((format_html_join(
            "", "<td>{}</td>", ((json_html(row.get(k)),) for k in keys)),) for row in value))
        return format_html("<table class=\"json\"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)
    if isinstance(value, list):
        return format_html_join("、", "{}", ((json_html(v),) for v in value)) if value else "—"
    return shown(value)


class ReadableJsonMixin:
    """A JSON field that is not edited on the screen is shown through `json_html`, never as the
    raw JSON (`{"prior_year_paid": …}`) Django would print. The screen's own rules of what is
    read-only (a subclass's get_readonly_fields) are asked first; the JSON fields among them are
    swapped for their readable display."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import JSONField

        self._json = [f.name for f in self.model._meta.fields if isinstance(f, JSONField)]
        if not self._json:
            return
        for name in self._json:
            def display(obj, name=name):
                return json_html(getattr(obj, name)) if obj is not None else "—"

            display.short_description = self.model._meta.get_field(name).verbose_name
            setattr(self, f"{name}_shown", display)
        readonly, fields, exclude = self.get_readonly_fields, self.get_fields, self.get_exclude

        def fixed(request, obj):
            past = (getattr(request, "resolver_match", None) and request.resolver_match.url_name or "").endswith(
                "_simple_history")  # a past version, shown, never edited as JSON
            if past or not self.has_change_permission(request, obj):
                return set(self._json)
            return set(readonly(request, obj)) & set(self._json)

        def get_readonly_fields(request, obj=None):
            json = fixed(request, obj)
            names = [f"{n}_shown" if n in json else n for n in readonly(request, obj)]
            return names + [f"{n}_shown" for n in json if f"{n}_shown" not in names]

        def get_exclude(request, obj=None):
            return [*(exclude(request, obj) or []), *fixed(request, obj)]

        def get_fields(request, obj=None):
            json, names = fixed(request, obj), []
            for name in fields(request, obj):
                name = f"{name}_shown" if name in json else name
                if name not in names:
                    names.append(name)
            return names

        self.get_readonly_fields, self.get_exclude, self.get_fields = get_readonly_fields, get_exclude, get_fields


class ScopedAdminMixin(ReadableJsonMixin):
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

    def get_historical_record_context_helper(self, request, historical_record):
        from django.utils.html import conditional_escape
        from django.utils.translation import gettext
        from simple_history.models import DeletedObject
        from simple_history.template_utils import HistoricalRecordContextHelper

        from consortia.glossary import shown

        class InWords(HistoricalRecordContextHelper):
            """Each change's values as the pages show them: 草稿 → 生效, ¥…, — for nothing."""

            def prepare_delta_change_value(self, change, value):
                value = super().prepare_delta_change_value(change, value)
                if isinstance(value, DeletedObject):  # a reference that was empty, or to a removed row
                    value = None if value.pk is None else gettext("removed (number %(pk)s)") % {"pk": value.pk}
                elif hasattr(value, "get_full_name"):
                    value = value.get_full_name() or value.get_username()
                return shown(value, self.model._meta.get_field(change.field))

            def stringify_delta_change_values(self, change, old, new):
                """Long values cut to their first characters with "…", not "[N chars]"."""
                limit = self.max_displayed_delta_change_chars
                return tuple(conditional_escape(text if len(text) <= limit else text[:limit] + "…")
                             for text in (str(old), str(new)))

        return InWords(self.model, historical_record)


class ScopedAdmin(ScopedAdminMixin, HistoryAdmin):
    """A registry screen with its change history."""


class ScopedInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0


class ReadOnlyMixin(ReadableJsonMixin):
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
