"""`python -m bench [--rows N]`: creates a scratch PostgreSQL database, loads the demo registry,
runs every benchmark, prints each ratio with its goal and writes docs/benchmarks.md."""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="claims in the large import file")
    parser.add_argument("--county-claims", type=int, default=10_000_000,
                        help="claims in the table for the read benchmarks (2 and 3): a county's three years")
    parser.add_argument("--small-claims", type=int, default=30_000, help="the small table of benchmark 3")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    options = parser.parse_args()

    import psycopg

    name = os.environ.get("BENCH_DB") or f"bench_{os.getpid()}"  # two runs side by side: choose the names
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        parser.error("BENCH_DB: a PostgreSQL name of lower-case letters, digits and underscores")
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        version = admin.execute("SHOW server_version").fetchone()[0]
    os.environ["DATABASE_URL"] = f"{SERVER}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)  # jobs run in the process that starts them
    sys.path.insert(0, str(ROOT))
    results: list = []
    failed = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("load_demo", claims=0, stdout=io.StringIO())
        from bench import claims_import, reads, runs, scenarios
        from claims.demo import demo_claims
        from claims.generator import OUTPATIENT_MIX

        results += scenarios.run()
        with tempfile.TemporaryDirectory(prefix="bench-") as work:
            demo_claims(rows=options.small_claims, seed=7, mix=OUTPATIENT_MIX)  # as top_up writes the large one
            small = reads.latency("small")
            results += claims_import.run(Path(work), rows=options.rows)
            total = claims_import.top_up(Path(work), to=options.county_claims)
            results.append(reads.indicators_against_scan())
            results += reads.latency_results(small, reads.latency("large"), options.small_claims, total)
            money, made = runs.money_runs()
            results += money
            results += runs.exports(made, claims=min(options.rows, 1_000_000))
    except Exception as error:  # noqa: BLE001 - what was measured before the failure is written, then it is raised
        failed = error
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    machine = (f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"{_memory()}, Python {platform.python_version()}, PostgreSQL {version}")
    _write(options.out, machine, results, failed)
    if failed is not None:
        raise failed
    return 0 if all(r.met for r in results if r.goal) else 1


def _memory() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        return "memory unknown"


def _write(path: Path, machine: str, results, failed: Exception | None = None) -> None:
    lines = ["# Benchmarks", "", f"Measured {datetime.date.today().isoformat()} by `make bench` on {machine}.", ""]
    if failed is not None:  # a run that broke off says so, above what it measured
        lines += [f"**The run stopped early** ({type(failed).__name__}: {failed}); the rows below are what it "
                  "measured before that.", ""]
    lines += ["| benchmark | measured | goal | met |", "|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.name} | {r.shown} | {r.goal or '—'} | {'yes' if r.met else 'no' if r.goal else ''} |")
    lines += ["", "## Notes", ""]
    lines += [f"- {r.name}: {r.note}" for r in results if r.note]
    print("\n".join(lines))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
