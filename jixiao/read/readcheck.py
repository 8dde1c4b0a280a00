"""The read check: what was read from a table, against the totals the table prints (pure).

Rows read, Σ 分值 and Σ 自评分 as read (the scored 预算执行率 line included), the table's
printed totals, the rows read as known non-indicators and the rows not read. Shown by
``jixiao score`` and on the first page of the reports, so a reader sees at once whether the
numbers below rest on the whole table.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.model import Evaluation
from jixiao.read.rowkinds import NON_INDICATOR_KINDS

__all__ = ["read_check", "read_check_lines", "READ_CHECK_TOLERANCE"]

#: Σ read and printed total agree within this many points.
READ_CHECK_TOLERANCE = 0.01


def _sum(values: pd.Series) -> float | None:
    vals = pd.to_numeric(values, errors="coerce").dropna()
    return float(vals.sum()) if len(vals) else None


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _plus(a: float | None, b: float | None) -> float | None:
    if a is None and b is None:
        return None
    return round((a or 0.0) + (b or 0.0), 6)


def _agrees(read: float | None, printed: float | None) -> bool | None:
    if printed is None or read is None:
        return None
    return abs(read - printed) <= READ_CHECK_TOLERANCE + 1e-9


def read_check(evaluation: Evaluation) -> dict[str, Any]:
    """What was read from the table and whether it adds up to the table's printed totals.

    Returns a dict (JSON-ready):
        rows_read: indicator rows read;
        weight_sum / self_score_sum: Σ 分值 / Σ 自评分 of the indicators as read (None: no such column);
        budget_weight / budget_score: 分值 / 得分 of the scored 预算执行率 line (None: none);
        weight_total / self_score_total: the two sums with the budget line;
        printed_weight_total / printed_total: the table's printed 分值 total and 总分 (None: not printed);
        weight_agrees / total_agrees: True/False, None when nothing is printed to compare with;
        non_indicator_rows: [{row, kind, label, text}] rows read as totals, placeholders, sub-items;
        rows_not_read: [{row, text}] rows that could not be read (each also a finding A31);
        script: "traditional" when the table was converted from traditional characters, else "".
    """
    ind = evaluation.indicators
    budget = evaluation.budget
    weight_sum = _sum(ind["weight"]) if len(ind) else None
    score_sum = _sum(ind["self_score"]) if len(ind) else None
    budget_weight = budget_score = None
    if len(budget) and "weight" in budget:
        scored = budget[pd.to_numeric(budget["weight"], errors="coerce").notna()]
        budget_weight = _sum(scored["weight"])
        budget_score = _sum(scored["reported_score"]) if budget_weight is not None else None
    notes = evaluation.notes
    unread = notes[notes["code"] == "unreadable_row"] if len(notes) else notes
    rows_not_read = [
        {"row": None if pd.isna(n["row"]) else int(n["row"]), "text": str(n["value"] or n["message"])}
        for n in records(unread)
    ]
    skipped = [
        {**r, "label": NON_INDICATOR_KINDS.get(r["kind"], r["kind"])}
        for r in evaluation.extras.get("non_indicator_rows", [])
    ]
    weight_total = _plus(weight_sum, budget_weight)
    score_total = _plus(score_sum, budget_score)
    printed_weight = _num(evaluation.declared_weight_total)
    printed_total = _num(evaluation.reported_total)
    return {
        "rows_read": int(len(ind)),
        "weight_sum": weight_sum,
        "self_score_sum": score_sum,
        "budget_weight": budget_weight,
        "budget_score": budget_score,
        "weight_total": weight_total,
        "self_score_total": score_total,
        "printed_weight_total": printed_weight,
        "printed_total": printed_total,
        "weight_agrees": _agrees(weight_total, printed_weight),
        "total_agrees": _agrees(score_total, printed_total),
        "non_indicator_rows": skipped,
        "rows_not_read": rows_not_read,
        "script": str(evaluation.extras.get("script", "")),
    }


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _against(read: float | None, printed: float | None, agrees: bool | None, what: str) -> str:
    if printed is None:
        return f"表中未印{what}"
    return f"表中{what} {_fmt(printed)}，" + ("一致" if agrees else f"相差 {_fmt((read or 0) - printed)}")


def read_check_lines(check: dict[str, Any]) -> list[str]:
    """The read check in Chinese, one line per fact (for the terminal and the reports)."""
    budget = ""
    if check["budget_weight"] is not None:
        budget = f"（含预算执行率 {_fmt(check['budget_weight'])} 分）"
    lines = [f"读取指标 {check['rows_read']} 行。"]
    if check["weight_total"] is not None:
        lines.append(
            f"分值合计 {_fmt(check['weight_total'])}{budget}，"
            + _against(check["weight_total"], check["printed_weight_total"], check["weight_agrees"], "分值合计")
            + "。"
        )
    if check["self_score_total"] is not None or check["printed_total"] is not None:
        lines.append(
            f"自评分合计 {_fmt(check['self_score_total'])}，"
            + _against(check["self_score_total"], check["printed_total"], check["total_agrees"], "总分")
            + "。"
        )
    kinds: dict[str, int] = {}
    for r in check["non_indicator_rows"]:
        kinds[r["label"]] = kinds.get(r["label"], 0) + 1
    if kinds:
        lines.append("未作为指标读取：" + "、".join(f"{k} {v} 行" for k, v in kinds.items()) + "。")
    if check["rows_not_read"]:
        rows = "、".join(f"第 {r['row']} 行" for r in check["rows_not_read"] if r["row"] is not None)
        lines.append(f"无法读取 {len(check['rows_not_read'])} 行（{rows}），其分值和得分未计入。")
    else:
        lines.append("指标区域的每一行均已读取。")
    if check["script"] == "traditional":
        lines.append("原表为繁体字，已转为简体字读取。")
    return lines
