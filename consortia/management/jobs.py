"""How an import command tells the clerk what became of its job (shared by every import command)."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from consortia.models import Job

SHOWN_ERRORS = 50


def job_report(command, job: Job, done: str) -> None:
    """Queued, or the row-numbered errors and a failure, or `done` (formatted with the result)."""
    job.refresh_from_db()
    if job.status == Job.Status.QUEUED:
        command.stdout.write(_("Queued as job %(id)s; a worker will run it.") % {"id": job.pk})
        return
    for error in job.errors[:SHOWN_ERRORS]:
        command.stderr.write(_("row %(row)s, %(column)s: %(message)s") % error)
    if job.status != Job.Status.SUCCEEDED:
        raise CommandError(_("Nothing was imported."))
    command.stdout.write(done % job.result)
