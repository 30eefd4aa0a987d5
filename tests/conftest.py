import os

import pytest
from django.core.cache import cache

from consortia.models import Institution, User
from tests.consortia import factories as f


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts, as each request does, in the default language."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # CI shares MEDIA_ROOT with its out-of-process Celery worker; otherwise each test has its own.
    settings.MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or tmp_path / "media"
    cache.clear()


@pytest.fixture
def world(db):
    """Two provinces; province A has two counties, county A1 two consortia; users of every role.
    Returns a namespace of the rows tests refer to by name."""

    class World:
        pass

    w = World()
    w.province_a = f.ProvinceFactory(code="PA", name="甲省")
    w.province_b = f.ProvinceFactory(code="PB", name="乙省")
    w.city_a = f.CityFactory(province=w.province_a)
    w.city_b = f.CityFactory(province=w.province_b)
    w.county_a1 = f.CountyFactory(city=w.city_a)
    w.county_a2 = f.CountyFactory(city=w.city_a)
    w.county_b1 = f.CountyFactory(city=w.city_b)
    w.consortium_a1x = f.ConsortiumFactory(county=w.county_a1)
    w.consortium_a1y = f.ConsortiumFactory(county=w.county_a1)
    w.consortium_a2 = f.ConsortiumFactory(county=w.county_a2)
    w.consortium_b1 = f.ConsortiumFactory(county=w.county_b1)
    w.consortia = [w.consortium_a1x, w.consortium_a1y, w.consortium_a2, w.consortium_b1]
    for c in w.consortia:
        f.MemberFactory(consortium=c, tier=Institution.Tier.LEAD, level=Institution.Level.SECONDARY)
        f.MemberFactory(consortium=c)
    w.outside_a1 = Institution.objects.create(
        county=w.county_a1, code="OUT-1", name="市人民医院", level="3", ownership="public",
        placement=Institution.Placement.IN_CITY,
    )
    w.agreement_a1x = f.agreement(w.consortium_a1x, "shexian-2025", active=True)
    w.agreement_a1y = f.agreement(w.consortium_a1y, "tianjin-2021", active=True)
    w.agreement_a2 = f.agreement(w.consortium_a2, "guangdong-2019")
    w.agreement_b1 = f.agreement(w.consortium_b1, "jiangmen-2016")
    R = User.Role
    w.admin = f.user(R.ADMINISTRATOR, "admin")
    w.staff_a1 = f.user(R.BUREAU_STAFF, "staff_a1", county=w.county_a1)
    w.auditor_a1 = f.user(R.BUREAU_AUDITOR, "auditor_a1", county=w.county_a1)
    w.finance_a1x = f.user(R.FINANCE_OFFICER, "finance_a1x", consortium=w.consortium_a1x)
    w.finance_a1y = f.user(R.FINANCE_OFFICER, "finance_a1y", consortium=w.consortium_a1y)
    w.reviewer_a = f.user(R.PROVINCIAL_REVIEWER, "reviewer_a", province=w.province_a)
    return w


@pytest.fixture(autouse=True)
def _celery_mode(request, settings):
    """Tests marked `worker` send their tasks through the configured broker to a real worker
    (CI starts one); every other test runs tasks eagerly inside its own transaction."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = settings.CELERY_BROKER_URL is None or not request.node.get_closest_marker("worker")
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True, scope="session")
def _ledger_flush():
    """Transactional tests end by emptying every table (TRUNCATE). The product's database role may
    not empty the ledger (its TRUNCATE triggers refuse), so on PostgreSQL the test harness does it
    with the triggers off (`session_replication_role = replica`), which only a superuser may set:
    on its own connection when the product's role is not one (CI's), as PG_SUPERUSER names it
    (default: postgres on the same server)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = cursor.fetchone()[0]
        statements = ["SET LOCAL session_replication_role = replica", *sql_list]
        if superuser:
            return original(self, statements)
        import psycopg

        settings = self.connection.settings_dict
        user = os.environ.get("PG_SUPERUSER", "postgres")
        with psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, user=user,
                             dbname=settings["NAME"], autocommit=False) as admin:
            with admin.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            admin.commit()

    DatabaseOperations.execute_sql_flush = flush
    yield
    DatabaseOperations.execute_sql_flush = original
