"""`manage.py replica_check`: proves, against a real streaming replica (DATABASE_REPLICA_URL), that the
reads which tolerate lag go to it and nothing else does, with its lag measured. CI runs it on a
replica it makes with pg_basebackup (`.ci/replica-check`), after the demo is loaded on the primary."""

from __future__ import annotations

import io
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consortia import database

CLAIM_TABLES = ('"claims_claim"', '"claims_claimmonthly"')


def _reads(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in CLAIM_TABLES)]


class Command(BaseCommand):
    help = "Check the replica router against the configured streaming replica (CI)."

    def handle(self, *args, **options):
        if not database.replica_configured():
            raise CommandError("DATABASE_REPLICA_URL is not set.")
        from claims.models import Claim
        from consortia.models import User

        lag = self._caught_up()
        self.stdout.write(f"replica caught up with the primary in {lag:.2f} s")

        reviewer, staff = User.objects.get(username="ah_reviewer"), User.objects.get(username="sx_staff")
        client = Client()
        client.force_login(reviewer)
        with CaptureQueriesContext(connections["default"]) as primary, \
                CaptureQueriesContext(connections[database.REPLICA]) as replica:
            for url in ("/", "/claims/?settled_from=2025-01-01&settled_to=2025-12-31"):
                if client.get(url, HTTP_HOST="127.0.0.1").status_code != 200:
                    raise CommandError(f"{url} did not answer the reviewer")
        if not _reads(replica) or _reads(primary):
            raise CommandError(f"the reviewer's claim reads: {len(_reads(replica))} on the replica, "
                               f"{len(_reads(primary))} on the primary")
        self.stdout.write(f"the reviewer's pages: {len(_reads(replica))} claim reads on the replica, none on the "
                          f"primary; sign-in and session on the primary ({len(primary.captured_queries)} queries)")

        client.force_login(staff)
        with CaptureQueriesContext(connections["default"]) as primary, \
                CaptureQueriesContext(connections[database.REPLICA]) as replica:
            b"".join(client.get("/claims/?settled_from=2025-01-01&settled_to=2025-12-31",
                                HTTP_HOST="127.0.0.1").content for _ in range(1))
        if _reads(replica):
            raise CommandError("the clerk's own claims list read the replica")
        self.stdout.write("the clerk's claims list: the primary only")

        # Lag included: claims written now on the primary reach an export on the replica a moment later.
        before = Claim.objects.using(database.REPLICA).count()
        made = self._import_more()
        with database.lag_tolerated():
            seen_at_once = Claim.objects.count()  # routed to the replica
        started = time.perf_counter()
        while True:
            with database.lag_tolerated():
                now = Claim.objects.count()
            if now == before + made:
                break
            if time.perf_counter() - started > 60:
                raise CommandError(f"the replica did not show the {made} new claims within 60 s")
            time.sleep(0.05)
        self.stdout.write(f"{made} claims imported on the primary: the replica showed {seen_at_once - before} at "
                          f"once and all {made} after {time.perf_counter() - started:.2f} s")
        body = b"".join(self._export(client))
        if body.count(b"\n") < made:
            raise CommandError("the export from the replica lacks the new claims")

        with database.lag_tolerated(), transaction.atomic(), \
                CaptureQueriesContext(connections[database.REPLICA]) as replica:
            Claim.objects.count()
        if replica.captured_queries:
            raise CommandError("a read inside a transaction went to the replica")
        self.stdout.write("inside a transaction (a money step): the primary only")
        self._page_limit()
        self.stdout.write("replica check passed")

    def _page_limit(self) -> None:
        """A page's time limit holds on the replica too, whether the page opens its replica session
        or finds one open from an earlier request, and nothing of it is left for the next one."""
        from django.db import OperationalError
        from django.test import RequestFactory, override_settings

        from consortia.middleware import PageTimeLimitMiddleware

        def slow_read(request):
            with database.lag_tolerated(), connections[database.REPLICA].cursor() as cursor:
                try:
                    cursor.execute("SELECT pg_sleep(2)")
                except OperationalError as stopped:
                    return "stopped" if "statement timeout" in str(stopped) else str(stopped)
            return "ran to the end"

        replica = connections[database.REPLICA]
        for opened in (False, True):
            if not opened:
                replica.close()
            else:
                replica.ensure_connection()
            with override_settings(PAGE_STATEMENT_TIMEOUT_MS=300):
                outcome = PageTimeLimitMiddleware(slow_read)(RequestFactory().get("/"))
            with replica.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                (left,) = cursor.fetchone()
            if outcome != "stopped" or left != "0":
                raise CommandError(f"a page's slow read on the replica ({'open' if opened else 'opened by the page'}"
                                   f"): {outcome}; statement_timeout left at {left}")
        self.stdout.write("a page's time limit stops a slow read on the replica, its session opened by the page "
                          "or open before; nothing left for the next request")

    def _caught_up(self) -> float:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (target,) = cursor.fetchone()
        started = time.perf_counter()
        while True:
            with connections[database.REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                recovering, caught = cursor.fetchone()
            if not recovering:
                raise CommandError("DATABASE_REPLICA_URL is not a standby")
            if caught:
                return time.perf_counter() - started
            if time.perf_counter() - started > 60:
                raise CommandError("the replica did not catch up within 60 s")
            time.sleep(0.05)

    def _import_more(self) -> int:
        from django.core.files.base import ContentFile

        from claims.generator import claims_generate
        from claims.importers import claims_import_run
        from consortia.models import County, Job
        from consortia.services import job_create

        county = County.objects.get(code="341021")
        text = io.StringIO()
        made = claims_generate(county=county, year=2026, rows=500, insured=10_000, seed=99, out=text, platform=True)
        job = job_create(kind=Job.Kind.CLAIMS_IMPORT, user=None, county=county, parameters={"county": county.pk},
                         upload=ContentFile(text.getvalue().encode(), name="replica-check.csv"))
        if claims_import_run(job=job).status != Job.Status.SUCCEEDED:
            raise CommandError(f"the import failed: {job.errors[:3]}")
        return made

    def _export(self, client):
        response = client.get("/claims/?settled_from=2026-01-01&settled_to=2026-12-31&export=csv",
                              HTTP_HOST="127.0.0.1")
        return response.streaming_content
