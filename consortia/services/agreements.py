"""Service agreements and their versioned parameters."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy as _

from payrules import SCHEMES, ParameterError, Problem, gettext_noop

from ..models import DEFAULT_INSURANCE_TYPE, AgreementParameters, Consortium, ServiceAgreement, User


def parameter_errors(error: ParameterError) -> dict[str, list[str]]:
    """The engine's problems as form errors keyed by parameter name, in the active language. The
    error sits beside its field, so it names the parameter in words only: 预付比例必须在 0 到 1 之间,
    not 预付比例（advance_rate）… (a scenario file's problems keep the name, to find it in the file)."""
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        text = problem.render(gettext)
        name = problem.params.get("field")
        if name:
            text = text.replace(f"（{name}）", "").replace(f" ({name})", "")
        found.setdefault(problem.field.split(".")[0], []).append(text)
    return found


def parameters_validate(*, scheme: str, values: dict | None) -> dict:
    try:
        if scheme not in SCHEMES:
            raise ParameterError([Problem("scheme", gettext_noop("Unknown payment scheme %(scheme)s."),
                                          {"scheme": scheme})])
        return SCHEMES[scheme].validate(values)
    except ParameterError as error:
        raise ValidationError(parameter_errors(error)) from None


def _month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


@transaction.atomic
def agreement_create(
    *,
    consortium: Consortium,
    year: int,
    scheme: str,
    user: User | None,
    signed_date: datetime.date | None = None,
    parameters: dict | None = None,
    insurance_type: str = DEFAULT_INSURANCE_TYPE,
) -> ServiceAgreement:
    """A draft agreement with its first parameter version (the defaults of docs/rules.md overlaid with
    `parameters`), in force from 1 January of the year, covering the claims of `insurance_type`."""
    values = parameters_validate(scheme=scheme, values=parameters)
    agreement = ServiceAgreement(
        consortium=consortium, year=year, scheme=scheme, signed_date=signed_date, created_by=user,
        insurance_type=insurance_type,
    )
    agreement.full_clean()
    agreement.save()
    version = AgreementParameters(
        agreement=agreement,
        version=1,
        effective_from=datetime.date(year, 1, 1),
        values=values,
        created_by=user,
    )
    version.full_clean()
    version.save()
    return agreement


def _locked(agreement: ServiceAgreement) -> ServiceAgreement:
    """The agreement row, locked for the rest of the transaction, so two clerks' changes queue."""
    return ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)


@transaction.atomic
def agreement_update(
    *,
    agreement: ServiceAgreement,
    user: User | None,
    scheme: str | None = None,
    signed_date: datetime.date | None = None,
    insurance_type: str | None = None,
) -> ServiceAgreement:
    """Scheme, insurance type and signing date of a draft. A new scheme starts again from its defaults."""
    agreement = _locked(agreement)
    if agreement.status != ServiceAgreement.Status.DRAFT:
        raise ValidationError(_("Only a draft agreement can change its scheme or signing date."))
    if signed_date is not None:
        agreement.signed_date = signed_date
    if insurance_type is not None:
        agreement.insurance_type = insurance_type
    if scheme is not None and scheme != agreement.scheme:
        agreement.scheme = scheme
        version = agreement.parameter_versions.get(version=1)
        version.values = parameters_validate(scheme=scheme, values=None)
        version.full_clean()
        version.save()
    agreement.full_clean()
    agreement.save()
    return agreement


@transaction.atomic
def agreement_parameters_change(
    *,
    agreement: ServiceAgreement,
    values: dict,
    user: User | None,
    effective_from: datetime.date | None = None,
    reason: str = "",
) -> AgreementParameters:
    """Change the parameters. A draft's single version is edited; an active agreement gets a new
    version in force from `effective_from`, after every period already paid, so money paid
    under the old values keeps them."""
    agreement = _locked(agreement)
    cleaned = parameters_validate(scheme=agreement.scheme, values=values)
    if agreement.status == ServiceAgreement.Status.CLOSED:
        raise ValidationError(_("A closed agreement's parameters cannot change."))
    if agreement.status == ServiceAgreement.Status.DRAFT:
        version = agreement.parameter_versions.get(version=1)
        version.values = cleaned
        version.reason = reason
        version.full_clean()
        version.save()
        return version

    errors: dict[str, list] = {}
    latest = agreement.parameter_versions.order_by("-version").first()
    if not reason.strip():
        errors["reason"] = [_("Give the reason for changing the parameters of an active agreement.")]
    if effective_from is None:
        errors["effective_from"] = [_("Say from which month the new parameters apply.")]
    else:
        effective_from = _month_start(effective_from)
        if effective_from.year != agreement.year:
            errors["effective_from"] = [
                _("The new parameters must apply from a month of %(year)s.") % {"year": agreement.year}
            ]
        elif effective_from <= latest.effective_from:
            errors["effective_from"] = [
                _("The new parameters must apply from a month after %(month)s, when version %(version)s began.")
                % {"month": latest.effective_from.strftime("%Y-%m"), "version": latest.version}
            ]
        elif agreement.paid_through and effective_from <= _month_start(agreement.paid_through):
            errors["effective_from"] = [
                _("Money has been paid up to %(month)s under the current parameters; the change can apply from the month after.")
                % {"month": agreement.paid_through.strftime("%Y-%m")}
            ]
    if errors:
        raise ValidationError(errors)
    if cleaned == latest.values:
        raise ValidationError(_("The new parameters are the same as the current ones."))
    version = AgreementParameters(
        agreement=agreement,
        version=latest.version + 1,
        effective_from=effective_from,
        values=cleaned,
        reason=reason.strip(),
        created_by=user,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def agreement_activate(*, agreement: ServiceAgreement, user: User | None) -> ServiceAgreement:
    agreement = _locked(agreement)
    if agreement.status != ServiceAgreement.Status.DRAFT:
        raise ValidationError(_("Only a draft agreement can be activated."))
    if agreement.signed_date is None:
        raise ValidationError({"signed_date": [_("Enter the date the agreement was signed before activating it.")]})
    if agreement.consortium.lead_hospital is None:
        raise ValidationError(_("The consortium has no lead hospital; register one before activating its agreement."))
    agreement.status = ServiceAgreement.Status.ACTIVE
    agreement.full_clean()
    agreement.save()
    return agreement


@transaction.atomic
def agreement_close(*, agreement: ServiceAgreement, user: User | None) -> ServiceAgreement:
    agreement = _locked(agreement)
    if agreement.status != ServiceAgreement.Status.ACTIVE:
        raise ValidationError(_("Only an active agreement can be closed."))
    agreement.status = ServiceAgreement.Status.CLOSED
    agreement.save()
    return agreement


@transaction.atomic
def agreement_mark_paid_through(*, agreement: ServiceAgreement, period: datetime.date) -> ServiceAgreement:
    """Called by the fund cycle when a period's money goes out; never moves backwards."""
    agreement = _locked(agreement)
    period = _month_start(period)
    if agreement.paid_through is None or period > agreement.paid_through:
        agreement.paid_through = period
        agreement.save(update_fields=["paid_through"])
    return agreement
