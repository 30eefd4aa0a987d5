"""Where PostgreSQL (production) and SQLite (the embedded demo and the quick tests) differ, in one
place: domain code asks these functions and never looks at the database vendor itself."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

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
    """Limits how long each following statement may run (PostgreSQL's statement_timeout; 0 lifts
    it), on the primary and on the streaming replica where one is configured: the replica's
    session gets the limit now if it is open, or as it opens (the page's first lag-tolerant read).
    False where the database has no such limit."""
    if not is_postgresql():
        return False
    _page_limit.set(milliseconds)
    _statement_timeout(connection, milliseconds)
    if replica_configured():
        from django.db import connections

        replica = connections[REPLICA]
        if replica.connection is not None:
            _statement_timeout(replica, milliseconds)
    return True


_page_limit: ContextVar[int] = ContextVar("page_limit", default=0)


def _statement_timeout(database, milliseconds: int) -> None:
    with database.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(int(milliseconds))])


def replica_opened(sender, connection, **kwargs) -> None:
    """A replica session opened during a limited page gets the page's limit (connection_created)."""
    if connection.alias == REPLICA and _page_limit.get():
        _statement_timeout(connection, _page_limit.get())


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


# --- a streaming replica for the reads that tolerate a few seconds' lag -------------------------

REPLICA = "replica"
_lag_tolerated: ContextVar[bool] = ContextVar("lag_tolerated", default=False)
# What a lagging copy may answer: the bureau's records. Never who is signed in, their session or
# lockouts, nor a job's progress, which its page polls right after the job wrote it.
LAGGING_APPS = {"claims", "budgets", "evaluation", "consortia"}
NEVER_LAGGING = {("consortia", "user"), ("consortia", "job")}


def replica_configured() -> bool:
    """Whether DATABASE_REPLICA_URL named a streaming replica (settings: the `replica` alias)."""
    from django.conf import settings

    return REPLICA in settings.DATABASES


@contextmanager
def lag_tolerated():
    """Within it, reads of the bureau's records may go to the replica (ReplicaRouter): exports, the
    provincial reviewer's pages, the indicators. Reads inside a transaction stay on the primary."""
    token = _lag_tolerated.set(True)
    try:
        yield
    finally:
        _lag_tolerated.reset(token)


def tolerates_lag(function):
    """A function whose reads may come from the replica (see `lag_tolerated`)."""
    from functools import wraps

    @wraps(function)
    def reading(*args, **kwargs):
        with lag_tolerated():
            return function(*args, **kwargs)
    return reading


class ReplicaRouter:
    """Sends a read to the replica only when the caller tolerates lag, the replica is configured,
    the model may lag, and no transaction is open on the primary (a money step reads what it
    writes); everything else, and every write and migration, stays on the primary."""

    def db_for_read(self, model, **hints):
        from django.db import connections

        meta = model._meta
        if (not _lag_tolerated.get() or not replica_configured() or meta.app_label not in LAGGING_APPS
                or (meta.app_label, meta.model_name) in NEVER_LAGGING or connections["default"].in_atomic_block):
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, first, second, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
