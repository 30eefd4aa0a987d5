"""The PostgreSQL fast path for a clean CSV file: the bytes go to the server with `COPY` as they
are (no row is parsed in Python), the server types and checks every row (a large file's rows by
two sessions side by side), then classifies them by the registry into the claims, and the daily
and monthly roll-ups are added to from the new claims, in one transaction.

The fast path is only a faster way to the same result as the row-by-row import in
`importers.py`, never a second set of rules: its expressions accept a strict subset of what the
row-by-row parser accepts (ISO dates, plain amounts with at most two decimals, the exact visit
type and referral words), and any doubt — a value outside that subset, an unknown institution, a
claim number seen before, a broken line — rolls the whole attempt back and returns None, so the
caller imports the file row by row and writes the row-numbered report. A clean file therefore
imports at close to the speed of `COPY`, a bad one costs a second reading."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import itertools
import logging
import threading
from typing import Callable

import psycopg
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Q

from consortia.models import County, Institution, Job
from consortia.tabular import TableError, csv_encoding, header_map

from .columns import COLUMNS, INSURANCE_TYPES, MONEY_COLUMNS, NULLABLE, OPTIONAL, REFERRALS, VISIT_TYPES
from .models import Claim, ClaimDaily, ClaimMonthly

logger = logging.getLogger(__name__)

CHUNK_BYTES = 4 * 1024 * 1024  # one COPY statement per chunk, so progress shows between them
# Exactly the characters Python's str.strip() removes, so a value is trimmed as the parser trims it.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
SPACE_CODES = ", ".join(str(ord(c)) for c in WHITESPACE)  # code points, as ascii() gives them
SERVER_ENCODING = {"utf-8-sig": "UTF8", "gb18030": "GB18030"}
DATES = ("admitted_on", "discharged_on", "settled_on")
NUMBERS = MONEY_COLUMNS + ("dip_score",)
TRUNCATED = ("diagnosis", "dip_group", "referral_no")  # kept to their first 40 characters, as the parser does


def institution_keys(county_param: str) -> str:
    """The county's institutions by every code a file may carry for them: the national code, and a
    former local code where one is registered (a table of (id, key) to join a file's codes to, on
    equality, so the join stays a hash join). `county_param` is the statement's placeholder."""
    table = Institution._meta.db_table
    return (f"(SELECT id, code AS key FROM {table} WHERE county_id = {county_param} UNION ALL "
            f"SELECT id, legacy_code FROM {table} WHERE county_id = {county_param} AND legacy_code <> '')")


def _words(mapping: dict[str, str], value: str) -> str:
    """A CASE turning the accepted words into stored values; anything else gives NULL."""
    cases = " ".join(f"WHEN {_literal(word)} THEN {_literal(stored)}" for word, stored in mapping.items())
    return f"CASE {value} {cases} END"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Plain forms only; the sizes are checked apart (counted repetitions such as {1,16} multiply the
# states of PostgreSQL's regular-expression machine and made these patterns three times slower).
ISO_DAY = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
AMOUNT = r"^[0-9]+([.][0-9]{1,%s})?$"  # no sign, no exponent, at most two decimals (scores: four)
AMOUNT_LIMIT = {2: "10000000000000000", 4: "100000000"}  # what numeric(18, 2) and (12, 4) hold


def _day(text: str) -> str:
    """The text cast to a date only when it is one (a year from 0001, a day within its month),
    else NULL: no cast here ever raises, so PostgreSQL never logs a failing value. A day up to the
    28th is in every month; only the rest asks where the month ends."""
    month_end = f"(date_trunc('month', (substr({text}, 1, 7) || '-01')::date) + interval '1 month - 1 day')"
    # Nested: CASE, unlike AND, decides in order, so nothing is cast before its pattern is known.
    return (f"CASE WHEN {text} ~ '{ISO_DAY}' AND left({text}, 4) <> '0000' THEN CASE WHEN substr({text}, 9, 2) "
            f"COLLATE \"C\" <= '28' OR substr({text}, 9, 2)::int <= extract(day FROM {month_end}) THEN left({text}, 10)::date "
            f"END END")


def _amount(text: str, places: int) -> str:
    """The text as a number when it is a plain one, else NULL (its size is checked with the row)."""
    return f"CASE WHEN {text} ~ '{AMOUNT % places}' THEN {text}::numeric END"


def _typed_rows(found: dict[str, int], raw: str, where: str = "") -> str:
    """The rows of `raw` (those `where` keeps) typed: three layers over the raw text columns: the
    trimmed texts (t; amounts without thousands separators), the texts cast (c), and the condition
    that keeps a row only when every cast succeeded: an ISO date (optionally followed by a time), a
    plain amount with at most two decimals, a plain score with at most four, each within its
    column's size. A cast is made only of a text its pattern has admitted, and the condition holds
    every CHECK of the claims table and its column sizes, so the statement never fails on a row (and
    PostgreSQL never writes a row's values into its log): a row outside all this is left out, and
    the file goes to the row-by-row import. Its columns are the institution's code as the file
    gives it and the claim's fields."""
    def text(name: str) -> str:
        if name not in found:
            return "''"
        cell = f"c{found[name]}"
        # Trimmed only when it starts or ends with a space of some kind: btrim with the whole set
        # costs more than the test, and most cells need none.
        edge = f"ascii({cell}) IN ({SPACE_CODES}) OR ascii(right({cell}, 1)) IN ({SPACE_CODES})"
        trimmed = f"coalesce(CASE WHEN {edge} THEN btrim({cell}, %(ws)s) ELSE {cell} END, '')"
        return f"replace({trimmed}, ',', '')" if name in NUMBERS else trimmed  # thousands separators allowed

    texts = ", ".join(f"{text(name)} AS {name}" for name in COLUMNS)
    words = {"visit_type": _words(VISIT_TYPES, "t.visit_type"),
             "insurance_type": _words(INSURANCE_TYPES, "t.insurance_type"),
             "referral_direction": _words(REFERRALS, "t.referral_direction")}
    casts = ", ".join(
        [f"left(t.{name}, 40) AS {name}" if name in TRUNCATED else f"t.{name}"
         for name in COLUMNS if name not in words and name not in DATES and name not in NUMBERS]
        + [f"{expression} AS {name}" for name, expression in words.items()]
        + [f"{_day('t.' + name)} AS {name}, t.{name} AS {name}_text" for name in DATES]
        + [f"{_amount('t.' + name, 4 if name == 'dip_score' else 2)} AS {name}, t.{name} AS {name}_text"
           for name in NUMBERS]
    )
    checks = ["c.claim_no <> ''", "c.person_id <> ''", "length(c.claim_no) <= 40", "length(c.person_id) <= 40",
              *[f"left(c.{name}, 1) NOT IN ('=', '+', '-', '@')" for name in ("claim_no", "person_id",
                                                                               "institution_code")],
              "length(c.institution_code) <= 40", "length(c.visit_id) <= 40", "c.visit_type IS NOT NULL",
              "c.insurance_type IS NOT NULL", "c.referral_direction IS NOT NULL",
              "c.fund_paid <= c.total_cost", "(c.discharged_on IS NULL OR c.discharged_on >= c.admitted_on)",
              "(c.fund_pay_total IS NULL OR c.fund_pay_total BETWEEN c.fund_paid AND c.total_cost)"]
    for name in DATES:
        check = (f"c.{name} IS NOT NULL AND (length(c.{name}_text) = 10 OR "
                 f"(substr(c.{name}_text, 11, 1) IN (' ', 'T') AND strpos(c.{name}_text, E'\\n') = 0))")
        checks.append(f"(c.{name}_text = '' OR {check})" if name in OPTIONAL else f"({check})")
    for name in NUMBERS:
        check = f"c.{name} < {AMOUNT_LIMIT[4 if name == 'dip_score' else 2]}"
        checks.append(f"(c.{name}_text = '' OR {check})" if name in OPTIONAL else check)
    target = [name for name in COLUMNS if name != "institution_code"]
    values = ", ".join(f"coalesce(c.{name}, 0.00) AS {name}" if name in OPTIONAL and name in MONEY_COLUMNS
                       and name not in NULLABLE else f"c.{name}" for name in target)
    return (f"SELECT c.institution_code, {values} FROM (SELECT {casts} FROM (SELECT {texts} FROM {raw} {where} "
            f"OFFSET 0) t OFFSET 0) c WHERE {' AND '.join(checks)}")


def claims_copy_import(*, job: Job, county: County, stream,
                       progress: Callable[[int, str], None]) -> tuple[int, list[datetime.date]] | None:
    """Imports a clean CSV file whole and returns (claims, months touched); None when the file
    is not clean or not plain enough for this path (nothing is then left behind).

    Three steps: the file's bytes into a table of texts (COPY); its rows typed and checked into a
    table of typed rows, a large file's by several database sessions side by side (the typing is
    about a third of the work and each row is typed alone); the typed rows into the claims and the
    roll-ups in one transaction. The two working tables are ordinary unlogged tables, not
    temporary ones, so that the other sessions can read them; they are dropped at the end, and the
    beat drops any that a stopped worker left."""
    encoding = csv_encoding(stream)
    if encoding is None:
        return None
    first = stream.readline()
    try:
        header = next(csv.reader(io.StringIO(first.decode(encoding))))
        found = header_map(header, COLUMNS, OPTIONAL)
    except (UnicodeDecodeError, StopIteration, csv.Error, TableError):
        return None
    raw, typed = f"{STAGING}raw_{job.pk}", f"{STAGING}typed_{job.pk}"
    names = [f"c{index}" for index in range(len(header))]
    # Outside a caller's transaction each COPY commits on its own, so the progress it reports is
    # seen by the job page; inside one (tests), a savepoint keeps a failed step from spoiling it.
    def step():
        return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {raw}, {typed}")  # a run of this job that a stopped worker left
        cursor.execute(f"CREATE UNLOGGED TABLE {raw} ({', '.join(n + ' text' for n in names)})")
        try:
            with step():
                rows = _copy(cursor, raw, names, stream, SERVER_ENCODING[encoding], progress)
            progress(rows, Job.Stage.SAVING)
            with step():
                kept = _type(cursor, raw, typed, found, rows)
            if rows == 0 or kept != rows:
                raise _NotClean
            with transaction.atomic():
                if _insert(cursor, typed, job, county) != rows:
                    raise _NotClean
                months = rollups_add(cursor, job)
        except (DatabaseError, psycopg.Error, _NotClean) as problem:  # the COPY is psycopg's own
            # Only the kind of problem: its text may quote a row of the file.
            logger.info("claims import %s: row by row (%s)", job.pk, type(problem).__name__)
            return None
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {raw}, {typed}")
    return rows, months


STAGING = "claim_import_"  # the working tables' prefix; a job's id follows
TYPING_SESSIONS = 2  # database sessions typing a large file side by side
TYPING_ALONE_BELOW = 20_000  # rows; a smaller file is typed by one session, as others cost more to start


class _NotClean(Exception):
    pass


def _copy(cursor, raw, names, stream, encoding, progress) -> int:
    """The file after its header line, COPYed in chunks that end at a line end."""
    rows = 0
    pending = b""
    statement = f"COPY {raw} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, ENCODING '{encoding}')"
    while True:
        chunk = stream.read(CHUNK_BYTES)
        data = pending + chunk
        if chunk:
            cut = data.rfind(b"\n") + 1
            pending, data = data[cut:], data[:cut]
        if data:
            with cursor.cursor.copy(statement) as copy:
                copy.write(data)
            rows += cursor.cursor.rowcount
            progress(rows, Job.Stage.READING)
        if not chunk:
            return rows


def _type(cursor, raw, typed, found, rows) -> int:
    """The rows of `raw` typed into the new table `typed`; returns how many were kept. A large
    file's pages are shared among TYPING_SESSIONS sessions, each typing its range of pages in a
    thread of its own (PostgreSQL does not run these layered expressions in its parallel workers);
    inside a caller's transaction (tests), where other sessions would not see the table, one
    session types them all."""
    cursor.execute(f"CREATE UNLOGGED TABLE {typed} AS {_typed_rows(found, raw)} WITH NO DATA",
                   {"ws": WHITESPACE})
    cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [raw])
    pages = cursor.fetchone()[0]
    alone = connection.in_atomic_block or rows < TYPING_ALONE_BELOW or pages < TYPING_SESSIONS
    sessions = 1 if alone else TYPING_SESSIONS
    cuts = [pages * part // sessions for part in range(sessions + 1)]
    ranges = [f"WHERE ctid >= '({low},0)'::tid" + (f" AND ctid < '({high},0)'::tid" if high < pages else "")
              for low, high in itertools.pairwise(cuts)]  # the last range is open: it reads to the table's end
    statements = [f"INSERT INTO {typed} {_typed_rows(found, raw, where)}" for where in ranges]
    if sessions == 1:
        return _typed_into(cursor, statements[0])
    results: list = [None] * sessions

    def session(part: int) -> None:
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as own:  # this thread's own connection
                results[part] = _typed_into(own, statements[part])
        except (DatabaseError, psycopg.Error) as problem:
            results[part] = problem
        finally:
            connections.close_all()  # the thread's connections only

    threads = [threading.Thread(target=session, args=(part,)) for part in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if not isinstance(result, int):
            raise result if isinstance(result, Exception) else _NotClean
    return sum(results)


def _typed_into(cursor, statement: str) -> int:
    # ISO dates in and out whatever the server's default.
    cursor.execute("SET datestyle = 'ISO, YMD'")
    try:
        cursor.execute(statement, {"ws": WHITESPACE})
        return cursor.rowcount
    finally:
        cursor.execute("RESET datestyle")


def _insert(cursor, typed, job, county) -> int:
    """The typed rows into the claims, each with its institution, place of care and consortium
    from the registry; a claim number the county already holds is left out (and counted)."""
    target = [f for f in COLUMNS if f != "institution_code"]
    # A hash join whatever the statistics say (a nested loop would read the file once per institution).
    cursor.execute("SET LOCAL enable_nestloop = off")
    cursor.execute(f"""
        INSERT INTO {Claim._meta.db_table} (county_id, institution_id, placement, consortium_id, import_job_id,
                                            {", ".join(target)})
        SELECT %(county)s, i.id, i.placement, i.consortium_id, %(job)s, {", ".join(f"s.{f}" for f in target)}
        FROM {typed} s
        JOIN {institution_keys("%(county)s")} k ON k.key = s.institution_code
        JOIN {Institution._meta.db_table} i ON i.id = k.id
        ON CONFLICT (county_id, claim_no) DO NOTHING""", {"county": county.pk, "job": job.pk})
    moved = cursor.rowcount
    cursor.execute("RESET enable_nestloop")
    return moved


def staging_sweep() -> list[str]:
    """Drops the working tables of imports no longer running (a worker stopped mid-way leaves
    its tables, which hold the file's rows); returns their names."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
                       [STAGING.replace("_", r"\_") + "%"])
        tables = [name for (name,) in cursor.fetchall()]
        running = {str(pk) for pk in Job.objects.filter(status=Job.Status.RUNNING).values_list("pk", flat=True)}
        left = [name for name in tables if name.rsplit("_", 1)[-1] not in running]
        for name in left:
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
    return left


# The roll-ups' counts beside the number of claims, once for both ways of keeping them: column →
# (claim field, comparison, value); rollups_add counts in SQL, the SQLite rebuild through the ORM.
ROLLUP_COUNTS = {"antibiotic_claims": ("antibiotic_cost", ">", 0), "referrals_up": ("referral_direction", "=", "up"),
                 "referrals_down": ("referral_direction", "=", "down"),
                 "fund_pay_total_claims": ("fund_pay_total", "IS NOT", None)}
ROLLUP_SUMS = ("total_cost", "self_pay_full", "co_pay", "fund_paid", "drug_cost", "antibiotic_cost", "fund_pay_total")


def rollup_count_filters() -> dict[str, Q]:
    lookups = {">": ("gt", None), "=": ("exact", None), "IS NOT": ("isnull", False)}
    return {name: Q(**{f"{field}__{lookups[op][0]}": value if lookups[op][1] is None else lookups[op][1]})
            for name, (field, op, value) in ROLLUP_COUNTS.items()}


def _literal_value(value) -> str:
    return "NULL" if value is None else str(value) if isinstance(value, int) else repr(value)


# What the claims list and the reconciliation total over a period that is not whole months.
DAILY_SUMS = ("total_cost", "self_pay_full", "co_pay", "fund_paid", "fund_pay_total")
DAILY_COUNTS = ("claims", "fund_pay_total_claims")


def rollups_add(cursor, job: Job) -> list[datetime.date]:
    """Adds the job's claims to the daily and the monthly roll-ups (counts and amounts add up)
    and returns the months touched: the claims are read once, grouped by day, and the months are
    summed from the days."""
    claim, daily, monthly = Claim._meta.db_table, ClaimDaily._meta.db_table, ClaimMonthly._meta.db_table
    key = ("county_id", "consortium_id", "institution_id", "placement", "visit_type", "insurance_type")
    sums = ROLLUP_SUMS
    # The values are the constants above, never input: written into the statement as literals.
    counts = {"claims": "TRUE", **{name: f"{field} {op} {_literal_value(value)}"
                                   for name, (field, op, value) in ROLLUP_COUNTS.items()}}
    added = (*counts, *sums)
    cursor.execute(f"""
        WITH days AS (
            SELECT {", ".join(key)}, settled_on AS day,
                   {", ".join(f"COUNT(*) FILTER (WHERE {c}) AS {name}" for name, c in counts.items())},
                   {", ".join(f"coalesce(SUM({s}), 0) AS {s}" for s in sums)}
            FROM {claim} WHERE import_job_id = %(job)s
            GROUP BY {", ".join(key)}, settled_on
        ), daily AS (
            INSERT INTO {daily} AS r ({", ".join(key)}, day, {", ".join((*DAILY_COUNTS, *DAILY_SUMS))})
            SELECT {", ".join(key)}, day, {", ".join((*DAILY_COUNTS, *DAILY_SUMS))} FROM days
            ON CONFLICT (county_id, day, institution_id, visit_type, insurance_type) DO UPDATE SET
                {", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c in (*DAILY_COUNTS, *DAILY_SUMS))}
        )
        INSERT INTO {monthly} AS r ({", ".join(key)}, month, {", ".join(added)})
        SELECT {", ".join(key)}, date_trunc('month', day)::date, {", ".join(f"SUM({c})" for c in added)}
        FROM days GROUP BY {", ".join(key)}, date_trunc('month', day)
        ON CONFLICT (county_id, month, institution_id, visit_type, insurance_type) DO UPDATE SET
            {", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c in added)}
        RETURNING month""", {"job": job.pk})
    return sorted({month for (month,) in cursor.fetchall()})
