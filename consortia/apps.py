from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiaConfig(AppConfig):
    name = "consortia"
    verbose_name = _("Registry")

    def ready(self):
        from .models import Job
        from .services.jobs import register_job_task

        register_job_task(Job.Kind.ROSTER_IMPORT, "consortia.tasks.roster_import")
