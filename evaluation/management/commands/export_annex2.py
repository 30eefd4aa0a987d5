from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from consortia.models import Consortium, Province
from evaluation.exporters import annex2_workbook, consortia_for_summary, province_workbook
from evaluation.models import Evaluation


class Command(BaseCommand):
    help = ("Export the Annex-2 evaluation workbook of one consortium (--consortium CODE), or the provincial "
            "summary of every consortium (of --province CODE) for a year.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--consortium", help="consortium code: its Annex-2 workbook")
        parser.add_argument("--province", help="province code: the summary of its consortia only")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, year, consortium, province, out, **options):
        if consortium:
            found = Consortium.objects.filter(code=consortium).first()
            if found is None:
                raise CommandError(_("No consortium with code %(code)s.") % {"code": consortium})
            evaluation = Evaluation.objects.filter(consortium=found, year=year).first()
            if evaluation is None:
                raise CommandError(_("%(consortium)s has no evaluation for %(year)s.")
                                   % {"consortium": found.name, "year": year})
            with out.open("wb") as handle:
                annex2_workbook(evaluation, handle)
            self.stdout.write(_("Annex-2 workbook of %(consortium)s %(year)s written to %(out)s.")
                              % {"consortium": found.name, "year": year, "out": out})
            return
        area = None
        if province:
            area = Province.objects.filter(code=province).first()
            if area is None:
                raise CommandError(_("No province with code %(code)s.") % {"code": province})
        with out.open("wb") as handle:
            rows = province_workbook(consortia_for_summary(None, area), year, handle)
        self.stdout.write(_("Provincial summary of %(rows)s consortia written to %(out)s.") % {"rows": rows, "out": out})
