"""The claims API pages by keyset with a next link and never counts the scope: a county's three
years are twenty million rows. Walking the links gives every claim of the scope exactly once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim
from consortia.models import User
from tests.test_exports import demo  # noqa: F401  (the demo fixture)


@pytest.mark.django_db
def test_the_claims_api_walks_the_scope_by_next_links_without_counting_it(client, demo):  # noqa: F811
    client.force_login(User.objects.get(username="sx_finance"))  # a consortium's scope, not the county's
    expected = set(Claim.objects.filter(consortium__code="SX-YGT-01").values_list("claim_no", flat=True))
    assert 0 < len(expected) < Claim.objects.count()
    seen, url, pages = [], reverse("claim-list") + "?page_size=40", 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        assert "count" not in body and not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
        seen += [claim["claim_no"] for claim in body["results"]]
        url, pages = body["next"], pages + 1
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert pages == -(-len(expected) // 40)
    ordered = client.get(reverse("claim-list"), {"ordering": "-fund_paid", "page_size": 5}).json()["results"]
    first = client.get(reverse("claim-list"), {"page_size": 5}).json()["results"]
    assert ordered == first  # another order is not offered: it would page by offset
