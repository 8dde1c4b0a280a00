"""The unit notebook's section headings in the words of the unit's report kind.

The notebook template writes the headings of a 复核报告 (``## 二、绩效评价（复核）工作开展情况``);
a target declaration alone is a 绩效目标审核意见 and a self-evaluation report alone a
自评报告审核意见, whose headings differ (:data:`jixiao.core.vocab.REPORT_WORDING`). After the
notebook ran, :func:`retitle` puts the kind's headings into its markdown cells, so the executed
notebook, the table of contents, both HTML files and the Word report say the same. Headings a
project's own template changed are left alone.
"""

from __future__ import annotations

from typing import Any

from jixiao.core.vocab import report_wording

__all__ = ["retitle"]


def retitle(nb: Any, kind: str) -> int:
    """Rename the template's section headings for a report of ``kind`` in place; returns how many changed."""
    renames = dict(report_wording(kind).headings)
    if not renames:
        return 0
    changed = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        lines = str(cell.get("source", "")).split("\n")
        for i, line in enumerate(lines):
            marks, _, text = line.partition(" ")
            if marks and set(marks) == {"#"} and text.strip() in renames:
                lines[i] = f"{marks} {renames[text.strip()]}"
                changed += 1
        cell["source"] = "\n".join(lines)
    return changed
