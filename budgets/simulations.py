"""The feasibility study (可行性测算) in the product: a scenario run through the engine under one
or several schemes, its problems and its trace in the clerk's language. Nothing is stored."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy as _

from consortia.glossary import word
from consortia.problems import problem_list
from consortia.templatetags.money import period
from payrules import SCHEMES, InputError, Result, TooDeep, loads, run_scenario

from .explain import steps_shown

@dataclass
class Outcome:
    scheme: str
    result: Result | None = None
    errors: list[dict] = field(default_factory=list)

    @property
    def output(self) -> dict | None:
        return None if self.result is None else self.result.as_dict()


def simulation_run(*, data, schemes: list[str] | None = None) -> list[Outcome]:
    """Runs the scenario under its own scheme, or under each of `schemes` on the same inputs."""
    outcomes = []
    for scheme in schemes or [data.get("scheme") if isinstance(data, dict) else None]:
        try:
            outcomes.append(Outcome(scheme=scheme, result=run_scenario(data, scheme=scheme)))
        except InputError as error:
            outcomes.append(Outcome(scheme=scheme, errors=problem_list(error)))
    return outcomes


def scenario_parse(text: str | bytes):
    """The scenario JSON, numbers as Decimal; raises ValueError with the clerk's message."""
    try:
        return loads(text)
    except UnicodeDecodeError:
        raise ValueError(gettext("The file is not UTF-8 text; save it as UTF-8 and upload it again.")) from None
    except TooDeep as error:
        raise ValueError(gettext("The file nests more than %(n)s levels deep; it is no scenario.")
                         % {"n": error.args[0]}) from None
    except json.JSONDecodeError as error:
        raise ValueError(gettext("The file is not valid JSON: line %(line)s, column %(column)s.")
                         % {"line": error.lineno, "column": error.colno}) from None
    except ValueError as error:  # numbers Decimal cannot read, and the like
        raise ValueError(gettext("The file is not valid JSON: %(error)s") % {"error": error}) from None


def present(outcome: Outcome) -> dict:
    """An outcome laid out for a page or a workbook."""
    return present_output(outcome.scheme, outcome.output, outcome.errors)


def _value(value):
    """Amounts back to Decimal for display; flags and texts as they are."""
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return Decimal(value)
    return value


def present_output(scheme: str, output: dict | None, errors: list | None = None) -> dict:
    """An engine output (as stored or returned) laid out: labelled rows, member lines, the trace."""
    shown = {"scheme": scheme, "title": gettext(SCHEMES[scheme].label) if scheme in SCHEMES else scheme,
             "errors": errors or []}
    if output is None:
        return shown
    shown["package"] = [(word(k, scheme), _value(v)) for k, v in output["package"].items()]
    shown["clearing"] = [(word(k, scheme), _value(v)) for k, v in output["clearing"].items()]
    for section, rows in (("prepayment", output.get("prepayments")), ("member", output.get("members"))):
        if rows:
            keys = list(rows[0])
            shown[f"{section}_columns"] = [_column(k) for k in keys]
            shown[f"{section}s"] = [[_cell(k, row[k], scheme) for k in keys] for row in rows]
    shown["trace"] = steps_shown(output.get("trace", []), scheme)
    return shown


def _cell(key: str, value, scheme: str):
    """A value of a schedule or member line: periods as said (2025年第1季度), kinds named."""
    if key == "period":
        return period(value)
    if key == "kind":
        return word(value, scheme)
    return _value(value)


def _column(key: str) -> str:
    words = {"period": _("period"), "member": _("member"), "kind": _("kind"), "code": _("member code"),
             "amount": _("amount")}
    return str(words[key]) if key in words else word(key)


# The amount each scheme calls its package, in the order to look for it.
PACKAGE_KEYS = ("package", "target_one", "control_target", "quota", "budget")


def package_amount(output: dict) -> Decimal | None:
    """The amount a scheme's output calls its package, or None."""
    found = next((output["package"][k] for k in PACKAGE_KEYS if k in (output.get("package") or {})), None)
    return Decimal(found) if found is not None else None


def comparison_chart(table: dict | None):
    """The comparison table as grouped bars: an amount per group, a scheme per colour."""
    from consortia.charts import grouped_bars

    if table is None:
        return None
    return grouped_bars(groups={str(r["label"]): [c["value"] for c in r["cells"]] for r in table["rows"]},
                        series=table["schemes"], title=_("The schemes' key amounts side by side"),
                        ident="comparison-chart")


def comparison(outcomes: list[Outcome]) -> dict | None:
    """The schemes side by side in one table: a scheme per column, the key amounts per row (the
    package, the year's prepayments, the year-end final payment), each with its difference to the
    first scheme's. None with fewer than two schemes that computed."""
    computed = [o for o in outcomes if o.output]
    if len(computed) < 2:
        return None

    def prepaid(output):
        rows = output.get("prepayments") or []
        return sum((Decimal(r["amount"]) for r in rows), Decimal("0.00")) if rows else None

    def final(output):
        value = output["clearing"].get("final_payment")
        return Decimal(value) if value is not None else None

    rows = []
    for label, figure in ((_("package"), package_amount), (_("prepayments over the year"), prepaid),
                          (_("year-end final payment"), final)):
        values = [figure(o.output) for o in computed]
        first = values[0]
        rows.append({"label": label, "cells": [
            {"value": v, "difference": None if v is None or first is None or i == 0 else v - first}
            for i, v in enumerate(values)]})
    return {"schemes": [gettext(SCHEMES[o.scheme].label) for o in computed], "rows": rows}
