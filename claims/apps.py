from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    """Claims imported from the settlement system (issue 5)."""

    name = "claims"
    verbose_name = _("Claims")
