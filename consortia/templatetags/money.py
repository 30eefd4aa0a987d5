"""Amounts as a bureau reads them: ¥1,234,567.89."""

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
