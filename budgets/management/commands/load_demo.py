from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from budgets.demo import demo_fund_cycle
from consortia.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo counties (歙县 under shexian-2025, 阳西县 under guangdong-2019) and their fund cycle. Idempotent."

    def handle(self, *args, **options):
        accounts = demo_load()
        demo_fund_cycle()
        self.stdout.write(self.style.SUCCESS(_("Demo counties loaded.")))
        self.stdout.write(_("Demo accounts (password %(password)s):") % {"password": DEMO_PASSWORD})
        for username, description in accounts:
            self.stdout.write(f"  {username:<12} {description}")
