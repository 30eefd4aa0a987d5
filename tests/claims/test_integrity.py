"""The claims table keeps no row-level foreign keys (the import joins every row to the registry
before it moves); the orphan check proves what they would have: after imports on either path it
finds nothing, and a claim written around the import, naming an institution that does not exist or
a consortium that is not its institution's, is found and logged by the beat's task."""

import logging
from decimal import Decimal

import pytest
from django.db import connection

from claims.integrity import orphan_claims
from claims.models import Claim, ClaimDaily, ClaimMonthly
from claims.tasks import orphans_check
from consortia.models import Job
from tests.claims.test_import import csv, row, run
from tests.test_exports import demo  # noqa: F401  (the demo fixture)

WHOLE = {"county": 0, "institution": 0, "consortium": 0, "import_job": 0, "classification": 0}


@pytest.mark.django_db
def test_the_demo_years_claims_are_whole(demo):  # noqa: F811
    assert Claim.objects.exists() and orphan_claims() == WHOLE


@pytest.mark.django_db
def test_the_demo_years_daily_and_monthly_roll_ups_add_up_to_its_claims(demo):  # noqa: F811
    days, months = {}, {}
    for claim in Claim.objects.all():
        for into, when in ((days, claim.settled_on), (months, claim.settled_on.replace(day=1))):
            key = (claim.institution_id, claim.visit_type, claim.insurance_type, when)
            n, total, fund = into.get(key, (0, Decimal("0.00"), Decimal("0.00")))
            into[key] = (n + 1, total + claim.total_cost, fund + claim.fund_paid)
    assert len(days) > len(months) > 12
    assert {(d.institution_id, d.visit_type, d.insurance_type, d.day): (d.claims, d.total_cost, d.fund_paid)
            for d in ClaimDaily.objects.all()} == days
    assert {(m.institution_id, m.visit_type, m.insurance_type, m.month): (m.claims, m.total_cost, m.fund_paid)
            for m in ClaimMonthly.objects.all()} == months


@pytest.mark.django_db(transaction=True)
def test_a_claim_written_around_the_import_is_found_and_logged(world, codes, caplog):
    inside, outside = codes
    job = run(world, csv(row("C1", inside), row("C2", inside, person="P002"), row("C3", outside)))
    assert job.status == Job.Status.SUCCEEDED and orphan_claims() == WHOLE
    claim = Claim.objects.get(claim_no="C1")
    with connection.cursor() as cursor:  # what no code of ours does: rows changed behind the registry's back
        cursor.execute(f"UPDATE {Claim._meta.db_table} SET institution_id = 987654 WHERE id = %s", [claim.pk])
        cursor.execute(f"UPDATE {Claim._meta.db_table} SET consortium_id = %s WHERE claim_no = 'C2'",
                       [world.consortium_a1y.pk])
    with caplog.at_level(logging.ERROR, logger="claims.integrity"):
        found = orphans_check()
    assert found == {**WHOLE, "institution": 1, "classification": 1}
    assert "'institution': 1" in caplog.text and "C1" not in caplog.text
