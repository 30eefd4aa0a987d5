"""Spot checks (J7) and the lead hospital's own audit recoveries (S10), recorded for the clearing."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consortia.permissions import can_write

from payrules import InputError
from payrules.rules import spot_check_refusal

from .models import AuditRecovery, Claim, SpotCheck


def _may_record(user, scope) -> None:
    """Bureau staff of the county (and the administrator) record checks and audits, which the
    clearing takes as money (J7, S10); no user is the system itself."""
    if user is not None and not can_write(user, Claim, scope):
        raise ValidationError(_("Bureau staff of the county record spot checks and own audits."))


@transaction.atomic
def spot_check_record(*, institution, year: int, violation_amount: Decimal, sample_ratio: Decimal, note: str,
                      user) -> SpotCheck:
    from consortia.problems import problem_list

    _may_record(user, institution)
    try:
        refused = spot_check_refusal(violation_amount, sample_ratio)  # J7
    except InputError as error:
        raise ValidationError([row["message"] for row in problem_list(error)]) from None
    check = SpotCheck(county=institution.county, institution=institution, year=year, note=note,
                      violation_amount=violation_amount, sample_ratio=sample_ratio, refused=refused,
                      recorded_by=user)
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def audit_recovery_record(*, consortium, year: int, recovered: Decimal, own_penalty: Decimal, description: str,
                          user) -> AuditRecovery:
    """S10: what the lead hospital's own audits recovered and the penalty for its own violations,
    kept as two amounts (the clearing makes two orders and never nets them)."""
    _may_record(user, consortium)
    recovery = AuditRecovery(consortium=consortium, year=year, recovered=recovered, own_penalty=own_penalty,
                             description=description, recorded_by=user)
    recovery.full_clean()
    recovery.save()
    return recovery
