"""The yearly evaluation of a consortium against the provincial checklist (E1), the supervision
indicators that cannot be computed (E2), the negative list (E3); its confirmed score feeds the
clearing (E5).

A checklist template is versioned: a province may add or reword items in a later year; an
evaluation keeps the version it was made with, and a version in use is never edited again."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortia.models import Consortium

SCORE = {"max_digits": 6, "decimal_places": 2}


class ChecklistTemplate(models.Model):
    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    valid_from_year = models.PositiveIntegerField(_("valid from year"))
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source document"), max_length=200)
    sections = models.JSONField(_("sections"), help_text=_('Section number to title, e.g. {"1": "…"}'))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="checklist_template_version_unique")]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @property
    def in_use(self) -> bool:
        return self.evaluations.exists()

    def section_title(self, number: int) -> str:
        return self.sections.get(str(number), "")

    def section_heading(self, number: int) -> str:
        """A section as the checklist heads it: （三）医共体医保绩效评价."""
        return f"（{'一二三四五六七八九十'[number - 1]}）{self.section_title(number)}"


class ChecklistItem(models.Model):
    class Computed(models.TextChoices):
        NONE = "", _("entered with evidence")
        FAMILY_DOCTOR_RATE = "family_doctor_rate", _("family-doctor enrollment rate")
        IN_COUNTY_INPATIENT_SHARE = "in_county_inpatient_share", _("in-county share of admissions")
        FRAUD_CASES = "fraud_cases", _("recorded fraud cases")
        REFUSAL_COMPLAINTS = "refusal_complaints", _("recorded refusal complaints")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("checklist template"))
    number = models.PositiveIntegerField(_("item number"))
    section = models.PositiveIntegerField(_("section"))
    text = models.TextField(_("item text"))
    weight = models.DecimalField(_("weight (points)"), **SCORE)
    computed = models.CharField(_("pre-filled from data"), max_length=32, choices=Computed.choices, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="checklist_item_number_unique"),
            models.CheckConstraint(name="checklist_item_weight_non_negative", condition=Q(weight__gte=0),
                                   violation_error_message=_("The weight of an item cannot be negative.")),
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:30]}"


class Evaluation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        CONFIRMED = "confirmed", _("confirmed")

    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, related_name="evaluations",
                                   verbose_name=_("consortium"))
    year = models.PositiveIntegerField(_("year"))
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="evaluations",
                                 verbose_name=_("checklist template"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_score = models.DecimalField(_("total score"), null=True, blank=True, **SCORE)
    remarks = models.TextField(_("remarks"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("filled in by"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-year", "consortium"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "year"], name="evaluation_one_per_consortium_year"),
            models.CheckConstraint(name="evaluation_score_range",
                                   condition=Q(total_score__isnull=True) | Q(total_score__gte=0, total_score__lte=100),
                                   violation_error_message=_("The total score lies between 0 and 100.")),
            models.CheckConstraint(
                name="evaluation_confirmed_by_another",
                condition=~Q(status="confirmed") | (Q(total_score__isnull=False, confirmed_by__isnull=False,
                                                      submitted_by__isnull=False)
                                                    & ~Q(confirmed_by=F("submitted_by"))),
                violation_error_message=_("A confirmed evaluation has its total score and was confirmed by someone "
                                          "other than who entered it.")),
        ]

    def __str__(self):
        return f"{self.consortium} {self.year}"


class ItemResult(models.Model):
    class Result(models.TextChoices):
        NOT_YET = "", _("not yet assessed")
        MET = "met", _("met (达标)")
        PARTLY = "partly", _("partly met (部分达标)")
        NOT_MET = "not_met", _("not met (未达标)")
        NOT_APPLICABLE = "na", _("not applicable (不适用)")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results",
                                   verbose_name=_("evaluation"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, blank=True)
    score = models.DecimalField(_("score"), null=True, blank=True, **SCORE)
    evidence = models.TextField(_("evidence"), blank=True)
    figure = models.JSONField(_("computed figure"), default=dict, blank=True,
                              help_text=_("For items pre-filled from the data: the figure, its formula and inputs."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item result")
        verbose_name_plural = _("item results")
        ordering = ["evaluation", "item__number"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "item"], name="item_result_unique")]

    def __str__(self):
        return f"{self.evaluation} · {self.item.number}"


class EvidenceFile(models.Model):
    """A file attached to one item of an evaluation (pdf, image, office document)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="files",
                                   verbose_name=_("evaluation"))
    result = models.ForeignKey(ItemResult, on_delete=models.CASCADE, related_name="files", verbose_name=_("item"))
    file = models.FileField(_("file"), upload_to="evidence/%Y/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["result__item__number", "uploaded_at"]

    def __str__(self):
        return self.name


class IndicatorEntry(models.Model):
    """A supervision indicator of Annex 1 §三 that the data cannot answer, entered with evidence.
    Labels quote the document and are not translated."""

    class Key(models.TextChoices):
        FAMILY_DOCTOR_SERVICES = "family_doctor_services", (
            "(五) 确定家庭医生提供基本医疗服务内容，并公开告知签约参保人，将服务情况纳入考核内容。")
        SATISFACTION = "satisfaction", "(六) 群众满意度。参保人基本满意。"

    class Verdict(models.TextChoices):
        NOT_YET = "", _("not yet assessed")
        MET = "met", _("met (达标)")
        NOT_MET = "not_met", _("not met (未达标)")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="indicator_entries",
                                   verbose_name=_("evaluation"))
    key = models.CharField(_("indicator"), max_length=32, choices=Key.choices)
    value = models.CharField(_("value"), max_length=200, blank=True)
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("entered indicator")
        verbose_name_plural = _("entered indicators")
        constraints = [models.UniqueConstraint(fields=["evaluation", "key"], name="indicator_entry_unique")]

    def __str__(self):
        return self.get_key_display()


class NegativeFinding(models.Model):
    """One of the nine situations of the negative list (Annex 1 §四), recorded by staff with
    evidence, or raised by a signal computed from the claims for review. The situations quote the
    document and are not translated."""

    class Situation(models.IntegerChoices):
        SIPHONING = 1, "(一) 县级牵头医院出现虹吸现象。"
        UPWARD_ONLY = 2, "(二) 医共体内出现病人仅向上流动的现象。"
        REFERRAL_IRREGULAR = 3, "(三) 双向转诊不严格、不规范。"
        REVENUE_DRIVEN = 4, "(四) 以医院增加收入为追求目标。"
        EARLY_DISCHARGE = 5, "(五) 参保人的治疗未达到出院标准，待遇得不到保障。"
        PERSONAL_BURDEN = 6, "(六) 个人医疗费用加重。"
        FRAUD = 7, "(七) 发生医保骗保事件。"
        REFUSAL = 8, "(八) 出现推诿或拒收病人的现象。"
        OTHER = 9, "(九) 其他违法、违规的情况。"

    class Source(models.TextChoices):
        RECORDED = "recorded", _("recorded by staff")
        SIGNAL = "signal", _("raised from the claims")

    class Status(models.TextChoices):
        RAISED = "raised", _("raised for review")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, related_name="negative_findings",
                                   verbose_name=_("consortium"))
    year = models.PositiveIntegerField(_("year"))
    situation = models.PositiveSmallIntegerField(_("situation"), choices=Situation.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.RECORDED)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RAISED)
    description = models.TextField(_("description"))
    evidence = models.TextField(_("evidence"), blank=True)
    figure = models.JSONField(_("computed figure"), default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("negative-list finding")
        verbose_name_plural = _("negative-list findings")
        ordering = ["-year", "consortium", "situation"]
        constraints = [
            # A signal is raised once per consortium, year and situation, however often it is computed.
            models.UniqueConstraint(fields=["consortium", "year", "situation"], condition=Q(source="signal"),
                                    name="negative_signal_once"),
            models.CheckConstraint(name="negative_situation_range", condition=Q(situation__gte=1, situation__lte=9),
                                   violation_error_message=_("Choose a situation from 1 to 9.")),
            models.CheckConstraint(name="negative_reviewed_when_decided",
                                   condition=Q(status="raised") | Q(reviewed_by__isnull=False),
                                   violation_error_message=_("A confirmed or dismissed finding names who reviewed "
                                                             "it.")),
        ]

    def __str__(self):
        return f"{self.consortium} {self.year} ({self.situation})"
