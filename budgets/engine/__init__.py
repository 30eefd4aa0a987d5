"""The money engine: the payment rules of docs/rules.md as pure Python (no Django), one module per
scheme over `money.py`. Inputs in, Decimal results with their rule trace out; the month-end job,
the clearing, the feasibility study and the tests all call the same functions."""

from .core import InputError, Member, Result, Step, Trace  # noqa: F401
from .scenario import SCHEMES, loads, run_scenario  # noqa: F401
