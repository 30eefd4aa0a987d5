"""Claim import: our import against a bare COPY of the same data, against django-import-export,
and its peak memory at two file sizes (issue 5, benchmark 1 of issue 8)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

CHUNK = 1024 * 1024
ROUNDS = 3  # the import against django-import-export: each side's best of three, as the machine is noisy


@dataclass
class Result:
    name: str
    value: float
    shown: str
    goal: str = ""
    met: bool = True
    note: str = ""


def run(work: Path, *, rows: int) -> list[Result]:
    from claims.models import Claim
    from consortia.models import County, Job

    county = County.objects.get(code="341021")
    small_rows = max(rows // 10, 1000)
    big, small = work / "claims-big.csv", work / "claims-small.csv"
    slices = [work / f"claims-slice-{n}.csv" for n in range(ROUNDS)]
    _generate(big, rows, seed=101)
    _generate(small, small_rows, seed=102)
    for n, path in enumerate(slices):  # a file imports once: a second import of the same bytes is refused
        _generate(path, min(50_000, rows), seed=103 + n)

    before = Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ours_big, rss_big = _import(big)
    ours_small, rss_small = _import(small)
    job = Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT, status=Job.Status.SUCCEEDED, pk__gt=before).order_by("pk").first()
    assert Claim.objects.filter(import_job=job).count() == rows, "the large file did not import whole"

    text_copy = _copy_text(big)
    equal_copy = _copy_equal(work, job.pk)
    ours_rounds = []
    for path in slices:
        ours_rounds.append(_import(path)[0])
        Claim.objects.filter(import_job=Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT).latest("pk")).delete()
    ie_rounds = []
    for _round in range(ROUNDS):
        ie_seconds, ie_rows, ie_claims = _import_export(slices[0], county)
        ie_rounds.append(ie_seconds)
        if _round < ROUNDS - 1:
            ie_claims.delete()
    ours_slice, ie_seconds = min(ours_rounds), min(ie_rounds)

    ratio = equal_copy / ours_big
    from claims.integrity import orphan_claims

    started = time.perf_counter()
    orphans = orphan_claims()
    orphan_seconds = time.perf_counter() - started
    assert not any(orphans.values()), orphans
    growth = rss_big / rss_small
    return [
        Result(f"claim import, {rows:,} rows", ours_big, f"{ours_big:.1f} s ({rows / ours_big:,.0f} rows/s)"),
        Result("typed COPY into a table shaped like claims / our import", ratio, f"{ratio:.2f}", "≥ 0.5",
               ratio >= 0.5,
               f"COPY of the same {rows:,} claims, already typed, into a table shaped like claims (same columns, "
               f"CHECKs, unique key and indexes, no foreign keys, as claims have none; one table, where claims are "
               f"16 partitions) took {equal_copy:.1f} s; our import reads the settlement file as it comes, types "
               f"and classifies every row against the registry, checks it, and maintains the roll-ups. The orphan "
               f"check that proves what foreign keys would have (claims.integrity) found "
               f"{sum(orphans.values())} after it and took {orphan_seconds:.1f} s over the whole table."),
        Result("bare COPY into an unindexed text table / our import", text_copy / ours_big,
               f"{text_copy / ours_big:.2f}", note=f"the lower bound: the file's bytes into text columns with no "
               f"index, no type and no check took {text_copy:.1f} s"),
        Result(f"our import / django-import-export, {ie_rows:,} rows", ie_seconds / ours_slice,
               f"{ie_seconds / ours_slice:.0f}×", "≥ 10×", ie_seconds / ours_slice >= 10,
               f"django-import-export 4.4 at its best for a plain insert (bulk create in batches of 1,000, no "
               f"diff, no lookup of existing rows, the institution by code through CachedForeignKeyWidget: the "
               f"registry read once) took {ie_seconds:.1f} s against our {ours_slice:.1f} s for "
               f"{ie_rows:,} rows; each side the best of {ROUNDS} rounds (ours "
               f"{', '.join(f'{s:.1f}' for s in ours_rounds)} s, on {ROUNDS} files of that size since a file "
               f"imports once; django-import-export {', '.join(f'{s:.1f}' for s in ie_rounds)} s)"),
        Result("import peak memory, large / small file", growth, f"{growth:.2f} ({rss_small / 1024:.0f} MiB at "
               f"{small_rows:,} rows, {rss_big / 1024:.0f} MiB at {rows:,})", "flat (≤ 1.2)", growth <= 1.2),
    ]


def top_up(work: Path, *, to: int) -> int:
    """More generated claims of 歙县, a million at a time, until the table holds `to`: spread over
    three years (2023-2025), as a county's table holds them."""
    from claims.models import Claim

    seed = 200
    while (have := Claim.objects.count()) < to:
        path = work / f"claims-top-up-{seed}.csv"
        _generate(path, min(1_000_000, to - have), seed=seed, year=2023 + seed % 3)
        _import(path)
        path.unlink()
        seed += 1
    with connection.cursor() as cursor:  # what autovacuum does after large inserts: statistics, visibility map
        cursor.execute(f"VACUUM (ANALYZE) {Claim._meta.db_table}")
    return Claim.objects.count()


def _generate(path: Path, rows: int, seed: int, year: int = 2025) -> None:
    from django.core.management import call_command

    call_command("generate_claims", county="341021", rows=rows, seed=seed, year=year, out=path,
                 stdout=io.StringIO())


def _import(path: Path) -> tuple[float, int]:
    """(seconds the job ran, peak resident KiB of the importing process): the command in a child
    process, so its memory is its own."""
    from consortia.models import Job

    peak = path.with_suffix(".peak")
    done = subprocess.run([sys.executable, "-m", "bench.peak", str(peak), "import_claims", str(path),
                           "--county", "341021"], cwd=Path(__file__).resolve().parent.parent,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    if done.returncode != 0:
        raise RuntimeError(f"import_claims {path.name} failed: {done.stderr.decode()[-2000:]}")
    job = Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT).latest("pk")
    return (job.finished_at - job.started_at).total_seconds(), int(peak.read_text())


def _copy_text(path: Path) -> float:
    with connection.cursor() as cursor:
        with path.open("rb") as stream:
            width = len(stream.readline().split(b","))
            cursor.execute(f"CREATE TABLE bench_text ({', '.join(f'c{i} text' for i in range(width))})")
            started = time.perf_counter()
            with cursor.cursor.copy("COPY bench_text FROM STDIN WITH (FORMAT csv)") as copy:
                while chunk := stream.read(CHUNK):
                    copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_text")
    return elapsed


def _copy_equal(work: Path, job_id: int) -> float:
    """The imported claims written out in the claims table's own layout, then COPYed into a table
    made LIKE claims (its CHECKs, unique key and indexes; claims have no foreign keys), committed."""
    from claims.models import Claim

    table = Claim._meta.db_table
    dump = work / "claims-table-layout.csv"
    with connection.cursor() as cursor:
        with dump.open("wb") as out, cursor.cursor.copy(
                f"COPY (SELECT * FROM {table} WHERE import_job_id = {int(job_id)}) TO STDOUT WITH (FORMAT csv)") as copy:
            for data in copy:
                out.write(data)
        cursor.execute(f"CREATE TABLE bench_equal (LIKE {table} INCLUDING ALL)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        with dump.open("rb") as stream, cursor.cursor.copy("COPY bench_equal FROM STDIN WITH (FORMAT csv)") as copy:
            while chunk := stream.read(CHUNK):
                copy.write(chunk)
        cursor.execute("COMMIT")
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_equal")
    return elapsed


def _import_export(path: Path, county):
    """django-import-export given its best settings for a plain insert: bulk create, no diff,
    no per-row lookup of an existing claim; the institution resolved by code from a cache of the
    registry (CachedForeignKeyWidget: one query, not one per row). Returns the seconds it took, the
    rows, and the claims it made (which have no import job: found by the file's claim numbers)."""
    import tablib
    from import_export import fields, resources, widgets

    from claims.models import Claim
    from consortia.models import Institution

    class ClaimResource(resources.ModelResource):
        institution = fields.Field(attribute="institution", column_name="institution_code",
                                   widget=widgets.CachedForeignKeyWidget(Institution, "code"))

        class Meta:
            model = Claim
            exclude = ("id", "county", "placement", "consortium", "import_job")
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

        def before_save_instance(self, instance, row, **kwargs):
            instance.county = county
            instance.placement = instance.institution.placement
            instance.consortium_id = instance.institution.consortium_id

        def get_queryset(self):
            return Claim.objects.none()

    from claims.importers import template_header

    with path.open(encoding="utf-8") as stream:
        dataset = tablib.Dataset().load(stream.read(), format="csv")
    chinese, english = template_header()  # the generated file has the template's Chinese headers
    dataset.headers = [dict(zip(chinese, english, strict=True)).get(h, h) for h in dataset.headers]
    for column in ("discharged_on", "dip_score"):  # empty means none, as in our import
        index = dataset.headers.index(column)
        dataset = _blank_to_none(dataset, index)
    started = time.perf_counter()
    result = ClaimResource().import_data(dataset, raise_errors=True)
    elapsed = time.perf_counter() - started
    assert result.totals["new"] == len(dataset), result.totals
    prefix = dataset[0][dataset.headers.index("claim_no")].rsplit("-", 1)[0] + "-"  # the file's claim numbers
    claims = Claim.objects.filter(county=county, import_job=None, claim_no__startswith=prefix)
    assert claims.count() == len(dataset)
    return elapsed, len(dataset), claims


def _blank_to_none(dataset, index):
    import tablib

    out = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        row = list(row)
        row[index] = row[index] or None
        out.append(row)
    return out
