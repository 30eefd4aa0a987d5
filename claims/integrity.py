"""What the claims table's missing foreign-key constraints would have guaranteed, proved instead:
every claim's county, institution, consortium and import job exists, and a claim's consortium is
its institution's (the classification the import made). The import joins every row to the registry
before it moves, so this finds nothing unless something wrote claims another way; it runs in the
tests after every import and daily by the beat, which logs any finding as an error."""

from __future__ import annotations

import logging

from django.db import connection

from consortia.models import Consortium, County, Institution, Job

from .models import Claim

logger = logging.getLogger(__name__)


def orphan_claims() -> dict[str, int]:
    """{what is missing: how many claims}, every count 0 when the claims are whole; one anti-join
    per reference, each an index-only probe of the referenced table's key."""
    claim = Claim._meta.db_table
    checks = {
        "county": f"NOT EXISTS (SELECT 1 FROM {County._meta.db_table} r WHERE r.id = c.county_id)",
        "institution": f"NOT EXISTS (SELECT 1 FROM {Institution._meta.db_table} r WHERE r.id = c.institution_id)",
        "consortium": f"c.consortium_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {Consortium._meta.db_table} r "
                      f"WHERE r.id = c.consortium_id)",
        "import_job": f"c.import_job_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {Job._meta.db_table} r "
                      f"WHERE r.id = c.import_job_id)",
        # The classification: a claim's consortium and county are its institution's.
        "classification": f"EXISTS (SELECT 1 FROM {Institution._meta.db_table} r WHERE r.id = c.institution_id "
                          f"AND (r.county_id <> c.county_id OR r.consortium_id IS DISTINCT FROM c.consortium_id))",
    }
    found = {}
    with connection.cursor() as cursor:
        for name, condition in checks.items():
            cursor.execute(f"SELECT count(*) FROM {claim} c WHERE {condition}")
            found[name] = cursor.fetchone()[0]
    return found


def orphan_claims_check() -> dict[str, int]:
    """The beat's daily check: logs an error naming what is missing, never the claims' contents."""
    found = orphan_claims()
    missing = {name: count for name, count in found.items() if count}
    if missing:
        logger.error("claims whose references are missing or inconsistent: %s", missing)
    return found
