"""The PostgreSQL fast path for a clean CSV file: the bytes go to the server with `COPY` as they
are (no row is parsed in Python); then, in one transaction, the server types and checks every
row, classifies it by the registry into the claims and adds it to the daily and monthly roll-ups.
A large file is typed part by part by a second session while the importing one moves the parts
already typed into the claims.

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
import queue
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

    Two steps: the file's bytes into a working table of texts (COPY); then, in one transaction,
    its rows typed, checked and moved into the claims part by part, and the roll-ups added to.
    A large file's parts are typed by a second database session while the importing one moves the
    parts already typed into the claims (the typing is about a third of the work and each row is
    typed alone), so the two overlap. The working tables are ordinary unlogged tables, not
    temporary ones, so that the other session can read and make them; they are dropped at the
    end, and the beat drops any that a stopped worker left."""
    encoding = csv_encoding(stream)
    if encoding is None:
        return None
    first = stream.readline()
    try:
        header = next(csv.reader(io.StringIO(first.decode(encoding))))
        found = header_map(header, COLUMNS, OPTIONAL)
    except (UnicodeDecodeError, StopIteration, csv.Error, TableError):
        return None
    raw = f"{STAGING}raw_{job.pk}"
    names = [f"c{index}" for index in range(len(header))]
    # Outside a caller's transaction each COPY commits on its own, so the progress it reports is
    # seen by the job page, and the typing session can read the texts; inside one (tests), a
    # savepoint keeps a failed step from spoiling it, and this session types every part itself.
    inside = connection.in_atomic_block

    with connection.cursor() as cursor:
        _drop_working(cursor, job)  # a run of this job that a stopped worker left
        cursor.execute(f"CREATE UNLOGGED TABLE {raw} ({', '.join(n + ' text' for n in names)})")
        try:
            with transaction.atomic() if inside else contextlib.nullcontext():
                rows = _copy(cursor, raw, names, stream, SERVER_ENCODING[encoding], progress)
            if rows == 0:
                raise _NotClean
            progress(rows, Job.Stage.SAVING)
            with transaction.atomic():
                moved, months = _move(cursor, raw, found, job, county, apart=not inside and rows >= TYPING_ALONE_BELOW)
                if moved != rows:
                    raise _NotClean
        except (DatabaseError, psycopg.Error, _NotClean) as problem:  # the COPY is psycopg's own
            # Only the kind of problem: its text may quote a row of the file.
            logger.info("claims import %s: row by row (%s)", job.pk, type(problem).__name__)
            return None
        finally:
            _drop_working(cursor, job)
    return rows, months


STAGING = "claim_import_"  # the working tables' prefix; the job's id ends their names
TYPING_ALONE_BELOW = 20_000  # rows; a smaller file is typed by the importing session, as another costs more to start
FIRST_PART_PAGES = 64  # the first part small, so the moving starts soon; each next twice as large, up to
LARGEST_PART_PAGES = 1024  # ~8 MB of texts
GROUPING_MEMORY = "64MB"  # grouping tens of thousands of days would spill to disk at the default work_mem


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


def _move(cursor, raw, found, job, county, *, apart: bool) -> tuple[int, list[datetime.date]]:
    """The rows of `raw` typed and moved into the claims, part by part (ranges of its pages), and
    added to the roll-ups; returns (rows moved, months touched). Fewer rows than the file's are
    moved when any was left out (a value outside the plain forms, an unknown institution, a claim
    number seen before), and the caller then rolls back. Each part is typed into a working table of
    its own, by a second session when `apart`, which then also groups the typed rows for the
    roll-ups while this session is still moving the last parts into the claims."""
    # The county's institutions are held as they are (no edit commits meanwhile), so every part and
    # the roll-ups, grouped by the other session, are classified by one and the same registry.
    cursor.execute(f"SELECT 1 FROM {Institution._meta.db_table} WHERE county_id = %s FOR SHARE", [county.pk])
    cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [raw])
    pages = cursor.fetchone()[0]
    cuts, size = [0], FIRST_PART_PAGES
    while cuts[-1] + size < pages:
        cuts.append(cuts[-1] + size)
        size = min(size * 2, LARGEST_PART_PAGES)
    cuts.append(pages)
    tables, work = [], []
    for part, (low, high) in enumerate(itertools.pairwise(cuts)):
        # The last range is open: it reads to the table's end.
        where = f"WHERE ctid >= '({low},0)'::tid" + (f" AND ctid < '({high},0)'::tid" if high < pages else "")
        tables.append(f"{STAGING}typed{part}_{job.pk}")
        work.append((f"CREATE UNLOGGED TABLE {tables[-1]} AS {_typed_rows(found, raw, where)}",
                     f"SELECT count(*) FROM {raw} {where}"))
    typed = " UNION ALL ".join(f"SELECT * FROM {table}" for table in tables)
    # The typed rows with the claims' columns, classified as _insert classifies them.
    source = (f"(SELECT %(county)s::bigint AS county_id, i.consortium_id, i.id AS institution_id, i.placement, s.* "
              f"FROM ({typed}) s JOIN {institution_keys('%(county)s')} k ON k.key = s.institution_code "
              f"JOIN {Institution._meta.db_table} i ON i.id = k.id) c")
    days, months = f"{STAGING}days_{job.pk}", f"{STAGING}months_{job.pk}"
    work += [(f"SET {'' if apart else 'LOCAL '}work_mem = '{GROUPING_MEMORY}'", None),
             (f"CREATE UNLOGGED TABLE {days} AS {_grouped(source, daily=True)}", None),
             (f"CREATE UNLOGGED TABLE {months} AS {_grouped(source, daily=False)}", None)]
    moved = 0
    with _in_order(cursor, work, {"ws": WHITESPACE, "county": county.pk}, apart=apart) as done:
        for table in tables:
            kept = next(done)
            if _insert(cursor, table, job, county) != kept:
                raise _NotClean
            moved += kept
        for _grouping in range(3):
            next(done)
    return moved, _rollups_upsert(cursor, f"SELECT * FROM {days}", f"SELECT * FROM {months}", {})


@contextlib.contextmanager
def _in_order(cursor, work, params, *, apart: bool):
    """Runs the statements of `work` in order and yields an iterator of their row counts, raising
    _NotClean at the first that kept fewer rows than its count statement (when it has one) finds.
    When `apart`, a thread with its own database session runs them (each committed, so this
    session reads what they made) while the caller goes on with those already done; the thread
    is stopped and awaited when the caller leaves, whatever happened."""
    if not apart:
        yield (_made_by(cursor, statement, count, params) for statement, count in work)
        return
    done: queue.Queue = queue.Queue()
    stop = threading.Event()

    def session() -> None:
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as own:  # this thread's own connection
                for statement, count in work:
                    if stop.is_set():
                        return
                    done.put(_made_by(own, statement, count, params))
        except Exception as problem:  # noqa: BLE001 - handed to the importing thread, which raises it
            done.put(problem)
        finally:
            connections.close_all()  # the thread's connections only

    def results():
        for _ in work:
            result = done.get()
            if isinstance(result, Exception):
                raise result
            yield result

    thread = threading.Thread(target=session)
    thread.start()
    try:
        yield results()
    finally:
        stop.set()
        thread.join()


def _made_by(cursor, statement: str, count: str | None, params: dict) -> int:
    """Runs `statement` and returns the rows it made; _NotClean when they are fewer than `count`
    finds (a part's typing leaves out every row it cannot type)."""
    cursor.execute("SET datestyle = 'ISO, YMD'")  # ISO dates in and out whatever the server's default
    try:
        cursor.execute(statement, params)
        made = cursor.rowcount
    finally:
        cursor.execute("RESET datestyle")
    if count is not None:
        cursor.execute(count)
        if cursor.fetchone()[0] != made:
            raise _NotClean
    return made


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


def _drop_working(cursor, job: Job) -> None:
    for name in _working_tables(cursor, lambda ends: ends == str(job.pk)):
        cursor.execute(f'DROP TABLE IF EXISTS "{name}"')


def _working_tables(cursor, ending: Callable[[str], bool]) -> list[str]:
    """The import working tables whose job id (the end of the name) `ending` accepts."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
                   [STAGING.replace("_", r"\_") + "%"])
    return [name for (name,) in cursor.fetchall() if ending(name.rsplit("_", 1)[-1])]


def staging_sweep() -> list[str]:
    """Drops the working tables of imports no longer running (a worker stopped mid-way leaves
    its tables, which hold the file's rows); returns their names."""
    running = {str(pk) for pk in Job.objects.filter(status=Job.Status.RUNNING).values_list("pk", flat=True)}
    with connection.cursor() as cursor:
        left = _working_tables(cursor, lambda ends: ends not in running)
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


ROLLUP_KEY = ("county_id", "consortium_id", "institution_id", "placement", "visit_type", "insurance_type")
# The values are the constants above, never input: written into the statements as literals.
ROLLUP_CONDITIONS = {"claims": "TRUE", **{name: f"{field} {op} {_literal_value(value)}"
                                          for name, (field, op, value) in ROLLUP_COUNTS.items()}}
MONTHLY_ADDED = (*ROLLUP_CONDITIONS, *ROLLUP_SUMS)
DAILY_ADDED = (*DAILY_COUNTS, *DAILY_SUMS)


def _grouped(source: str, *, daily: bool) -> str:
    """The roll-up rows of the claims `source` gives (a FROM item with the claims' columns), in the
    roll-up's column order: by day the count and the list's sums, by month every count and sum.
    Each roll-up is grouped from the claims apart: the months are a few groups, the days many with
    few sums, which is cheaper than grouping the months from the days."""
    names, sums, period = ((DAILY_COUNTS, DAILY_SUMS, "settled_on") if daily else
                           (tuple(ROLLUP_CONDITIONS), ROLLUP_SUMS, "date_trunc('month', settled_on)::date"))
    columns = ", ".join((*ROLLUP_KEY, f"{period} AS period",
                         *(f"COUNT(*) FILTER (WHERE {ROLLUP_CONDITIONS[name]}) AS {name}" for name in names),
                         *(f"coalesce(SUM({s}), 0) AS {s}" for s in sums)))
    return f"SELECT {columns} FROM {source} GROUP BY {', '.join(ROLLUP_KEY)}, {period}"


def rollups_add(cursor, job: Job) -> list[datetime.date]:
    """Adds the job's claims to the daily and the monthly roll-ups (counts and amounts add up)
    and returns the months touched."""
    source = f"{Claim._meta.db_table} WHERE import_job_id = %(job)s"
    cursor.execute(f"SET LOCAL work_mem = '{GROUPING_MEMORY}'")
    return _rollups_upsert(cursor, _grouped(source, daily=True), _grouped(source, daily=False), {"job": job.pk})


def _rollups_upsert(cursor, days: str, months: str, params: dict) -> list[datetime.date]:
    """Adds the rows of `days` and `months` (as _grouped gives them) to the roll-ups and returns
    the months touched."""
    def adding(names: tuple[str, ...]) -> str:
        return ", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c in names)

    key = ", ".join(ROLLUP_KEY)
    cursor.execute(f"""
        WITH daily AS (
            INSERT INTO {ClaimDaily._meta.db_table} AS r ({key}, day, {", ".join(DAILY_ADDED)})
            {days}
            ON CONFLICT (county_id, day, institution_id, visit_type, insurance_type) DO UPDATE SET
                {adding(DAILY_ADDED)}
        )
        INSERT INTO {ClaimMonthly._meta.db_table} AS r ({key}, month, {", ".join(MONTHLY_ADDED)})
        {months}
        ON CONFLICT (county_id, month, institution_id, visit_type, insurance_type) DO UPDATE SET
            {adding(MONTHLY_ADDED)}
        RETURNING month""", params)
    return sorted({month for (month,) in cursor.fetchall()})
