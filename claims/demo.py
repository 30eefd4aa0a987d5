"""A year of claims for the demo county, imported through the same import as any file.

The demo's package is a real county's (歙县, ¥425,880,000 target one). Its claims are every inpatient
stay of the year with a sample of the outpatient and chronic-disease visits (claims.generator's
STAYS_MIX): 80,000 rows then bear about what the county's year bears, so the package is consumed as a
real year consumes it, where the same rows of visits alone would use a tenth of it. The file also
holds the county's employees' claims (职工医保, 310: one for every EMPLOYEES_PER residents' rows):
imported, shown apart, never counted in the residents' package."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.base import ContentFile

from consortia.demo import YEAR
from consortia.models import County, Job
from consortia.services import job_create

from .generator import STAYS_MIX, claims_generate
from .importers import claims_import_run
from .models import Claim

DEMO_COUNTY = "341021"
EMPLOYEES_PER = 40


def demo_claims(*, rows: int, seed: int = 2025, mix: tuple[float, float] = STAYS_MIX) -> Job | None:
    """Imports `rows` generated claims of 歙县's demo year once; None when it has claims already."""
    county = County.objects.get(code=DEMO_COUNTY)
    if rows <= 0 or Claim.objects.filter(county=county).exists():
        return None
    text = io.StringIO()
    claims_generate(county=county, year=YEAR, rows=rows, insured=county.insured_count or 400_000, seed=seed, out=text,
                    mix=mix, platform=True, employees=rows // EMPLOYEES_PER)  # as a bureau exports it from the national platform
    upload = ContentFile(text.getvalue().encode("utf-8"), name=f"demo-claims-{YEAR}.csv")
    job = job_create(kind=Job.Kind.CLAIMS_IMPORT, user=None, county=county, parameters={"county": county.pk},
                     upload=upload)
    job = claims_import_run(job=job)
    if job.status == Job.Status.SUCCEEDED:
        demo_reconciliation(county)
    return job


def demo_reconciliation(county: County) -> None:
    """The platform's 3201 totals of the demo year, month by month, uploaded by the county's clerk:
    they match the imported claims except one institution's November (the busiest of the residents'
    lines that month), where the platform counts three claims more (settled late on the platform
    and not yet in the export), so the page and the clearing's warning show what a difference looks
    like."""
    import csv

    from consortia.models import User

    from .reconciliation import PLATFORM_HEADER, platform_totals, reconciliation_upload

    rows = platform_totals(county=county, year=YEAR)
    residents = [r for r in rows if r[1] == "390"]
    late = max((r for r in residents if r[2] == f"{YEAR}-11-01"), key=lambda r: r[6], default=residents[-1])
    late[4], late[5], late[6] = late[4] + Decimal("412.60"), late[5] + Decimal("330.08"), late[6] + 3
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(PLATFORM_HEADER)
    writer.writerows(rows)
    clerk = User.objects.filter(county=county, role=User.Role.BUREAU_STAFF).order_by("pk").first()
    reconciliation_upload(county=county, user=clerk, upload=ContentFile(text.getvalue().encode("utf-8"),
                                                                        name=f"3201对总账-{YEAR}.csv"))
