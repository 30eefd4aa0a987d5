"""The page of a long job (an import, an export): how far it is, what came of it, the rows to
correct, the file it made. It refreshes itself while the job runs."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .exporters import JobErrorsExport
from .models import Job
from .selectors import jobs_visible, scope_queryset
from .services.work import work_checked

SHOWN_ERRORS = 200


def job_errors_response(job: Job) -> HttpResponse:
    """The job's error report as a spreadsheet the clerk can sort and tick off."""
    return JobErrorsExport(job=job).response("csv")


def job_output_response(job: Job) -> FileResponse:
    if not job.output_file:
        raise Http404
    return FileResponse(job.output_file.open("rb"), as_attachment=True,
                        filename=job.output_file.name.rsplit("/", 1)[-1])


def _job(request, pk: int) -> Job:
    return get_object_or_404(jobs_visible(request.user, Job.objects.all()), pk=pk)


def capitation_agreements(user):
    """The open capitation agreements the user may see: those that have an enrollment roster."""
    from payrules import schemes_with

    from .models import ServiceAgreement

    return scope_queryset(user, ServiceAgreement.objects.filter(scheme__in=schemes_with(capitation=True))
                          .exclude(status=ServiceAgreement.Status.CLOSED))


@login_required
def roster_page(request):
    """The monthly family-doctor roster of a capitation agreement: the file goes in as a job."""
    from .forms import RosterUploadForm
    from .models import ServiceAgreement
    from .permissions import can_write
    from .services.roster import ROSTER_COLUMNS

    if not can_write(request.user, ServiceAgreement):
        raise PermissionDenied
    form = RosterUploadForm(request.POST or None, request.FILES or None,
                            agreements=capitation_agreements(request.user))
    if request.method == "POST" and form.is_valid() and (job := form.enqueue(request.user)):
        return redirect("job-page", job.pk)
    columns = [(name, aliases[0]) for name, aliases in ROSTER_COLUMNS.items()]
    return render(request, "consortia/roster.html", {"form": form, "columns": columns})


@login_required
def job_page(request, pk: int):
    (job,) = work_checked([_job(request, pk)])  # one that stopped moving is marked failed, with why
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

