"""The fund cycle: the annual budget, the year's actuals, prepayment runs, payment orders, the
double-entry ledger of the co-managed account and the members, and the year-end clearing.

What must never happen is refused by the database: a second order for the same business key,
maker = checker, an edit to a paid order or a posted entry, an unbalanced entry (PostgreSQL)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortia.models import Institution, ServiceAgreement, Work

MONEY = {"max_digits": 18, "decimal_places": 2}
CO_MANAGED_PAYEE = "CO-MANAGED"  # payee code of a consortium's co-managed account (S2, S11)
USER = settings.AUTH_USER_MODEL
# S11: the orders that move money out of a co-managed account (to a member, or back to the bureau
# as a negative order to the account) and so need the finance officer's signature too.
NEEDS_CO_SIGNATURE = Q(channel="co_managed") | Q(payee_code=CO_MANAGED_PAYEE, amount__lt=0)


def two_people(name: str, one: str, other: str, message=None) -> models.CheckConstraint:
    """The two signatures `one` and `other`, where both are given, are two different people."""
    extra = {"violation_error_message": message} if message else {}
    return models.CheckConstraint(
        name=name, condition=Q(**{f"{one}__isnull": True}) | Q(**{f"{other}__isnull": True}) | ~Q(**{one: F(other)}),
        **extra)


class AnnualBudget(models.Model):
    """One version of an agreement's budget for its year: the fund inputs its scheme needs and
    the members' figures, with what the engine derived from them (package, schedule, member
    budgets) and its trace. A locked budget changes only through a new version with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        LOCKED = "locked", _("locked")

    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.PROTECT, related_name="budgets",
                                  verbose_name=_("service agreement"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    fund = models.JSONField(_("fund inputs"), default=dict, blank=True)
    members = models.JSONField(_("member inputs"), default=list, blank=True)
    computed = models.JSONField(_("computed package"), default=dict, blank=True)
    reason = models.CharField(_("reason for the new version"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual budget")
        verbose_name_plural = _("annual budgets")
        ordering = ["agreement", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version"], name="budget_version_unique"),
            two_people("budget_approver_is_not_creator", "approved_by", "created_by",
                       _("A budget is approved by someone other than its author.")),
            models.CheckConstraint(
                name="budget_approved_has_approver",
                condition=Q(status__in=["draft", "submitted"]) | Q(approved_by__isnull=False),
                violation_error_message=_("An approved budget names who approved it.")
            ),
            models.CheckConstraint(
                name="budget_new_version_has_reason", condition=Q(version=1) | ~Q(reason=""),
                violation_error_message=_("A new version of a budget gives its reason."),
            ),
        ]

    def __str__(self):
        return _("%(agreement)s budget, version %(version)s") % {"agreement": self.agreement, "version": self.version}


class YearActuals(models.Model):
    """The year's actual expenditure and evaluation score as the clearing reads them, entered by
    the bureau until the claims import supplies them."""

    agreement = models.OneToOneField(ServiceAgreement, on_delete=models.PROTECT, related_name="actuals",
                                     verbose_name=_("service agreement"))
    class Source(models.TextChoices):
        ENTERED = "entered", _("entered by the bureau")
        CLAIMS = "claims", _("taken from the imported claims")

    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.ENTERED)
    in_consortium = models.JSONField(_("claims inside the consortium, by member"), default=dict, blank=True)
    out_of_consortium = models.DecimalField(_("claims outside the consortium"), default=0, **MONEY)
    enrollee_expenditure = models.DecimalField(_("enrollees' expenditure (capitation)"), null=True, blank=True,
                                               **MONEY)
    evaluation_score = models.DecimalField(_("evaluation score"), max_digits=5, decimal_places=2, null=True,
                                           blank=True)
    member_scores = models.JSONField(_("member scores"), default=dict, blank=True)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("entered by"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("actuals of the year")
        verbose_name_plural = _("actuals of the year")
        constraints = [
            models.CheckConstraint(name="actuals_outside_non_negative", condition=Q(out_of_consortium__gte=0),
                                   violation_error_message=_("Claims outside the consortium cannot be negative.")),
            models.CheckConstraint(name="actuals_score_range",
                                   condition=Q(evaluation_score__isnull=True)
                                   | (Q(evaluation_score__gte=0) & Q(evaluation_score__lte=100)),
                                   violation_error_message=_("The evaluation score lies between 0 and 100.")),
        ]

    def __str__(self):
        return str(self.agreement)


class MoneyRun(Work):
    """What a run of a money job shows its users: who started it (nobody for the beat schedule),
    on which county (none: every county), how far it got and how it ended. It lives as every long
    piece of work does (consortia.services.work): a run whose process died is found out and
    marked failed with when and why."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("schedule")
        MANUAL = "manual", _("manual")
        COMMAND = "command", _("command line")

    ENDED = (Work.Status.SUCCEEDED,)  # a failed run may be done again by its task
    TASK = ""

    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("user"))
    county = models.ForeignKey("consortia.County", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("pooling area"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    reason = models.CharField(_("why it failed"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["-started_at"]

    def task_name(self) -> str:
        return self.TASK

    def queued_since(self):
        return self.started_at

    def starting_fields(self, now) -> dict:
        return {"reason": ""}

    def failure_fields(self, reason: str) -> dict:
        return {"reason": reason[:500]}


class PrepaymentRun(MoneyRun):
    """One run of the month-end or quarter-start prepayment, as users see it."""

    LOCK_CLASS = 7301
    TASK = "budgets.tasks.prepayment_run_execute"

    period = models.CharField(_("period"), max_length=7)
    orders_created = models.PositiveIntegerField(_("orders created"), default=0)
    orders_existing = models.PositiveIntegerField(_("orders already there"), default=0)

    class Meta(MoneyRun.Meta):
        verbose_name = _("prepayment run")
        verbose_name_plural = _("prepayment runs")

    def __str__(self):
        return f"{self.period} #{self.pk}"


class ClearingRun(MoneyRun):
    """One run of the year-end clearing: every agreement of a year, or one, with each one's
    clearing or the reason it has none."""

    LOCK_CLASS = 7302
    TASK = "budgets.tasks.clearing_run_execute"

    year = models.PositiveSmallIntegerField(_("year"))
    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="clearing_runs", verbose_name=_("service agreement"))
    total = models.PositiveIntegerField(_("agreements to clear"), default=0)
    done = models.PositiveIntegerField(_("agreements done"), default=0)
    results = models.JSONField(_("results"), default=list, blank=True)

    class Meta(MoneyRun.Meta):
        verbose_name = _("clearing run")
        verbose_name_plural = _("clearing runs")

    def __str__(self):
        return f"{self.year} #{self.pk}"


class PaymentOrder(models.Model):
    """An instruction to move money, signed before it is paid. Never edited once paid or voided;
    a mistake is corrected by a reversing order."""

    class Kind(models.TextChoices):
        PREPAYMENT = "prepayment", _("prepayment")
        WORKING_CAPITAL = "working_capital", _("working capital")
        EXTRA_WORKING_CAPITAL = "extra_working_capital", _("extra working capital")
        DISBURSEMENT = "disbursement", _("disbursement to a member")
        FINAL_PAYMENT = "final_payment", _("final payment")
        AUDIT_RECOVERY = "audit_recovery", _("audit recoveries credited (S10)")
        PENALTY = "penalty", _("penalty charged (S10)")
        FAMILY_DOCTOR_FEE = "family_doctor_fee", _("family-doctor fee (T4)")
        REVERSAL = "reversal", _("reversal")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        PAID = "paid", _("paid")
        VOIDED = "voided", _("voided")

    class Channel(models.TextChoices):
        BUREAU = "bureau", _("from the bureau's fund")
        CO_MANAGED = "co_managed", _("from the co-managed account")

    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.PROTECT, related_name="payment_orders",
                                  verbose_name=_("service agreement"))
    period = models.CharField(_("period"), max_length=7)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("paid"), max_length=12, choices=Channel.choices, default=Channel.BUREAU)
    payee_code = models.CharField(_("payee code"), max_length=40)
    payee_name = models.CharField(_("payee"), max_length=200)
    member = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("member"))
    amount = models.DecimalField(_("amount"), **MONEY)
    trace = models.JSONField(_("rule trace"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    budget = models.ForeignKey(AnnualBudget, on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
                               verbose_name=_("budget version"))
    clearing = models.ForeignKey("Clearing", on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
                                 verbose_name=_("clearing"))
    run = models.ForeignKey(PrepaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
                            verbose_name=_("prepayment run"))
    funded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="disbursements",
                                  verbose_name=_("passes on"))
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by", verbose_name=_("reverses"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by (bureau auditor)"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    co_signed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("co-signed by (consortium finance officer)"))
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by (for an order nobody made)"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    paid_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("payment recorded by"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    voided_reason = models.CharField(_("reason for voiding"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        ordering = ["agreement", "period", "kind", "payee_code"]
        constraints = [
            # The business key: a repeated, concurrent or redelivered run creates nothing new.
            models.UniqueConstraint(fields=["agreement", "period", "kind", "payee_code"],
                                    condition=~Q(kind="reversal"), name="payment_order_business_key"),
            two_people("payment_order_maker_is_not_checker", "approved_by", "created_by",
                       _("An order is approved by someone other than the person who made it.")),
            two_people("payment_order_signers_differ", "approved_by", "co_signed_by",
                       message=_("The finance officer's co-signature and the bureau auditor's approval are two "
                                 "different people.")),
            models.CheckConstraint(name="payment_order_amount_not_zero", condition=~Q(amount=0),
                                   violation_error_message=_("A payment order moves an amount other than zero.")),
            models.CheckConstraint(
                name="payment_order_signed_before_paid",
                condition=Q(status__in=["pending", "voided"]) | Q(approved_by__isnull=False),
                violation_error_message=_("An order is approved before it is paid.")
            ),
            models.CheckConstraint(
                # S11: every payment out of the co-managed account, to a member or back to the
                # bureau (a negative order to the account), carries both signatures.
                name="payment_order_co_managed_needs_two_signatures",
                condition=~NEEDS_CO_SIGNATURE | Q(status__in=["pending", "voided"]) | Q(co_signed_by__isnull=False),
                violation_error_message=_("A payment from the co-managed account needs the approval of a "
                                          "lead-hospital finance officer and of a bureau auditor."),
            ),
            models.CheckConstraint(
                # An order nobody made (the beat schedule's) is reviewed by the bureau before it is signed.
                name="payment_order_unmade_is_reviewed",
                condition=Q(status__in=["pending", "voided"]) | Q(created_by__isnull=False)
                | Q(reviewed_by__isnull=False),
                violation_error_message=_("An order made by the schedule is reviewed by bureau staff before an "
                                          "auditor approves it."),
            ),
            two_people("payment_order_reviewer_is_not_approver", "approved_by", "reviewed_by",
                       _("An order is approved by someone other than the person who reviewed it.")),
            two_people("payment_order_payer_is_not_approver", "approved_by", "paid_by",
                       _("The person who approved an order does not record its payment.")),
            models.CheckConstraint(
                name="payment_order_paid_has_reference",
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(bank_reference="")),
                violation_error_message=_("A paid order has its payment date and the bank's reference.")
            ),
            models.CheckConstraint(name="payment_order_void_has_reason",
                                   condition=~Q(status="voided") | ~Q(voided_reason=""),
                                   violation_error_message=_("Give the reason for voiding the order.")),
            models.CheckConstraint(name="payment_order_reversal_links",
                                   condition=Q(kind="reversal", reverses__isnull=False)
                                   | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                                   violation_error_message=_("A reversal names the order it reverses, and only a "
                                                             "reversal does.")),
        ]

    def __str__(self):
        from consortia.templatetags.money import period, yuan

        return f"{self.get_kind_display()} {period(self.period)} {self.payee_name} {yuan(self.amount)}"

    @property
    def needs_co_signature(self) -> bool:
        """S11: money out of the co-managed account (to a member, or back to the bureau as a
        negative order to the account) needs the finance officer's signature beside the auditor's."""
        return self.channel == self.Channel.CO_MANAGED or (self.payee_code == CO_MANAGED_PAYEE and self.amount < 0)


class LedgerAccount(models.Model):
    """An account of the double-entry ledger: the bureau's fund, a consortium's co-managed account,
    the lead hospital (where the scheme pays it directly), or a member."""

    class Kind(models.TextChoices):
        BUREAU_FUND = "bureau_fund", _("bureau fund")
        CO_MANAGED = "co_managed", _("co-managed account")
        MEMBER = "member", _("member")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    consortium = models.ForeignKey("consortia.Consortium", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("consortium"))
    member = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("member"))

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "consortium"], condition=Q(member__isnull=True),
                                    name="ledger_account_unique"),
            models.UniqueConstraint(fields=["kind", "consortium", "member"], condition=Q(member__isnull=False),
                                    name="ledger_member_account_unique"),
            models.CheckConstraint(name="ledger_member_account_names_member",
                                   condition=Q(kind="member", member__isnull=False)
                                   | (~Q(kind="member") & Q(member__isnull=True)),
                                   violation_error_message=_("A member's account names the member; no other account "
                                                             "does.")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.member.name if self.member else self.consortium.name}"


class JournalEntry(models.Model):
    """A posted movement of money: its lines sum to zero and are never changed."""

    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, related_name="entry",
                                 verbose_name=_("payment order"))
    posted_on = models.DateField(_("posted on"))
    memo = models.CharField(_("memo"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["posted_on", "pk"]

    def __str__(self):
        return f"{self.posted_on} {self.memo}"


class Posting(models.Model):
    """One line of an entry: positive debits the account (money arrives), negative credits it."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings",
                              verbose_name=_("journal entry"))
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings",
                                verbose_name=_("account"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [models.CheckConstraint(
            name="posting_not_zero", condition=~Q(amount=0),
            violation_error_message=_("A ledger posting moves an amount other than zero."))]


class Clearing(models.Model):
    """A year-end clearing as computed from a snapshot of its inputs. The same inputs give the same
    row; changed inputs give a new one, so a change is visible; one is approved, by a second person."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("computed")
        APPROVED = "approved", _("approved")

    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.PROTECT, related_name="clearings",
                                  verbose_name=_("service agreement"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COMPUTED)
    inputs = models.JSONField(_("inputs snapshot"))
    inputs_hash = models.CharField(_("inputs hash"), max_length=64)
    result = models.JSONField(_("result"))
    computed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("computed by"))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("year-end clearing")
        verbose_name_plural = _("year-end clearings")
        ordering = ["agreement", "-computed_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "inputs_hash"], name="clearing_inputs_unique"),
            models.UniqueConstraint(fields=["agreement"], condition=Q(status="approved"),
                                    name="one_approved_clearing_per_agreement"),
            two_people("clearing_approver_is_not_computer", "approved_by", "computed_by",
                       _("A clearing is approved by someone other than the person who ran it.")),
            models.CheckConstraint(name="clearing_approved_has_approver",
                                   condition=~Q(status="approved") | Q(approved_by__isnull=False),
                                   violation_error_message=_("An approved clearing names who approved it.")),
        ]

    def __str__(self):
        return f"{self.agreement} {self.inputs_hash[:8]}"
