"""The claims list never reads a whole scope: without a settlement period it shows the latest month
with claims (and says so), its totals come from the roll-ups whenever the other filters are ones the
roll-ups keep (the monthly ones for whole months, the daily ones for any other period), and the
database sums the claims only for a search — the same figures every way. A claim number is found in
any month."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim
from consortia.models import User
from tests.test_exports import demo  # noqa: F401  (the demo fixture)


def _sums(claims) -> dict:
    return {"n": len(claims), "total_cost": sum((c.total_cost for c in claims), Decimal("0.00")),
            "fund_paid": sum((c.fund_paid for c in claims), Decimal("0.00"))}


@pytest.fixture
def staff(client, demo):  # noqa: F811
    client.force_login(User.objects.get(username="sx_staff"))
    return client


@pytest.mark.django_db
def test_without_a_period_the_latest_month_is_shown_and_said(staff):
    latest = Claim.objects.filter(county__code="341021").latest("settled_on").settled_on.replace(day=1)
    page = staff.get(reverse("claims"))
    month = list(Claim.objects.filter(county__code="341021", settled_on__year=latest.year,
                                      settled_on__month=latest.month))
    totals = page.context["totals"]
    assert {k: totals[k] for k in ("n", "total_cost", "fund_paid")} == _sums(month) and page.context["rolled_up"]
    body = page.content.decode()
    assert f"有结算数据的最近一个月（{latest.year}年{latest.month}月）" in body
    assert f'name="settled_from" value="{latest.isoformat()}"' in body  # the period is in the form, visibly


@pytest.mark.django_db
def test_whole_months_with_kept_filters_are_totalled_from_the_roll_ups_without_reading_claims(staff):
    member = Claim.objects.filter(county__code="341021", visit_type="inpatient").values_list(
        "institution_id", flat=True).first()
    expected = list(Claim.objects.filter(county__code="341021", visit_type="inpatient", institution_id=member,
                                         settled_on__gte=datetime.date(2025, 1, 1),
                                         settled_on__lte=datetime.date(2025, 12, 31)))
    with CaptureQueriesContext(connection) as queries:
        page = staff.get(reverse("claims"), {"settled_from": "2025-01-01", "settled_to": "2025-12-31",
                                             "visit_type": "inpatient", "member": member})
    totals = page.context["totals"]
    assert page.context["rolled_up"] and {k: totals[k] for k in ("n", "total_cost", "fund_paid")} == _sums(expected)
    reads = [q["sql"] for q in queries.captured_queries if '"claims_claim"' in q["sql"]]
    assert reads and all("LIMIT" in sql for sql in reads), reads  # the page's 50 rows, no scan of the claims


@pytest.mark.django_db
def test_a_period_of_part_months_is_totalled_from_the_daily_roll_ups_with_the_same_figures(staff):
    expected = list(Claim.objects.filter(county__code="341021", settled_on__gte=datetime.date(2025, 3, 10),
                                         settled_on__lte=datetime.date(2025, 4, 20), visit_type="outpatient"))
    with CaptureQueriesContext(connection) as queries:
        page = staff.get(reverse("claims"), {"settled_from": "2025-03-10", "settled_to": "2025-04-20",
                                             "visit_type": "outpatient"})
    totals = page.context["totals"]
    assert page.context["rolled_up"] and {k: totals[k] for k in ("n", "total_cost", "fund_paid")} == _sums(expected)
    assert len(expected) > 1
    reads = [q["sql"] for q in queries.captured_queries if '"claims_claim"' in q["sql"]]
    assert reads and all("LIMIT" in sql for sql in reads), reads
    body = page.content.decode()
    assert f"{len(expected):,}" in body


@pytest.mark.django_db
def test_a_search_is_summed_by_the_database_with_the_same_figures(staff):
    diagnosis = Claim.objects.filter(county__code="341021", settled_on__gte=datetime.date(2025, 3, 10),
                                     settled_on__lte=datetime.date(2025, 4, 20)).exclude(diagnosis="").order_by(
        "claim_no").values_list("diagnosis", flat=True).first()[:3]
    expected = list(Claim.objects.filter(county__code="341021", settled_on__gte=datetime.date(2025, 3, 10),
                                         settled_on__lte=datetime.date(2025, 4, 20), diagnosis__istartswith=diagnosis))
    page = staff.get(reverse("claims"), {"settled_from": "2025-03-10", "settled_to": "2025-04-20", "q": diagnosis})
    totals = page.context["totals"]
    assert expected and not page.context["rolled_up"]
    assert {k: totals[k] for k in ("n", "total_cost", "fund_paid")} == _sums(expected)


@pytest.mark.django_db
def test_a_claim_number_is_found_in_any_month(staff):
    first = Claim.objects.filter(county__code="341021").earliest("settled_on")
    page = staff.get(reverse("claims"), {"q": first.claim_no})
    assert page.context["defaulted"] is None and [c.claim_no for c in page.context["page"]] == [first.claim_no]


@pytest.mark.django_db
def test_the_pages_are_found_by_position_and_walk_the_year_once_in_order(staff):
    import re

    year = {"settled_from": "2025-01-01", "settled_to": "2025-12-31"}
    expected = list(Claim.objects.filter(county__code="341021", settled_on__year=2025).order_by(
        "-settled_on", "-id").values_list("claim_no", flat=True))
    seen, query, pages = [], dict(year), []
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = staff.get(reverse("claims"), query)
        assert not any("OFFSET" in q["sql"] for q in queries.captured_queries if '"claims_claim"' in q["sql"])
        pages.append(dict(query))
        seen += [c.claim_no for c in page.context["page"]]
        following = page.context["positions"]["next"]
        if following is None:
            break
        assert f"after={following}" in page.content.decode()
        query = {**year, "after": following}
    assert seen == expected and len(pages) == -(-len(expected) // 50) > 2
    # Back from the last page: the page before it again, and its link to the first page.
    last = staff.get(reverse("claims"), pages[-1])
    back = staff.get(reverse("claims"), {**year, "before": last.context["positions"]["previous"]})
    assert [c.claim_no for c in back.context["page"]] == expected[(len(pages) - 2) * 50:(len(pages) - 1) * 50]
    assert re.search(r'href="\?settled_from=2025-01-01&amp;settled_to=2025-12-31&amp;">首页</a>',
                     back.content.decode())
    # A position that is no position shows the first page.
    assert [c.claim_no for c in staff.get(reverse("claims"), {**year, "after": "x.y"}).context["page"]] == \
        expected[:50]
