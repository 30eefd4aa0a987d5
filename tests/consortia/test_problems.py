"""A problem names its field in the clerk's words: a scheme's fund figures by the scheme's own
labels (payrules), so a new scheme's figures are named without a word in consortia."""

import re

from django.utils.translation import gettext

from consortia.problems import field_display
from payrules import SCHEMES


def test_a_problem_names_the_fund_figure_as_in_the_budget_form_less_the_scheme():
    assert field_display("fund.raised") == "筹集资金（fund.raised）"  # the form says 筹集资金（歙县）
    assert field_display("fund.revenue") == "年度基金收入（fund.revenue）"
    for scheme in SCHEMES.values():
        for key, label in scheme.fund_fields:
            word = re.sub(r"（[^（）]*）$", "", gettext(label))
            assert field_display(f"fund.{key}") == f"{word}（fund.{key}）", (scheme.id, key)
