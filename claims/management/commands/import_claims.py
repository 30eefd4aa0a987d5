from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from claims.importers import claims_import_enqueue
from consortia.management.jobs import job_report
from consortia.models import County


class _Upload(File):
    """A file on disk handed to the import as an upload would be, without reading it whole."""

    @property
    def size(self):
        import os

        return os.fstat(self.file.fileno()).st_size


class Command(BaseCommand):
    help = "Import a county's claims file (CSV or XLSX). All or nothing; the same file twice imports once."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--county", required=True, help="code of the pooling area")

    def handle(self, *args, file: Path, county: str, **options):
        area = County.objects.filter(code=county).first()
        if area is None:
            raise CommandError(_("No pooling area with code %(code)s.") % {"code": county})
        try:
            with file.open("rb") as handle:
                job = claims_import_enqueue(county=area, upload=_Upload(handle, name=file.name), user=None)
        except OSError as problem:
            raise CommandError(str(problem)) from None
        except ValidationError as problem:
            raise CommandError("; ".join(problem.messages)) from None
        job_report(self, job, _("Imported %(imported)s claims from %(rows)s rows."))
