"""Reading a county year: the indicators and the clearing's actuals against one sequential scan of
the claims table (benchmark 2), and pages and API under 20 concurrent users at two table sizes
(benchmark 3)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.db import connection

from .claims_import import Result

USERS = 20
ROUNDS = 15
PAGES = ["/", "/payments/", "/api/v1/claim-rollups/?county=341021", "/api/v1/agreements/", "/evaluations/",
         # The pages that read the claims table itself: the list as it opens (the latest month), a
         # whole-month filter (roll-up totals), a part-month period (the database sums the claims), a
         # page deep in a month by position, the API's first page, and the export's first bytes.
         "/claims/", "/claims/?settled_from=2025-03-01&settled_to=2025-03-31&visit_type=inpatient",
         "/claims/?settled_from=2025-03-10&settled_to=2025-03-20", "/claims/?settled_from=2025-06-01&settled_to=2025-06-30&after=2025-06-15.1",
         "/api/v1/claims/?county=341021", "/claims/?export=csv"]
FIRST_BYTES = 64 * 1024  # of a download, what is timed: its first rows, not its length


def _best(fn, repeat=3) -> float:
    """The fastest of `repeat` runs after one warm-up: what the code costs, not the cache."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _scan() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")  # one sequential pass, like ours
        cursor.execute("SELECT count(*), sum(fund_paid), sum(total_cost) FROM claims_claim")
        cursor.fetchone()
        cursor.execute("RESET max_parallel_workers_per_gather")


def _county_year() -> None:
    from budgets.services.clearing import actuals_from_claims
    from consortia.models import ServiceAgreement
    from evaluation import indicators

    agreement = ServiceAgreement.objects.get(consortium__code="SX-YGT-01", year=2025)
    consortium = agreement.consortium
    actuals_from_claims(agreement=agreement, user=None)
    indicators.supervision_indicators(consortium=consortium, year=2025)
    indicators.jiangmen_quarterly(consortium=consortium, year=2025)
    indicators.negative_signals(consortium=consortium, year=2025)
    indicators.monthly_trends(consortium=consortium, year=2025)


def indicators_against_scan() -> Result:
    from claims.models import Claim

    rows = Claim.objects.count()
    ours, scan = _best(_county_year), _best(_scan)
    ratio = ours / scan
    return Result(f"indicators and clearing actuals / one sequential scan, {rows:,} claims", ratio,
                  f"{ratio:.2f} ({ours:.1f} s against {scan:.1f} s)", "≤ 3×", ratio <= 3,
                  "the clearing's actuals from claims, the supervision indicators (this year and last), the "
                  "quarterly set, the negative-list signals and the monthly trends of 歙县's consortium, against "
                  "SELECT count(*), sum(fund_paid), sum(total_cost) FROM claims_claim without parallel workers")


class Server:
    """gunicorn on loopback with the benchmark database, 2 workers × 4 threads per core."""

    def __init__(self, port: int = 8091):
        self.port = port
        root = Path(__file__).resolve().parent.parent
        env = dict(os.environ, DEBUG="false", DJANGO_SETTINGS_MODULE="config.settings.local")
        # As in production: static files collected and served by WhiteNoise from the manifest.
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root, env=env,
                       check=True)
        workers = str(2 * (os.cpu_count() or 1))
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", workers, "--threads", "4", "--log-level", "warning"],
            cwd=root, env=env, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise RuntimeError("gunicorn did not start")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _session(username: str) -> str:
    """A signed-in session made the way the login view makes one (no password round, no lockout)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from consortia.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def latency(label: str) -> dict:
    """p95 and median of every request of 20 users, each walking the pages ROUNDS times."""
    server = Server()
    sessions = [_session(name) for name in ("sx_staff", "sx_auditor", "sx_finance", "ah_reviewer")]
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    failures: list[str] = []
    lock = threading.Lock()

    def user(n: int) -> None:
        cookie = f"sessionid={sessions[n % len(sessions)]}"
        mine: dict[str, list[float]] = {page: [] for page in PAGES}
        for _ in range(ROUNDS):
            for page in PAGES:
                request = urllib.request.Request(f"http://127.0.0.1:{server.port}{page}", headers={"Cookie": cookie})
                start = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=120) as response:
                        if response.status != 200:
                            raise RuntimeError(f"status {response.status}")
                        response.read(FIRST_BYTES) if "export=" in page else response.read()
                except Exception as error:  # noqa: BLE001 - a failed request is reported, not hidden
                    with lock:
                        failures.append(f"{page}: {error}")
                    continue
                mine[page].append(time.perf_counter() - start)
        with lock:
            for page, times in mine.items():
                timings[page].extend(times)

    try:
        threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    finally:
        server.close()
    every = sorted(t for times in timings.values() for t in times)
    failed = {page: sum(1 for f in failures if f.startswith(page + ": ")) for page in PAGES}
    return {"p95": _p95(every), "median": statistics.median(every), "requests": len(every),
            "per_second": len(every) / elapsed, "failures": failures, "failed": failed,
            "pages": {page: _p95(sorted(times)) if times else float("inf") for page, times in timings.items()}}


def _p95(times: list[float]) -> float:
    return times[max(int(len(times) * 0.95) - 1, 0)]


def latency_results(small: dict, big: dict, small_rows: int, big_rows: int) -> list[Result]:
    """The whole walk's p95 at the two sizes, then each page's (goal: every page ≤ 1.5×)."""
    results = [latency_result(small, big, small_rows, big_rows)]
    for page in PAGES:
        ratio = big["pages"][page] / small["pages"][page]
        failed = big["failed"][page] + small["failed"][page]
        notes = ["the first 64 KiB of the streamed CSV (its first rows)"] if "export=" in page else []
        if failed:  # a refused or failed request is a finding, reported, never left out of the figure
            notes.append(f"{failed} requests failed (e.g. "
                         f"{next(f for f in big['failures'] + small['failures'] if f.startswith(page + ': '))})")
        results.append(Result(f"p95 of {page}, {big_rows:,} / {small_rows:,} claims", ratio,
                              f"{ratio:.2f} ({big['pages'][page] * 1000:.0f} ms against "
                              f"{small['pages'][page] * 1000:.0f} ms)" + (f", {failed} failed" if failed else ""),
                              "≤ 1.5, none failed", ratio <= 1.5 and not failed, "; ".join(notes)))
    return results


def latency_result(small: dict, big: dict, small_rows: int, big_rows: int) -> Result:
    ratio = big["p95"] / small["p95"]
    failed = len(big["failures"]) + len(small["failures"])
    return Result(f"p95 latency, {USERS} users, {big_rows:,} / {small_rows:,} claims", ratio,
                  f"{ratio:.2f} ({big['p95'] * 1000:.0f} ms against {small['p95'] * 1000:.0f} ms)"
                  + (f", {failed} requests failed" if failed else ""), "≤ 1.5, none failed",
                  ratio <= 1.5 and not failed,
                  f"{USERS} concurrent users (staff, auditor, finance officer, provincial reviewer) each walking "
                  f"{', '.join(PAGES)} {ROUNDS} times through gunicorn on loopback; "
                  f"{small['requests']} requests at {small['per_second']:.0f}/s (median {small['median'] * 1000:.0f} ms) "
                  f"and {big['requests']} at {big['per_second']:.0f}/s (median {big['median'] * 1000:.0f} ms)")
