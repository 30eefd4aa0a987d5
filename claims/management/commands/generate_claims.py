from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.generator import claims_generate
from consortia.models import County


class Command(BaseCommand):
    help = "Write a realistic synthetic year of a county's claims as an import file (deterministic from --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--insured", type=int, default=400_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--platform", action="store_true",
                            help="write the national platform's format (its field codes and 医疗类别 codes)")
        parser.add_argument("--employees", type=int, default=0,
                            help="with --platform: add this many claims of the employees' insurance (310)")

    def handle(self, *args, county, year, rows, insured, seed, out, platform, employees, **options):
        area = County.objects.filter(code=county).first()
        if area is None:
            raise CommandError(f"No pooling area {county}.")
        with out.open("w", encoding="utf-8", newline="") as handle:
            written = claims_generate(county=area, year=year, rows=rows, insured=insured, seed=seed, out=handle,
                                      platform=platform, employees=employees)
        self.stdout.write(f"{written} claims written to {out}")
