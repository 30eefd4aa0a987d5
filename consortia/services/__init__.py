"""Writes to the registry. Each service checks the state it acts on and raises a ValidationError
in the clerk's language otherwise, so a repeated or out-of-turn call changes nothing."""

from .agreements import (  # noqa: F401
    agreement_activate,
    agreement_close,
    agreement_create,
    agreement_mark_paid_through,
    agreement_parameters_change,
    agreement_update,
    parameter_errors,
    parameters_validate,
)
from .holidays import holiday_lines_parse, holiday_notice_save  # noqa: F401
from .jobs import job_create  # noqa: F401
from .records import registry_record_save  # noqa: F401
from .roster import roster_import_enqueue, roster_import_run  # noqa: F401
from .users import user_apply_role, user_create  # noqa: F401
from .work import (  # noqa: F401
    work_checked,
    work_enqueue,
    work_execute,
    work_fail,
    work_finish,
    work_progress,
    work_sweep,
)
