"""The registry: where a county's insured are pooled, the consortium that serves them, its
institutions, the service agreement with its versioned parameters, and the people who use it."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask
from simple_history.models import HistoricalRecords

from payrules import SCHEMES, Scheme, scheme_choices

# The payment schemes, each labelled in the clerk's language.
SCHEME_CHOICES = [(scheme, _(label)) for scheme, label in scheme_choices()]


class InsuranceType(models.TextChoices):
    """险种类型 (`insutype`), the national platform's codes. A package covers the one its agreement
    names; claims of the others are kept and shown apart, and never consume it."""

    EMPLOYEES = "310", _("employees' basic medical insurance")
    CIVIL_SERVANTS = "320", _("civil servants' medical subsidy")
    LARGE_EXPENSES = "330", _("large medical expenses subsidy")
    RETIRED_CADRES = "340", _("retired cadres' medical care")
    RESIDENTS = "390", _("urban and rural residents' basic medical insurance")
    URBAN_RESIDENTS = "391", _("urban residents' basic medical insurance")
    CRITICAL_ILLNESS = "392", _("residents' critical illness insurance")
    OTHER_SPECIAL = "399", _("other special groups' medical care")
    MATERNITY = "510", _("maternity insurance")


# What a claim without an insurance type is taken to be, and what an agreement covers unless it
# says otherwise: the tight-consortium package is the residents' fund (歙县: 城乡居民医保基金).
DEFAULT_INSURANCE_TYPE = InsuranceType.RESIDENTS


class Place(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name


class Province(Place):
    class Meta(Place.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class City(Place):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province")
    )

    class Meta(Place.Meta):
        verbose_name = _("city")
        verbose_name_plural = _("cities")


class County(Place):
    """A pooling area (统筹区): the county whose insured the package covers."""

    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="counties", verbose_name=_("city")
    )
    insured_count = models.PositiveIntegerField(_("insured persons"), null=True, blank=True)

    class Meta(Place.Meta):
        verbose_name = _("pooling area (county)")
        verbose_name_plural = _("pooling areas (counties)")

    def __str__(self):
        return f"{self.city.province.name}{self.city.name}{self.name}"


class Consortium(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="consortia", verbose_name=_("pooling area")
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    established = models.DateField(_("established on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def lead_hospital(self):
        return self.members.filter(tier=Institution.Tier.LEAD).first()


class Institution(models.Model):
    """A designated medical institution as the county's registry sees it: `placement` is where it
    stands relative to this pooling area, which is what classifies a claim (G3)."""

    class Tier(models.TextChoices):  # M5
        LEAD = "lead", _("lead hospital")
        COUNTY = "county", _("other county hospital")
        PRIVATE = "private", _("private hospital")
        TOWNSHIP = "township", _("township health centre")
        VILLAGE = "village", _("village clinic")

    class Level(models.TextChoices):
        TERTIARY = "3", _("tertiary (level 3)")
        SECONDARY = "2", _("secondary (level 2)")
        PRIMARY = "1", _("primary (level 1)")
        BASIC = "basic", _("basic level")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("private (social capital)")

    class Placement(models.TextChoices):
        IN_CONSORTIUM = "in_consortium", _("inside the consortium")
        IN_COUNTY = "in_county", _("in the county, outside the consortium")
        IN_CITY = "in_city", _("in the city, outside the county")
        OUT_OF_CITY = "out_of_city", _("outside the city")

    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("pooling area"),
    )
    code = models.CharField(_("institution code"), max_length=32,
                            help_text=_("The national 12-character code: H, the 6-digit administrative division, 5 "
                                        "digits (e.g. H34102100001)."))
    # A local code from before the national platform: claims files that still carry it are read as
    # this institution's.
    legacy_code = models.CharField(_("former local code"), max_length=32, blank=True,
                                   help_text=_("Files that still carry the old local code are read as this "
                                               "institution's."))
    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, blank=True)
    level = models.CharField(_("level"), max_length=6, choices=Level.choices)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices)
    placement = models.CharField(_("placement"), max_length=16, choices=Placement.choices)
    dip_coefficient = models.DecimalField(_("DIP institution coefficient"), max_digits=6, decimal_places=4,
                                          default=Decimal("1"))
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("consortium"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["county__code", "consortium__code", "tier", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="institution_code_unique_in_county"),
            models.UniqueConstraint(fields=["county", "legacy_code"], condition=~Q(legacy_code=""),
                                    name="institution_legacy_code_unique_in_county",
                                    violation_error_message=_("Another institution of this county already has this "
                                                              "former local code.")),
            models.CheckConstraint(
                name="institution_member_iff_in_consortium",
                condition=(Q(placement="in_consortium") & Q(consortium__isnull=False) & ~Q(tier=""))
                | (~Q(placement="in_consortium") & Q(consortium__isnull=True)),
                violation_error_message=_(
                    "An institution inside the consortium must name its consortium and tier; "
                    "one outside it names no consortium."
                ),
            ),
            models.UniqueConstraint(
                fields=["consortium"],
                condition=Q(tier="lead"),
                name="one_lead_hospital_per_consortium",
                violation_error_message=_("A consortium has exactly one lead hospital."),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def clean(self):
        if self.consortium_id and self.county_id and self.consortium.county_id != self.county_id:
            raise ValidationError(
                {"consortium": _("The consortium belongs to another pooling area.")}
            )
        if self.consortium_id and self.placement != self.Placement.IN_CONSORTIUM:
            raise ValidationError(
                {"placement": _("A member of a consortium is placed inside the consortium.")}
            )
        if self.placement == self.Placement.IN_CONSORTIUM and not (self.consortium_id and self.tier):
            raise ValidationError(
                {"consortium": _("An institution inside the consortium names its consortium and tier.")}
            )
        problem = national_code_problem(self.code, county=self.county if self.county_id else None,
                                        placement=self.placement)
        if problem:
            raise ValidationError({"code": problem})
        if self.legacy_code and self.legacy_code == self.code:
            raise ValidationError({"legacy_code": _("The former local code is the code itself: leave it empty.")})


NATIONAL_CODE = re.compile(r"^H\d{11}$")
DIVISION = re.compile(r"^\d{6}$")


def national_code_problem(code: str, *, county=None, placement: str = "") -> str | None:
    """What is wrong with an institution code in the national form (H, the 6-digit administrative
    division, 5 digits), or None. An institution in the county (inside the consortium or not)
    carries the county's division; one in the city or beyond carries its own."""
    if not NATIONAL_CODE.match(code or ""):
        return _("Give the national 12-character code: H, the 6-digit administrative division and 5 digits, "
                 "e.g. H34102100001. An old local code goes under 'former local code'.")
    inside = placement in (Institution.Placement.IN_CONSORTIUM, Institution.Placement.IN_COUNTY)
    if inside and county is not None and DIVISION.match(county.code) and code[1:7] != county.code:
        return _("An institution in the county carries its division %(division)s: the code begins H%(division)s.") % {
            "division": county.code}
    return None


class ServiceAgreement(models.Model):
    """The yearly service agreement (医保服务协议) between the bureau and a consortium."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    consortium = models.ForeignKey(
        Consortium, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("consortium")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.CharField(_("payment scheme"), max_length=20, choices=SCHEME_CHOICES)
    signed_date = models.DateField(_("signed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    insurance_type = models.CharField(_("insurance type covered"), max_length=3, choices=InsuranceType.choices,
                                      default=DEFAULT_INSURANCE_TYPE,
                                      help_text=_("Only the claims of this insurance type consume the package and enter the clearing."))
    # Written by the fund cycle when money for a period goes out: a parameter change may only
    # take effect after the last paid period, so what was paid keeps the version it was paid under.
    paid_through = models.DateField(_("paid through"), null=True, blank=True)
    # 预警阈值: a warning when the share of the package consumed runs ahead of the share of the
    # year elapsed by more than this.
    burn_warning_margin = models.DecimalField(_("fund-burn warning margin"), max_digits=4, decimal_places=3,
                                              default=Decimal("0.050"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        ordering = ["-year", "consortium__code"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "year"], name="one_agreement_per_consortium_year",
                                    violation_error_message=_("This consortium already has an agreement for that "
                                                              "year.")),
            models.CheckConstraint(
                name="agreement_year_plausible", condition=Q(year__gte=2000) & Q(year__lte=2100),
                violation_error_message=_("Give a year between 2000 and 2100.")
            ),
            models.CheckConstraint(
                name="agreement_scheme_known",
                condition=Q(scheme__in=list(SCHEMES)),
                violation_error_message=_("Choose one of the payment schemes offered.")
            ),
            models.CheckConstraint(name="agreement_insurance_type_known",
                                   condition=Q(insurance_type__in=InsuranceType.values),
                                   violation_error_message=_("Choose one of the insurance types offered.")),
            models.CheckConstraint(name="burn_margin_is_a_share",
                                   condition=Q(burn_warning_margin__gte=0) & Q(burn_warning_margin__lte=1),
                                   violation_error_message=_("The warning margin lies between 0 and 1.")),
            models.CheckConstraint(
                name="active_agreement_is_signed",
                condition=Q(status="draft") | Q(signed_date__isnull=False),
                violation_error_message=_("An agreement is signed before it becomes active."),
            ),
        ]

    def __str__(self):
        return f"{self.consortium.name} {self.year}"

    @property
    def rules(self) -> Scheme:
        """Everything about the agreement's payment scheme (payrules): ask it, never its name."""
        return SCHEMES[self.scheme]

    @property
    def is_capitation(self):
        return self.rules.capitation


class AgreementParameters(models.Model):
    """One version of an agreement's parameters, in force from `effective_from` (the first day of
    a month) until the next version. Versions of an active agreement are never edited."""

    agreement = models.ForeignKey(
        ServiceAgreement,
        on_delete=models.CASCADE,
        related_name="parameter_versions",
        verbose_name=_("service agreement"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    values = models.JSONField(_("parameter values"))
    reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("parameter version")
        verbose_name_plural = _("parameter versions")
        ordering = ["agreement", "version"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version"], name="parameter_version_unique"),
            models.UniqueConstraint(
                fields=["agreement", "effective_from"], name="parameter_effective_from_unique"
            ),
            models.CheckConstraint(name="parameter_version_positive", condition=Q(version__gte=1),
                                   violation_error_message=_("Parameter versions are numbered from 1.")),
        ]

    def __str__(self):
        return _("version %(version)s from %(date)s") % {
            "version": self.version,
            "date": self.effective_from.strftime("%Y-%m"),
        }


class RosterEntry(models.Model):
    """One enrollee's baseline annual cost in one category on one month's family-doctor roster
    (capitation agreements, T2). Audit is by the import job that loaded the month.

    A category in MONITORED is not paid by the quota: it carries the enrollee's baseline inpatient
    cost where only outpatient categories are covered, for the cost-shift monitor (T5)."""

    MONITORED = ("住院（监测）", "住院(监测)", "inpatient_monitored")

    agreement = models.ForeignKey(
        ServiceAgreement,
        on_delete=models.CASCADE,
        related_name="roster",
        verbose_name=_("service agreement"),
    )
    month = models.DateField(_("month"))
    enrollee_id = models.CharField(_("enrollee id"), max_length=40)
    team = models.CharField(_("family-doctor team"), max_length=100)
    category = models.CharField(_("cost category"), max_length=40)
    baseline_cost = models.DecimalField(_("baseline annual cost"), max_digits=18, decimal_places=2)
    import_job = models.ForeignKey(
        "Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("import job")
    )

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("enrollment roster")
        ordering = ["month", "enrollee_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "month", "enrollee_id", "category"], name="roster_entry_unique"
            ),
            models.CheckConstraint(name="roster_cost_non_negative", condition=Q(baseline_cost__gte=0),
                                   violation_error_message=_("The baseline cost cannot be negative.")),
            models.CheckConstraint(name="roster_month_first_day", condition=Q(month__day=1),
                                   violation_error_message=_("A roster month is given by its first day.")),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.enrollee_id} {self.category}"


class RoleUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person and the one role that decides what they see and do."""

    class Role(models.TextChoices):
        BUREAU_STAFF = "bureau_staff", _("bureau staff")
        BUREAU_AUDITOR = "bureau_auditor", _("bureau auditor")
        FINANCE_OFFICER = "finance_officer", _("consortium finance officer")
        PROVINCIAL_REVIEWER = "provincial_reviewer", _("provincial reviewer")
        ADMINISTRATOR = "administrator", _("administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("province")
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("pooling area")
    )
    consortium = models.ForeignKey(
        Consortium, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("consortium")
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = RoleUserManager()

    def get_full_name(self):
        """Family name first, no space: 张财务."""
        return f"{self.last_name}{self.first_name}".strip()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Each role is bound to exactly the place it works for, so scoping never guesses.
            models.CheckConstraint(
                name="user_role_binding",
                condition=(
                    Q(role="finance_officer", consortium__isnull=False, county__isnull=True, province__isnull=True)
                    | Q(role__in=["bureau_staff", "bureau_auditor"], county__isnull=False, consortium__isnull=True, province__isnull=True)
                    | Q(role="provincial_reviewer", province__isnull=False, county__isnull=True, consortium__isnull=True)
                    | Q(role="administrator", province__isnull=True, county__isnull=True, consortium__isnull=True)
                ),
                violation_error_message=_(
                    "A finance officer belongs to one consortium, bureau staff and auditors to one "
                    "pooling area, a provincial reviewer to one province; an administrator to none."
                ),
            ),
        ]


class Work(models.Model):
    """What every long piece of work (an import, an export, a money run) shows its users and how
    it lives: queued, running, then succeeded or failed with the reason in Chinese; its last sign
    of life; who may tell that its process died (consortia.services.work). Each kind of work adds
    what it needs to say about itself."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    ENDED = (Status.SUCCEEDED, Status.FAILED)  # what a redelivered task leaves alone
    LOCK_CLASS = 0  # the first half of the advisory lock key held while the work is done
    STALL_LIMIT = datetime.timedelta(minutes=15)  # no sign of life this long: dead (without advisory locks)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    moved_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        abstract = True

    # What each kind of work says about itself to the one lifecycle (consortia.services.work).
    def task_name(self) -> str:
        """The dotted path of the task that does this work."""
        raise NotImplementedError

    def queued_since(self):
        raise NotImplementedError

    def stall_limit(self) -> datetime.timedelta:
        return self.STALL_LIMIT

    def starting_fields(self, now) -> dict:
        """Fields set when a process starts the work."""
        return {}

    def failure_fields(self, reason: str) -> dict:
        """Fields that say why the work failed."""
        return {"errors": [{"row": 0, "column": "", "message": reason}]}


class Job(Work):
    """A long-running job as users see it: who started it, how far it is, what came of it."""

    class Kind(models.TextChoices):
        ROSTER_IMPORT = "roster_import", _("enrollment roster import")
        CLAIMS_IMPORT = "claims_import", _("claims import")
        PROVINCE_EXPORT = "province_export", _("provincial summary workbook")

    class Stage(models.TextChoices):
        READING = "reading", _("reading the file")
        CHECKING = "checking", _("checking the whole file")
        SAVING = "saving", _("checking and saving")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("pooling area")
    )
    consortium = models.ForeignKey(
        Consortium, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("consortium")
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.FileField(_("input file"), upload_to="jobs/%Y/%m/", blank=True)
    input_sha256 = models.CharField(_("input checksum"), max_length=64, blank=True)
    output_file = models.FileField(_("output file"), upload_to="exports/%Y/%m/", blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    LOCK_CLASS = 7300
    # The task that does each kind of job, by name; each app registers its own (apps.py), so a
    # service enqueues a job without importing the tasks that import it.
    TASKS: dict[str, str] = {}
    # How long a job of each kind may go without progress before it is taken for dead (without
    # advisory locks): every kind reports progress at least every few thousand rows.
    STALL_LIMITS = {Kind.CLAIMS_IMPORT: datetime.timedelta(minutes=20),
                    Kind.ROSTER_IMPORT: datetime.timedelta(minutes=10),
                    Kind.PROVINCE_EXPORT: datetime.timedelta(minutes=30)}

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def task_name(self) -> str:
        return self.TASKS[self.kind]

    def queued_since(self):
        return self.created_at

    def stall_limit(self) -> datetime.timedelta:
        return self.STALL_LIMITS.get(self.kind, self.STALL_LIMIT)

    def starting_fields(self, now) -> dict:
        return {"started_at": now, "progress_done": 0}

    @property
    def progress_percent(self):  # not money: a share of rows for a progress bar
        if not self.progress_total:
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return min(100, self.progress_done * 100 // self.progress_total)


class HolidayNotice(models.Model):
    """The State Council's arrangement of one year's public holidays (国务院办公厅关于某年部分节假日
    安排的通知): kept by the administrator as data, since it is published each November for the next
    year. A year without a notice has no known arrangement: working days are then Monday to Friday,
    and deadlines computed from them are provisional (S3)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice_number = models.CharField(_("notice number"), max_length=100, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(name="holiday_notice_year_range", condition=Q(year__gte=2000) & Q(year__lte=2100),
                                   violation_error_message=_("Give a year between 2000 and 2100.")),
        ]

    def source_shown(self) -> str:
        """Where the arrangement came from, in words: the seeded ones name the built-in calendar
        (the chinesecalendar package, with its version) rather than the package."""
        if self.source.startswith("chinesecalendar"):
            version = self.source.removeprefix("chinesecalendar").strip()
            return _("built-in State Council calendar %(version)s") % {"version": version}
        return self.source

    def __str__(self):
        return f"{self.year} {self.notice_number}".strip()


class HolidayDay(models.Model):
    """One day of a year's arrangement: a day off (holiday) or a weekend day worked (make-up)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("day off")
        WORKDAY = "workday", _("make-up working day")

    notice = models.ForeignKey(HolidayNotice, on_delete=models.CASCADE, related_name="days",
                               verbose_name=_("holiday arrangement"))
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("holiday"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday arrangement day")
        verbose_name_plural = _("holiday arrangement days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class Decision(models.Model):
    """One step of an approval trail (审批记录): who submitted, approved or sent back (退回) which
    budget, clearing, evaluation or payment order, when, and with what opinion (审批意见). The trail
    only grows: the database refuses to change a step (migration 0016)."""

    class Step(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        SENT_BACK = "sent_back", _("sent back")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    opinion = models.TextField(_("opinion"), blank=True, max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="decision_object_idx")]
        constraints = [
            models.CheckConstraint(
                name="decision_send_back_says_why", condition=~Q(step="sent_back") | ~Q(opinion=""),
                violation_error_message=_("Say why it is sent back (the opinion is required).")),
        ]

    def __str__(self):
        return f"{self.get_step_display()} {self.by.get_full_name() if self.by else ''}".strip()


class Schedule(PeriodicTask):
    """A job of the beat's schedule as the administrator reads it (consortia.admin_schedules): by
    its Chinese name, not django-celery-beat's "name: 0 2 15 1 * (m/h/dM/MY/d) Asia/Shanghai"."""

    # Each scheduled task by the name the bureau knows it by.
    NAMES = {
        "budgets.tasks.prepayment_month_end": _("month-end prepayment"),
        "budgets.tasks.prepayment_quarter_start": _("quarter-start prepayment"),
        "budgets.tasks.clearing_year_end": _("year-end clearing"),
        "consortia.tasks.jobs_sweep": _("round over long jobs that stopped moving"),
        "claims.tasks.orphans_check": _("check that every claim's institution, consortium and county exist"),
    }

    class Meta:
        proxy = True
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return str(self.NAMES.get(self.task) or self.name)
