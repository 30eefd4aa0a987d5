from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    """Budgets, prepayments, payments and the year-end clearing (issues 3 and 4)."""

    name = "budgets"
    verbose_name = _("Budgets and payments")
