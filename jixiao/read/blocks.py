"""The blocks around a table's indicator rows: budget lines, unit info and free texts (pure).

Also the cell helpers every block reader shares (cell text, HTML stripping, notes).
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re

import pandas as pd

from jixiao.core.model import NOTE_COLUMNS
from jixiao.core.numbers import round_half_up
from jixiao.core.textnorm import normalize_text, to_number
from jixiao.read.align import Token, align_tokens, is_plain_number, tokenize
from jixiao.read.grid import Grid
from jixiao.read.headers import INFO_LABELS, TEXT_LABELS, budget_header_field, clean_header

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


def token_text(value: object) -> str:
    return normalize_text(cell_text(value))


def strip_html(text: str) -> str:
    text = re.sub(r"(?i)</p>\s*<p[^>]*>|<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


class Notes:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, code: str, row: int | None, message: str, *, column: str = "", value: object = "") -> None:
        self.rows.append({"code": code, "row": row, "column": column, "value": cell_text(value), "message": message})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=NOTE_COLUMNS)


def label_key(text: str, labels: dict[str, tuple[str, ...]]) -> str | None:
    t = clean_header(text)
    for key, names in labels.items():
        if t in names:
            return key
    return None


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


_DEFAULT_GROUP = {
    "合计": "合计",
    "财政拨款": "资金来源",
    "其他资金": "资金来源",
    "上年结转": "资金来源",
    "基本支出": "资金结构",
    "项目支出": "资金结构",
}


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


def read_budget(grid: Grid, stop_row: int, notes: Notes) -> tuple[list[dict], set[int]]:
    lines: list[dict] = []
    used: set[int] = set()
    header = None
    for r in range(min(stop_row, len(grid.rows))):
        tokens = tokenize(grid.rows[r], token_text)
        fields = [(budget_header_field(t.value), t.col) for t in tokens]
        fields = [(f, c) for f, c in fields if f]
        if len({f for f, _ in fields}) >= 2 and {"budget", "spent"} & {f for f, _ in fields}:
            header = (r, fields, [t.text for t in tokens])
            break
    group = ""
    if header is not None:
        r0, fields, htexts = header
        unit = _money_unit(htexts + [token_text(v) for v in grid.rows[max(0, r0 - 1)] if v])
        used.add(r0)
        for r in range(r0 + 1, min(stop_row, len(grid.rows))):
            tokens = tokenize(grid.rows[r], token_text)
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
        tokens = tokenize(grid.rows[r], token_text)
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
            lines.append(
                _budget_line(name, group if name != "合计" else "合计", {"budget": nums[0]}, unit, grid.row_numbers[r])
            )
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
    return round_half_up(x)


# --------------------------------------------------------------------------------------
# unit info and texts


def read_info_and_texts(grid: Grid, rows: range, skip: set[int], info: dict, texts: dict, notes: Notes) -> None:
    pending: list[tuple[str, str, int]] | None = None  # label-only row waiting for its values
    current_text: str | None = None
    for r in rows:
        if r in skip:
            continue
        tokens = tokenize(grid.rows[r], lambda v: cell_text(v))
        if not tokens:
            continue
        tokens = _split_label_cells(tokens)
        labelled = [(t, label_key(t.text, INFO_LABELS), label_key(t.text, TEXT_LABELS)) for t in tokens]
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
            line = "：".join(strip_html(t.text) for t in tokens)
            texts[current_text] = (texts.get(current_text, "") + "\n" + line).strip()
            continue
        if r < 8 and len(tokens) == 1 and not info.get("title"):
            info["title"] = tokens[0].text
        elif len(tokens) == 1 and re.search(r"(20\d\d)\s*年", tokens[0].text) and "period" not in info:
            info["period"] = tokens[0].text
        elif len(tokens) == 1 and tokens[0].text.startswith(("说明", "注")):
            current_text = "说明"
            texts["说明"] = strip_html(tokens[0].text)


def _split_label_cells(tokens: list[Token]) -> list[Token]:
    """ "申报时段：(2023年1月-2023年12月)" -> label token + value token."""
    out = []
    for t in tokens:
        m = re.match(r"^([^：:]{2,12})[：:]\s*(.+)$", t.text, re.S)
        if m and (label_key(m.group(1), INFO_LABELS) or label_key(m.group(1), TEXT_LABELS)):
            out.append(Token(t.col, m.group(1), m.group(1)))
            out.append(Token(t.col, m.group(2).strip(), m.group(2).strip()))
        else:
            out.append(t)
    return out


def _store(kind: str, key: str, value: str, info: dict, texts: dict) -> None:
    if kind == "info":
        info.setdefault(key, value)
    else:
        value = strip_html(value)
        if key in texts and texts[key]:
            texts[key] += "\n" + value
        else:
            texts[key] = value


def year_of(*texts: str) -> int | None:
    for t in texts:
        m = re.search(r"(20\d\d)\s*年", t or "")
        if m:
            return int(m.group(1))
    return None
