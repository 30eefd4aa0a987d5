import datetime

import pytest
from consortia.models import Institution
from tests.budgets.conftest import County
from tests.claims.files import import_rows


def claims(county, *rows):
    """Imports claims: (no, person, institution code, visit, admitted, discharged, total, fund, referral, settled)."""
    return import_rows(county=county.county, user=county.staff, rows=[
        f"{no},{person},{code},{visit},{admitted},{discharged},K35.9,,,{total},{total},0.00,0.00,{fund},{total},0.00,,"
        f"{referral},{settled}" for no, person, code, visit, admitted, discharged, total, fund, referral, settled in rows])


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
