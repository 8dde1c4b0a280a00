"""Recognise a table's layout in grids and normalise it into an Evaluation (pure).

Budget lines, unit info and texts around the table are read by ``blocks.py``.
Layouts read: the tidy template (one row per 三级指标, canonical headers), the
部门（单位）整体支出绩效自评表, the 绩效目标申报表, and the common 项目支出绩效自评表.
They share one mechanism: find the indicator header row, map its cells to fields
with ``headers.header_match``, then read every following row by shape
(``align.align_tokens``). What had to be guessed goes into ``Evaluation.notes``.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from jixiao.core.errors import InputFileError, NoIndicatorTableError
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
from jixiao.read.align import Token, align_tokens, fit_indicator_field, tokenize
from jixiao.read.blocks import (
    Notes,
    cell_text,
    label_key,
    read_info_and_texts,
    strip_html,
    token_text,
    year_of,
)
from jixiao.read.budget import read_budget, split_budget_totals
from jixiao.read.grid import Grid
from jixiao.read.headers import (
    INFO_LABELS,
    NATURE_WORDS,
    TEXT_LABELS,
    canonical_level1,
    header_match,
    is_ignored_header,
    is_input_level1,
    level1_of_level2,
)
from jixiao.read.rowkinds import (
    is_bare_name,
    is_placeholder_row,
    is_sub_item,
    is_table_end,
    is_total_row,
    split_note_placeholders,
    total_numbers,
)
from jixiao.read.script import simplify_grids

__all__ = ["parse_grids", "cell_text"]

_MAX_HEADER_SCAN = 60
_L2_WEIGHT = re.compile(r"\s*[（(]\s*\d+(\.\d+)?\s*分?\s*[)）]$")
_L1_WITH_WEIGHT = re.compile(r"^(.+?)\s*[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$")

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
# indicator rows


def _read_indicators(
    grid: Grid, header_row: int, fields: list[tuple[str, int]], table_type: str, notes: Notes, height: int = 1
):
    """Indicator rows, the reported total and where the table ends."""
    header_cols = {f: c for f, c in fields}
    ignored_cols = {
        c
        for h in range(header_row, header_row + height)
        for c, v in enumerate(grid.rows[h])
        if v is not None and is_ignored_header(v) and c not in header_cols.values()
    }
    header_text = {f: cell_text(grid.cell(header_row, c)) for f, c in fields}
    rows: list[dict] = []
    structure: list[dict] = []
    skipped: list[dict] = []  # rows read as known non-indicators (totals, placeholders, sub-items)
    reported_total = None
    declared_total = None
    state = {"level1": "", "level1_weight": math.nan, "level2": "", "nature": "", "citation": ""}
    printed_l1 = ""
    printed_row = None
    end = len(grid.rows)
    derive_l1 = table_type == "declaration"
    for r in range(header_row + height, len(grid.rows)):
        src_row = grid.row_numbers[r]
        tokens = [t for t in tokenize(grid.rows[r], token_text) if t.col not in ignored_cols]
        if not tokens:
            continue
        if (
            label_key(tokens[0].text, TEXT_LABELS)
            or label_key(tokens[0].text, INFO_LABELS) == "name"
            or is_table_end(tokens[0])
        ):
            end = r
            break
        if is_total_row(tokens):
            score_total, weight_total = total_numbers(tokens, header_cols)
            reported_total = score_total if score_total is not None else reported_total
            declared_total = weight_total if weight_total is not None else declared_total
            skipped.append({"row": src_row, "kind": "total", "text": _row_text(tokens)})
            continue
        tokens, held = split_note_placeholders(tokens, fields)
        nature_tokens = [t for t in tokens if t.text in NATURE_WORDS]
        body = [t for t in tokens if t not in nature_tokens]
        assignment = _direct_assignment(body, fields)
        shifted = False
        if assignment is None:
            result = align_tokens(body, fields)
            assignment = result[1] if result else None
            if assignment is None or ("weight" in header_cols and "weight" not in assignment):
                _raise_for_bad_weight(grid, r, body, fields, header_text)
            shifted = assignment is not None
        if assignment is None:
            notes.add("unreadable_row", src_row, "该行无法识别为指标行，已跳过：" + _row_text(tokens))
            continue
        for f, t in held.items():
            assignment.setdefault(f, t)
        if shifted and "actual" in assignment and "target" not in assignment and "target" in header_cols:
            # a lone value in a shifted row is read as the target; the actual stays empty
            assignment["target"] = assignment.pop("actual")
            notes.add(
                "one_value", src_row, "该行只有一个值，按指标值读取，完成值视为空。", value=assignment["target"].text
            )
        if "nature" in assignment and assignment["nature"].text not in NATURE_WORDS:
            assignment["direction"] = assignment.pop("nature")
        for t in nature_tokens:
            assignment.setdefault("nature", t)
        # carry the tree down: merged cells are blanks in exports
        if "level1" in assignment:
            new_l1 = assignment["level1"].text
            m = _L1_WITH_WEIGHT.match(new_l1)
            if m and "level1_weight" not in assignment:
                new_l1 = m.group(1)
                assignment["level1_weight"] = Token(assignment["level1"].col, m.group(2), float(m.group(2)))
            if canonical_level1(new_l1) != canonical_level1(state["level1"]) and "level2" not in assignment:
                state["level2"] = ""
            if new_l1 != state["level1"]:
                state["level1_weight"] = math.nan
            state["level1"] = new_l1
            printed_l1 = new_l1
            printed_row = src_row
        if "level1_weight" in assignment:
            state["level1_weight"] = to_number(assignment["level1_weight"].value)
        if "level1" in assignment and _L1_WITH_WEIGHT.match(assignment["level1"].text):
            state["level1"] = _L1_WITH_WEIGHT.match(assignment["level1"].text).group(1)
            printed_l1 = state["level1"]
        if "level2" in assignment:
            if _L2_WEIGHT.sub("", assignment["level2"].text) != state["level2"]:
                state["nature"] = ""
            state["level2"] = _L2_WEIGHT.sub("", assignment["level2"].text)  # "基础信息 (3分)"
        if "nature" in assignment:
            state["nature"] = NATURE_WORDS[assignment["nature"].text]
        if is_placeholder_row(assignment) or is_sub_item(assignment, rows[-1] if rows else None):
            # after the tree is carried down: a placeholder row may print the next 一级指标 (项目效益（35分）)
            kind = "sub_item" if is_sub_item(assignment, rows[-1] if rows else None) else "placeholder"
            skipped.append({"row": src_row, "kind": kind, "text": _row_text(tokens)})
            continue
        has_content = any(f in assignment for f in ("weight", "target", "actual", "self_score", "nature"))
        if derive_l1 and "level2" in assignment and not has_content and is_input_level1(state["level1"]):
            # a declaration's 投入管理 row that only cites the regulation setting its indicators
            # (read as one indicator per 二级指标, the citation as its 指标解释)
            citation = assignment["name"].text if "name" in assignment else state["citation"]
            state["citation"] = citation
            assignment["name"] = assignment["level2"]
            if citation:
                assignment["definition"] = Token(assignment["level2"].col, citation, citation)
            has_content = True
        if "name" in assignment and not has_content and is_bare_name(assignment["name"].text):
            notes.add(
                "name_only",
                src_row,
                f"指标「{assignment['name'].text}」只有名称，指标值、完成值、分值和得分均为空，仍按指标读取。",
                column="三级指标",
                value=assignment["name"].text,
            )
            has_content = True
        if "name" not in assignment or not has_content:
            if "name" in assignment:
                structure.append(
                    {
                        "level1": state["level1"],
                        "level2": state["level2"],
                        "text": assignment["name"].text,
                        "row": src_row,
                    }
                )
            elif "level2" in assignment:
                structure.append({"level1": state["level1"], "level2": state["level2"], "text": "", "row": src_row})
            continue
        level1 = state["level1"]
        derived = level1_of_level2(state["level2"]) if state["level2"] else None
        if derived and (derive_l1 or not level1):
            if level1 and canonical_level1(level1) != derived and printed_row == src_row:
                notes.add(
                    "level1_from_level2",
                    src_row,
                    f"表中一级指标为「{printed_l1}」，但二级指标「{state['level2']}」按标准框架属于「{derived}」，已按二级指标归类。",
                    column="一级指标",
                    value=printed_l1,
                )
            level1 = derived
            if derive_l1:
                state["level1"] = derived
        elif derive_l1 and level1:
            level1 = canonical_level1(level1)
        if shifted:
            notes.add(
                "shifted_row",
                src_row,
                f"第 {src_row} 行的单元格与表头错位，已按内容形状识别为指标「{assignment['name'].text}」。",
                value=" | ".join(t.text for t in tokens),
            )
        nature = state["nature"] if "nature" not in assignment else NATURE_WORDS[assignment["nature"].text]
        if "nature" not in assignment and nature:
            notes.add(
                "nature_filled", src_row, f"指标性质为空，沿用上一行的「{nature}」（合并单元格）。", column="指标性质"
            )
        rows.append(
            {
                "level1": level1,
                "level1_weight": state["level1_weight"],
                "level2": state["level2"],
                "name": cell_text(assignment["name"].value),
                "weight": _number(assignment, "weight"),
                "nature": nature,
                "direction": cell_text(assignment["direction"].value) if "direction" in assignment else "",
                "target": _raw(assignment, "target"),
                "unit": _raw(assignment, "unit"),
                "actual": _raw(assignment, "actual"),
                "deviation_note": _raw(assignment, "deviation_note"),
                "self_score": _number(assignment, "self_score"),
                "rule_text": _raw(assignment, "rule_text"),
                "definition": _raw(assignment, "definition"),
                "source_row": src_row,
            }
        )
        if "target" in assignment and "actual" not in assignment and "actual" in header_cols:
            notes.add("one_value", src_row, f"指标「{rows[-1]['name']}」只有一个值，按指标值读取，完成值视为空。")
    return rows, structure, skipped, reported_total, declared_total, end


def _row_text(tokens: list[Token]) -> str:
    return " | ".join(t.text for t in tokens)


def _raw(assignment: dict[str, Token], field: str) -> str:
    tok = assignment.get(field)
    if tok is None:
        return ""
    text = cell_text(tok.value)
    return strip_html(text) if "<" in text else text


def _number(assignment: dict[str, Token], field: str) -> float:
    tok = assignment.get(field)
    if tok is None:
        return math.nan
    value = to_number(tok.value)
    return math.nan if value is None else value


def _direct_assignment(tokens: list[Token], fields: list[tuple[str, int]]) -> dict[str, Token] | None:
    """Every token sits in its header column and fits it: the row is aligned."""

    by_col = {c: f for f, c in fields}
    out: dict[str, Token] = {}
    for t in tokens:
        f = by_col.get(t.col)
        if f is None or fit_indicator_field(f, t) is None:
            return None
        out[f] = t
    if "name" not in out:
        return None
    return out


def _raise_for_bad_weight(grid: Grid, r: int, tokens, fields, header_text) -> None:
    """An aligned row whose 分值 cell is text: a broken input, not a shifted row."""

    by_col = {c: f for f, c in fields}
    bad = None
    for t in tokens:
        f = by_col.get(t.col)
        if f is None:
            return
        if fit_indicator_field(f, t) is None:
            if f in ("weight", "level1_weight") and bad is None and not re.search(r"\d", t.text):
                bad = (f, t)
            else:
                return
    if bad is None or not any(by_col.get(t.col) == "name" for t in tokens):
        return
    f, t = bad
    raise InputFileError(
        f"「{header_text.get(f, f)}」应为数字，实际为文字，无法计分。请改为数字后重新导入。",
        path=grid.path,
        sheet=grid.sheet,
        row=grid.row_numbers[r],
        column=header_text.get(f, f),
        value=cell_text(t.value),
    )


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
    ind_rows, structure, skipped, reported_total, declared_total, end = _read_indicators(
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
    unit = UnitInfo(
        name=info.pop("name", ""),
        department=info.pop("department", ""),
        period=info.get("period", ""),
        table_type=table_type,
    )
    unit.year = year_of(info.get("period", ""), info.get("title", ""), title, *title_texts[:6])
    if reported_total is None and info.get("total") is not None:
        reported_total = to_number(info.get("total"))
    unit.extra = {k: v for k, v in info.items() if k not in ("period", "total")}
    if title:
        unit.extra.setdefault("title", title)
    extras = {}
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
