"""PostgreSQL: the roll-up tables keep half of each page free, so that adding an import's claims
to a roll-up row writes its new version on the same page without touching the four indexes (a
heap-only update); full pages made every update insert into each index, most of an import's
roll-up time. Existing pages get their room as they are pruned and vacuumed; SQLite: nothing."""

from django.db import migrations

from consortia import database

TABLES = ("claims_claimdaily", "claims_claimmonthly")
FILLFACTOR = 50  # an import updates a row once: one new version beside each


def room(apps, schema_editor):
    if database.is_postgresql(schema_editor.connection):
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def no_room(apps, schema_editor):
    if database.is_postgresql(schema_editor.connection):
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_daily_rollups_and_list_order_indexes"),
    ]

    operations = [migrations.RunPython(room, no_room, elidable=False)]
