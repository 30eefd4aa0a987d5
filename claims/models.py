"""Claims of a county's insured as the settlement system exports them, classified against the
registry (G3): inside the consortium (which member), in the county outside it, in the city, or
outside the city. Personal ids are health data: shown masked to all but the roles that need them."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from consortia.models import DEFAULT_INSURANCE_TYPE, Consortium, County, Institution, InsuranceType, Job

MONEY = {"max_digits": 18, "decimal_places": 2}


class Claim(models.Model):
    class VisitType(models.TextChoices):
        INPATIENT = "inpatient", _("inpatient")
        OUTPATIENT = "outpatient", _("outpatient")
        CHRONIC = "chronic", _("chronic or special outpatient")

    class Referral(models.TextChoices):
        NONE = "", _("no referral")
        UP = "up", _("referred up")
        DOWN = "down", _("referred down")
        OUT_OF_COUNTY = "out_of_county", _("referred out of the county")
        OUT_OF_CITY = "out_of_city", _("referred out of the city")

    # No foreign-key constraints in the database (db_constraint=False): the import moves only rows
    # joined to the registry, so a row-level check at commit would prove again what the join proved
    # (it cost 39% of the import's time). claims.integrity.orphan_claims proves it instead, in the
    # tests and daily by the beat. Deleting a referenced row through Django is still refused (PROTECT).
    # The composite indexes below lead with county and consortium: no single-column index of their own.
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("insured's county"),
                               db_index=False, db_constraint=False)
    claim_no = models.CharField(_("claim number"), max_length=40)
    visit_id = models.CharField(_("visit id"), max_length=40, blank=True)
    person_id = models.CharField(_("insured person id"), max_length=40)
    insurance_type = models.CharField(_("insurance type"), max_length=3, choices=InsuranceType.choices,
                                      default=DEFAULT_INSURANCE_TYPE)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="claims",
                                    verbose_name=_("institution"), db_constraint=False)
    placement = models.CharField(_("place of care"), max_length=16, choices=Institution.Placement.choices)
    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, null=True, blank=True, related_name="claims",
                                   verbose_name=_("consortium"), db_index=False, db_constraint=False)
    visit_type = models.CharField(_("visit type"), max_length=12, choices=VisitType.choices)
    admitted_on = models.DateField(_("admission or visit date"))
    discharged_on = models.DateField(_("discharge date"), null=True, blank=True)
    diagnosis = models.CharField(_("diagnosis (ICD-10)"), max_length=40, blank=True)
    dip_group = models.CharField(_("DIP group"), max_length=40, blank=True)
    dip_score = models.DecimalField(_("DIP score"), max_digits=12, decimal_places=4, null=True, blank=True)
    total_cost = models.DecimalField(_("total cost"), **MONEY)
    policy_cost = models.DecimalField(_("policy-scope cost"), **MONEY)
    self_pay_full = models.DecimalField(_("full self-pay"), **MONEY)
    co_pay = models.DecimalField(_("personal co-pay"), **MONEY)
    fund_paid = models.DecimalField(_("fund paid"), **MONEY)
    # 基金支付总额 (fund_pay_sumamt): every fund's part (pooled, critical illness, assistance…), what the
    # platform's reconciliation totals add up; absent from files that do not carry it.
    fund_pay_total = models.DecimalField(_("all funds paid"), null=True, blank=True, **MONEY)
    drug_cost = models.DecimalField(_("drug cost"), **MONEY)
    antibiotic_cost = models.DecimalField(_("antibiotic cost"), **MONEY)
    referral_no = models.CharField(_("referral number"), max_length=40, blank=True)
    referral_direction = models.CharField(_("referral direction"), max_length=16, choices=Referral.choices, blank=True)
    settled_on = models.DateField(_("settlement date"))
    import_job = models.ForeignKey(Job, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("import job"), db_constraint=False)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [
            # Settlement date, then id: the list's order, so a page (or an export's chunk) starts
            # at its position in the index and reads its rows only, however large the county.
            models.Index(fields=["county", "settled_on", "id"], name="claim_county_settled"),
            models.Index(fields=["consortium", "settled_on", "id"], name="claim_consortium_settled"),
            # The indicators' one pass over a county's admissions in person order (readmissions,
            # stays, persons): read from this index alone on PostgreSQL, a few percent of the rows.
            models.Index(fields=["county", "person_id", "admitted_on", "id"], name="claim_inpatient_path",
                         include=["discharged_on", "settled_on", "institution", "consortium", "insurance_type"],
                         condition=Q(visit_type="inpatient")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["county", "claim_no"], name="claim_number_unique_in_county"),
            models.CheckConstraint(
                name="claim_amounts_non_negative",
                condition=Q(total_cost__gte=0, policy_cost__gte=0, self_pay_full__gte=0, co_pay__gte=0,
                            fund_paid__gte=0, drug_cost__gte=0, antibiotic_cost__gte=0),
                violation_error_message=_("The amounts of a claim cannot be negative.")
            ),
            models.CheckConstraint(name="claim_all_funds_within_total",
                                   condition=Q(fund_pay_total__isnull=True) | Q(fund_pay_total__gte=F("fund_paid"),
                                                                             fund_pay_total__lte=F("total_cost")),
                                   violation_error_message=_("All funds together pay at least the pooled fund's part "
                                                             "and no more than the total cost.")),
            models.CheckConstraint(name="claim_insurance_type_known",
                                   condition=Q(insurance_type__in=InsuranceType.values),
                                   violation_error_message=_("Choose one of the insurance types offered.")),
            models.CheckConstraint(name="claim_fund_within_total", condition=Q(fund_paid__lte=F("total_cost")),
                                   violation_error_message=_("The fund cannot pay more than the total cost of the "
                                                             "claim.")),
            models.CheckConstraint(name="claim_discharge_after_admission",
                                   condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
                                   violation_error_message=_("Discharge cannot come before admission.")),
            models.CheckConstraint(name="claim_member_iff_inside",
                                   condition=Q(placement="in_consortium", consortium__isnull=False)
                                   | (~Q(placement="in_consortium") & Q(consortium__isnull=True)),
                                   violation_error_message=_("A claim inside the consortium names its member "
                                                             "institution; a claim outside names none.")),
        ]

    def __str__(self):
        return self.claim_no


class ClaimStaging(models.Model):
    """Rows of a file being imported, already parsed and typed, waiting for the checks that need
    the whole file and the database (unknown institution, duplicate claim numbers). Emptied when
    the import ends, whatever the outcome."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    row_no = models.PositiveIntegerField()
    claim_no = models.CharField(max_length=40)
    visit_id = models.CharField(max_length=40, blank=True)
    person_id = models.CharField(max_length=40)
    insurance_type = models.CharField(max_length=3, default=DEFAULT_INSURANCE_TYPE)
    institution_code = models.CharField(max_length=32)
    visit_type = models.CharField(max_length=12)
    admitted_on = models.DateField()
    discharged_on = models.DateField(null=True)
    diagnosis = models.CharField(max_length=40, blank=True)
    dip_group = models.CharField(max_length=40, blank=True)
    dip_score = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    total_cost = models.DecimalField(**MONEY)
    policy_cost = models.DecimalField(**MONEY)
    self_pay_full = models.DecimalField(**MONEY)
    co_pay = models.DecimalField(**MONEY)
    fund_paid = models.DecimalField(**MONEY)
    fund_pay_total = models.DecimalField(null=True, **MONEY)
    drug_cost = models.DecimalField(**MONEY)
    antibiotic_cost = models.DecimalField(**MONEY)
    referral_no = models.CharField(max_length=40, blank=True)
    referral_direction = models.CharField(max_length=16, blank=True)
    settled_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["job", "claim_no"]), models.Index(fields=["job", "institution_code"])]


class RollUp(models.Model):
    """What the monthly and the daily roll-ups share: the key beside the county and the period, and
    the count and amounts that add up import by import."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("institution"))
    placement = models.CharField(_("place of care"), max_length=16, choices=Institution.Placement.choices)
    visit_type = models.CharField(_("visit type"), max_length=12, choices=Claim.VisitType.choices)
    insurance_type = models.CharField(_("insurance type"), max_length=3, choices=InsuranceType.choices,
                                      default=DEFAULT_INSURANCE_TYPE)
    claims = models.PositiveIntegerField(_("claims"))
    total_cost = models.DecimalField(_("total cost"), **MONEY)
    self_pay_full = models.DecimalField(_("full self-pay"), **MONEY)
    co_pay = models.DecimalField(_("personal co-pay"), **MONEY)
    fund_paid = models.DecimalField(_("fund paid"), **MONEY)
    fund_pay_total = models.DecimalField(_("all funds paid"), default=0, **MONEY)
    # How many of the claims carried all funds paid: the reconciliation compares that sum only when all did.
    fund_pay_total_claims = models.PositiveIntegerField(_("claims with all funds paid"), default=0)

    class Meta:
        abstract = True


class ClaimMonthly(RollUp):
    """Monthly roll-up maintained as claims arrive, so pages never scan raw claims. Only counts and
    amounts, which add up import by import; distinct persons do not add up and are counted from the
    claims by the indicators that need them."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", verbose_name=_("pooling area"))
    month = models.DateField(_("month"))
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                   verbose_name=_("consortium"))
    drug_cost = models.DecimalField(_("drug cost"), **MONEY)
    antibiotic_cost = models.DecimalField(_("antibiotic cost"), **MONEY)
    # Counts that add up too, so the indicators read them here instead of scanning the claims.
    antibiotic_claims = models.PositiveIntegerField(_("claims with antibiotics"), default=0)
    referrals_up = models.PositiveIntegerField(_("referrals up"), default=0)
    referrals_down = models.PositiveIntegerField(_("referrals down"), default=0)

    def __str__(self):
        from consortia.templatetags.money import period

        return f"{self.institution} {period(self.month)} {self.get_visit_type_display()}"

    class Meta(RollUp.Meta):
        verbose_name = _("monthly claims roll-up")
        verbose_name_plural = _("monthly claims roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["county", "month", "institution", "visit_type", "insurance_type"],
                                    name="claim_monthly_unique_by_type"),
        ]


class ClaimDaily(RollUp):
    """The day's counterpart of the monthly roll-up, with only what the claims list and the
    reconciliation add up (count and amounts): a period that starts or ends inside a month is
    totalled from these rows, a few per institution and day, never from the claims. Kept as claims
    arrive, in the same transaction as the claims and the monthly roll-ups."""

    # Indexed by the unique key (county first) and by (consortium, day): no single-column indexes.
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", verbose_name=_("pooling area"),
                               db_index=False)
    day = models.DateField(_("settlement date"))
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                   verbose_name=_("consortium"), db_index=False)

    def __str__(self):
        return f"{self.institution} {self.day.isoformat()} {self.get_visit_type_display()}"

    class Meta(RollUp.Meta):
        verbose_name = _("daily claims roll-up")
        verbose_name_plural = _("daily claims roll-ups")
        indexes = [models.Index(fields=["consortium", "day"])]  # a finance officer's scope
        constraints = [
            models.UniqueConstraint(fields=["county", "day", "institution", "visit_type", "insurance_type"],
                                    name="claim_daily_unique_by_type"),
        ]


class DipPeriod(models.Model):
    """The DIP point value of a year for the county's out-of-consortium cases priced by points (G8,
    D1-D3), kept with the inputs it came from."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("pooling area"))
    year = models.PositiveSmallIntegerField(_("year"))
    points_budget = models.DecimalField(_("points budget"), **MONEY)
    basic_groups = models.JSONField(_("basic-level disease groups and their one score"), default=dict, blank=True)
    catalogue = models.ForeignKey("DipCatalogue", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("DIP disease catalogue"))
    cases = models.PositiveIntegerField(_("cases"), default=0)
    total_points = models.DecimalField(_("total points"), max_digits=28, decimal_places=8, default=0)
    point_value = models.DecimalField(_("point value"), max_digits=14, decimal_places=6, null=True, blank=True)
    computed_by = models.ForeignKey("consortia.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("computed by"))
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("DIP point value")
        verbose_name_plural = _("DIP point values")
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="dip_period_unique"),
            models.CheckConstraint(name="dip_budget_non_negative", condition=Q(points_budget__gte=0),
                                   violation_error_message=_("The points budget cannot be negative.")),
        ]

    def __str__(self):
        return f"{self.county} {self.year}"


class BenefitRuleSet(models.Model):
    """A version of a county's benefit rules for a year (B6): in force from its date until the next."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("pooling area"))
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    effective_from = models.DateField(_("effective from"))
    reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("benefit rules")
        verbose_name_plural = _("benefit rules")
        ordering = ["county", "year", "version"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "version"], name="benefit_rules_version_unique"),
            models.CheckConstraint(name="benefit_rules_new_version_reason", condition=Q(version=1) | ~Q(reason=""),
                                   violation_error_message=_("Give the reason for the new version.")),
        ]

    def __str__(self):
        return f"{self.county} {self.year} v{self.version}"


class BenefitRate(models.Model):
    """One line of the rules: for a visit type, an institution level and an area (and whether the
    patient was referred there), the deductible, the fund's rate and its cap."""

    class Area(models.TextChoices):
        COUNTY = "county", _("in the county")
        CITY = "city", _("in the city, outside the county")
        OUTSIDE = "outside", _("outside the city")

    rule_set = models.ForeignKey(BenefitRuleSet, on_delete=models.CASCADE, related_name="rates",
                                 verbose_name=_("benefit rules"))
    visit_type = models.CharField(_("visit type"), max_length=12, choices=Claim.VisitType.choices)
    level = models.CharField(_("level"), max_length=6, choices=Institution.Level.choices)
    area = models.CharField(_("area"), max_length=8, choices=Area.choices)
    referred = models.BooleanField(_("referred"), default=True)
    deductible = models.DecimalField(_("deductible"), **MONEY)
    rate = models.DecimalField(_("fund rate"), max_digits=5, decimal_places=4)
    cap = models.DecimalField(_("cap"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("benefit rate")
        verbose_name_plural = _("benefit rates")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "visit_type", "level", "area", "referred"],
                                    name="benefit_rate_unique"),
            models.CheckConstraint(name="benefit_rate_is_a_share", condition=Q(rate__gte=0) & Q(rate__lte=1),
                                   violation_error_message=_("A reimbursement rate lies between 0 and 1.")),
            models.CheckConstraint(name="benefit_deductible_non_negative", condition=Q(deductible__gte=0),
                                   violation_error_message=_("The deductible cannot be negative.")),
        ]


class SpotCheck(models.Model):
    """A spot check of a member's claims: what the sample found refused, scaled up to the whole
    by the sample ratio (J7). The clearing deducts it from the member's fund-payable actual."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("pooling area"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("institution"))
    year = models.PositiveSmallIntegerField(_("year"))
    violation_amount = models.DecimalField(_("refused in the sample"), **MONEY)
    sample_ratio = models.DecimalField(_("sample ratio"), max_digits=5, decimal_places=4)
    refused = models.DecimalField(_("refused, scaled up"), **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey("consortia.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [
            models.CheckConstraint(name="spot_check_ratio", condition=Q(sample_ratio__gt=0) & Q(sample_ratio__lte=1),
                                   violation_error_message=_("The sample ratio lies above 0 and at most 1.")),
            models.CheckConstraint(name="spot_check_amounts", condition=Q(violation_amount__gte=0) & Q(refused__gte=0),
                                   violation_error_message=_("The violation amount and the refused amount cannot be "
                                                             "negative.")),
        ]


class AuditRecovery(models.Model):
    """What the lead hospital's own audits recovered (credited to the consortium) and the penalty
    for its own violations (charged to it): two amounts, never netted (S10)."""

    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("consortium"))
    year = models.PositiveSmallIntegerField(_("year"))
    recovered = models.DecimalField(_("recovered by its own audits"), **MONEY)
    own_penalty = models.DecimalField(_("penalty for its own violations"), **MONEY)
    description = models.CharField(_("description"), max_length=500)
    recorded_by = models.ForeignKey("consortia.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit recovery")
        verbose_name_plural = _("audit recoveries")
        constraints = [
            models.CheckConstraint(name="audit_amounts_non_negative",
                                   condition=Q(recovered__gte=0) & Q(own_penalty__gte=0),
                                   violation_error_message=_("The recovered amount and the penalty cannot be "
                                                             "negative.")),
        ]


class Reconciliation(models.Model):
    """对账: the national platform's settlement totals by institution, insurance type and period
    (interface 3201), as the bureau uploaded them. Never edited: a corrected file is a new upload,
    and the latest upload of a line's institution, type and period is the one that counts. Compared
    with the imported claims whenever it is shown, so claims imported later are seen."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("pooling area"))
    file_name = models.CharField(_("file"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    uploaded_by = models.ForeignKey("consortia.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reconciliation with the national platform")
        verbose_name_plural = _("reconciliations with the national platform")
        constraints = [
            models.CheckConstraint(name="reconciliation_period_in_order", condition=Q(period_end__gte=F("period_start")),
                                   violation_error_message=_("The period ends before it begins.")),
        ]

    def __str__(self):
        return f"{self.county} {self.period_start:%Y-%m-%d}—{self.period_end:%Y-%m-%d}"


class ReconciliationLine(models.Model):
    """One line of the platform's totals: an institution's claims of one insurance type settled in
    a period, their count, total cost and all funds paid."""

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="lines",
                                       verbose_name=_("reconciliation with the national platform"))
    row_no = models.PositiveIntegerField(_("row"))
    institution_code = models.CharField(_("institution code"), max_length=32)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("institution"))
    insurance_type = models.CharField(_("insurance type"), max_length=3, choices=InsuranceType.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    claims = models.PositiveIntegerField(_("claims"))
    total_cost = models.DecimalField(_("total cost"), **MONEY)
    fund_pay_total = models.DecimalField(_("all funds paid"), **MONEY)

    class Meta:
        verbose_name = _("reconciliation line")
        verbose_name_plural = _("reconciliation lines")
        constraints = [
            models.UniqueConstraint(fields=["reconciliation", "institution_code", "insurance_type", "period_start",
                                            "period_end"], name="reconciliation_line_unique"),
            models.CheckConstraint(name="reconciliation_line_period_in_order",
                                   condition=Q(period_end__gte=F("period_start")),
                                   violation_error_message=_("The period ends before it begins.")),
            models.CheckConstraint(name="reconciliation_line_amounts_non_negative",
                                   condition=Q(total_cost__gte=0, fund_pay_total__gte=0),
                                   violation_error_message=_("The amounts cannot be negative.")),
        ]


class DipCatalogue(models.Model):
    """A version of the DIP disease catalogue (病种目录) of a pooling area: each group's code, the main
    diagnosis and operation that define it, its type and its score. In force from `year` until a
    later version; D1-D3 take a case's score from it. Never edited: a new version is a new upload."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("pooling area"))
    version = models.CharField(_("version"), max_length=40)
    year = models.PositiveSmallIntegerField(_("in force from the year"))
    file_name = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey("consortia.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("DIP disease catalogue")
        verbose_name_plural = _("DIP disease catalogues")
        constraints = [
            models.UniqueConstraint(fields=["county", "version"], name="dip_catalogue_version_unique",
                                    violation_error_message=_("This pooling area already has a catalogue of that "
                                                              "version.")),
        ]

    def __str__(self):
        return f"{self.county} {self.version}"


class DipGroup(models.Model):
    """One disease group of a catalogue: 核心, 综合 or 基层 (basic-level, D3: one score at every level)."""

    class Type(models.TextChoices):
        CORE = "core", _("core disease group")
        COMPREHENSIVE = "comprehensive", _("comprehensive disease group")
        BASIC = "basic", _("basic-level disease group")

    catalogue = models.ForeignKey(DipCatalogue, on_delete=models.CASCADE, related_name="groups",
                                  verbose_name=_("DIP disease catalogue"))
    dip_code = models.CharField(_("DIP group code"), max_length=40)
    diagnosis = models.CharField(_("diagnosis (ICD-10)"), max_length=40)
    operation = models.CharField(_("operation or procedure code"), max_length=40, blank=True)
    type = models.CharField(_("group type"), max_length=16, choices=Type.choices)
    score = models.DecimalField(_("DIP score"), max_digits=12, decimal_places=4)

    class Meta:
        verbose_name = _("DIP disease group")
        verbose_name_plural = _("DIP disease groups")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "dip_code"], name="dip_group_code_unique"),
            models.CheckConstraint(name="dip_group_score_positive", condition=Q(score__gt=0),
                                   violation_error_message=_("A group's score is above 0.")),
        ]
