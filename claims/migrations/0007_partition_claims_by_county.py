"""PostgreSQL: the claims table partitioned by hash of the county, so a county's reads, imports,
vacuum and index maintenance touch one sixteenth of a province's claims.

By county, not by year: every query of the product names its county (the scopes), and the business
key (county, claim number) holds across partitions only if it contains the partition key; a year
partition would have to weaken it to (county, claim number, settlement date). The database keeps
its primary key as (county, id) and an index on id alone; Django still sees `id` as the key.
Constraint and index names stay Django's, so later migrations find them. SQLite: nothing changes."""

from django.db import migrations

from consortia import database

TABLE = "claims_claim"
PARTITIONS = 16


def _rebuild(schema_editor, *, partitioned: bool) -> None:
    if not database.is_postgresql(schema_editor.connection):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass", [TABLE])
        constraints = cursor.fetchall()
        names = {name for name, _kind, _definition in constraints}
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename = %s", [TABLE])
        indexes = [(name, definition) for name, definition in cursor.fetchall()
                   if name not in names and name != f"{TABLE}_id_idx"]
        cursor.execute(f"SELECT max(id) FROM {TABLE}")
        (last_id,) = cursor.fetchone()

        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_old")
        cursor.execute(f"ALTER TABLE {TABLE}_old ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cursor.execute(f"ALTER TABLE {TABLE}_old ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"DROP SEQUENCE IF EXISTS {TABLE}_id_seq")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_old INCLUDING DEFAULTS)"
                       + (" PARTITION BY HASH (county_id)" if partitioned else ""))
        if partitioned:
            for remainder in range(PARTITIONS):
                cursor.execute(f"CREATE TABLE {TABLE}_p{remainder:02d} PARTITION OF {TABLE} "
                               f"FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder})")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        if last_id is not None:
            cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s)", [last_id])
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_old")
        cursor.execute(f"DROP TABLE {TABLE}_old")

        key = "(county_id, id)" if partitioned else "(id)"
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY {key}")
        if partitioned:  # Django looks claims up by id alone
            cursor.execute(f"CREATE INDEX {TABLE}_id_idx ON {TABLE} (id)")
        for name, kind, definition in constraints:
            if kind != "p":
                cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)


def partition(apps, schema_editor):
    _rebuild(schema_editor, partitioned=True)


def unpartition(apps, schema_editor):
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("claims", "0006_rollup_counts_and_inpatient_path"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
