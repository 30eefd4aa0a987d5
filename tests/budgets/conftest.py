import datetime
import json

import pytest

from budgets.models import YearActuals
from budgets.services import budgets as budget_services
from consortia import services as registry
from consortia.models import Institution, User
from tests.budgets.scenarios import SCENARIOS
from tests.consortia import factories as f


class County:
    """A county with a bureau (two staff, two auditors) and consortia built from golden scenarios."""

    def __init__(self):
        self.county = f.CountyFactory()
        R = User.Role
        self.staff = f.user(R.BUREAU_STAFF, "staff", county=self.county)
        self.staff2 = f.user(R.BUREAU_STAFF, "staff2", county=self.county)
        self.auditor = f.user(R.BUREAU_AUDITOR, "auditor", county=self.county)
        self.auditor2 = f.user(R.BUREAU_AUDITOR, "auditor2", county=self.county)

    def agreement(self, case: str, approve: bool = True, parameters: dict | None = None):
        """An active agreement under the scenario's scheme, its members in the registry, and (by
        default) its budget entered by one clerk and approved by an auditor."""
        data = json.loads((SCENARIOS / f"{case}.json").read_text(encoding="utf-8"))
        consortium = f.ConsortiumFactory(county=self.county)
        taken = set(Institution.objects.filter(county=self.county).values_list("code", flat=True))
        if any(m["code"] in taken for m in data.get("members", [])):  # a second consortium from the same file
            rename = {m["code"]: f"{m['code']}-{consortium.pk}" for m in data["members"]}
            for m in data["members"]:
                m["code"] = rename[m["code"]]
            inside = data["actuals"]["in_consortium"]
            data["actuals"]["in_consortium"] = {rename[k]: v for k, v in inside.items()}
        members = data.get("members") or [{"code": f"{consortium.code}-L", "name": "牵头医院", "tier": "lead"}]
        for m in members:
            Institution.objects.create(
                county=self.county, consortium=consortium, code=m["code"], name=m.get("name", m["code"]),
                tier=m["tier"], level="2" if m["tier"] in ("lead", "county", "private") else "basic",
                ownership="private" if m["tier"] == "private" else "public", placement="in_consortium",
            )
        agreement = registry.agreement_create(consortium=consortium, year=data["year"], scheme=data["scheme"],
                                              signed_date=datetime.date(data["year"], 1, 5), user=self.staff,
                                              parameters=parameters)
        registry.agreement_activate(agreement=agreement, user=self.staff)
        agreement.refresh_from_db()
        finance = f.user(User.Role.FINANCE_OFFICER, f"fo-{consortium.code}", consortium=consortium)
        budget_members = [{k: v for k, v in m.items() if k != "score"} for m in data.get("members") or []]
        budget = budget_services.budget_create(agreement=agreement, fund=data["fund"], members=budget_members,
                                               user=self.staff)
        if approve:
            budget_services.budget_submit(budget=budget, user=self.staff)
            budget = budget_services.budget_approve(budget=budget, user=self.auditor)
        return agreement, budget, finance, data

    def actuals(self, agreement, data, **changes):
        actuals = data.get("actuals", {})
        scores = {m["code"]: m["score"] for m in data.get("members", []) if "score" in m}
        row = YearActuals(
            agreement=agreement, in_consortium=actuals.get("in_consortium", {}),
            out_of_consortium=actuals.get("out_of_consortium", "0"),
            enrollee_expenditure=actuals.get("enrollee_expenditure"),
            evaluation_score=(data.get("evaluation") or {}).get("score"), member_scores=scores, entered_by=self.staff,
        )
        for key, value in changes.items():
            setattr(row, key, value)
        row.full_clean()
        row.save()
        return row


@pytest.fixture
def county(db):
    return County()
