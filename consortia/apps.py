from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiaConfig(AppConfig):
    name = "consortia"
    verbose_name = _("Registry")

    def ready(self):
        from .models import Job
        from .services.jobs import register_job_task
        from .services.work import register_work

        register_work(Job)
        register_job_task(Job.Kind.ROSTER_IMPORT, "consortia.tasks.roster_import")

        from .exports import exports_discover

        exports_discover()  # every app's exporters module registers its exports
        _admin_flags_in_words()

        from django.db.backends.signals import connection_created

        from .database import replica_opened

        connection_created.connect(replica_opened, dispatch_uid="replica_page_limit")


def _admin_flags_in_words():
    """The admin draws a yes/no column as a tick or a cross whose text for a screen reader (and a
    missing image) is Python's `True`/`False`, untranslated. Every caller in Django looks the icon
    up by name when it draws one, so replacing it here gives them all 是/否/未知."""
    from django.contrib.admin.templatetags import admin_list
    from django.templatetags.static import static
    from django.utils.html import format_html
    from django.utils.translation import gettext

    def boolean_icon(value):
        name = {True: "yes", False: "no", None: "unknown"}[value]
        said = {True: gettext("yes"), False: gettext("no"), None: gettext("unknown")}[value]
        return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), said)

    admin_list._boolean_icon = boolean_icon
