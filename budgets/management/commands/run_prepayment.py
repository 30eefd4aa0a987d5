from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.models import PrepaymentRun
from budgets.services.prepayments import prepayment_run

from .run_clearing import command_user


class Command(BaseCommand):
    help = ("Run (or catch up) the prepayment of a period: --period 2025-03 or --period 2025-Q2. Safe to repeat. "
            "With --user the orders are made in that person's name and scope; without, they have no maker and "
            "bureau staff review them before an auditor signs.")

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--user", help="the bureau staff member the run is made in the name of")

    def handle(self, *args, period: str, user: str | None, **options):
        try:
            run = prepayment_run(period=period, user=command_user(user), trigger=PrepaymentRun.Trigger.COMMAND)
        except (ValueError, ValidationError) as problem:
            raise CommandError("; ".join(getattr(problem, "messages", [str(problem)]))) from None
        self.stdout.write(_("Run %(id)s for %(period)s: %(created)s orders created, %(existing)s already there.")
                          % {"id": run.pk, "period": run.period, "created": run.orders_created,
                             "existing": run.orders_existing})
        for error in run.errors:
            self.stderr.write(f"{error['consortium']}: {error['message']}")
        if run.status == run.Status.FAILED:
            raise CommandError(run.reason or _("The run failed."))
