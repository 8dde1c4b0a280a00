"""Recognise a table's layout in grids and normalise it into an Evaluation (pure).

Layouts read: the tidy template (one row per 三级指标, canonical headers), the
部门（单位）整体支出绩效自评表, the 绩效目标申报表, and the common 项目支出绩效自评表.
They share one mechanism: find the indicator header row, map its cells to fields
with ``headers.header_field``, then read every following row by shape
(``align.align_tokens``). What had to be guessed goes into ``Evaluation.notes``.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re

import pandas as pd

from .align import Token, align_tokens, is_plain_number, tokenize
from .errors import InputFileError, NoIndicatorTableError
from .headers import (
    INFO_LABELS,
    NATURE_WORDS,
    TEXT_LABELS,
    budget_header_field,
    canonical_level1,
    clean_header,
    header_field,
    is_level1_word,
    level1_of_level2,
)
from .model import (
    BUDGET_COLUMNS,
    INDICATOR_COLUMNS,
    NOTE_COLUMNS,
    Evaluation,
    SourceInfo,
    UnitInfo,
    empty_budget,
    empty_indicators,
)
from .readers import Grid
from .textnorm import normalize_text, to_number

__all__ = ["parse_grids", "cell_text"]

_TOTAL_WORDS = ("总分", "合计", "总计", "得分合计", "综合得分", "自评总分")
_MAX_HEADER_SCAN = 60
_L1_WITH_WEIGHT = re.compile(r"^(.+?)\s*[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$")
_TABLE_HEADS = {"任务名称", "主要内容", "主要内容（重点工作计划）", "主要内容(重点工作计划)", "内容"}


def cell_text(value: object) -> str:
    """Raw text of a cell as a user would read it ("" for blanks)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value).strip()


def _token_text(value: object) -> str:
    return normalize_text(cell_text(value))


def _strip_html(text: str) -> str:
    text = re.sub(r"(?i)</p>\s*<p[^>]*>|<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


class _Notes:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, code: str, row: int | None, message: str, *, column: str = "", value: object = "") -> None:
        self.rows.append({"code": code, "row": row, "column": column, "value": cell_text(value), "message": message})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=NOTE_COLUMNS)


# --------------------------------------------------------------------------------------
# header detection


def _find_indicator_header(grid: Grid) -> tuple[int, list[tuple[str, int]]] | None:
    for r, row in enumerate(grid.rows):
        fields: list[tuple[str, int]] = []
        seen = set()
        for c, v in enumerate(row):
            if v is None:
                continue
            f = header_field(v)
            if f and f not in seen:
                fields.append((f, c))
                seen.add(f)
        has_name = "name" in seen or ("level2" in seen and "target" in seen and "level1" in seen)
        if has_name and len(seen) >= 3 and seen & {"weight", "target", "actual", "self_score"}:
            if "name" not in seen:
                # 二级 + value columns with no 三级 column: the 二级 column names the indicator.
                fields = [("name", c) if f == "level2" else (f, c) for f, c in fields]
            return r, fields
    return None


def _table_type(title: str, fields: set[str], header_row: int, first_row: int) -> str:
    if "申报" in title or ("rule_text" in fields and "actual" not in fields and "self_score" not in fields):
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


def _is_total_row(tokens: list[Token]) -> bool:
    return any(t.text.replace(" ", "") in _TOTAL_WORDS for t in tokens)


def _label_key(text: str, labels: dict[str, tuple[str, ...]]) -> str | None:
    t = clean_header(text)
    for key, names in labels.items():
        if t in names:
            return key
    return None


def _read_indicators(grid: Grid, header_row: int, fields: list[tuple[str, int]], table_type: str, notes: _Notes):
    """Indicator rows, the reported total and where the table ends."""
    header_cols = {f: c for f, c in fields}
    header_text = {f: cell_text(grid.cell(header_row, c)) for f, c in fields}
    rows: list[dict] = []
    structure: list[dict] = []
    reported_total = None
    declared_total = None
    state = {"level1": "", "level1_weight": math.nan, "level2": "", "nature": ""}
    printed_l1 = ""
    printed_row = None
    end = len(grid.rows)
    derive_l1 = table_type == "declaration"
    for r in range(header_row + 1, len(grid.rows)):
        src_row = grid.row_numbers[r]
        tokens = tokenize(grid.rows[r], _token_text)
        if not tokens:
            continue
        if _label_key(tokens[0].text, TEXT_LABELS) or _label_key(tokens[0].text, INFO_LABELS) == "name":
            end = r
            break
        if _is_total_row(tokens):
            nums = [to_number(t.value) for t in tokens if is_plain_number(t.text)]
            if nums:
                reported_total = nums[-1]
                if len(nums) >= 2:
                    declared_total = nums[-2]
            continue
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
            notes.add("unreadable_row", src_row, "该行无法识别为指标行，已跳过：" + " | ".join(t.text for t in tokens))
            continue
        if shifted and "actual" in assignment and "target" not in assignment and "target" in header_cols:
            # a lone value in a shifted row is read as the target; the actual stays empty
            assignment["target"] = assignment.pop("actual")
            notes.add("one_value", src_row, "该行只有一个值，按指标值读取，完成值视为空。", value=assignment["target"].text)
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
            if assignment["level2"].text != state["level2"]:
                state["nature"] = ""
            state["level2"] = assignment["level2"].text
        if "nature" in assignment:
            state["nature"] = NATURE_WORDS[assignment["nature"].text]
        has_content = any(f in assignment for f in ("weight", "target", "actual", "self_score", "nature"))
        if "name" not in assignment or not has_content:
            if "name" in assignment:
                structure.append(
                    {"level1": state["level1"], "level2": state["level2"], "text": assignment["name"].text, "row": src_row}
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
            notes.add("nature_filled", src_row, f"指标性质为空，沿用上一行的「{nature}」（合并单元格）。", column="指标性质")
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
    return rows, structure, reported_total, declared_total, end


def _raw(assignment: dict[str, Token], field: str) -> str:
    tok = assignment.get(field)
    if tok is None:
        return ""
    text = cell_text(tok.value)
    return _strip_html(text) if "<" in text else text


def _number(assignment: dict[str, Token], field: str) -> float:
    tok = assignment.get(field)
    if tok is None:
        return math.nan
    value = to_number(tok.value)
    return math.nan if value is None else value


def _direct_assignment(tokens: list[Token], fields: list[tuple[str, int]]) -> dict[str, Token] | None:
    """Every token sits in its header column and fits it: the row is aligned."""
    from .align import fit_indicator_field

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
    from .align import fit_indicator_field

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
# budget block

_LINE_KEYS = (
    ("财政拨款", "财政拨款"),
    ("其他资金", "其他资金"),
    ("上年结转", "上年结转"),
    ("基本支出", "基本支出"),
    ("项目支出", "项目支出"),
    ("预算总额", "合计"),
    ("资金总额", "合计"),
    ("合计", "合计"),
    ("总计", "合计"),
    ("整体支出规模", "合计"),
)


_DEFAULT_GROUP = {"合计": "合计", "财政拨款": "资金来源", "其他资金": "资金来源", "上年结转": "资金来源",
                  "基本支出": "资金结构", "项目支出": "资金结构"}


def _line_name(label: str) -> str | None:
    for key, name in _LINE_KEYS:
        if key in label:
            return name
    return None


def _money_unit(texts: list[str]) -> str:
    return "万元" if any("万元" in t for t in texts) else "元"


def _budget_fit(field: str, tok: Token) -> float | None:
    if not is_plain_number(tok.text.rstrip("%")):
        return None
    if field == "reported_rate":
        return 2.0 if tok.text.endswith("%") else 0.5
    return None if tok.text.endswith("%") else 1.5


def _read_budget(grid: Grid, stop_row: int, notes: _Notes) -> tuple[list[dict], set[int]]:
    lines: list[dict] = []
    used: set[int] = set()
    header = None
    for r in range(min(stop_row, len(grid.rows))):
        tokens = tokenize(grid.rows[r], _token_text)
        fields = [(budget_header_field(t.value), t.col) for t in tokens]
        fields = [(f, c) for f, c in fields if f]
        if len({f for f, _ in fields}) >= 2 and {"budget", "spent"} & {f for f, _ in fields}:
            header = (r, fields, [t.text for t in tokens])
            break
    group = ""
    if header is not None:
        r0, fields, htexts = header
        unit = _money_unit(htexts + [_token_text(v) for v in grid.rows[max(0, r0 - 1)] if v])
        used.add(r0)
        for r in range(r0 + 1, min(stop_row, len(grid.rows))):
            tokens = tokenize(grid.rows[r], _token_text)
            if not tokens:
                continue
            label_tokens = [t for t in tokens if not is_plain_number(t.text.rstrip("%"))]
            label = "".join(t.text for t in label_tokens)
            name = _line_name(label)
            if name is None:
                break
            used.add(r)
            group = "资金来源" if "资金来源" in label else "资金结构" if "资金结构" in label else group
            nums = [t for t in tokens if t not in label_tokens]
            if not nums:
                continue
            fit = align_tokens(nums, fields, _budget_fit)
            if fit is None:
                notes.add("budget_unreadable", grid.row_numbers[r], f"预算行「{label}」的数字无法对应到表头，已跳过。")
                continue
            lines.append(_budget_line(name, group, fit[1], unit, grid.row_numbers[r]))
        return lines, used
    # declarations: "部门整体预算总额（元） | 672063140" rows, one amount each
    unit = "元"
    for r in range(min(stop_row, len(grid.rows))):
        tokens = tokenize(grid.rows[r], _token_text)
        if len(tokens) < 1:
            continue
        label = "".join(t.text for t in tokens if not is_plain_number(t.text))
        name = _line_name(label)
        nums = [t for t in tokens if is_plain_number(t.text)]
        if name is None or len(nums) != 1 or not label or label.startswith("年") or label.endswith("表"):
            continue
        if "万元" in label:
            unit = "万元"
        group = "资金来源" if "资金来源" in label else "资金结构" if "资金结构" in label else group
        used.add(r)
        if nums:
            lines.append(_budget_line(name, group if name != "合计" else "合计", {"budget": nums[0]}, unit, grid.row_numbers[r]))
    return lines, used


def _budget_line(name: str, group: str, fields: dict[str, Token], unit: str, row: int) -> dict:
    def num(f):
        tok = fields.get(f)
        v = to_number(tok.text.rstrip("%")) if tok else None
        return math.nan if v is None else v

    budget, spent = num("budget"), num("spent")
    rate = math.nan
    if not math.isnan(budget) and not math.isnan(spent) and budget != 0:
        rate = _round2(spent / budget * 100)
    return {
        "name": name,
        "group": group or _DEFAULT_GROUP.get(name, ""),
        "initial_budget": num("initial_budget"),
        "budget": budget,
        "spent": spent,
        "reported_rate": num("reported_rate"),
        "rate": rate,
        "weight": num("weight"),
        "reported_score": num("reported_score"),
        "money_unit": unit,
        "source_row": row,
    }


def _round2(x: float) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------------------
# unit info and texts


def _read_info_and_texts(grid: Grid, rows: range, skip: set[int], info: dict, texts: dict, notes: _Notes) -> None:
    pending: list[tuple[str, str, int]] | None = None  # label-only row waiting for its values
    current_text: str | None = None
    for r in rows:
        if r in skip:
            continue
        tokens = tokenize(grid.rows[r], lambda v: cell_text(v))
        if not tokens:
            continue
        tokens = _split_label_cells(tokens)
        labelled = [(t, _label_key(t.text, INFO_LABELS), _label_key(t.text, TEXT_LABELS)) for t in tokens]
        if pending is not None and not any(i or x for _, i, x in labelled):
            if len(tokens) == len(pending):
                pairs = list(zip(pending, tokens))
            else:
                pairs = [(min(pending, key=lambda p: abs(p[2] - t.col)), t) for t in tokens]
            for (kind, key, _), tok in pairs:
                _store(kind, key, cell_text(tok.value), info, texts)
            pending = None
            current_text = None
            continue
        pending = None
        if all(i or x for _, i, x in labelled) and len(tokens) >= 1:
            keys = [("info", i, t.col) if i else ("text", x, t.col) for t, i, x in labelled]
            if len(tokens) == 1:
                current_text = keys[0][1] if keys[0][0] == "text" else None
                if keys[0][0] == "text":
                    continue
            # "年度总体目标 | 年初设定目标 | 全年完成情况": first label names the block
            pending = keys[1:] if keys[0][1] == "年度目标" and len(keys) > 1 else keys
            continue
        i = 0
        consumed = False
        while i < len(labelled):
            tok, ikey, tkey = labelled[i]
            if (ikey or tkey) and i + 1 < len(labelled) and not (labelled[i + 1][1] or labelled[i + 1][2]):
                _store("info" if ikey else "text", ikey or tkey, cell_text(labelled[i + 1][0].value), info, texts)
                consumed = True
                i += 2
                continue
            i += 1
        if consumed:
            current_text = None
            continue
        if len(tokens) == 1 and len(tokens[0].text) <= 8 and tokens[0].text.endswith(("情况", "分解目标", "目标自评")):
            current_text = None  # a section heading such as 预算情况
            continue
        if current_text and not (set(t.text for t in tokens) & _TABLE_HEADS):
            line = "：".join(_strip_html(t.text) for t in tokens)
            texts[current_text] = (texts.get(current_text, "") + "\n" + line).strip()
            continue
        if r < 8 and len(tokens) == 1 and not info.get("title"):
            info["title"] = tokens[0].text
        elif len(tokens) == 1 and re.search(r"(20\d\d)\s*年", tokens[0].text) and "period" not in info:
            info["period"] = tokens[0].text
        elif len(tokens) == 1 and tokens[0].text.startswith(("说明", "注")):
            current_text = "说明"
            texts["说明"] = _strip_html(tokens[0].text)


def _split_label_cells(tokens: list[Token]) -> list[Token]:
    """"申报时段：(2023年1月-2023年12月)" -> label token + value token."""
    out = []
    for t in tokens:
        m = re.match(r"^([^：:]{2,12})[：:]\s*(.+)$", t.text, re.S)
        if m and (_label_key(m.group(1), INFO_LABELS) or _label_key(m.group(1), TEXT_LABELS)):
            out.append(Token(t.col, m.group(1), m.group(1)))
            out.append(Token(t.col, m.group(2).strip(), m.group(2).strip()))
        else:
            out.append(t)
    return out


def _store(kind: str, key: str, value: str, info: dict, texts: dict) -> None:
    if kind == "info":
        info.setdefault(key, value)
    else:
        value = _strip_html(value)
        if key in texts and texts[key]:
            texts[key] += "\n" + value
        else:
            texts[key] = value


def _year(*texts: str) -> int | None:
    for t in texts:
        m = re.search(r"(20\d\d)\s*年", t or "")
        if m:
            return int(m.group(1))
    return None


# --------------------------------------------------------------------------------------


def parse_grids(grids: list[Grid]) -> Evaluation:
    """Normalise a file's grids into an Evaluation.

    Raises:
        NoIndicatorTableError: no sheet has an indicator header row.
    """
    notes = _Notes()
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
    grid, (header_row, fields) = found
    first_row = next(i for i, row in enumerate(grid.rows) if any(v is not None for v in row))
    title_texts = [
        _token_text(v) for row in grid.rows[: min(header_row, _MAX_HEADER_SCAN)] for v in row if v is not None
    ]
    title = next((t for t in title_texts if "表" in t or "报告" in t), "")
    table_type = _table_type(title, {f for f, _ in fields}, header_row, first_row)
    ind_rows, structure, reported_total, declared_total, end = _read_indicators(
        grid, header_row, fields, table_type, notes
    )
    budget_lines, used = _read_budget(grid, header_row, notes)
    info: dict = {}
    texts: dict = {}
    _read_info_and_texts(grid, range(0, header_row), used, info, texts, notes)
    _read_info_and_texts(grid, range(end, len(grid.rows)), set(), info, texts, notes)
    for g in grids:
        if g is grid:
            continue
        more, used_other = _read_budget(g, len(g.rows), notes)
        budget_lines.extend(more)
        _read_info_and_texts(g, range(len(g.rows)), used_other, info, texts, notes)
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
    unit.year = _year(info.get("period", ""), info.get("title", ""), title, *title_texts[:6])
    if reported_total is None and info.get("total") is not None:
        reported_total = to_number(info.get("total"))
    unit.extra = {k: v for k, v in info.items() if k not in ("period", "total")}
    if title:
        unit.extra.setdefault("title", title)
    extras = {}
    if structure:
        extras["structure_rows"] = structure
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
