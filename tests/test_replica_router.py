"""The replica router's decisions (the real replica is exercised in CI by `.ci/replica-check`):
a read goes to the replica only where lag is tolerated, for the bureau's records, outside any
transaction; sign-in, sessions and jobs, every write and every migration stay on the primary. The
provincial reviewer's pages and every download tolerate lag; the clerk's pages and steps do not."""

from unittest import mock

import pytest
from django.db import transaction
from django.test import RequestFactory

from claims.models import Claim, ClaimMonthly
from consortia import database
from consortia.middleware import LagToleratedMiddleware
from consortia.models import Job, User


@pytest.fixture
def replica():
    with mock.patch.object(database, "replica_configured", return_value=True):
        yield database.ReplicaRouter()


def test_without_a_replica_everything_stays_on_the_primary():
    router = database.ReplicaRouter()
    with database.lag_tolerated():
        assert router.db_for_read(Claim) is None  # no replica configured in the tests


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the router sees what a request sees
def test_reads_go_to_the_replica_only_where_lag_is_tolerated(replica):
    assert replica.db_for_read(Claim) is None
    with database.lag_tolerated():
        assert replica.db_for_read(Claim) == replica.db_for_read(ClaimMonthly) == "replica"
        assert replica.db_for_read(User) is None and replica.db_for_read(Job) is None
        with transaction.atomic():  # a money step reads what it writes
            assert replica.db_for_read(Claim) is None
    assert replica.db_for_read(Claim) is None
    assert replica.db_for_write(Claim) == "default"
    assert replica.allow_migrate("replica", "claims") is False and replica.allow_migrate("default", "claims")


@pytest.mark.parametrize(("role", "method", "query", "tolerated"), [
    ("provincial_reviewer", "get", "", True),
    ("bureau_staff", "get", "", False),
    ("bureau_staff", "get", "?export=csv", True),
    ("provincial_reviewer", "post", "", False),
])
def test_the_reviewers_pages_and_downloads_tolerate_lag(replica, role, method, query, tolerated):
    middleware = LagToleratedMiddleware(lambda request: database._lag_tolerated.get())
    request = getattr(RequestFactory(), method)("/claims/" + query)
    request.user = mock.Mock(role=role)
    assert middleware(request) is tolerated


def test_indicators_and_the_claims_export_tolerate_lag():
    from claims.exporters import ClaimsExport
    from evaluation import indicators

    assert ClaimsExport.tolerates_lag
    assert all(hasattr(getattr(indicators, name), "__wrapped__") for name in (
        "supervision_indicators", "jiangmen_quarterly", "negative_signals", "monthly_trends"))
