"""Reads of the registry, always through the reader's scope.

Scoping is done here, in querysets, so that pages, the API, the admin and exports show a finance
officer only their consortium and anyone else only their pooling area or province.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, QuerySet

from .models import (
    AgreementParameters,
    City,
    Consortium,
    County,
    Institution,
    Job,
    Province,
    RosterEntry,
    ServiceAgreement,
    User,
)

LEVELS = ("consortium", "county", "city", "province")  # most specific first

# For each model, the lookup from it to the id of its consortium, county, city and province.
# Apps that come later register their models with `register_scope`.
SCOPE_PATHS: dict[type[Model], dict[str, str]] = {}


def register_scope(model: type[Model], **paths: str) -> None:
    unknown = set(paths) - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown scope levels {unknown}")
    SCOPE_PATHS[model] = paths


register_scope(Province, province="pk")
register_scope(City, city="pk", province="province_id")
register_scope(County, county="pk", city="city_id", province="city__province_id")
register_scope(
    Consortium, consortium="pk", county="county_id", city="county__city_id",
    province="county__city__province_id",
)
register_scope(
    Institution, consortium="consortium_id", county="county_id", city="county__city_id",
    province="county__city__province_id",
)
register_scope(
    ServiceAgreement, consortium="consortium_id", county="consortium__county_id",
    city="consortium__county__city_id", province="consortium__county__city__province_id",
)
for _model in (AgreementParameters, RosterEntry):
    register_scope(
        _model, consortium="agreement__consortium_id", county="agreement__consortium__county_id",
        city="agreement__consortium__county__city_id",
        province="agreement__consortium__county__city__province_id",
    )
register_scope(
    Job, consortium="consortium_id", county="county_id", city="county__city_id",
    province="county__city__province_id",
)


# Who reads an insured person's id in full (人员编号、身份证号): the bureau's own staff, who audit
# claims and rosters. Everyone else sees it masked, and may not filter or search by it.
FULL_ID_ROLES = {User.Role.BUREAU_STAFF, User.Role.ADMINISTRATOR}


def sees_full_ids(user) -> bool:
    return bool(user.is_superuser or user.role in FULL_ID_ROLES)


def person_id_shown(user, person_id: str) -> str:
    if sees_full_ids(user):
        return person_id
    if len(person_id) <= 4:
        return "*" * len(person_id)
    return person_id[:2] + "*" * (len(person_id) - 4) + person_id[-2:]


def user_binding(user: User) -> dict[str, int]:
    """The ids of the places the user is bound to, from their own level upward."""
    if user.role == User.Role.FINANCE_OFFICER and user.consortium_id:
        consortium = user.consortium
        county = consortium.county
        return {
            "consortium": consortium.pk,
            "county": county.pk,
            "city": county.city_id,
            "province": county.city.province_id,
        }
    if user.role in (User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR) and user.county_id:
        county = user.county
        return {"county": county.pk, "city": county.city_id, "province": county.city.province_id}
    if user.role == User.Role.PROVINCIAL_REVIEWER and user.province_id:
        return {"province": user.province_id}
    return {}


def sees_everything(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role == User.Role.ADMINISTRATOR)
    )


def scope_queryset(user, queryset: QuerySet) -> QuerySet:
    """`queryset` cut down to what `user` may see; nothing for an unknown model or user."""
    if sees_everything(user):
        return queryset
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if queryset.model is User:
        return queryset.filter(pk=user.pk)
    paths = SCOPE_PATHS.get(queryset.model)
    binding = user_binding(user)
    if not paths or not binding:
        return queryset.none()
    for level in LEVELS:
        if level in binding and level in paths:
            return queryset.filter(**{paths[level]: binding[level]})
    return queryset.none()


def jobs_visible(user, queryset: QuerySet) -> QuerySet:
    """Jobs of the user's scope, and those the user started (a province-wide export has no county)."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    return scope_queryset(user, queryset) | queryset.filter(created_by=user)


def object_in_scope(user, obj: Model) -> bool:
    return scope_queryset(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def agreement_parameters_for(*, agreement: ServiceAgreement, period: datetime.date) -> AgreementParameters:
    """The parameter version in force in the month containing `period`."""
    month = period.replace(day=1)
    # From all() so that a caller that prefetched the versions asks the database nothing.
    versions = sorted(agreement.parameter_versions.all(), key=lambda v: v.effective_from)
    in_force = [v for v in versions if v.effective_from <= month]
    return in_force[-1] if in_force else (versions[0] if versions else None)


def agreement_current_parameters(*, agreement: ServiceAgreement) -> AgreementParameters:
    return agreement.parameter_versions.order_by("-version").first()


def consortium_members(consortium: Consortium) -> list[Institution]:
    """A consortium's members, lead hospital first, then by tier (M5) and code."""
    from payrules.parameters import TIERS

    return sorted(consortium.members.all(), key=lambda m: (TIERS.index(m.tier), m.code))
