"""No page ever answers 500. Every page reachable from / is followed, as every demo role (and the
admin for the administrator), on the demo made awkward: next year's agreements, a year without
claims, payments dated in years whose holiday arrangement nobody entered, a zero budget, a
consortium without members, an evaluation not started, a clearing with changed figures, runs of
the schedule. Any 5xx fails the test, with the page and the role."""

import datetime
import os
import re
from collections import deque
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from tests.plainwords import programmer_words

ROLES = ["admin", "sx_staff", "sx_auditor", "sx_finance", "ah_reviewer", "yx_staff", "yx_auditor", "yx_finance",
         "gd_reviewer"]
PAGES_PER_ROLE = 600
VARIANTS_PER_PATH = 3  # the same kind of page (ids and query strings aside): a few of each are enough
SKIP = re.compile(r"^/(static|media|accounts/logout|i18n)/|/delete/|/logout")
HREF = re.compile(r'href="([^"#]+)"')


def _awkward_demo():
    from budgets.models import PaymentOrder, PrepaymentRun
    from budgets.services import budgets as budget_services
    from budgets.services import payments
    from budgets.services.clearing import clearing_compute
    from budgets.services.prepayments import prepayment_run
    from claims.models import ClaimMonthly
    from consortia import services as registry
    from consortia.models import Consortium, County, User

    call_command("load_demo", claims=300, stdout=open(os.devnull, "w"))
    sx_staff, sx_auditor = User.objects.get(username="sx_staff"), User.objects.get(username="sx_auditor")
    yx_staff, yx_auditor = User.objects.get(username="yx_staff"), User.objects.get(username="yx_auditor")
    sx = Consortium.objects.get(code="SX-YGT-01")
    yx = Consortium.objects.get(code="YX-YGT-01")
    # Next year's agreements: 歙县's a draft, 阳西县's active with a zero budget and no claims.
    registry.agreement_create(consortium=sx, year=2026, scheme="shexian-2025", user=sx_staff)
    yx_next = registry.agreement_create(consortium=yx, year=2026, scheme="guangdong-2019", user=yx_staff,
                                        signed_date=datetime.date(2026, 1, 4))
    registry.agreement_activate(agreement=yx_next, user=yx_staff)
    budget = budget_services.budget_create(agreement=yx_next, fund={"revenue": "0"}, members=[
        {"code": m.code, "name": m.name, "tier": m.tier, "prior_year_paid": "0"} for m in yx.members.all()],
        user=yx_staff)
    budget_services.budget_submit(budget=budget, user=yx_staff)
    budget_services.budget_approve(budget=budget, user=yx_auditor)
    # A consortium without members, with a draft agreement.
    empty = Consortium.objects.create(county=County.objects.get(code=sx.county.code), code="SX-EMPTY",
                                      name="歙县空医共体")
    registry.agreement_create(consortium=empty, year=2025, scheme="shexian-2025", user=sx_staff)
    # Quarters received in years nobody entered the holiday arrangement of, and a schedule's run.
    prepayment_run(period="2025-Q2", user=sx_staff)
    prepayment_run(period="2025-Q3", user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)
    for period, day in (("2025-Q2", datetime.date(2027, 1, 5)), ("2025-Q3", datetime.date(2031, 6, 30))):
        order = PaymentOrder.objects.get(agreement__consortium=sx, period=period, kind="prepayment")
        if order.created_by is None:
            payments.order_review(order=order, user=sx_staff)
        payments.order_approve(order=order, user=sx_auditor)
        payments.order_pay(order=order, user=sx_staff, paid_on=day, bank_reference=f"AWK-{period}")
    prepayment_run(period="2025-04", user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)  # waits for review
    # A clearing whose figures changed since (阳西县's actuals were entered by hand in the demo).
    agreement = yx.agreements.get(year=2025)
    clearing_compute(agreement=agreement, user=yx_staff)
    actuals = agreement.actuals
    actuals.out_of_consortium += Decimal("1.00")
    actuals.save()
    # 歙县's clearing from its claims, computed by the command with nobody as maker.
    call_command("run_clearing", "--year", "2025", "--consortium", "SX-YGT-01", stdout=open(os.devnull, "w"))
    assert ClaimMonthly.objects.exists()


def _data_words() -> frozenset[str]:
    """What users entered themselves and may read back as it is: login names and codes; and what
    their browsers sent, as the sign-in log keeps it."""
    from consortia.models import Consortium, County, Institution, User

    from axes.models import AccessAttempt, AccessLog

    words = set(User.objects.values_list("username", flat=True))
    for model in (Institution, Consortium, County):
        words |= set(model.objects.values_list("code", flat=True))
    for model in (AccessLog, AccessAttempt):  # what the browser sent, kept as sent (Mozilla/5.0 …)
        for agent, accept in model.objects.values_list("user_agent", "http_accept"):
            words |= {agent, accept}
    return frozenset(w for w in words if w)


def _crawl(client: Client, start: str, words: list | None = None) -> tuple[list[tuple[str, int]], int, set[str]]:
    seen, per_path, queue, broken = set(), {}, deque([start]), []
    data_words = _data_words()
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path = re.sub(r"\d+", "<n>", urlsplit(url).path)
        per_path[path] = per_path.get(path, 0) + 1
        if per_path[path] > VARIANTS_PER_PATH:
            continue
        response = client.get(url)
        visited += 1
        if response.status_code >= 500:
            broken.append((url, response.status_code))
            continue
        if response.status_code in (301, 302):
            queue.append(urljoin(url, response["Location"]))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode("utf-8", "replace")
        if words is not None:
            found = programmer_words(html, data_words)
            if found:
                words.append((url, found))
        for href in HREF.findall(html):
            href = href.replace("&amp;", "&")
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or SKIP.search(parts.path):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                queue.append(local)
    return broken, visited, set(per_path)


@pytest.mark.django_db(transaction=True)
def test_no_page_answers_5xx_for_any_role_on_awkward_data(settings):
    from consortia.models import User

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    _awkward_demo()
    broken, visited, kinds, words = [], {}, {}, []
    for username in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        said = []
        found, visited[username], seen = _crawl(client, "/", said)
        if username == "admin":
            more, count, more_seen = _crawl(client, "/admin/", said)
            found, seen = found + more, seen | more_seen
            visited[username] += count
        kinds[username] = len(seen)
        broken += [(username, url, status) for url, status in found]
        words += [(username, url, found) for url, found in said]
    assert broken == [], broken
    assert words == [], "\n".join(f"{who} {url}: {found}" for who, url, found in words)
    print("pages visited per role:", visited, "kinds of page:", kinds)
    assert all(count >= 20 for count in visited.values()), visited  # the crawl really walked


def test_errors_are_plain_chinese_pages_never_a_traceback(client, world, rf, settings):
    from django.views.defaults import server_error

    settings.DEBUG = False
    client.force_login(world.staff_a1)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    failed = server_error(rf.get("/"))
    body = failed.content.decode()
    assert failed.status_code == 500 and "系统未能完成此页面" in body and "Traceback" not in body
