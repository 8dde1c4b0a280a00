"""Number helpers used by every stage: decimal rounding, float noise, cell to float."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

__all__ = ["EPS", "round_half_up", "to_float", "is_number"]

#: Float noise allowed when comparing computed scores and money (not a tolerance of the checks).
EPS = 1e-9


def round_half_up(value: float, places: int = 2) -> float:
    """Round half-up in decimal, not in binary: 2.675 -> 2.68, 89.995 -> 90.0.

    The float is read through its shortest repr and first snapped to 9 decimals, so
    binary noise from arithmetic (2.6749999999999998) rounds as the decimal it stands for.
    """
    value = float(value)
    if not math.isfinite(value) or abs(value) >= 1e15:  # no cents to round at that size
        return value
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(repr(float(value))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
        return float(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def to_float(value: object) -> float | None:
    """A cell value as a finite float, or None (blank, NaN, text, bool, inf)."""
    if value is None or isinstance(value, (str, bool)):
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return v if math.isfinite(v) else None


def is_number(value: object) -> bool:
    """True for a finite number (not bool, not NaN)."""
    return to_float(value) is not None
