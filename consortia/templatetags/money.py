"""Amounts as a bureau reads them: ¥1,234,567.89."""

import datetime
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value):
    """Decimal amounts with the yuan sign and thousands separators; anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, Decimal):
        return value
    if value.as_tuple().exponent < -2:  # a factor, not an amount
        return format(value, "f")
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


@register.filter
def percent(value):
    """A share (0.0512) as a percentage with two decimals (5.12%); None as a dash."""
    if value is None or value == "":
        return "—"
    try:
        share = Decimal(str(value))
    except ArithmeticError:
        return value
    return f"{(share * 100).quantize(Decimal('0.01'))}%"


@register.filter
def period(value):
    """A period as people say it: 2025-03 → 2025年3月, 2025-Q2 → 2025年第2季度, a date → its month (in the language shown)."""
    from django.utils.translation import gettext

    text = value.strftime("%Y-%m") if isinstance(value, datetime.date) else str(value or "")
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit():
        if text[5] == "Q" and text[6].isdigit():
            return gettext("Q%(q)s %(year)s") % {"q": text[6], "year": text[:4]}
        if text[5:].isdigit():
            return gettext("%(month)s/%(year)s") % {"month": int(text[5:]), "year": text[:4]}
    return text


@register.filter
def thousands(value):
    """A count with thousands separators (12,345); anything not a whole number unchanged."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}"


@register.filter
def wan(value):
    """A large amount in 万元 as summaries and charts give it (¥90,499,500.00 → 9,049.95万元)."""
    if isinstance(value, bool) or not isinstance(value, Decimal):
        return value
    from django.utils.translation import gettext

    return gettext("%(amount)s ten-thousand yuan") % {"amount": f"{(value / 10000).quantize(Decimal('0.01')):,}"}


@register.filter
def change(value):
    """A change as a signed percentage (+20.00%, −5.00%); no comparison as a dash."""
    if value is None or value == "":
        return "—"
    share = Decimal(str(value)) * 100
    return f"{'+' if share > 0 else '−' if share < 0 else '±'}{abs(share).quantize(Decimal('0.01'))}%"


@register.filter
def large_change(value, limit="0.2"):
    """Whether a change deserves the approver's eye (20% either way unless told)."""
    return value is not None and abs(Decimal(str(value))) >= Decimal(limit)


@register.filter
def capitals(value):
    """An amount in Chinese capitals (壹万元整) as vouchers write it: consortia.printing.capitals."""
    from consortia.printing import capitals as written

    if isinstance(value, bool) or not isinstance(value, Decimal):
        return value
    return written(value)
