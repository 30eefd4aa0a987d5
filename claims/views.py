"""The claims import page for bureau staff: choose the county and the file, see the job's
progress and the rows to correct on its page; the latest imports of the scope below."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from consortia.models import County, Job
from consortia.permissions import can_write
from consortia.selectors import jobs_visible, scope_queryset

from .columns import COLUMNS, OPTIONAL
from .forms import UploadForm
from .importers import claims_import_enqueue, template_header
from .models import Claim


@login_required
def import_page(request):
    if not can_write(request.user, Claim):
        raise PermissionDenied
    counties = scope_queryset(request.user, County.objects.all())
    form = UploadForm(request.POST or None, request.FILES or None, counties=counties,
                      initial={"county": counties.first()} if counties.count() == 1 else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = claims_import_enqueue(county=form.cleaned_data["county"], upload=form.cleaned_data["file"],
                                        user=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("job-page", job.pk)
    jobs = jobs_visible(request.user, Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT)).order_by("-created_at")[:20]
    columns = [(name, aliases[0], name in OPTIONAL) for name, aliases in COLUMNS.items()]
    return render(request, "claims/import.html", {"form": form, "jobs": jobs, "columns": columns})


@login_required
def template_download(request):
    """The canonical template: English names on the first row (Chinese headers are accepted too)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_header()[0])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="claims-template.csv"'
    return response
