"""The page of a long job (an import, an export): how far it is, what came of it, the rows to
correct, the file it made. It refreshes itself while the job runs."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from .models import Job
from .selectors import jobs_visible
from .xlsx import csv_cell

SHOWN_ERRORS = 200


def job_errors_response(job: Job) -> HttpResponse:
    """The job's error report as a spreadsheet the clerk can sort and tick off (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("row"), _("column"), _("problem")])
    for error in job.errors:
        writer.writerow([error["row"] or "", csv_cell(error["column"]), csv_cell(error["message"])])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-errors.csv"'
    return response


def job_output_response(job: Job) -> FileResponse:
    if not job.output_file:
        raise Http404
    return FileResponse(job.output_file.open("rb"), as_attachment=True,
                        filename=job.output_file.name.rsplit("/", 1)[-1])


def _job(request, pk: int) -> Job:
    return get_object_or_404(jobs_visible(request.user, Job.objects.all()), pk=pk)


@login_required
def job_page(request, pk: int):
    job = _job(request, pk)
    return render(request, "jobs/job.html", {
        "job": job, "errors": job.errors[:SHOWN_ERRORS], "more_errors": max(len(job.errors) - SHOWN_ERRORS, 0),
        "running": job.status in (Job.Status.QUEUED, Job.Status.RUNNING),
    })


@login_required
def job_errors(request, pk: int):
    return job_errors_response(_job(request, pk))


@login_required
def job_output(request, pk: int):
    return job_output_response(_job(request, pk))
