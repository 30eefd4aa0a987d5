from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.services.clearing import clearing_compute
from consortia.models import ServiceAgreement


class Command(BaseCommand):
    help = "Compute the year-end clearing of every active agreement of a year (or one consortium's)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--consortium", help="consortium code")

    def handle(self, *args, year: int, consortium: str | None, **options):
        agreements = ServiceAgreement.objects.filter(year=year).exclude(status=ServiceAgreement.Status.DRAFT)
        if consortium:
            agreements = agreements.filter(consortium__code=consortium)
        if not agreements.exists():
            raise CommandError(_("No agreement of %(year)s to clear.") % {"year": year})
        failed = 0
        for agreement in agreements.select_related("consortium").order_by("consortium__code"):
            try:
                clearing = clearing_compute(agreement=agreement, user=None)
            except ValidationError as problem:
                failed += 1
                self.stderr.write(f"{agreement.consortium.code}: {'; '.join(problem.messages)}")
                continue
            final = clearing.result["clearing"].get("final_payment")
            self.stdout.write(_("%(code)s: clearing %(id)s (%(status)s), final payment %(final)s, inputs %(hash)s")
                              % {"code": agreement.consortium.code, "id": clearing.pk,
                                 "status": clearing.get_status_display(), "final": final,
                                 "hash": clearing.inputs_hash[:12]})
        if failed:
            raise CommandError(_("%(n)s agreement(s) could not be cleared.") % {"n": failed})
