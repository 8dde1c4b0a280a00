"""读取说明: what the reader had to guess, for the analyst outputs only.

Reader notes (rows whose cells sat off their headers, cells filled by inference, rows or
budget lines that could not be read; finding codes A30–A39 and the reader's own notes) tell an
analyst where to check the file by hand. They say nothing about the unit's performance, so the
client report never shows them (:func:`jixiao.report.facts.findings_of` leaves them out); the
unit template shows this section in a cell tagged ``jixiao-analyst`` (:data:`jixiao.run.handoff.ANALYST_TAG`), which the client HTML and
the Word report drop. The JSON keeps them (``findings`` and ``reader_notes``).
"""

from __future__ import annotations

from typing import Any

from IPython.display import HTML

from jixiao.core.frames import records
from jixiao.core.vocab import INPUT_KINDS
from jixiao.report.facts import reader_notes_of
from jixiao.report.html import Col, findings_table, paragraphs, table

__all__ = ["reader_note_rows", "show_reader_notes"]


def reader_note_rows(result: Any) -> list[dict]:
    """Every reader note of the unit's tables: input, row, column, value, message."""
    rows = []
    for kind, unit in (("self_evaluation", result.self_eval), ("declaration", result.declaration)):
        if unit is None:
            continue
        notes = unit.evaluation.notes
        for r in records(notes):
            row = r.get("row")
            rows.append(
                {
                    "input": INPUT_KINDS[kind],
                    "code": str(r.get("code") or ""),
                    "row": None if row is None or row != row else int(row),
                    "column": str(r.get("column") or ""),
                    "value": str(r.get("value") or ""),
                    "message": str(r.get("message") or ""),
                }
            )
    return rows


def show_reader_notes(result: Any) -> HTML:
    """读取说明: the reader-note findings (A30–A39), then every note the reader left, row by row."""
    found = reader_notes_of(result)
    parts = []
    if found.empty:
        parts.append(paragraphs(["读取时没有需要说明的情况。"]))
    else:
        parts.append(findings_table(found, "读取说明（不进入客户报告）", message="说明", values=False))
    notes = reader_note_rows(result)
    if notes:
        columns = [
            Col("input", "材料"),
            Col("row", "行", "int"),
            Col("column", "列"),
            Col("code", "类别"),
            Col("value", "原值", cls="short"),
            Col("message", "说明", cls="note"),
        ]
        parts.append(table(notes, columns, "读取器逐行记录"))
    return HTML("".join(parts))
