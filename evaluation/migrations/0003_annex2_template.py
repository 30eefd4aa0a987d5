"""The Annex-2 checklist (version 1), so every installation starts with it."""

from django.db import migrations


def forward(apps, schema_editor):
    from evaluation import checklist

    Template = apps.get_model("evaluation", "ChecklistTemplate")
    Item = apps.get_model("evaluation", "ChecklistItem")
    template, created = Template.objects.get_or_create(
        code=checklist.CODE, version=1,
        defaults={"valid_from_year": 2019, "title": checklist.TITLE, "source": checklist.SOURCE,
                  "sections": {str(k): v for k, v in checklist.SECTIONS.items()}})
    if created:
        Item.objects.bulk_create(Item(template=template, number=n, section=s, text=t,
                                      weight=checklist.default_weight(n), computed=c)
                                 for n, s, t, c in checklist.ITEMS)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_confirmed_guards")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
