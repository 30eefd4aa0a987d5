import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from consortia import services
from consortia.management.jobs import job_report
from consortia.models import ServiceAgreement


class Command(BaseCommand):
    help = "Import one month's family-doctor enrollment roster for a capitation agreement."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--consortium", required=True, help="consortium code")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args, file: Path, consortium: str, year: int, month: str, **options):
        try:
            agreement = ServiceAgreement.objects.get(consortium__code=consortium, year=year)
            first_day = datetime.date.fromisoformat(f"{month}-01")
            upload = SimpleUploadedFile(file.name, file.read_bytes())
            job = services.roster_import_enqueue(agreement=agreement, month=first_day, upload=upload, user=None)
        except ServiceAgreement.DoesNotExist:
            raise CommandError(
                _("No agreement of %(year)s for consortium %(code)s.") % {"year": year, "code": consortium}
            ) from None
        except (ValueError, OSError) as problem:
            raise CommandError(str(problem)) from None
        except ValidationError as problem:
            raise CommandError("; ".join(problem.messages)) from None
        job_report(self, job, _("Imported %(rows)s rows for %(month)s."))
