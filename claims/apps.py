from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    """Claims imported from the settlement system (issue 5)."""

    name = "claims"
    verbose_name = _("Claims")

    def ready(self):
        from consortia.models import User
        from consortia.permissions import grant_write

        from . import selectors  # noqa: F401 - registers the scope of claims and roll-ups
        from .models import Claim

        grant_write(Claim, User.Role.BUREAU_STAFF)

        from consortia.models import Job
        from consortia.services.jobs import register_job_task

        register_job_task(Job.Kind.CLAIMS_IMPORT, "claims.tasks.claims_import")
