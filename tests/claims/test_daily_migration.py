"""The migration that adds the daily roll-ups fills them from the claims already imported: a
bureau upgrading with three years of claims gets the same totals on the list as one importing
them afresh (on SQLite summed in Python, on PostgreSQL by one statement)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.claims.test_import import csv, row, run

BEFORE, AFTER = [("claims", "0014_orphans_check_schedule")], [("claims", "0015_daily_rollups_and_list_order_indexes")]


@pytest.mark.django_db(transaction=True)
def test_the_daily_roll_ups_are_filled_from_the_claims_already_there(world):
    lead = world.consortium_a1x.lead_hospital.code
    job = run(world, csv(row("C1", lead, fund="800.10"), row("C2", lead, fund="100.01"),
                         row("C3", lead, fund="50.00", settled="2025-03-20", total="70.00")))
    assert job.status == "succeeded", job.errors
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back where the other tests expect the schema
    from claims.models import ClaimDaily

    days = {d.day: (d.claims, d.total_cost, d.fund_paid, d.co_pay, d.fund_pay_total_claims)
            for d in ClaimDaily.objects.all()}
    assert days == {datetime.date(2025, 3, 6): (2, Decimal("2000.00"), Decimal("900.11"), Decimal("1099.89"), 0),
                    datetime.date(2025, 3, 20): (1, Decimal("70.00"), Decimal("50.00"), Decimal("20.00"), 0)}
