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
from jixiao.core.textnorm import normalize_text
from jixiao.read.align import Token, tokenize
from jixiao.read.grid import Grid
from jixiao.read.headers import INFO_LABELS, TEXT_LABELS, clean_header

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


_HTML_BREAK = re.compile(r"(?i)</p>\s*<p[^>]*>|<br\s*/?>")
_HTML_TAG = re.compile(r"<[^>]+>")


def strip_html(text: str) -> str:
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub("", text)
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
# unit info and texts


_YEAR_CELL = re.compile(r"(20\d\d)\s*年")


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
                if tkey == "年度目标" and _unlabelled(labelled, i) and "完成情况" not in texts:
                    # "年度总体目标 | 目标 | 完成情况" on one row, without a header naming the two cells
                    _store("text", "完成情况", cell_text(labelled[i][0].value), info, texts)
                    i += 1
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
        elif len(tokens) == 1 and _YEAR_CELL.search(tokens[0].text) and "period" not in info:
            info["period"] = tokens[0].text
        elif len(tokens) == 1 and tokens[0].text.startswith(("说明", "注")):
            current_text = "说明"
            texts["说明"] = strip_html(tokens[0].text)


def _unlabelled(labelled: list, i: int) -> bool:
    """True when token ``i`` exists and is a value (no label) and the last of its row."""
    return i == len(labelled) - 1 and not (labelled[i][1] or labelled[i][2])


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
