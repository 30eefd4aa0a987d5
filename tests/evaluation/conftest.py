import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.importers import claims_import_enqueue, template_header
from consortia.models import Institution, Job
from tests.budgets.conftest import County


def claims(county, *rows):
    """Imports claims: (no, person, institution code, visit, admitted, discharged, total, fund, referral, settled)."""
    lines = [",".join(template_header()[0])]
    for no, person, code, visit, admitted, discharged, total, fund, referral, settled in rows:
        lines.append(f"{no},{person},{code},{visit},{admitted},{discharged},K35.9,,,{total},{total},0.00,0.00,{fund},"
                     f"{total},0.00,,{referral},{settled}")
    job = claims_import_enqueue(county=county.county, upload=SimpleUploadedFile("c.csv", "\n".join(lines).encode()),
                                user=county.staff)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    return job


class Yangxi:
    """A Guangdong consortium (lead, township, village) with a city hospital outside it and two
    years of inpatient claims: last year 2 of 4 admissions inside the county, this year 3 of 4."""

    def __init__(self, county: County):
        self.county = county
        self.agreement, self.budget, self.finance, self.data = county.agreement("guangdong-2019-surplus")
        self.consortium = self.agreement.consortium
        self.city = Institution.objects.create(county=county.county, code="CITY-1", name="市人民医院", level="3",
                                               ownership="public", placement="in_city")
        lead, town = "YX-H01", "YX-T01"
        rows = []
        for year, inside in ((2024, 2), (2025, 3)):
            for n in range(4):
                code = (lead if n % 2 == 0 else town) if n < inside else "CITY-1"
                day = datetime.date(year, 3 + n, 1)
                rows.append((f"{year}-{n}", f"P{n}", code, "住院", day.isoformat(), (day + datetime.timedelta(days=4))
                             .isoformat(), "1000.00", "700.00" if year == 2024 else "600.00", "", day.isoformat()))
        claims(county, *rows)


@pytest.fixture
def county(db):
    return County()


@pytest.fixture
def yangxi(county):
    return Yangxi(county)
