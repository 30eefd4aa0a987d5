"""Pictures drawn as SVG on the server: no script, no internet connection, printable. Amounts are
Decimal up to the drawing, where they become coordinates (rounded to a tenth of a pixel); every
chart has a title and a description for screen readers, and the page shows its figures as a
table beside it."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40
PLACE_COLOURS = {"in_consortium": "#0b5394", "in_county": "#6fa8dc", "in_city": "#f1c232", "out_of_city": "#cc4125"}


def _wan(amount: Decimal) -> str:
    """An axis label in 万元 (ten thousand yuan), with separators."""
    return _("%(amount)s 10k") % {"amount": f"{(amount / 10000).quantize(Decimal('1')):,}"}


def _px(value) -> Decimal:
    """A coordinate: exact arithmetic up to here, rounded to a tenth of a pixel."""
    return Decimal(value).quantize(Decimal("0.1"))


def _scale(top: Decimal):
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = top if top > 0 else Decimal(1)

    def x(month: Decimal | int) -> Decimal:
        return _px(LEFT + Decimal(month) / 12 * plot_w)

    def y(amount: Decimal) -> Decimal:
        return _px(TOP + plot_h - Decimal(amount) / top * plot_h)

    return x, y


def _frame(x, y, top: Decimal, title: str, description: str, ident: str, tick=None) -> list[str]:
    tick = tick or _wan
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" '
             f'aria-labelledby="{ident}-t" aria-describedby="{ident}-d"><title id="{ident}-t">{escape(title)}</title>'
             f'<desc id="{ident}-d">{escape(description)}</desc>']
    for step in range(5):
        value = top * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value)}" y2="{y(value)}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y(value)}" class="tick" text-anchor="end" dy="4">'
                     f'{escape(tick(value))}</text>')
    for month in range(1, 13):
        label = _("M%(m)s") % {"m": month}  # 3月
        parts.append(f'<text x="{x(Decimal(month) - Decimal("0.5"))}" y="{HEIGHT - BOTTOM + 16}" class="tick" '
                     f'text-anchor="middle">{escape(label)}</text>')
    return parts


def burn_up(*, monthly: list[Decimal], package: Decimal, projected: Decimal, through: int, ident: str) -> SafeString:
    """Cumulative consumption month by month against the package line and the straight line of
    the elapsed year, with the straight projection to the year end."""
    cumulative, running = [], Decimal("0.00")
    for amount in monthly[:through]:
        running += amount
        cumulative.append(running)
    top = max([package, projected, running, Decimal(1)]) * Decimal("1.08")
    x, y = _scale(top)
    description = _("Consumed %(consumed)s of a package of %(package)s after %(months)s months; projected "
                    "%(projected)s at the year end.") % {"consumed": f"{running:,}", "package": f"{package:,}",
                                                          "months": through, "projected": f"{projected:,}"}
    parts = _frame(x, y, top, _("Fund burn-up"), description, ident)
    label = _("package")
    parts.append(f'<line x1="{x(0)}" y1="{y(package)}" x2="{x(12)}" y2="{y(package)}" class="package"/>'
                 f'<text x="{x(12)}" y="{y(package)}" dy="-4" text-anchor="end" class="label">'
                 f'{escape(label)}</text>')
    parts.append(f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(12)}" y2="{y(package)}" class="elapsed"/>')
    if cumulative:
        points = " ".join([f"{x(0)},{y(0)}"] + [f"{x(m)},{y(v)}" for m, v in enumerate(cumulative, 1)])
        parts.append(f'<polyline points="{points}" class="consumed"/>')
        parts += [f'<circle cx="{x(m)}" cy="{y(v)}" r="3" class="consumed"/>' for m, v in enumerate(cumulative, 1)]
        if through < 12:
            parts.append(f'<line x1="{x(through)}" y1="{y(running)}" x2="{x(12)}" y2="{y(projected)}" '
                         f'class="projection"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def stacked_months(*, series: dict[str, list[Decimal]], labels: dict[str, str], ident: str) -> SafeString:
    """Monthly amounts as stacked bars, one colour per place of care, with a legend."""
    totals = [sum((values[m] for values in series.values()), Decimal("0")) for m in range(12)]
    top = max(totals + [Decimal(1)]) * Decimal("1.08")
    x, y = _scale(top)
    description = "; ".join(f"{labels[key]} {sum(values, Decimal('0')):,}" for key, values in series.items())
    parts = _frame(x, y, top, _("Monthly consumption by place of care"), description, ident)
    bar = _px(Decimal(WIDTH - LEFT - RIGHT) / 12 * Decimal("0.7"))
    for month in range(12):
        base = Decimal("0")
        for key, values in series.items():
            value = values[month]
            if value > 0:
                parts.append(f'<rect x="{x(Decimal(month) + Decimal("0.15"))}" y="{y(base + value)}" '
                             f'width="{bar}" height="{y(base) - y(base + value)}" '
                             f'fill="{PLACE_COLOURS.get(key, "#999")}"/>')
            base += value
    for index, key in enumerate(series):
        parts.append(f'<rect x="{LEFT + index * 140}" y="{HEIGHT - 14}" width="10" height="10" '
                     f'fill="{PLACE_COLOURS.get(key, "#999")}"/><text x="{LEFT + index * 140 + 14}" y="{HEIGHT - 5}" '
                     f'class="tick">{escape(labels[key])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def monthly_shares(*, lines: dict[str, list[Decimal | None]], threshold: Decimal | None, threshold_label: str,
                   title: str, ident: str) -> SafeString:
    """Shares month by month (a line per series, a gap where a month has no data) against a
    threshold line, the y axis in per cent."""
    values = [v for series in lines.values() for v in series if v is not None]
    top = max(values + ([threshold] if threshold is not None else []) + [Decimal("0.01")]) * Decimal("1.15")
    x, y = _scale(top)
    description = "; ".join(f"{name} " + ", ".join("—" if v is None else f"{v * 100:.1f}%" for v in series)
                            for name, series in lines.items())
    parts = _frame(x, y, top, title, description, ident, tick=lambda value: f"{value * 100:.1f}%")
    if threshold is not None:
        parts.append(f'<line x1="{x(0)}" y1="{y(threshold)}" x2="{x(12)}" y2="{y(threshold)}" class="package"/>'
                     f'<text x="{x(12)}" y="{y(threshold)}" dy="-4" text-anchor="end" class="label">'
                     f'{escape(threshold_label)}</text>')
    for index, (name, series) in enumerate(lines.items()):
        css = "consumed" if index == 0 else "elapsed"
        points = [f"{x(Decimal(m) + Decimal('0.5'))},{y(v)}" for m, v in enumerate(series) if v is not None]
        if points:
            parts.append(f'<polyline points="{" ".join(points)}" class="{css}"/>')
        parts.append(f'<line x1="{LEFT + index * 160}" x2="{LEFT + index * 160 + 14}" y1="{HEIGHT - 9}" '
                     f'y2="{HEIGHT - 9}" class="{css}"/><text x="{LEFT + index * 160 + 18}" y="{HEIGHT - 5}" '
                     f'class="tick">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def bars(*, values: dict[str, Decimal], title: str, ident: str) -> SafeString:
    """Horizontal bars, one per label (amounts in yuan; negative ones drawn to the left)."""
    height = TOP + 30 * len(values) + 10
    largest = max([abs(v) for v in values.values()] + [Decimal(1)])
    has_negative = any(v < 0 for v in values.values())
    zero = _px(LEFT + 60 + Decimal(WIDTH - LEFT - 60 - RIGHT) / 2) if has_negative else Decimal(LEFT + 60)
    span = (WIDTH - RIGHT - zero) - 90
    description = "; ".join(f"{label} {value:,}" for label, value in values.items())
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="chart" role="img" '
             f'aria-labelledby="{ident}-t" aria-describedby="{ident}-d"><title id="{ident}-t">{escape(title)}</title>'
             f'<desc id="{ident}-d">{escape(description)}</desc>']
    for index, (label, value) in enumerate(values.items()):
        top = TOP + index * 30
        width = _px(abs(value) / largest * span)
        start = zero - width if value < 0 else zero
        parts.append(f'<text x="{LEFT + 50}" y="{top + 15}" class="tick" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{start}" y="{top + 3}" width="{width}" height="18" '
                     f'fill="{"#cc4125" if value < 0 else "#0b5394"}"/>'
                     f'<text x="{(start + width + 4) if value >= 0 else (start - 4)}" y="{top + 16}" class="tick" '
                     f'text-anchor="{"start" if value >= 0 else "end"}">{escape(f"{value:,}")}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


SERIES_COLOURS = ("#0b5394", "#f1c232", "#6aa84f", "#cc4125", "#8e7cc3")


def grouped_bars(*, groups: dict[str, list[Decimal | None]], series: list[str], title: str, ident: str) -> SafeString:
    """Vertical bars in groups, one bar per series in each group (a scheme per colour, an amount per
    group), with a legend; a missing value leaves a gap, a negative one goes below the zero line."""
    values = [v for row in groups.values() for v in row if v is not None]
    high = max(values + [Decimal(0)])
    low = min(values + [Decimal(0)])
    span = (high - low) or Decimal(1)
    plot_h = HEIGHT - TOP - BOTTOM - 16

    def y(amount: Decimal) -> Decimal:
        return _px(TOP + (high - amount) / span * plot_h)

    description = "; ".join(f"{group}: " + ", ".join(f"{name} {'—' if v is None else f'{v:,}'}"
                                                     for name, v in zip(series, row, strict=True))
                            for group, row in groups.items())
    height = HEIGHT + 18 * len(series)  # the legend below, a line per series: scheme names are long
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="chart" role="img" '
             f'aria-labelledby="{ident}-t" aria-describedby="{ident}-d"><title id="{ident}-t">{escape(title)}</title>'
             f'<desc id="{ident}-d">{escape(description)}</desc>']
    for step in range(5):
        value = low + span * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value)}" y2="{y(value)}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y(value)}" class="tick" text-anchor="end" dy="4">'
                     f'{escape(_wan(value))}</text>')
    slot = Decimal(WIDTH - LEFT - RIGHT) / max(len(groups), 1)
    bar = _px(slot * Decimal("0.8") / max(len(series), 1))
    for index, (group, row) in enumerate(groups.items()):
        start = LEFT + slot * index + slot * Decimal("0.1")
        for position, value in enumerate(row):
            if value is None:
                continue
            top, bottom = (y(value), y(Decimal(0))) if value >= 0 else (y(Decimal(0)), y(value))
            parts.append(f'<rect x="{_px(start + bar * position)}" y="{top}" width="{bar}" '
                         f'height="{bottom - top}" fill="{SERIES_COLOURS[position % len(SERIES_COLOURS)]}"/>')
        parts.append(f'<text x="{_px(start + slot * Decimal("0.4"))}" y="{HEIGHT - BOTTOM + 14}" class="tick" '
                     f'text-anchor="middle">{escape(group)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(Decimal(0))}" y2="{y(Decimal(0))}" '
                 f'class="elapsed"/>')
    for position, name in enumerate(series):
        line = HEIGHT - 10 + 18 * position
        parts.append(f'<rect x="{LEFT}" y="{line}" width="10" height="10" '
                     f'fill="{SERIES_COLOURS[position % len(SERIES_COLOURS)]}"/><text x="{LEFT + 14}" '
                     f'y="{line + 9}" class="tick">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
