"""Import of a month's family-doctor enrollment roster (capitation agreements, T2).

All or nothing: a file with any bad row changes nothing and gets a row-numbered report; a good
file replaces that month's roster, so importing the same file again is harmless.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ..exports import FORMULA_STARTS
from ..models import Job, RosterEntry, ServiceAgreement
from ..tabular import RowError, TableError, money_cell, read_table, text_cell
from .jobs import job_create
from .work import work_enqueue, work_execute, work_fail, work_finish, work_progress

ROSTER_COLUMNS = {
    "enrollee_id": ("人员编号", "签约居民编号", "居民编号"),
    "team": ("家庭医生团队", "团队"),
    "category": ("费用类别", "类别"),
    "baseline_cost": ("基线年费用", "基线费用"),
}
MAX_REPORTED_ERRORS = 1000
BATCH = 5000


def roster_import_enqueue(*, agreement: ServiceAgreement, month: datetime.date, upload, user) -> Job:
    month = month.replace(day=1)
    if not agreement.is_capitation:
        raise ValidationError(_("Only a capitation agreement has an enrollment roster."))
    if agreement.status == ServiceAgreement.Status.CLOSED:
        raise ValidationError(_("The agreement is closed; its roster can no longer change."))
    if month.year != agreement.year:
        raise ValidationError({"month": [_("Choose a month of %(year)s.") % {"year": agreement.year}]})
    limit = settings.ROSTER_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": [_("The file is larger than the %(mb)s MB allowed.") % {
            "mb": f"{limit // 2**20:,}"}]})
    job = job_create(
        kind=Job.Kind.ROSTER_IMPORT,
        user=user,
        county=agreement.consortium.county,
        consortium=agreement.consortium,
        parameters={"agreement": agreement.pk, "month": month.isoformat()},
        upload=upload,
    )
    return work_enqueue(job)


def _parse(job: Job) -> tuple[list[RosterEntry], list[RowError], int]:
    agreement = ServiceAgreement.objects.get(pk=job.parameters["agreement"])
    month = datetime.date.fromisoformat(job.parameters["month"])
    entries: list[RosterEntry] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    rows = 0
    with job.input_file.open("rb") as stream:
        try:
            for number, row in read_table(stream, job.input_file.name, ROSTER_COLUMNS):
                rows += 1
                enrollee, team, category = (text_cell(row[c]) for c in ("enrollee_id", "team", "category"))
                for column, value in (("enrollee_id", enrollee), ("team", team), ("category", category)):
                    if not value:
                        errors.append(RowError(number, ROSTER_COLUMNS[column][0], _("empty")))
                    elif value.startswith(FORMULA_STARTS):
                        errors.append(RowError(number, ROSTER_COLUMNS[column][0], _(
                            "an identifier does not begin with = + - or @ (a spreadsheet would run it)")))
                try:
                    cost = money_cell(row["baseline_cost"])
                except ValueError as problem:
                    errors.append(RowError(number, ROSTER_COLUMNS["baseline_cost"][0], str(problem)))
                    cost = None
                key = (enrollee, category)
                if enrollee and category and key in seen:
                    errors.append(
                        RowError(
                            number,
                            ROSTER_COLUMNS["enrollee_id"][0],
                            _("enrollee %(id)s appears with category %(category)s already in row %(row)s")
                            % {"id": enrollee, "category": category, "row": seen[key]},
                        )
                    )
                seen.setdefault(key, number)
                if cost is not None and not errors:
                    entries.append(
                        RosterEntry(
                            agreement=agreement, month=month, enrollee_id=enrollee, team=team,
                            category=category, baseline_cost=cost, import_job=job,
                        )
                    )
                if rows % BATCH == 0:
                    work_progress(job, progress_done=rows)
        except TableError as problem:
            errors.append(RowError(problem.row, "", problem.message))
    return entries, errors, rows


def roster_import_run(*, job: Job) -> Job:
    # The report is stored and read later by anyone: it is written in the default language.
    with translation.override(settings.LANGUAGE_CODE):
        return work_execute(job, lambda: _roster_import(job))


def _roster_import(job: Job) -> None:
    entries, errors, rows = _parse(job)
    if not errors and not entries:
        errors.append(RowError(0, "", _("The file has no data rows.")))
    if errors:
        work_fail(job, errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
                  result={"rows": rows, "error_count": len(errors)})
        return
    agreement = entries[0].agreement
    month = entries[0].month
    with transaction.atomic():
        ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
        RosterEntry.objects.filter(agreement=agreement, month=month).delete()
        for start in range(0, len(entries), BATCH):
            RosterEntry.objects.bulk_create(entries[start : start + BATCH])
        work_progress(job, progress_done=rows, progress_total=rows)
    total = sum((e.baseline_cost for e in entries), Decimal("0.00"))
    work_finish(
        job,
        errors=[],
        result={
            "rows": rows,
            "enrollees": len({e.enrollee_id for e in entries}),
            "baseline_total": format(total, "f"),
            "month": month.isoformat(),
        },
    )
