"""Where PostgreSQL (production) and SQLite (the embedded demo and the quick tests) differ, in one
place: domain code asks these functions and never looks at the database vendor itself."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


def is_postgresql(using=None) -> bool:
    """PostgreSQL: exact numeric sums, COPY, advisory locks, partitions and triggers in PL/pgSQL."""
    return (using or connection).vendor == "postgresql"


def has_advisory_locks() -> bool:
    """Whether a process can hold a lock that goes with it when it dies (PostgreSQL's session
    advisory locks); without them, liveness is judged by the last sign of life."""
    return is_postgresql()


@contextmanager
def advisory_lock(key: tuple[int, int]):
    """Tries to take the session advisory lock `key` (class, id) without waiting and yields
    whether this process holds it; released on leaving. Without advisory locks, yields True."""
    if not has_advisory_locks():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def page_time_limit(milliseconds: int) -> bool:
    """Limits how long each following statement of this connection may run (PostgreSQL's
    statement_timeout; 0 lifts it). False where the database has no such limit."""
    if not is_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(int(milliseconds))])
    return True


def is_sqlite(using=None) -> bool:
    """SQLite: the embedded demo and the quick tests."""
    return (using or connection).vendor == "sqlite"


def has_copy() -> bool:
    """PostgreSQL's COPY: a file or a batch of rows streamed into a table in one statement."""
    return is_postgresql()


def sums_exactly() -> bool:
    """Whether the database adds decimal columns exactly (PostgreSQL's numeric); SQLite adds them
    as floats, so money is summed in Python there."""
    return is_postgresql()


def unsupported(what: str, using=None) -> NotImplementedError:
    """The error of a migration step that has no version for this database."""
    return NotImplementedError(f"no {what} for {(using or connection).vendor}")


def execute_for_vendor(schema_editor, *, postgresql: str, sqlite: list[str], what: str) -> None:
    """A migration's raw SQL in the dialect of the database it runs on (a trigger, say): one
    PostgreSQL script, or SQLite's statements one by one; any other database is refused by name."""
    if is_postgresql(schema_editor.connection):
        schema_editor.execute(postgresql)
    elif is_sqlite(schema_editor.connection):
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise unsupported(what, schema_editor.connection)
