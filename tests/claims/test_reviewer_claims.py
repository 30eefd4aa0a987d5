"""The provincial reviewer's claims list never reads the province at once: it shows one pooling area
at a time (the first by code unless another is chosen, and says so), its latest month, and pages by
position, so each read stays inside one county's partition and index."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.importers import claims_import_enqueue
from consortia.models import Job
from tests.claims.test_import import csv, row


def _import(world, county, user, rows):
    job = claims_import_enqueue(county=county, upload=SimpleUploadedFile("c.csv", csv(*rows).encode()), user=user)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors


@pytest.mark.django_db(transaction=True)
def test_the_reviewer_reads_one_county_at_a_time(client, world):
    first, second = sorted([world.county_a1, world.county_a2], key=lambda c: c.code)
    from tests.consortia import factories as f

    staff = {world.county_a1.pk: world.staff_a1,
             world.county_a2.pk: f.user("bureau_staff", "staff_a2", county=world.county_a2)}
    for county, prefix in ((first, "F"), (second, "S")):
        member = county.institutions.filter(consortium__isnull=False).first().code
        _import(world, county, staff[county.pk], [row(f"{prefix}1", member), row(f"{prefix}2", member, person="P2")])
    client.force_login(world.reviewer_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("claims"))
    body = page.content.decode()
    assert f"每次显示一个统筹区，先显示{first.name}" in body
    assert {c.claim_no for c in page.context["page"]} == {"F1", "F2"}
    reads = [q["sql"] for q in queries.captured_queries if '"claims_claim"' in q["sql"]]
    assert reads and all(f'"claims_claim"."county_id" = {first.pk}' in sql for sql in reads), reads
    assert not any('"consortia_city"' in sql for sql in reads), reads  # the province's counties by id, no join
    other = client.get(reverse("claims"), {"county": second.pk})
    assert {c.claim_no for c in other.context["page"]} == {"S1", "S2"} and "每次显示一个统筹区" not in \
        other.content.decode()
    assert other.context["totals"]["n"] == 2 and other.context["rolled_up"]
