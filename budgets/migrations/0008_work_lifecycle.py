# Every long piece of work (jobs and money runs) lives one way (consortia.services.work): the runs
# keep their last sign of life under the name jobs use.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0007_clearing_schedule'),
    ]

    operations = [
        migrations.RenameField(
            model_name='clearingrun',
            old_name='heartbeat_at',
            new_name='moved_at',
        ),
        migrations.RenameField(
            model_name='prepaymentrun',
            old_name='heartbeat_at',
            new_name='moved_at',
        ),
    ]
