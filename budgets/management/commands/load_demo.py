from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from budgets.demo import demo_fund_cycle, demo_whole_year
from claims.demo import demo_claims
from consortia.demo import DEMO_PASSWORD, demo_load
from evaluation.demo import demo_evaluation


class Command(BaseCommand):
    help = "Load the demo counties (歙县 under shexian-2025, 阳西县 under guangdong-2019) and their fund cycle. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=80_000,
                            help="generated claims of 歙县's demo year to import (0: none)")
        parser.add_argument("--whole-year", action="store_true",
                            help="walk the demo year to its end: every quarter paid and passed on, the evaluation "
                                 "confirmed, the clearing computed (make demo)")

    def handle(self, *args, claims, whole_year, **options):
        accounts = demo_load()
        demo_fund_cycle()
        job = demo_claims(rows=claims)
        if job is not None:
            self.stdout.write(_("Demo claims: %(rows)s rows, %(status)s.")
                              % {"rows": job.result.get("rows"), "status": job.get_status_display()})
        demo_evaluation()
        if whole_year:
            demo_whole_year()
            self.stdout.write(_("The demo year is walked to its end: every quarter paid and passed on, the "
                                "evaluation confirmed, the clearing computed and waiting for approval."))
        self.stdout.write(self.style.SUCCESS(_("Demo counties loaded.")))
        self.stdout.write(_("Demo accounts (password %(password)s):") % {"password": DEMO_PASSWORD})
        for username, description in accounts:
            self.stdout.write(f"  {username:<12} {description}")
