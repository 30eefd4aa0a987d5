from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.services.prepayments import prepayment_run


class Command(BaseCommand):
    help = "Run (or catch up) the prepayment of a period: --period 2025-03 or --period 2025-Q2. Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)

    def handle(self, *args, period: str, **options):
        try:
            run = prepayment_run(period=period, user=None)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(_("Run %(id)s for %(period)s: %(created)s orders created, %(existing)s already there.")
                          % {"id": run.pk, "period": run.period, "created": run.orders_created,
                             "existing": run.orders_existing})
        for error in run.errors:
            self.stderr.write(f"{error['consortium']}: {error['message']}")
        if run.status == run.Status.FAILED:
            raise CommandError(_("The run failed."))
