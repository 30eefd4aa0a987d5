"""How figures read on the pages: periods and shares in Chinese, and the pictures drawn from them."""

from decimal import Decimal

from django.utils import translation

from consortia.charts import bars, burn_up, monthly_shares
from consortia.templatetags.money import percent, period, yuan


def test_periods_and_shares_read_as_a_clerk_says_them():
    assert (period("2025-03"), period("2025-Q2"), period("2025")) == ("2025年3月", "2025年第2季度", "2025")
    with translation.override("en"):
        assert (period("2025-03"), period("2025-Q2")) == ("3/2025", "Q2 2025")
    assert (percent(Decimal("0.0512")), percent("0.1"), percent(None)) == ("5.12%", "10.00%", "—")
    assert yuan(Decimal("-1234567.8")) == "-¥1,234,567.80"


def test_the_burn_up_says_its_figures_and_draws_the_projection_only_before_the_year_end():
    monthly = [Decimal("100000.00")] * 6 + [Decimal("0")] * 6
    drawn = burn_up(monthly=monthly, package=Decimal("1200000.00"), projected=Decimal("1200000.00"), through=6,
                    ident="t")
    assert "前 6 个月已使用 600,000.00 元，打包额度 1,200,000.00 元；预计全年 1,200,000.00 元。" in drawn
    assert drawn.count('class="projection"') == 1 and drawn.count('<circle') == 6
    full = burn_up(monthly=[Decimal("1")] * 12, package=Decimal("12"), projected=Decimal("12"), through=12, ident="u")
    assert 'class="projection"' not in full


def test_shares_and_bars_escape_their_labels_and_place_negative_bars_left():
    drawn = monthly_shares(lines={"<自费率>": [Decimal("0.05")] * 12}, threshold=Decimal("0.10"),
                           threshold_label="标准 10%", title="t", ident="s")
    assert "&lt;自费率&gt;" in drawn and "<自费率>" not in drawn and "标准 10%" in drawn
    chart = bars(values={"牵头医院": Decimal("300.00"), "村卫生室": Decimal("-100.00")}, title="结余", ident="b")
    assert 'fill="#cc4125"' in chart and "牵头医院 300.00; 村卫生室 -100.00" in chart
