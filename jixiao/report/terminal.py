"""Plain-text tables for the terminal, aligned for Chinese (double-width) characters."""

from __future__ import annotations

import math
import unicodedata

__all__ = ["display_width", "format_table", "fmt_number"]


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out += ch
        used += w
    return out + "…"


def fmt_number(value: object, decimals: int = 2) -> str:
    """Number with fixed decimals; "" for None/NaN; text passes through."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (int, float)):
        return f"{value:.{decimals}f}"
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def format_table(
    headers: list[str],
    rows: list[list[object]],
    *,
    align: list[str] | None = None,
    max_width: int = 24,
) -> str:
    """Render rows as an aligned text table.

    Args:
        headers: column headings (Chinese).
        rows: cell values; numbers should already be formatted as text.
        align: "l" or "r" per column (default left).
        max_width: cells wider than this are cut with an ellipsis.
    """
    cells = [[_fit("" if c is None else str(c), max_width) for c in row] for row in rows]
    heads = [_fit(h, max_width) for h in headers]
    widths = [display_width(h) for h in heads]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], display_width(c))
    align = align or ["l"] * len(headers)

    def line(values):
        parts = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - display_width(v))
            parts.append(pad + v if align[i] == "r" else v + pad)
        return "  ".join(parts).rstrip()

    out = [line(heads), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(out)
