"""What a narrative report says it aimed at and achieved: target lists, achievements, as-of dates.

Works on the paragraphs that :mod:`jixiao.read.narrative_report` has joined and sectioned (its
``Doc``); ``read_report_text`` calls these readers and re-exports the public names.

- "数量指标包括 …；质量指标包括 …" lists give one row per target (:func:`read_targets`);
- goal sentences ("解决率达到80%") and achieved rates ("实际解决率 87.3%") give the
  achievements table, matched by name (:func:`names_match`, :func:`read_achievements`);
- "截至/截止 … 年 … 月 … 日" dates are found with their line numbers (:func:`as_of_dates_in`).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from typing import NamedTuple

import pandas as pd

from jixiao.core.units import UNIT_ALIASES
from jixiao.parse.values import parse_value
from jixiao.read.narrative_doc import Doc, Para

__all__ = [
    "AsOfDate",
    "as_of_dates_in",
    "read_targets",
    "read_achievements",
    "names_match",
    "TARGET_COLUMNS",
    "ACHIEVEMENT_COLUMNS",
]

TARGET_COLUMNS = [
    "target_id",
    "level2",
    "name",
    "target",
    "line",
    "nature",
    "target_kind",
    "target_op",
    "target_number",
    "target_unit",
    "note",
]
ACHIEVEMENT_COLUMNS = [
    "name",
    "target",
    "actual",
    "line",
    "as_of",
    "target_name",
    "target_line",
    "target_source",
    "target_op",
    "target_number",
    "target_unit",
    "actual_number",
    "actual_unit",
]


class AsOfDate(NamedTuple):
    """A "截至 … 日" date found in the text."""

    date: _dt.date
    line: int
    text: str


# --- as-of dates ---------------------------------------------------------------------------

_AS_OF = re.compile(r"截(?:至|止)(?:至|到)?\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def as_of_dates_in(para: Para, year: int | None) -> Iterator[tuple[AsOfDate, int]]:
    """The "截至 … 日" dates of a paragraph with their offsets in its text (dates without a year take ``year``)."""
    for m in _AS_OF.finditer(para.text):
        y = int(m.group(1)) if m.group(1) else year
        if y is None:
            continue
        try:
            date = _dt.date(y, int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        yield AsOfDate(date, para.line_at(m.start()), m.group(0)), m.start()


# --- targets ("数量指标包括 …") -------------------------------------------------------------

_LEVEL2 = re.compile(
    r"((?:数量|质量|时效|成本|经济效益|社会效益|生态效益|环境效益|可持续影响|服务对象满意度|满意度)指标)"
    r"\s*(?:主要)?(?:包括|包含|有|为|是)\s*[:：]?\s*"
)
#: Units after a number in narrative text: the one list (core/units.py), its Chinese spellings,
#: and the counting nouns reports use as units (29个居委, 3个小区).
_UNIT_WORDS = "|".join(
    re.escape(u)
    for u in sorted(
        {a for a in UNIT_ALIASES if re.fullmatch(r"[\u4e00-\u9fff]+", a)} | {"居委", "小区", "村", "点", "队", "班"},
        key=len,
        reverse=True,
    )
)
# Linear-time by construction: a number starts only where no digit, comma or point precedes
# it (so one run of digits can never be split between repetitions) and every whitespace
# run is possessive (``\s*+``), so a failed match never re-partitions digits or spaces.
_NUM_UNIT = (
    rf"(?<![\d.,])\d[\d,]*+(?:\.\d++)?+\s*+(?:[(（][^()（）]{{0,12}}[)）]|[%‰]|个?(?:{_UNIT_WORDS}))?\s*+"
    r"(?:以上|以下|以内|左右)?"
)
_PREFIX = (
    r"(?:(?:同比|环比|较上年|比上年|较去年)?\s*+(?:上升|下降|提升|降低|减少|增加|增长|提高)?\s*+"
    r"(?:[<>≤≥=≈]|不低于|不少于|不高于|不超过|不大于|不小于|达到|达|约|低于|高于|小于|大于)?\s*+)"
)
_VALUE_TAIL = re.compile(rf"(?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?|(?:{_PREFIX}{_NUM_UNIT}\s*+)+)$")
# A target item longer than this is prose, not "name + value"; it is kept whole as the name.
MAX_ITEM_CHARS = 200
_QUALITATIVE_END = re.compile(
    r"(及时|改善|提升|下降|上升|完善|规范|有效|明显|健全|达标|良好|提高|降低|减少|增加|到位|完成|落实|满意)$"
)
_QUOTES = "\"'“”‘’「」"


def _split_item(item: str) -> tuple[str, str]:
    item = item.strip().strip(_QUOTES).strip()
    if len(item) > MAX_ITEM_CHARS:
        return item, ""
    m = _VALUE_TAIL.search(item)
    if not m:
        return item, ""
    return item[: m.start()].strip().strip(_QUOTES).strip(), item[m.start() :].strip()


_SEMICOLON = re.compile("[；;]")


def read_targets(doc: Doc, year: int | None) -> pd.DataFrame:
    """The "数量指标包括 …；质量指标包括 …" lists as a TARGET_COLUMNS table (one row per target)."""

    rows: list[dict] = []
    for para in doc.paras:
        marks = list(_LEVEL2.finditer(para.text))
        for k, mark in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(para.text)
            body = para.text[mark.end() : end]
            stop = body.find("。")
            body = body[:stop] if stop >= 0 else body
            seps = "[；;]" if _SEMICOLON.search(body) else "[，,、]"
            pos = mark.end()
            for piece in re.split(f"({seps})", body):
                start, pos = pos, pos + len(piece)
                if re.fullmatch(seps, piece) or not piece.strip(" " + _QUOTES):
                    continue
                name, value = _split_item(piece)
                line = para.line_at(start + len(piece) - len(piece.lstrip()))
                if not name and rows and rows[-1]["level2"] == mark.group(1) and not rows[-1]["target"]:
                    prev = rows[-1]
                    prev["target"] = value
                    prev["note"] = f"指标名称与指标值被分号隔开（「{prev['name']}」；「{value}」），已合并为一项"
                    doc.note("target_merged", line, value, prev["note"] + "。")
                    continue
                if not name:
                    doc.note(
                        "target_orphan", line, value, f"{mark.group(1)}中的「{value}」只有数值、没有指标名称，已忽略。"
                    )
                    continue
                rows.append({"level2": mark.group(1), "name": name, "target": value, "line": line, "note": ""})
    out = []
    for i, row in enumerate(rows, start=1):
        pv = parse_value(row["target"], year=year) if row["target"] else None
        nature = "定量" if row["target"] else ("定性" if _QUALITATIVE_END.search(row["name"]) else "")
        out.append(
            {
                "target_id": f"RT{i:02d}",
                **{k: row[k] for k in ("level2", "name", "target", "line")},
                "nature": nature,
                "target_kind": pv.kind if pv else "empty",
                "target_op": (pv.op if pv else None) or "",
                "target_number": pv.number if pv and pv.number is not None else float("nan"),
                "target_unit": (pv.unit if pv else None) or "",
                "note": row["note"],
            }
        )
    frame = pd.DataFrame(out, columns=TARGET_COLUMNS)
    frame["line"] = frame["line"].astype("Int64")
    frame["target_number"] = frame["target_number"].astype("float64")
    return frame


# --- achievements ------------------------------------------------------------------------

_GOAL = re.compile(
    r"([\u4e00-\u9fff]{1,15}(?:率|数|量|度))\s*(力争达到|达到|达|不低于|不少于|高于|不高于|不超过|控制在|保持在|≥|≤|>|<)\s*"
    r"(\d+(?:\.\d+)?\s*%?)"
)
_ACHIEVED = re.compile(r"([\u4e00-\u9fff]{1,15}率)\s*(?:为|达到|达|是|:|：)?\s*(\d+(?:\.\d+)?)\s*%")
#: Sections of the goals and of the achievements (title pattern, excluded titles).
_TARGET_SECTIONS, _TARGET_SECTIONS_NOT = re.compile(r"目标|任务|计划"), re.compile(r"实现|完成情况|考察|问题")
_ACHIEVED_SECTIONS, _ACHIEVED_SECTIONS_NOT = (
    re.compile(r"实现|完成情况|成效|工作完成|绩效情况"),
    re.compile(r"问题|改进|应用|公开"),
)
#: Qualifiers that make two rates different measures (按时办结率 is not 办结率).
_DISTINCT = (
    "按时",
    "及时",
    "先行",
    "高效",
    "一次",
    "首次",
    "重复",
    "超期",
    "逾期",
    "提前",
    "联系",
    "现场",
    "平均",
    "回访",
)


def names_match(a: str, b: str) -> int:
    """How well two indicator names match: length of their shared suffix, or 0.

    Names match when they share a suffix of at least 3 characters ending in 率/数/量/度
    (解决率 ↔ 实际解决率 ↔ 诉求解决率; 满意率 ↔ 市民满意率) and neither leftover prefix holds
    a qualifier that changes the measure (按时, 及时, 先行, 高效 …: 办结率 ≠ 按时办结率).
    """
    a, b = a.strip(_QUOTES), b.strip(_QUOTES)
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    if n < 3 or a[-1] not in "率数量度":
        return 0
    rest = a[: len(a) - n] + "|" + b[: len(b) - n]
    return 0 if any(q in rest for q in _DISTINCT) else n


def read_achievements(doc: Doc, year: int | None, targets: pd.DataFrame) -> pd.DataFrame:
    """Achieved rates ("实际解决率 87.3%") matched to goal sentences or ``targets`` (ACHIEVEMENT_COLUMNS)."""

    goals = []  # (name, target text, line, source)
    for para in doc.paras_in(_TARGET_SECTIONS, _TARGET_SECTIONS_NOT):
        for m in _GOAL.finditer(para.text):
            goals.append((m.group(1), m.group(2) + m.group(3), para.line_at(m.start()), "目标段落"))
    listed = [(r.name, r.target, int(r.line), "指标清单") for r in targets.itertuples() if r.target]
    rows = []
    for para in doc.paras_in(_ACHIEVED_SECTIONS, _ACHIEVED_SECTIONS_NOT):
        dates = list(as_of_dates_in(para, year))
        for m in _ACHIEVED.finditer(para.text):
            name, actual = m.group(1), m.group(2) + "%"
            best, score = None, 0
            for pool in (goals, listed):  # goal sentences first, the indicator lists as fallback
                for goal in pool:
                    s = names_match(name, goal[0])
                    if s > score:
                        best, score = goal, s
                if best:
                    break
            as_of = max((d.date for d, off in dates if off < m.start()), default=None)
            tv = parse_value(best[1], year=year) if best else None
            av = parse_value(actual, year=year)
            rows.append(
                {
                    "name": name,
                    "target": best[1] if best else "",
                    "actual": actual,
                    "line": para.line_at(m.start()),
                    "as_of": as_of,
                    "target_name": best[0] if best else "",
                    "target_line": best[2] if best else None,
                    "target_source": best[3] if best else "",
                    "target_op": (tv.op if tv else None) or "",
                    "target_number": tv.number if tv and tv.number is not None else float("nan"),
                    "target_unit": (tv.unit if tv else None) or "",
                    "actual_number": av.number if av.number is not None else float("nan"),
                    "actual_unit": av.unit or "",
                }
            )
            if best and best[0] != name:
                doc.note(
                    "achievement_match",
                    rows[-1]["line"],
                    name,
                    f"实现值「{name}」按名称对应到目标「{best[0]}」（{best[3]}）。",
                )
    frame = pd.DataFrame(rows, columns=ACHIEVEMENT_COLUMNS)
    for col in ("line", "target_line"):
        frame[col] = frame[col].astype("Int64")
    for col in ("target_number", "actual_number"):
        frame[col] = frame[col].astype("float64")
    return frame
