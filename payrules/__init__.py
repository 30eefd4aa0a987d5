"""The payment rules (docs/rules.md) as pure Python, no Django: the money arithmetic, the scenario
reader, the problem wording, and one module per payment scheme, each building one `Scheme` that
owns everything about it. Inputs in, Decimal results with their rule trace out; the month-end job,
the clearing, the feasibility study and the tests all call the same functions."""

from .core import InputError, Member, Result, Step, Trace  # noqa: F401
from .parameters import ParameterError  # noqa: F401
from .reading import FORMAT, TooDeep, loads  # noqa: F401
from .scenario import run_scenario  # noqa: F401
from .scheme import Scheme  # noqa: F401
from .schemes import GUANGDONG, JIANGMEN, SCHEMES, SHEXIAN, TIANJIN, scheme_choices, schemes_with  # noqa: F401
from .words import Problem, gettext_noop  # noqa: F401
