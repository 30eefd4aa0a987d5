from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Performance evaluation against the provincial checklist, indicators, negative list (E1-E5)."""

    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from consortia.models import User
        from consortia.permissions import grant_write
        from consortia.selectors import register_scope

        from .models import Evaluation, EvidenceFile, IndicatorEntry, ItemResult, NegativeFinding

        for model in (Evaluation, NegativeFinding):
            register_scope(model, consortium="consortium_id", county="consortium__county_id",
                           city="consortium__county__city_id", province="consortium__county__city__province_id")
        for model in (ItemResult, IndicatorEntry, EvidenceFile):
            register_scope(model, consortium="evaluation__consortium_id", county="evaluation__consortium__county_id",
                           city="evaluation__consortium__county__city_id",
                           province="evaluation__consortium__county__city__province_id")
        for model in (Evaluation, ItemResult, IndicatorEntry, EvidenceFile, NegativeFinding):
            grant_write(model, User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR)

        from consortia.models import Job
        from consortia.services.jobs import register_job_task

        register_job_task(Job.Kind.PROVINCE_EXPORT, "evaluation.tasks.province_export")
