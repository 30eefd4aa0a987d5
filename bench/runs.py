"""Money runs and exports as the work grows: the month-end prepayment run and the year-end
clearing at 10 and 100 agreements (benchmark 4); the province's Annex-2 summary workbook for 10
and 100 consortia and the claims export at two sizes, with the peak memory of each (benchmark 5)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .claims_import import Result

ROOT = Path(__file__).resolve().parent.parent


CLAIMS_PER_COUNTY = 5_000


def _counties(first: int, last: int) -> list:
    """Synthetic counties of the same size (500,000 insured, 20 townships, 124 members), so the
    time per agreement shows what the count costs, not what a bigger county costs; each with a
    year of claims imported (and so roll-ups), which the clearing's actuals and the burn read."""
    import io

    from django.core.files.base import ContentFile

    from budgets.synthetic import county_generate
    from claims.generator import claims_generate
    from claims.importers import claims_import_run
    from consortia.models import Job
    from consortia.services import job_create

    made = []
    for n in range(first, last):
        county = county_generate(code=f"99{n:04d}", insured=500_000, year=2025, seed=n)
        text = io.StringIO()
        claims_generate(county=county.county, year=2025, rows=CLAIMS_PER_COUNTY, insured=500_000, seed=n, out=text,
                        realistic=True, platform=True)
        job = job_create(kind=Job.Kind.CLAIMS_IMPORT, user=county.staff, county=county.county,
                         parameters={"county": county.county.pk},
                         upload=ContentFile(text.getvalue().encode(), name=f"claims-{n}.csv"))
        assert claims_import_run(job=job).status == Job.Status.SUCCEEDED
        made.append(county)
    return made


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


ROUNDS = 5  # a money run's best of five: at 10 agreements a run takes under half a second, and the machine is noisy


def _best(fn) -> float:
    """The best time of `fn` in ROUNDS rounds, each rolled back afterwards so that every round
    does the same work (a run makes no order twice), then `fn` once more, committed and not
    timed, for the benchmarks that follow. The rounds leave out only the commits, the same few
    milliseconds per agreement at either size."""
    from django.db import transaction

    times = []
    for _round in range(ROUNDS):
        with transaction.atomic():
            times.append(_timed(fn))
            transaction.set_rollback(True)
    fn()
    return min(times)


def _clear(made: list) -> float:
    from budgets.services.clearing import actuals_from_claims, clearing_compute

    def run():
        for county in made:
            actuals_from_claims(agreement=county.agreement, user=county.staff)
            clearing_compute(agreement=county.agreement, user=county.staff)
    return _best(run)


def _overview() -> float:
    """The provincial reviewer's overview of the synthetic province, best of three, in process."""
    from django.test import Client

    from consortia.models import Province, User
    from consortia.services.users import user_create

    reviewer = User.objects.filter(username="syn_reviewer").first() or user_create(
        username="syn_reviewer", password=None, role=User.Role.PROVINCIAL_REVIEWER,
        province=Province.objects.get(code="990000"))
    client = Client()
    client.force_login(reviewer)
    client.get("/", HTTP_HOST="127.0.0.1")
    return min(_timed(lambda: client.get("/", HTTP_HOST="127.0.0.1")) for _ in range(3))


def money_runs() -> tuple[list[Result], list]:
    from budgets.models import PaymentOrder
    from budgets.services.prepayments import prepayment_run

    small = _counties(1, 11)
    run_small = _best(lambda: prepayment_run(period="2025-Q2", user=None))
    orders_small = PaymentOrder.objects.filter(period="2025-Q2").count()
    clear_small = _clear(small)
    overview_small = _overview()
    big = small + _counties(11, 101)
    run_big = _best(lambda: prepayment_run(period="2025-Q3", user=None))
    orders_big = PaymentOrder.objects.filter(period="2025-Q3").count()
    clear_big = _clear(big)
    overview_big = _overview()
    per_view_small, per_view_big = overview_small / len(small), overview_big / len(big)
    per_small, per_big = run_small / orders_small, run_big / orders_big
    clearing_small, clearing_big = clear_small / len(small), clear_big / len(big)
    return [
        Result(f"prepayment run, time per agreement at {orders_big} / at {orders_small}", per_big / per_small,
               f"{per_big / per_small:.2f} ({per_big * 1000:.0f} ms against {per_small * 1000:.0f} ms)",
               "flat (≤ 1.2)", per_big / per_small <= 1.2,
               f"one quarter-start run over every due agreement: {run_small:.2f} s for {orders_small} orders, "
               f"{run_big:.2f} s for {orders_big}, each the best of {ROUNDS} rounds rolled back; every synthetic "
               f"county holds {CLAIMS_PER_COUNTY:,} claims of its year and their roll-ups"),
        Result(f"clearing, time per consortium at {len(big)} / at {len(small)}", clearing_big / clearing_small,
               f"{clearing_big / clearing_small:.2f} ({clearing_big * 1000:.0f} ms against "
               f"{clearing_small * 1000:.0f} ms)", "flat (≤ 1.2)", clearing_big / clearing_small <= 1.2,
               f"actuals from the county's {CLAIMS_PER_COUNTY:,} claims (their roll-ups, and the DIP pricing of the "
               f"cases outside the consortium from the claims), then the clearing computed and stored, consortium "
               f"by consortium; the best of {ROUNDS} rounds rolled back"),
        Result(f"provincial overview, time per consortium at {len(big)} / at {len(small)}", per_view_big / per_view_small,
               f"{per_view_big / per_view_small:.2f} ({overview_big:.2f} s for {len(big)} consortia, "
               f"{overview_small:.2f} s for {len(small)})", "flat (≤ 1.2)", per_view_big / per_view_small <= 1.2,
               "the provincial reviewer's overview of the synthetic province (each consortium's budget, prepaid, "
               "orders waiting and fund burn from the roll-ups), rendered in process"),
    ], big


def _peak(code: str) -> tuple[float, int]:
    """(seconds, peak KiB) of `code` run by `manage.py shell` in a child process."""
    with tempfile.NamedTemporaryFile() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.peak", out.name, "shell", "-c", code], cwd=ROOT, check=True)
        return time.perf_counter() - start, int(Path(out.name).read_text() or 0)


PROVINCE_EXPORT = """
import tempfile
from consortia.models import Consortium
from evaluation.exporters import province_workbook
consortia = Consortium.objects.filter(county__city__province__code='990000').order_by('code')[:{n}]
with tempfile.TemporaryFile() as out:
    assert province_workbook(Consortium.objects.filter(pk__in=[c.pk for c in consortia]), 2025, out) >= {n}
"""

CLAIMS_EXPORT = """
from pathlib import Path
from django.db.models import Sum
from claims.models import ClaimDaily
from claims.exporters import ClaimsExport
from claims.selectors import claims_of
from consortia.models import User
user = User.objects.get(username='sx_staff')
# The latest settlement days that hold n claims: a period, as the list filters what it exports.
total = 0
for day, count in (ClaimDaily.objects.filter(county__code='341021').values('day').annotate(n=Sum('claims'))
                   .order_by('-day').values_list('day', 'n').iterator()):
    total, start = total + count, day
    if total >= {n}:
        break
claims = claims_of(user).filter(settled_on__gte=start)  # the list's own scope: the county's id
size = sum(len(chunk) for chunk in ClaimsExport(user=user, claims=claims).response("csv").streaming_content)
assert size > {n} * 50, size
Path({out!r}).write_text(str(total))
"""


def _claims_export(n: int) -> tuple[float, int, int]:
    """(seconds, peak KiB, claims exported) of the export of the latest whole days holding n claims."""
    with tempfile.NamedTemporaryFile("r") as out:
        seconds, peak = _peak(CLAIMS_EXPORT.format(n=n, out=out.name))
        return seconds, peak, int(out.read())


def exports(made: list, claims: int) -> list[Result]:
    from evaluation.services import evaluation_start

    for county in made:
        evaluation_start(consortium=county.consortium, year=2025, user=county.staff)
    t10, m10 = _peak(PROVINCE_EXPORT.format(n=10))
    t100, m100 = _peak(PROVINCE_EXPORT.format(n=len(made)))
    small = max(claims // 10, 1000)
    c_small_t, c_small_m, small = _claims_export(small)
    c_big_t, c_big_m, rows = _claims_export(claims)
    return [
        Result(f"Annex-2 province workbook, {len(made)} consortia", t100, f"{t100:.1f} s, peak {m100 / 1024:.0f} MiB "
               f"(10 consortia: {t10:.1f} s, {m10 / 1024:.0f} MiB)", "flat memory (≤ 1.2)", m100 / m10 <= 1.2,
               "a child process making the write-only workbook from the stored evaluations; the time includes "
               "starting Django (about 1 s)"),
        Result(f"claims CSV export, {rows:,} rows", c_big_t, f"{c_big_t:.1f} s, peak {c_big_m / 1024:.0f} MiB "
               f"({small:,} rows: {c_small_t:.1f} s, {c_small_m / 1024:.0f} MiB)", "flat memory (≤ 1.2)",
               c_big_m / c_small_m <= 1.2,
               "the claims list's streamed CSV (what 'export what is shown' sends) of a settlement period: the "
               "latest whole days holding the number of claims, read to the end in a child process"),
    ]
