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
