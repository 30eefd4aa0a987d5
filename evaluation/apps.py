from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Performance evaluation against the provincial checklist (issue 6)."""

    name = "evaluation"
    verbose_name = _("Evaluation")
