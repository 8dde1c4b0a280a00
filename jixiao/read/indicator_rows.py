"""The rows under an indicator header: indicators, known non-indicators and unreadable rows (pure).

Every non-empty row ends up as exactly one of: an indicator (read by the header column it sits
in, or by its shape when cells moved: ``align.align_tokens``), a structure row (一级/二级 label
only), a known non-indicator (``rowkinds``: total, placeholder, 其中 sub-item) or an unreadable
row (reader note ``unreadable_row``, finding A31). The tree (一级/二级指标 in merged cells) is
carried down; what had to be guessed goes into the notes.
"""

from __future__ import annotations

import math
import re

from jixiao.core.errors import InputFileError
from jixiao.core.textnorm import to_number
from jixiao.read.align import Token, align_tokens, fit_indicator_field, tokenize
from jixiao.read.blocks import Notes, cell_text, label_key, strip_html, token_text
from jixiao.read.grid import Grid
from jixiao.read.headers import (
    INFO_LABELS,
    NATURE_WORDS,
    TEXT_LABELS,
    UNIT_NAME_KEYS,
    canonical_level1,
    is_ignored_header,
    is_input_level1,
    level1_of_level2,
)
from jixiao.read.rowkinds import (
    PLACEHOLDER_CELLS,
    is_bare_name,
    is_header_row,
    is_placeholder_row,
    is_sub_item,
    is_table_end,
    is_total_row,
    split_note_placeholders,
    total_numbers,
)

__all__ = ["read_indicator_rows"]

_L2_WEIGHT = re.compile(r"\s*[（(]\s*\d+(\.\d+)?\s*分?\s*[)）]$")
_L1_WITH_WEIGHT = re.compile(r"^(.+?)\s*[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$")


def read_indicator_rows(
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
    adjusted_cols = {
        c for c in ignored_cols for h in range(header_row, header_row + height) if _is_adjusted(grid.cell(h, c))
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
        all_tokens = tokenize(grid.rows[r], token_text)
        tokens = [t for t in all_tokens if t.col not in ignored_cols]
        adjusted = next((t for t in all_tokens if t.col in adjusted_cols and t.text not in PLACEHOLDER_CELLS), None)
        if not tokens:
            continue
        if (
            label_key(tokens[0].text, TEXT_LABELS)
            or label_key(tokens[0].text, INFO_LABELS) in UNIT_NAME_KEYS
            or is_table_end(tokens[0])
        ):
            end = r
            break
        if is_header_row(tokens):
            skipped.append({"row": src_row, "kind": "header", "text": _row_text(tokens)})
            continue
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
        if adjusted is not None and "name" in assignment:
            notes.add(
                "adjusted_target",
                src_row,
                f"指标「{assignment['name'].text}」有调整指标值「{adjusted.text}」，按调整后的指标值读取"
                + (f"（年初指标值「{assignment['target'].text}」）。" if "target" in assignment else "。"),
                column="调整指标值",
                value=adjusted.text,
            )
            assignment["target"] = adjusted
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
            shifted = False  # the row has no 三级指标 cell: nothing moved
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
        if "name" not in assignment and any(f in assignment for f in ("weight", "target", "actual", "self_score")):
            # values without an indicator name: not silently dropped, reported as a row not read
            notes.add("unreadable_row", src_row, "该行有指标值或分值但没有指标名称，已跳过：" + _row_text(tokens))
            continue
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
    if reported_total is None and end < len(grid.rows):
        score_total, weight_total = _trailing_total(grid, end, header_cols)
        reported_total = score_total
        declared_total = weight_total if declared_total is None else declared_total
    return rows, structure, skipped, reported_total, declared_total, end


#: Rows after the table's end ("其他需要说明事项 | 无") searched for its 总分 row.
_TRAILING_ROWS = 5


def _trailing_total(grid: Grid, end: int, header_cols: dict[str, int]) -> tuple[float | None, float | None]:
    """(score total, weight total) of a 总分 row printed a few rows below the table's end
    ("其他需要说明事项 | 无" then "总分 | … | 100 | 96 | 优"): its numbers are read by the
    indicator header's columns (分值, 得分), never the first number after the label."""
    cols = {header_cols.get("weight"), header_cols.get("self_score")} - {None}
    for r in range(end, min(end + _TRAILING_ROWS, len(grid.rows))):
        tokens = tokenize(grid.rows[r], token_text)
        if tokens and is_total_row(tokens) and any(t.col in cols and to_number(t.value) is not None for t in tokens):
            return total_numbers(tokens, header_cols)
    return None, None


def _is_adjusted(value: object) -> bool:
    """A 调整指标值 / 调整后指标值 column: its value, when filled, is the target that counts."""
    return value is not None and token_text(value).replace(" ", "").startswith(("调整指标值", "调整后指标值"))


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
