"""主要经验及做法: what the unit itself says it did, summarised and attributed (pure; wording in ``experience.j2``).

Experience is not computed from scores: it is the unit's own account of its work — the
自评表's 全年完成情况 and 履职情况, or the 自评报告's chapter on 工作完成及绩效实现情况 —
cut into its numbered items, each shortened to its first sentence and quoted as the unit's
words (「…」), so that the report says who claims it. Nothing here is verified; the report says so.
"""

from __future__ import annotations

import re
from typing import Any

from jixiao.core.frames import records

__all__ = ["ITEM_LIMIT", "ITEM_CHARS", "practice_items", "unit_practices"]

#: Items quoted at most, and characters per item before it is cut at a clause.
ITEM_LIMIT = 6
ITEM_CHARS = 60
#: Top-level item markers of a unit's text: (一) / 一、 / 一是 / 1. / 1、 / ① at a line start.
_MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、是]|\d{1,2}[.、．](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])\s*"
)
_INLINE_MARKER = re.compile(r"(?:^|\s+)(?=\d{1,2}[.、．](?!\d))")
_SUB_MARKER = re.compile(r"^\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）])")
_REPORT_CHAPTER = re.compile(r"完成|绩效实现|工作成效|主要做法|经验")


def practice_items(text: str) -> list[str]:
    """The unit's text cut into items (its own numbering, else its sentences), each shortened."""
    lines = [ln.strip() for ln in str(text or "").splitlines() if ln.strip()]
    if len(lines) == 1 and len(_INLINE_MARKER.findall(lines[0])) >= 2:  # "1.甲 2.乙 3.丙" on one line
        lines = [part for part in _INLINE_MARKER.split(lines[0]) if part.strip()]
    items: list[str] = []
    numbered = sum(bool(_MARKER.match(ln)) for ln in lines) >= 2
    if numbered:
        for line in lines:
            if _MARKER.match(line) and not (items and _SUB_MARKER.match(line) and _has_cn_items(lines)):
                items.append(_MARKER.sub("", line, count=1))
            elif items or line.endswith((":", "：")):
                continue  # sub-items and continuation lines (the item's head says it), or a lead-in
            else:
                items.append(line)
    else:
        items = [s for s in re.split(r"(?<=[。！？；])", " ".join(lines)) if s.strip()]
    return [_shorten(i) for i in items if _shorten(i)][:ITEM_LIMIT]


_LIST_ITEM_START = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、是])")


def _has_cn_items(lines: list[str]) -> bool:
    return any(_LIST_ITEM_START.match(ln) for ln in lines)


_SENTENCE_END = re.compile(r"(?<=[。！？])")


def _shorten(item: str) -> str:
    """The first sentence of an item, cut after the last clause that fits in :data:`ITEM_CHARS`."""
    text = " ".join(item.split()).strip()
    first = _SENTENCE_END.split(text)[0].rstrip("。！？；; ")
    if len(first) <= ITEM_CHARS:
        return first
    cut = max(first.rfind(p, 0, ITEM_CHARS) for p in "，；、")
    return first[:cut] if cut > 10 else first[:ITEM_CHARS]


def unit_practices(result: Any) -> dict[str, Any]:
    """The unit's own account of its work: ``source`` (which text), ``items``, ``duty`` (履职情况), ``n_items``."""
    main = result.self_eval
    if main is not None:
        texts = main.evaluation.texts
        items = practice_items(texts.get("完成情况", ""))
        duty = _shorten(texts.get("履职情况", ""))
        return {"source": "自评表", "items": items, "duty": duty}
    if result.report is not None:
        return {"source": "自评报告", "items": _report_items(result.report), "duty": ""}
    return {"source": "", "items": [], "duty": ""}


def _report_items(report: Any) -> list[str]:
    """Items of the report's chapter on work done: its sub-headings with their first sentence."""
    sections = report.sections
    if sections.empty:
        return []
    rows = records(sections)
    for i, row in enumerate(rows):
        if row["level"] != 1 or not _REPORT_CHAPTER.search(str(row["title"])):
            continue
        children = []
        for child in rows[i + 1 :]:
            if child["level"] <= row["level"]:
                break
            if child["level"] == row["level"] + 1:
                children.append(child)
        if children:
            out = []
            for child in children[:ITEM_LIMIT]:
                first = _shorten(str(child.get("text") or ""))
                out.append(f"{child['title']}：{first}" if first else str(child["title"]))
            return out
        return practice_items(str(row.get("text") or ""))
    return []
