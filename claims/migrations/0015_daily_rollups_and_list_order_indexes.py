"""The daily roll-ups (the claims list's totals of any period without reading the claims), filled
from the claims already imported; and the list's indexes carry the claim id after the settlement
date, so a page or an export chunk starts at its position in the index."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

from consortia import database

SUMS = ("total_cost", "self_pay_full", "co_pay", "fund_paid", "fund_pay_total")
KEY = ("county_id", "settled_on", "consortium_id", "institution_id", "placement", "visit_type", "insurance_type")


def fill(apps, schema_editor):
    """PostgreSQL sums in one statement (exact numerics); SQLite, which would add the amounts as
    floats, in Python."""
    Claim, ClaimDaily = apps.get_model("claims", "Claim"), apps.get_model("claims", "ClaimDaily")
    if database.is_postgresql(schema_editor.connection):
        schema_editor.execute(f"""
            INSERT INTO {ClaimDaily._meta.db_table} (county_id, day, consortium_id, institution_id, placement,
                                                     visit_type, insurance_type, claims, fund_pay_total_claims,
                                                     {", ".join(SUMS)})
            SELECT {", ".join(KEY)}, count(*), count(fund_pay_total), {", ".join(f"coalesce(sum({s}), 0)" for s in SUMS)}
            FROM {Claim._meta.db_table} GROUP BY {", ".join(KEY)}""")
        return
    days: dict[tuple, list] = {}
    for row in Claim.objects.values_list(*KEY, *SUMS).iterator(chunk_size=5000):
        entry = days.setdefault(row[:len(KEY)], [0, 0] + [Decimal("0.00")] * len(SUMS))
        entry[0] += 1
        entry[1] += row[-1] is not None  # fund_pay_total, which the platform's older files lack
        for n, amount in enumerate(row[len(KEY):], start=2):
            entry[n] += amount or 0
    ClaimDaily.objects.bulk_create(
        (ClaimDaily(county_id=key[0], day=key[1], consortium_id=key[2], institution_id=key[3], placement=key[4],
                    visit_type=key[5], insurance_type=key[6], claims=entry[0],
                    fund_pay_total_claims=entry[1], **dict(zip(SUMS, entry[2:], strict=True))) for key, entry in days.items()),
        batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0014_orphans_check_schedule'),
        ('consortia', '0019_institution_legacy_code'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClaimDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='settlement date')),
                ('placement', models.CharField(choices=[('in_consortium', 'inside the consortium'), ('in_county', 'in the county, outside the consortium'), ('in_city', 'in the city, outside the county'), ('out_of_city', 'outside the city')], max_length=16, verbose_name='place of care')),
                ('visit_type', models.CharField(choices=[('inpatient', 'inpatient'), ('outpatient', 'outpatient'), ('chronic', 'chronic or special outpatient')], max_length=12, verbose_name='visit type')),
                ('insurance_type', models.CharField(choices=[('310', "employees' basic medical insurance"), ('320', "civil servants' medical subsidy"), ('330', 'large medical expenses subsidy'), ('340', "retired cadres' medical care"), ('390', "urban and rural residents' basic medical insurance"), ('391', "urban residents' basic medical insurance"), ('392', "residents' critical illness insurance"), ('399', "other special groups' medical care"), ('510', 'maternity insurance')], default='390', max_length=3, verbose_name='insurance type')),
                ('claims', models.PositiveIntegerField(verbose_name='claims')),
                ('total_cost', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='total cost')),
                ('self_pay_full', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='full self-pay')),
                ('co_pay', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='personal co-pay')),
                ('fund_paid', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='fund paid')),
                ('fund_pay_total', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='all funds paid')),
                ('fund_pay_total_claims', models.PositiveIntegerField(default=0, verbose_name='claims with all funds paid')),
            ],
            options={
                'verbose_name': 'daily claims roll-up',
                'verbose_name_plural': 'daily claims roll-ups',
            },
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claims_clai_county__d943f3_idx',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claims_clai_consort_9337b3_idx',
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['county', 'settled_on', 'id'], name='claim_county_settled'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['consortium', 'settled_on', 'id'], name='claim_consortium_settled'),
        ),
        migrations.AddField(
            model_name='claimdaily',
            name='consortium',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='consortia.consortium', verbose_name='consortium'),
        ),
        migrations.AddField(
            model_name='claimdaily',
            name='county',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='consortia.county', verbose_name='pooling area'),
        ),
        migrations.AddField(
            model_name='claimdaily',
            name='institution',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='consortia.institution', verbose_name='institution'),
        ),
        migrations.AddIndex(
            model_name='claimdaily',
            index=models.Index(fields=['consortium', 'day'], name='claims_clai_consort_f05ffa_idx'),
        ),
        migrations.AddConstraint(
            model_name='claimdaily',
            constraint=models.UniqueConstraint(fields=('county', 'day', 'institution', 'visit_type', 'insurance_type'), name='claim_daily_unique_by_type'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
