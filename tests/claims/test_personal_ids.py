"""Personal ids (人员编号) are shown masked to roles that may not read them, and such a role can
neither filter, search nor sort by them: ?person_id__startswith= recovered a full id in 48 requests."""

import pytest
from django.urls import reverse

from tests.claims.test_import import csv, row, run

SECRET = "340102199001017777"


@pytest.mark.django_db(transaction=True)
def test_a_masked_role_cannot_look_an_id_up_in_the_admin(client, world, codes):
    inside, _outside = codes
    assert run(world, csv(row("C1", inside, person=SECRET))).status == "succeeded"
    url = reverse("admin:claims_claim_changelist")
    for user in (world.auditor_a1, world.finance_a1x, world.reviewer_a):
        client.force_login(user)
        listed = client.get(url).content.decode()
        assert SECRET not in listed and "34**************77" in listed
        for probe in ("person_id__startswith=3401", "person_id=" + SECRET, "person_id__in=" + SECRET,
                      "person_id__regex=^3"):
            assert client.get(f"{url}?{probe}").status_code == 400, (user, probe)
        assert "0 条结果" in client.get(f"{url}?q={SECRET}").content.decode()  # the search does not look at ids
    client.force_login(world.staff_a1)  # the bureau's staff read ids in full and may look one up
    found = client.get(f"{url}?person_id__startswith=3401")
    assert found.status_code == 200 and SECRET in found.content.decode()


@pytest.mark.django_db(transaction=True)
def test_roster_ids_are_masked_and_not_searchable_for_a_masked_role(client, world):
    import datetime
    from decimal import Decimal

    from consortia.models import RosterEntry

    RosterEntry.objects.create(agreement=world.agreement_a1y, month=datetime.date(2025, 3, 1), enrollee_id=SECRET,
                               team="一队", category="门诊", baseline_cost=Decimal("100.00"))
    client.force_login(world.finance_a1y)
    listed = client.get(reverse("roster-list")).json()["results"]
    assert [r["enrollee_id"] for r in listed] == ["34**************77"]
    assert client.get(reverse("roster-list"), {"enrollee_id": SECRET}).status_code == 403
    assert client.get(reverse("roster-list"), {"search": "3401"}).json()["results"] == []
    url = reverse("admin:consortia_rosterentry_changelist")
    assert client.get(f"{url}?enrollee_id__startswith=34").status_code == 400
    client.force_login(world.staff_a1)
    assert client.get(reverse("roster-list"), {"search": "3401"}).json()["results"][0]["enrollee_id"] == SECRET


@pytest.mark.django_db(transaction=True)
def test_formula_cells_are_refused_as_identifiers_and_neutralised_in_the_csv(client, world, codes):
    from claims.models import Claim

    inside, _outside = codes
    job = run(world, csv(row("=HYPERLINK(1)", inside), row("C2", inside, person="@SUM(A1)")))
    assert job.status == "failed"
    assert {e["column"] for e in job.errors} == {"结算流水号", "人员编号"}
    assert all("不能以" in e["message"] for e in job.errors)
    assert run(world, csv(row("C1", inside, person="P-1"))).status == "succeeded"
    Claim.objects.filter(claim_no="C1").update(person_id="-1+1")  # as if it had come in before the check
    client.force_login(world.staff_a1)
    body = b"".join(client.get(reverse("claims"), {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert ",'-1+1," in body
