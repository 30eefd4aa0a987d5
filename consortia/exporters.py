"""The registry's own export: a job's error report, for the clerk to sort and tick off."""

from django.utils.translation import gettext_lazy as _

from .exports import Export, register
from .models import Job


@register
class JobErrorsExport(Export):
    identifier = "job-errors"
    title = _("Error report")
    columns = (_("row"), _("column"), _("problem"))

    def __init__(self, *, job: Job):
        self.job = job

    def filename(self) -> str:
        return f"job-{self.job.pk}-errors"

    def rows(self):
        for error in self.job.errors:
            yield [error["row"] or "", error["column"], error["message"]]
