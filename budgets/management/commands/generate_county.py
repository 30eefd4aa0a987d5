"""`manage.py generate_county --insured N --year 2025 --seed S [--out FILE] [--load]`: a synthetic
county year for benchmarks and load tests (budgets.synthetic), its claims written as an import
file and, with --load, imported the way a clerk would (the same job, checks and roll-ups)."""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from budgets.synthetic import county_generate
from claims.generator import claims_generate
from claims.importers import claims_import_run
from consortia.models import Job
from consortia.services.jobs import job_create


class Command(BaseCommand):
    help = "Generate a synthetic county year: registry, agreement, approved budget and claims (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--insured", type=int, required=True)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--code", help="six-digit county code (default 99 followed by the seed)")
        parser.add_argument("--visits", type=float, default=6.5, help="claims per insured person and year")
        parser.add_argument("--out", type=Path, help="write the claims here (default: none unless --load)")
        parser.add_argument("--load", action="store_true", help="import the claims into the database")

    def handle(self, *args, insured, year, seed, code, visits, out, load, **options):
        code = code or f"99{seed:04d}"
        if insured < 1000 or len(code) != 6 or not code.isdigit():
            raise CommandError("--insured ≥ 1000 and a six-digit --code, please.")
        try:
            made = county_generate(code=code, insured=insured, year=year, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from None
        rows = int(insured * visits)
        self.stdout.write(f"county {code}: {made.consortium.members.count()} members, agreement {made.agreement.pk}, "
                          f"budget approved")
        if not (out or load):
            return
        path = out or Path(f"claims-{code}-{year}.csv")
        with path.open("w", encoding="utf-8", newline="") as handle:
            written = claims_generate(county=made.county, year=year, rows=rows, insured=insured, seed=seed,
                                      out=handle, realistic=True)
        self.stdout.write(f"{written:,} claims written to {path}")
        if load:
            with path.open("rb") as handle:
                job = job_create(kind=Job.Kind.CLAIMS_IMPORT, user=made.staff, county=made.county,
                                 parameters={"county": made.county.pk},
                                 upload=File(handle, name=path.name))
            job = claims_import_run(job=job)
            self.stdout.write(f"import job {job.pk}: {job.get_status_display()} {job.result}")
            if not out:
                path.unlink()
