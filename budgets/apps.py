from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    """Budgets, prepayments, payments and the year-end clearing (issues 3 and 4)."""

    name = "budgets"
    verbose_name = _("Budgets and payments")

    def ready(self):
        from consortia.models import User
        from consortia.permissions import grant_write
        from consortia.services.work import register_work

        from . import selectors  # noqa: F401 - registers the scope of the fund cycle's rows
        from .models import AnnualBudget, ClearingRun, PrepaymentRun, YearActuals

        register_work(PrepaymentRun)  # swept by the beat like every long piece of work
        register_work(ClearingRun)
        grant_write(AnnualBudget, User.Role.BUREAU_STAFF)
        grant_write(YearActuals, User.Role.BUREAU_STAFF)
