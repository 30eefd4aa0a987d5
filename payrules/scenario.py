"""Running a scenario: checked (M6, every problem at once, each naming its field) and computed by
its scheme. The command line, the API and the page all come here."""

from __future__ import annotations

from typing import Any

from .core import InputError, Result
from .parameters import ParameterError
from .reading import FORMAT, MISSING, Reader
from .schemes import SCHEMES
from .words import Problem, gettext_noop


def run_scenario(data: Any, scheme: str | None = None) -> Result:
    """Checks the scenario and runs it; `scheme` runs the same inputs under another scheme (the
    feasibility study's side-by-side comparison)."""
    r = Reader(data)
    if not isinstance(data, dict):
        raise InputError([Problem("", gettext_noop("The scenario must be a JSON object."))])
    if data.get("format", FORMAT) != FORMAT:
        r.fail("format", gettext_noop("%(field)s must be %(format)s."), format=FORMAT)
    scheme = scheme or r.get(data, "", "scheme")
    if scheme is not MISSING and scheme not in SCHEMES:
        r.fail("scheme", gettext_noop("%(field)s: unknown payment scheme %(scheme)s."), scheme=str(scheme))
    year = r.field(data, "", "year", r.number)
    if year is not None and (year != year.to_integral_value() or not 2000 <= year <= 2100):
        r.fail("year", gettext_noop("%(field)s must be a year such as 2025."))
        year = None
    if r.problems and ("scheme" in {p.field for p in r.problems} or scheme is MISSING):
        raise InputError(r.problems)
    rules = SCHEMES[scheme]
    build = rules.read(r, int(year) if year is not None else 0)
    parameters = None
    raw_parameters = r.section(data, "", "parameters", required=False)
    try:
        parameters = rules.validate(raw_parameters if isinstance(raw_parameters, dict) else None)
    except ParameterError as error:
        r.problems += [Problem(f"parameters.{p.field}", p.message, {**p.params, "field": f"parameters.{p.field}"})
                       for p in error.problems]
    if r.problems:
        raise InputError(r.problems)
    return rules.compute(build(), parameters)
