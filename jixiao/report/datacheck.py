"""数据核对 on page 1 of every report: what was read from the table against its printed totals.

The facts come from :func:`jixiao.read.readcheck.read_check` (the same lines ``jixiao score``
prints), so the reader of a report sees at once whether every row was read and whether the
sums as read agree with the totals the table prints.
"""

from __future__ import annotations

from typing import Any

from jixiao.read.readcheck import read_check, read_check_lines
from jixiao.report.html import esc

__all__ = ["data_check_lines", "data_check_html"]


def data_check_lines(result: Any) -> list[str]:
    """The read check of the unit's table (self-evaluation, else declaration); [] without a table."""
    unit = result.self_eval if result.self_eval is not None else result.declaration
    if unit is None:
        return []
    return read_check_lines(read_check(unit.evaluation))


def data_check_html(result: Any) -> str:
    """The 数据核对 box of the cover ("" when the unit has no table)."""
    lines = data_check_lines(result)
    if not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return f'<div class="jx-datacheck"><p class="jx-datacheck-title">数据核对</p><ul>{items}</ul></div>'
