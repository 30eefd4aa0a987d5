"""A year of claims for the demo county, imported through the same import as any file.

The demo's package is a real county's (歙县, ¥425,880,000 target one). Its claims are every inpatient
stay of the year with a sample of the outpatient and chronic-disease visits (claims.generator's
STAYS_MIX): 80,000 rows then bear about what the county's year bears, so the package is consumed as a
real year consumes it, where the same rows of visits alone would use a tenth of it. The file also
holds the county's employees' claims (职工医保, 310, EMPLOYEES rows): imported, shown apart, never
counted in the residents' package."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile

from consortia.demo import YEAR
from consortia.models import County, Job
from consortia.services import job_create

from .generator import STAYS_MIX, claims_generate
from .importers import claims_import_run
from .models import Claim

DEMO_COUNTY = "341021"
EMPLOYEES = 2_000


def demo_claims(*, rows: int, seed: int = 2025, mix: tuple[float, float] = STAYS_MIX) -> Job | None:
    """Imports `rows` generated claims of 歙县's demo year once; None when it has claims already."""
    county = County.objects.get(code=DEMO_COUNTY)
    if rows <= 0 or Claim.objects.filter(county=county).exists():
        return None
    text = io.StringIO()
    claims_generate(county=county, year=YEAR, rows=rows, insured=county.insured_count or 400_000, seed=seed, out=text,
                    mix=mix, platform=True, employees=EMPLOYEES)  # as a bureau exports it from the national platform
    upload = ContentFile(text.getvalue().encode("utf-8"), name=f"demo-claims-{YEAR}.csv")
    job = job_create(kind=Job.Kind.CLAIMS_IMPORT, user=None, county=county, parameters={"county": county.pk},
                     upload=upload)
    return claims_import_run(job=job)
