from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.models import Clearing, ClearingRun
from budgets.services.clearing import clearing_run_execute, clearing_run_start
from consortia.models import ServiceAgreement, User


def command_user(username: str | None) -> User | None:
    """The person a command-line money run is made in the name of (its orders' maker), or nobody:
    then bureau staff review what it made before an auditor signs."""
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("No active user %(name)s.") % {"name": username})
    return user


class Command(BaseCommand):
    help = ("Compute the year-end clearing of every agreement of a year (or one consortium's). Where the year's "
            "claims are loaded and no actuals were entered by hand, the actuals are taken from the claims.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--consortium", help="consortium code")
        parser.add_argument("--user", help="the bureau staff member the run is made in the name of")

    def handle(self, *args, year: int, consortium: str | None, user: str | None, **options):
        agreement = None
        if consortium:
            agreement = (ServiceAgreement.objects.filter(year=year, consortium__code=consortium)
                         .exclude(status=ServiceAgreement.Status.DRAFT).first())
            if agreement is None:
                raise CommandError(_("No agreement of %(year)s to clear.") % {"year": year})
        try:
            run = clearing_run_start(year=year, agreement=agreement, user=command_user(user),
                                     trigger=ClearingRun.Trigger.COMMAND)
        except ValidationError as problem:
            raise CommandError("; ".join(problem.messages)) from None
        run = clearing_run_execute(run=run)
        for line in run.results:
            if line["from_claims"]:
                self.stdout.write(_("%(code)s: the actuals were taken from the imported claims.")
                                  % {"code": line["consortium"]})
            self.stdout.write(_("%(code)s: clearing %(id)s (%(status)s), final payment %(final)s")
                              % {"code": line["consortium"], "id": line["clearing"],
                                 "status": Clearing.Status(line["status"]).label, "final": line["final_payment"]})
        for error in run.errors:
            self.stderr.write(f"{error['consortium']}: {error['message']}")
        if run.status == ClearingRun.Status.FAILED:
            raise CommandError(run.reason or _("The run failed."))
        if run.errors:
            raise CommandError(_("%(n)s agreement(s) could not be cleared.") % {"n": len(run.errors)})
