"""Numbers a table can hold but no evaluation can use: infinite, negative weights, absurd sizes.

A cell such as ``1e308`` in the 分值 column is a number, so the layouts read it; summed it
becomes ``inf`` and the unit would be graded 优. :func:`sane_numbers` blanks such values
(NaN) and records one reader note each (code ``bad_number``), so the review reports them
instead of computing with them. A table whose header was found but that has no indicator
rows gets a note too (``no_indicator_rows``): "no findings" must never mean "nothing read".
"""

from __future__ import annotations

import math

import pandas as pd

from jixiao.core.model import NOTE_COLUMNS, Evaluation

__all__ = ["sane_numbers", "MAX_WEIGHT"]

#: A 分值/权重/自评分 above this is not a score out of 100 (total weights are 100, sometimes 110).
MAX_WEIGHT = 1000.0
_INDICATOR_NUMBERS = {"weight": "分值", "level1_weight": "一级权重", "self_score": "自评分"}
_BUDGET_NUMBERS = {
    "initial_budget": "年初预算数",
    "budget": "全年预算数",
    "spent": "全年执行数",
    "reported_rate": "执行率",
    "weight": "分值",
    "reported_score": "得分",
}
_NON_NEGATIVE = {"weight", "level1_weight", "initial_budget", "budget", "spent"}
_BOUNDED = {"weight", "level1_weight", "self_score", "reported_score"}


def _problem(column: str, value: float) -> str:
    if not math.isfinite(value):
        return "不是有限的数"
    if column in _NON_NEGATIVE and value < 0:
        return "不能为负数"
    if column in _BOUNDED and abs(value) > MAX_WEIGHT:
        return f"超过 {MAX_WEIGHT:g}，不是合理的分值"
    return ""


def sane_numbers(evaluation: Evaluation) -> Evaluation:
    """Blank unusable numbers of the indicator and budget tables, with one reader note each (in place)."""
    notes: list[dict] = []
    for table, columns, what in (
        (evaluation.indicators, _INDICATOR_NUMBERS, "指标"),
        (evaluation.budget, _BUDGET_NUMBERS, "预算"),
    ):
        for column, label in columns.items():
            if column not in table.columns:
                continue
            values = pd.to_numeric(table[column], errors="coerce")
            for index, value in values.items():
                if pd.isna(value):
                    continue
                problem = _problem(column, float(value))
                if not problem:
                    continue
                row = table.at[index, "source_row"] if "source_row" in table.columns else None
                name = table.at[index, "name"] if "name" in table.columns else ""
                notes.append(
                    {
                        "code": "bad_number",
                        "row": None if row is None or pd.isna(row) else int(row),
                        "column": label,
                        "value": f"{float(value):g}",
                        "message": f"{what}「{name}」的{label}「{float(value):g}」{problem}，复核时按未填写处理，请更正原表。",
                    }
                )
                table.at[index, column] = float("nan")
    for attr in ("reported_total", "declared_weight_total"):
        value = getattr(evaluation, attr)
        if value is not None and not (math.isfinite(value) and abs(value) <= MAX_WEIGHT):
            notes.append(
                {
                    "code": "bad_number",
                    "row": None,
                    "column": "总分" if attr == "reported_total" else "分值合计",
                    "value": f"{value:g}",
                    "message": f"表列{'总分' if attr == 'reported_total' else '分值合计'}「{value:g}」不是合理的数，已忽略。",
                }
            )
            setattr(evaluation, attr, None)
    if evaluation.indicators.empty and evaluation.unit.table_type in ("unit_self_eval", "project_self_eval", "tidy"):
        notes.append(
            {
                "code": "no_indicator_rows",
                "row": None,
                "column": "",
                "value": "",
                "message": "找到了指标表的表头，但表头下没有任何指标行，无法复核指标和计分；请检查原表是否完整。",
            }
        )
    if notes:
        extra = pd.DataFrame(notes, columns=NOTE_COLUMNS)
        evaluation.notes = pd.concat([evaluation.notes, extra], ignore_index=True) if len(evaluation.notes) else extra
    return evaluation
