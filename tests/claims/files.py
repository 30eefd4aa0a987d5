"""A claims file in the canonical template, imported as the clerk would."""

from django.core.files.uploadedfile import SimpleUploadedFile

from claims.importers import claims_import_enqueue, template_header
from consortia.models import Job


def import_rows(*, county, user, rows: list[str]) -> Job:
    """Imports data lines (already in the template's column order) and insists they went in."""
    content = "\n".join([",".join(template_header()[0]), *rows]).encode()
    job = claims_import_enqueue(county=county, upload=SimpleUploadedFile("c.csv", content), user=user)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    return job
