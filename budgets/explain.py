"""A calculation step as a clerk would write it on paper: the rule it follows, the formula in
Chinese words (each formula is a message of the catalogue), the numbers put in with their Chinese
names, and the result in yuan. Flags read 是/否, rates as percentages, amounts as ¥1,234.56."""

from __future__ import annotations

from django.utils.translation import gettext

from consortia.glossary import FORMULAS_RENAMED, IDENTIFIER, SYMBOLS, figure, member_word, word


def explain(step: dict, scheme: str | None = None) -> str:
    """"调剂金 A = R × 调剂金比例 = ¥7,730,800.00（其中 R = ¥386,540,000.00，调剂金比例 = 2.00%）"."""
    if "explanation" in step:  # a step written in words already (a reversal, a deadline)
        return str(step["explanation"])
    formula = step.get("formula", "")
    formula = gettext(FORMULAS_RENAMED.get(formula, formula))
    inputs = "，".join(f"{word(k, scheme) if IDENTIFIER.match(k) else SYMBOLS.get(k, k)} = {figure(v, k, scheme)}"
                      for k, v in (step.get("inputs") or {}).items())
    text = f"{formula} = {figure(step.get('value'), step.get('name', ''), scheme)}"
    return text + (gettext("(where %(inputs)s)") % {"inputs": inputs} if inputs else "")


def steps_shown(steps: list[dict], scheme: str | None = None) -> list[dict]:
    """The steps of a trace laid out for a page, a workbook or the admin."""
    return [{"rule": step.get("rule", ""), "label": word(step["name"], scheme) if step.get("name") else "",
             "member": member_word(step.get("member", "")), "explanation": explain(step, scheme)} for step in steps]
