"""Money arithmetic of the engine (docs/rules.md M1-M4): Decimal yuan, rounded once, half-up, to the fen;
splits and allocations that always sum to their total."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Sequence

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# Enough digits that no product or share of county-sized amounts is ever rounded before M2 says.
PRECISION = 60


def exact() -> Context:
    """The arithmetic context every engine computation runs in."""
    return localcontext(prec=PRECISION)


def money(value: Decimal) -> Decimal:
    """M2: the one rounding, half-up to the fen."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _floor_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_FLOOR)


def _fen_count(amount: Decimal) -> int:
    return int((amount / FEN).to_integral_value())


def even_split(total: Decimal, parts: int) -> list[Decimal]:
    """M3: each part floor(total/n) to the fen; the leftover fen, one each, to the earliest parts."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    total = money(total)
    with exact():
        base = _floor_fen(total / parts)
        leftover = _fen_count(total - base * parts)
        return [base + (FEN if index < leftover else ZERO) for index in range(parts)]


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """M4: largest remainder to the fen. Floor each exact share; the leftover fen go to the
    largest fractional parts, ties to the earlier member. All-zero weights split evenly (M3)."""
    if not weights:
        return []
    total = money(total)
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("allocation needs a non-negative total and weights")
    with exact():
        weight_sum = sum(weights, Decimal(0))
        if weight_sum == 0:
            return even_split(total, len(weights))
        shares = [total * w / weight_sum for w in weights]
        floors = [_floor_fen(share) for share in shares]
        leftover = _fen_count(total - sum(floors, Decimal(0)))
        order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - floors[i]), i))
        for index in order[:leftover]:
            floors[index] += FEN
        return floors


def text(amount: Decimal) -> str:
    """An amount as the outputs show it: exactly two decimals."""
    return format(money(amount), "f")
