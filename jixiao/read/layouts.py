"""Recognise a table's layout in grids and normalise it into an Evaluation (pure).

Budget lines are read by ``budget.py``, unit info and texts around the table by ``blocks.py``,
the rows under the indicator header by ``indicator_rows.py``; tables in traditional script are
converted first (``script.py``).
Layouts read: the tidy template (one row per 三级指标, canonical headers), the
部门（单位）整体支出绩效自评表, the 绩效目标申报表, and the common 项目支出绩效自评表.
They share one mechanism: find the indicator header row, map its cells to fields
with ``headers.header_match``, then read every following row by shape
(``align.align_tokens``). What had to be guessed goes into ``Evaluation.notes``.
"""

from __future__ import annotations

import pandas as pd

from jixiao.core.errors import NoIndicatorTableError
from jixiao.core.model import (
    BUDGET_COLUMNS,
    INDICATOR_COLUMNS,
    Evaluation,
    SourceInfo,
    UnitInfo,
    empty_budget,
    empty_indicators,
)
from jixiao.core.textnorm import to_number
from jixiao.read.blocks import (
    Notes,
    cell_text,
    read_info_and_texts,
    token_text,
    year_of,
)
from jixiao.read.budget import read_budget, split_budget_totals
from jixiao.read.grid import Grid
from jixiao.read.headers import header_match, unit_identity
from jixiao.read.indicator_rows import read_indicator_rows
from jixiao.read.script import simplify_grids

__all__ = ["parse_grids", "cell_text"]

_MAX_HEADER_SCAN = 60

# --------------------------------------------------------------------------------------
# header detection


def _header_fields(row: list[object]) -> list[tuple[str, int]]:
    """(field, column) of a header row, in column order; a field named twice goes to its more
    specific name ("三级指标" over the block label "绩效指标")."""
    best: dict[str, tuple[int, int]] = {}
    for c, v in enumerate(row):
        if v is None:
            continue
        hit = header_match(v)
        if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], c)
    return sorted(((f, c) for f, (_, c) in best.items()), key=lambda fc: fc[1])


def _find_indicator_header(grid: Grid) -> tuple[int, list[tuple[str, int]], int] | None:
    """(header row, fields, rows the header takes) of the first indicator header in the grid."""
    for r, row in enumerate(grid.rows):
        fields = _header_fields(row)
        seen = {f for f, _ in fields}
        has_name = "name" in seen or ("level2" in seen and "target" in seen and "level1" in seen)
        if has_name and len(seen) >= 3 and seen & {"weight", "target", "actual", "self_score"}:
            if "name" not in seen:
                # 二级 + value columns with no 三级 column: the 二级 column names the indicator.
                fields = [("name", c) if f == "level2" else (f, c) for f, c in fields]
            return (r, *_merge_subheader(grid, r, fields))
    return None


def _merge_subheader(grid: Grid, r: int, fields: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], int]:
    """A second header row under the first ("年度指标值" spanning 指标性质 | 指标值 | 度量单位):
    its fields replace the spanning one and fill the blank columns beside it."""
    if r + 1 >= len(grid.rows):
        return fields, 1
    below = [v for v in grid.rows[r + 1] if v is not None]
    sub = _header_fields(grid.rows[r + 1])
    if not sub or len(sub) != len(below) or "name" in {f for f, _ in sub}:
        return fields, 1
    sub_fields, sub_cols = {f for f, _ in sub}, {c for _, c in sub}
    kept = [(f, c) for f, c in fields if f not in sub_fields and c not in sub_cols]
    return sorted(kept + sub, key=lambda fc: fc[1]), 2


def _table_type(title: str, fields: set[str], header_row: int, first_row: int) -> str:
    declared = "申报" in title or ("目标表" in title and "actual" not in fields)
    if declared or ("rule_text" in fields and "actual" not in fields and "self_score" not in fields):
        return "declaration"
    if "项目支出" in title or "项目绩效" in title:
        return "project_self_eval"
    if "整体支出" in title or "部门" in title or "单位" in title:
        return "unit_self_eval"
    if header_row == first_row:
        return "tidy"
    return "unit_self_eval" if "self_score" in fields else "tidy"


# --------------------------------------------------------------------------------------


def parse_grids(grids: list[Grid]) -> Evaluation:
    """Normalise a file's grids into an Evaluation.

    Raises:
        NoIndicatorTableError: no sheet has an indicator header row.
    """
    notes = Notes()
    grids, raw_rows = simplify_grids(grids)
    if raw_rows is not None:
        notes.add("traditional_script", None, "原表为繁体字，已转为简体字读取（原文保留在读取结果中）。")
    found = None
    for g in grids:
        hit = _find_indicator_header(g)
        if hit:
            found = (g, hit)
            break
    if found is None:
        sheets = "、".join(f"「{g.sheet}」" for g in grids if g.sheet) or "（文本）"
        path = grids[0].path if grids else ""
        raise NoIndicatorTableError(
            f"没有找到指标表：工作表 {sheets} 中都没有包含「三级指标/指标名称」及「分值/指标值/完成值」等表头的行。"
            "请确认文件是绩效自评表、目标申报表或标准模板。",
            path=path,
            sheet=grids[0].sheet if len(grids) == 1 else None,
        )
    grid, (header_row, fields, height) = found
    first_row = next(i for i, row in enumerate(grid.rows) if any(v is not None for v in row))
    title_texts = [
        token_text(v) for row in grid.rows[: min(header_row, _MAX_HEADER_SCAN)] for v in row if v is not None
    ]
    title = next((t for t in title_texts if "表" in t or "报告" in t), "")
    table_type = _table_type(title, {f for f, _ in fields}, header_row, first_row)
    ind_rows, structure, skipped, reported_total, declared_total, end = read_indicator_rows(
        grid, header_row, fields, table_type, notes, height
    )
    budget_lines, used = read_budget(grid, header_row, notes)
    info: dict = {}
    texts: dict = {}
    read_info_and_texts(grid, range(0, header_row), used, info, texts, notes)
    read_info_and_texts(grid, range(end, len(grid.rows)), set(), info, texts, notes)
    for g in grids:
        if g is grid:
            continue
        more, used_other = read_budget(g, len(g.rows), notes)
        budget_lines.extend(more)
        read_info_and_texts(g, range(len(g.rows)), used_other, info, texts, notes)
    score_total, weight_total = split_budget_totals(budget_lines, notes)
    if reported_total is None:
        reported_total = score_total
    if declared_total is None:
        declared_total = weight_total
    indicators = _indicator_frame(ind_rows)
    budget = pd.DataFrame(budget_lines, columns=BUDGET_COLUMNS) if budget_lines else empty_budget()
    if not budget.empty:
        budget["source_row"] = budget["source_row"].astype("Int64")
    name, department = unit_identity(info)
    unit = UnitInfo(
        name=name,
        department=department,
        period=info.get("period", ""),
        table_type=table_type,
    )
    unit.year = year_of(info.get("period", ""), info.get("title", ""), title, *title_texts[:6])
    if reported_total is None and info.get("total") is not None:
        reported_total = to_number(info.get("total"))
    unit.extra = {k: v for k, v in info.items() if k not in ("period", "total")}
    if title:
        unit.extra.setdefault("title", title)
    extras: dict = {"indicator_columns": [f for f, _ in fields]}  # fields the indicator header has
    if structure:
        extras["structure_rows"] = structure
    if skipped:
        extras["non_indicator_rows"] = skipped
    if raw_rows is not None:
        extras["script"] = "traditional"
        extras["raw_rows"] = raw_rows
    return Evaluation(
        unit=unit,
        indicators=indicators,
        budget=budget,
        texts=texts,
        reported_total=reported_total,
        declared_weight_total=declared_total,
        notes=notes.frame(),
        source=SourceInfo(path=grid.path, sheet=grid.sheet, layout=table_type),
        extras=extras,
    )


def _indicator_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return empty_indicators()
    frame = pd.DataFrame(rows)
    frame["indicator_id"] = [f"I{i + 1:02d}" for i in range(len(frame))]
    frame = frame[INDICATOR_COLUMNS]
    for col in ("level1_weight", "weight", "self_score"):
        frame[col] = frame[col].astype("float64")
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame
