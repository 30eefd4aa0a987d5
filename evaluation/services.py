"""The evaluation's steps: start (items pre-filled from the data), fill, submit, confirm by
another person of the bureau, send back; templates copied to a new version; negative-list signals
raised once; findings reviewed. Every step checks who may take it and leaves a history row."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.models import Consortium, Decision, Job, User
from consortia.selectors import sees_everything
from consortia.services.approvals import decision_record

from . import checklist
from .indicators import item_figure, negative_signals
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Evaluation,
    EvidenceFile,
    IndicatorEntry,
    ItemResult,
    NegativeFinding,
)

FACTORS = {ItemResult.Result.MET: Decimal("1"), ItemResult.Result.PARTLY: Decimal("0.5"),
           ItemResult.Result.NOT_MET: Decimal("0")}
POINTS = Decimal("0.01")


def _bureau(user: User | None, consortium: Consortium) -> None:
    if user is None or user.is_superuser:
        return
    if user.role not in (User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR) or user.county_id != consortium.county_id:
        raise ValidationError(_("Only the county bureau fills in and confirms the evaluation."))


def template_default() -> ChecklistTemplate:
    """The Annex-2 checklist, version 1, made once from checklist.py."""
    template, created = ChecklistTemplate.objects.get_or_create(
        code=checklist.CODE, version=1,
        defaults={"valid_from_year": 2019, "title": checklist.TITLE, "source": checklist.SOURCE,
                  "sections": {str(k): v for k, v in checklist.SECTIONS.items()}})
    if created:
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, number=number, section=section, text=text,
                          weight=checklist.default_weight(number), computed=computed)
            for number, section, text, computed in checklist.ITEMS)
    return template


def template_for(year: int) -> ChecklistTemplate:
    found = ChecklistTemplate.objects.filter(valid_from_year__lte=year).order_by("-valid_from_year", "-version").first()
    return found or template_default()


@transaction.atomic
def template_new_version(*, template: ChecklistTemplate, valid_from_year: int, user) -> ChecklistTemplate:
    """A copy of a template, items and weights included, to be reworded for later years. The
    checklist is the administrator's."""
    if not sees_everything(user):
        raise ValidationError(_("Only the administrator keeps the checklist template."))
    latest = ChecklistTemplate.objects.filter(code=template.code).order_by("-version").first()
    copy = ChecklistTemplate.objects.create(code=template.code, version=latest.version + 1,
                                            valid_from_year=valid_from_year, title=template.title,
                                            source=template.source, sections=template.sections)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(template=copy, number=i.number, section=i.section, text=i.text, weight=i.weight,
                      computed=i.computed) for i in template.items.all())
    return copy


@transaction.atomic
def evaluation_start(*, consortium: Consortium, year: int, user: User | None) -> Evaluation:
    """The year's evaluation with one result per item of the template in force, those the data
    can answer pre-filled; the same evaluation again if it exists."""
    _bureau(user, consortium)
    existing = Evaluation.objects.filter(consortium=consortium, year=year).first()
    if existing:
        return existing
    evaluation = Evaluation.objects.create(consortium=consortium, year=year, template=template_for(year),
                                           created_by=user)
    ItemResult.objects.bulk_create(ItemResult(evaluation=evaluation, item=item)
                                   for item in evaluation.template.items.all())
    IndicatorEntry.objects.bulk_create(IndicatorEntry(evaluation=evaluation, key=key)
                                       for key in IndicatorEntry.Key.values)
    evaluation_refresh(evaluation=evaluation, user=user)
    return evaluation


def _draft(evaluation: Evaluation) -> Evaluation:
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.status != Evaluation.Status.DRAFT:
        raise ValidationError(_("The evaluation is %(status)s; it can no longer change.")
                              % {"status": locked.get_status_display()})
    return locked


def _score(result: ItemResult) -> Decimal | None:
    factor = FACTORS.get(result.result)
    return None if factor is None else (result.item.weight * factor).quantize(POINTS, rounding=ROUND_HALF_UP)


@transaction.atomic
def evaluation_refresh(*, evaluation: Evaluation, user: User | None) -> int:
    """Computes again the items the data can answer (a draft only); returns how many changed."""
    evaluation = _draft(evaluation)
    changed = 0
    for result in evaluation.results.select_related("item").exclude(item__computed=""):
        answer = item_figure(result.item.computed, consortium=evaluation.consortium, year=evaluation.year)
        suggested, figure = answer if answer else ("", {})
        figure = {**figure, "computed": True} if figure else {}
        # A new figure brings its suggestion; the same figure keeps what the clerk chose.
        value = suggested if figure != result.figure else (result.result or suggested)
        if (value, figure) != (result.result, result.figure):
            result.result, result.figure, result.updated_by = value, figure, user
            result.score = _score(result)
            result.save()
            changed += 1
    return changed


@transaction.atomic
def item_result_set(*, result: ItemResult, value: str, evidence: str, user: User | None) -> ItemResult:
    evaluation = _draft(result.evaluation)
    _bureau(user, evaluation.consortium)
    if value not in ItemResult.Result.values:
        raise ValidationError({"result": [_("Choose 达标, 部分达标, 未达标 or 不适用.")]})
    result = ItemResult.objects.select_related("item").get(pk=result.pk)
    result.result, result.evidence, result.updated_by = value, evidence, user
    result.score = _score(result)
    result.save()
    return result


def evaluation_total(evaluation: Evaluation) -> Decimal | None:
    """Scores over the applicable items' weights, on 100 points: 不适用 items drop out of both."""
    earned, possible = Decimal("0"), Decimal("0")
    for result in evaluation.results.select_related("item"):
        if result.result in FACTORS:
            earned += result.item.weight * FACTORS[result.result]
            possible += result.item.weight
    if not possible:
        return None
    return (earned * 100 / possible).quantize(POINTS, rounding=ROUND_HALF_UP)


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, user: User | None) -> Evaluation:
    evaluation = _draft(evaluation)
    _bureau(user, evaluation.consortium)
    missing = [str(r.item.number) for r in evaluation.results.select_related("item") if not r.result]
    if missing:
        raise ValidationError(_("Items %(items)s have no result yet.") % {"items": ", ".join(missing)})
    total = evaluation_total(evaluation)
    if total is None:
        raise ValidationError(_("Every item is marked not applicable; there is nothing to score."))
    evaluation.status, evaluation.total_score = Evaluation.Status.SUBMITTED, total
    evaluation.submitted_by, evaluation.submitted_at = user, timezone.now()
    evaluation.save()
    decision_record(obj=evaluation, step=Decision.Step.SUBMITTED, user=user)
    return evaluation


def _submitted(evaluation: Evaluation) -> Evaluation:
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.status != Evaluation.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted evaluation can be confirmed or sent back."))
    return locked


@transaction.atomic
def evaluation_confirm(*, evaluation: Evaluation, user: User, opinion: str = "") -> Evaluation:
    """The second person of the bureau confirms, with an opinion if they give one; the total score
    is then final and feeds the clearing."""
    evaluation = _submitted(evaluation)
    _bureau(user, evaluation.consortium)
    if user is None or user.pk == evaluation.submitted_by_id:
        raise ValidationError(_("Another person of the bureau must confirm the evaluation."))
    evaluation.status, evaluation.confirmed_by, evaluation.confirmed_at = (Evaluation.Status.CONFIRMED, user,
                                                                          timezone.now())
    evaluation.save()
    decision_record(obj=evaluation, step=Decision.Step.APPROVED, user=user, opinion=opinion)
    return evaluation


@transaction.atomic
def evaluation_send_back(*, evaluation: Evaluation, user: User, reason: str) -> Evaluation:
    evaluation = _submitted(evaluation)
    _bureau(user, evaluation.consortium)
    if not reason.strip():
        raise ValidationError(_("Say why the evaluation is sent back."))
    evaluation.status, evaluation.total_score = Evaluation.Status.DRAFT, None
    evaluation.remarks = (evaluation.remarks + "\n" if evaluation.remarks else "") + _("Sent back: %(reason)s") % {
        "reason": reason.strip()}
    evaluation.save()
    decision_record(obj=evaluation, step=Decision.Step.SENT_BACK, user=user, opinion=reason)
    return evaluation


def confirmed_score(*, consortium: Consortium, year: int) -> Decimal | None:
    """E5: the confirmed evaluation's total score, which the clearing takes."""
    return Evaluation.objects.filter(consortium=consortium, year=year, status=Evaluation.Status.CONFIRMED
                                     ).values_list("total_score", flat=True).first()


# --- negative list -----------------------------------------------------------------------------

def signals_raise(*, consortium: Consortium, year: int) -> list[NegativeFinding]:
    """Raises for review each computable situation the claims point to, once per year."""
    raised = []
    for situation, description, figure in negative_signals(consortium=consortium, year=year):
        try:
            with transaction.atomic():
                finding, created = NegativeFinding.objects.get_or_create(
                    consortium=consortium, year=year, situation=situation, source=NegativeFinding.Source.SIGNAL,
                    defaults={"description": description, "figure": figure})
        except IntegrityError:  # raised at the same moment by another run
            continue
        if created:
            raised.append(finding)
    return raised


@transaction.atomic
def finding_record(*, consortium: Consortium, year: int, situation: int, description: str, user: User | None,
                   evidence: str = "", finding: NegativeFinding | None = None) -> NegativeFinding:
    """A finding recorded by staff, or (`finding`) its wording corrected while it waits for review:
    the one writer for the page, the admin and the API."""
    _bureau(user, consortium)
    if finding is not None:
        finding = NegativeFinding.objects.select_for_update().get(pk=finding.pk)
        if finding.status != NegativeFinding.Status.RAISED:
            raise ValidationError(_("A finding is confirmed or dismissed."))
    else:
        finding = NegativeFinding(source=NegativeFinding.Source.RECORDED, recorded_by=user)
    finding.consortium, finding.year, finding.situation = consortium, year, situation
    finding.description, finding.evidence = description, evidence
    finding.full_clean()
    finding._history_user = user
    finding.save()
    return finding


@transaction.atomic
def finding_review(*, finding: NegativeFinding, status: str, user: User, evidence: str = "") -> NegativeFinding:
    finding = NegativeFinding.objects.select_for_update().get(pk=finding.pk)
    _bureau(user, finding.consortium)
    if status not in (NegativeFinding.Status.CONFIRMED, NegativeFinding.Status.DISMISSED):
        raise ValidationError(_("A finding is confirmed or dismissed."))
    finding.status, finding.reviewed_by, finding.reviewed_at = status, user, timezone.now()
    if evidence:
        finding.evidence = evidence
    finding.save()
    return finding


# --- the provincial summary, as a job ----------------------------------------------------------

def province_export_enqueue(*, year: int, user: User, province=None) -> Job:
    from consortia.services import job_create, work_enqueue

    job = job_create(kind=Job.Kind.PROVINCE_EXPORT, user=user,
                     parameters={"year": year, "province": province.pk if province else None})
    return work_enqueue(job)


def province_export_run(*, job) -> None:
    """Writes the summary of the consortia the job's creator may see (of one province if given)
    to a temporary file, streamed, then keeps it as the job's output; the job always ends."""
    from consortia.services import work_execute

    work_execute(job, lambda: _province_export(job))


def _province_export(job) -> None:
    import tempfile

    from django.core.files import File

    from consortia.models import Province
    from consortia.services import work_finish, work_progress

    from .exporters import ProvinceSummaryWorkbook, consortia_for_summary

    year = job.parameters["year"]
    province = Province.objects.filter(pk=job.parameters.get("province")).first()
    consortia = consortia_for_summary(job.created_by, province)
    total = consortia.count()
    work_progress(job, progress_done=0, progress_total=total)
    export = ProvinceSummaryWorkbook(consortia=consortia, year=year, progress=lambda n: work_progress(
        job, progress_done=n) if n % 10 == 0 else None)
    with tempfile.TemporaryFile() as out:
        export.xlsx_write(out)
        out.seek(0)
        job.output_file.save(f"{export.filename()}.xlsx", File(out), save=False)
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    rows = export.count
    work_progress(job, progress_done=rows, progress_total=total)
    work_finish(job, errors=[], result={"consortia": rows, "year": year})


EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".doc", ".xls", ".ofd", ".zip")
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def evidence_check(upload) -> None:
    """Documents and images only, at most 20 MB."""
    if not upload.name.lower().endswith(EVIDENCE_TYPES):
        raise ValidationError(_("Attach a PDF, an image, an office document or a zip file."))
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The file is larger than allowed (20 MB)."))


@transaction.atomic
def evidence_attach(*, result: ItemResult, upload, user: User | None) -> EvidenceFile:
    """A file of evidence for one item of a draft evaluation."""
    evaluation = _draft(result.evaluation)
    _bureau(user, evaluation.consortium)
    evidence_check(upload)
    name = upload.name.rsplit("/", 1)[-1]
    evidence = EvidenceFile(evaluation=evaluation, result=result, name=name[:200], uploaded_by=user)
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def indicator_entry_set(*, evaluation: Evaluation, key: str, value: str, verdict: str, evidence: str,
                        user: User | None) -> IndicatorEntry:
    """An indicator the data cannot answer (family-doctor services published, satisfaction)."""
    evaluation = _draft(evaluation)
    _bureau(user, evaluation.consortium)
    entry = IndicatorEntry.objects.get(evaluation=evaluation, key=key)
    entry.value, entry.verdict, entry.evidence = value, verdict, evidence
    entry.full_clean()
    entry.save()
    return entry
