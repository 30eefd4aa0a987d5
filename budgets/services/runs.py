"""Who starts a money run and which runs each user sees. A run lives as every long piece of work
does (consortia.services.work): done by one process at a time, showing signs of life, ending as
succeeded or failed with a reason in Chinese; one whose process died is found out the next time
anyone looks and marked failed, with when and why."""

from __future__ import annotations

from consortia.models import User
from consortia.selectors import sees_everything
from consortia.services.work import work_checked

from ..models import MoneyRun, PrepaymentRun
from ..selectors import run_lines_in_scope, runs_visible


def may_run(user) -> bool:
    """Who starts a money run: bureau staff (their county) and the administrator (every county)."""
    return bool(user.is_authenticated and user.is_active
                and (sees_everything(user) or (user.role == User.Role.BUREAU_STAFF and user.county_id)))


def run_county(user):
    """The county a run started by `user` belongs to: their own, or none (every county) for the
    administrator and the schedule."""
    return user.county if user is not None and not sees_everything(user) else None


def runs_seen(*, user, model=PrepaymentRun, limit: int | None = None, **filters) -> list[MoneyRun]:
    """The latest runs the user may see, as they really are (one whose process died is marked
    failed now), each with only the lines about agreements in the user's scope."""
    runs = runs_visible(user=user, queryset=model.objects.filter(**filters).select_related("started_by", "county")
                        .order_by("-started_at", "-pk"))
    runs = work_checked(runs[:limit] if limit else runs)
    for run in runs:
        run_lines_in_scope(user=user, run=run)
    return runs
