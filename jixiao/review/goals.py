"""Checks on goals and target design (C12-C14) and on part-year completion data (D06).

- C12: an item of the 年度总体目标 that no indicator measures, while the table reports no
  completion for it (the 完成情况 is empty or still the template's instruction);
- C13: a declaration without any 成本指标;
- C14: a satisfaction target written as ``=`` or ``≤`` (a ceiling on satisfaction);
- C25: a satisfaction target written as a bare number (``90%``): no direction at all;
- D06: an indicator counted as met (full score) on data that stop before the year's end
  ("截至9月30日", "1-9月"): it is met so far, not achieved.

Every function takes the tables and returns finding rows (``catalogue.make_finding``).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.textnorm import clean_cell
from jixiao.review.catalogue import make_finding

__all__ = ["check_cost_indicators", "check_goal_coverage", "check_part_year", "check_satisfaction_direction"]

_EPS = 1e-9

# --- C12: annual goals without indicator and without reported completion --------------------------

_ITEM_SPLIT = re.compile(
    r"[。；;\n]|(?:[一二三四五六七八九十]+是)|(?:[（(]?[一二三四五六七八九十\d]{1,2}[)）、.．](?!\d))"
)
#: Words of every goal that say nothing of its content (bigrams dropped before matching).
_FILLER = set(
    "做好 工作 进一步 持续 推进 加强 提升 完善 建设 确保 全面 不断 深化 继续 开展 实现 保障 落实 提高 促进 "
    "有效 积极 认真 按照 根据 通过 年度 全年 目标 任务 完成 相关 各项 日常 正常 运行 运转 管理 单位 部门".split()
)
#: Completion cells that still hold the template's instruction, not a report.
_TEMPLATE = re.compile(r"说明相关任务目标的完成情况|\d+字以内|对照年度目标|请填写|^(无|/|—+|-+|0)$")


def _bigrams(text: str) -> set[str]:
    han = re.sub(r"[^\u4e00-\u9fff]", " ", text)
    grams = {w[i : i + 2] for w in han.split() for i in range(len(w) - 1)}
    return {g for g in grams if g not in _FILLER and not any(g in f for f in _FILLER if len(f) > 2)}


#: Header words of the goal block; an "item" made only of them is a header read as text, not a goal.
_HEADER_WORDS = re.compile(r"年初|设定|预期|年度|总体|目标|完成情况|实际|综述|情况|本年度|实施期")


def _goal_items(goal: str) -> list[str]:
    items = [re.sub(r"\s+", "", x).strip("，,：:") for x in _ITEM_SPLIT.split(goal or "")]
    return [x for x in items if len(_bigrams(x)) >= 2 and len(_HEADER_WORDS.sub("", x)) >= 4]


def _reported(text: str) -> bool:
    text = re.sub(r"\s+", "", text or "")
    return bool(text) and not _TEMPLATE.search(text)


def check_goal_coverage(evaluation) -> list[dict]:
    """C12: goal items with no indicator sharing two content words, in a table that reports no completion."""
    texts = evaluation.texts or {}
    goal, done = str(texts.get("年度目标", "")), str(texts.get("完成情况", ""))
    if evaluation.unit.table_type == "declaration" or _reported(done):
        return []
    words = [_bigrams(f"{r.get('name', '')} {r.get('target', '')}") for r in records(evaluation.indicators)]
    out = []
    for item in _goal_items(goal):
        own = _bigrams(item)
        if any(len(own & w) >= 2 for w in words):
            continue
        short = item if len(item) <= 40 else item[:40] + "…"
        out.append(
            make_finding(
                "C12",
                "年度总体目标",
                f"年度目标「{short}」没有对应的绩效指标，表中也未报告其完成情况。",
                expected="对应的绩效指标或完成情况",
                reported="（无）",
            )
        )
    return out


# --- C13: a declaration without 成本指标 -----------------------------------------------------------


def check_cost_indicators(evaluation) -> list[dict]:
    """C13: no indicator of a declaration sits under a 成本 level 2 nor is named a cost."""
    ind = evaluation.indicators
    if evaluation.unit.table_type != "declaration" or ind.empty:
        return []
    cost = ind[["level1", "level2", "name"]].astype(str).apply(lambda c: c.str.contains("成本")).any(axis=1)
    notes = evaluation.notes
    unread = notes[notes["code"] == "unreadable_row"] if len(notes) else notes
    unread_cost = any("成本" in f"{r.get('value', '')}{r.get('message', '')}" for r in records(unread))
    if cost.any() or unread_cost:  # a 成本 row the reader could not read is still a 成本指标
        return []
    return [
        make_finding(
            "C13",
            "产出指标",
            f"绩效目标共 {len(ind)} 项指标，没有成本指标（经济成本、社会成本等）。",
            expected="至少一项成本指标",
            reported="（无）",
        )
    ]


# --- C14: satisfaction written as = or ≤ ---------------------------------------------------------

_SATISFACTION = re.compile(r"满意度|满意率")
_CEILING = re.compile(r"^\s*(=|＝|≤|<=|＜=|<|＜|不高于|不超过)")


def check_satisfaction_direction(indicators: pd.DataFrame, parsed: dict) -> list[dict]:
    """C14: a satisfaction target whose direction is ``=`` or ``≤`` (column 方向 or written in the value);
    C25: one with no direction at all (a bare number)."""
    out = []
    for r in records(indicators):
        if not _SATISFACTION.search(str(r.get("name", ""))):
            continue
        direction = clean_cell(r.get("direction"))
        target = parsed[str(r["indicator_id"])][0]
        raw = clean_cell(r.get("target"))
        ceiling = _CEILING.match(raw)
        written = direction if _CEILING.match(direction) else (ceiling.group(1) if ceiling else "")
        if not written and target.op in ("=", "<", "<=") and not target.op_implicit:
            written = {"<=": "≤", "<": "<"}.get(target.op, target.op)
        if not written:
            if not direction and target.kind == "number" and (target.op is None or target.op_implicit):
                out.append(
                    _bare_satisfaction(r, raw + (clean_cell(r.get("unit")) if "%" not in raw else ""), target.unit)
                )
            continue
        unit = clean_cell(r.get("unit"))
        shown = f"{direction}{raw}" if direction and not raw.startswith(direction) else raw
        shown += unit if unit and not shown.endswith(unit) else ""
        src = r.get("source_row")
        line = f"(第{int(src)}行)" if src is not None and not pd.isna(src) else ""
        out.append(
            make_finding(
                "C14",
                f"指标「{r['name']}」{line}",
                f"满意度指标「{r['name']}」的指标值写为「{shown}」，"
                f"方向为“{written}”：满意度应设下限（≥），不应设为等于或上限。",
                scope="indicator",
                indicator_id=str(r["indicator_id"]),
                expected="≥ 目标值",
                reported=shown,
            )
        )
    return out


def _bare_satisfaction(r: dict, shown: str, unit: str | None) -> dict:
    """C25: a satisfaction target written as a bare number (90%), without ≥; without its % too
    ("100"), which the finding says (C02 is then not reported apart: one finding per problem)."""
    src = r.get("source_row")
    line = f"(第{int(src)}行)" if src is not None and not pd.isna(src) else ""
    missing = "方向（≥）" if unit else "方向（≥）和计量单位（%）"
    return make_finding(
        "C25",
        f"指标「{r['name']}」{line}",
        f"满意度指标「{r['name']}」的指标值只写了「{shown}」，没有写{missing}，达到多少算达标不清楚。",
        scope="indicator",
        indicator_id=str(r["indicator_id"]),
        expected=f"≥{shown}" if unit else f"≥{shown}%",
        reported=shown,
    )


# --- D06: met on part-year data --------------------------------------------------------------------

_PART_YEAR = re.compile(
    r"截[至止](?:\d{4}年)?\s*(\d{1,2})\s*月|(?:1|一)\s*[-—~～至到]\s*(\d{1,2})\s*月|前(三|3)季度|上半年"
)


def _part_month(text: str) -> str | None:
    """The part-year period named in ``text`` ("截至9月"), or None when none before December is named."""
    m = _PART_YEAR.search(text or "")
    if not m:
        return None
    month = m.group(1) or m.group(2)
    if month is not None and int(month) >= 12:
        return None
    return m.group(0)


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def check_part_year(evaluation) -> list[dict]:
    """D06: indicators scored in full on data that stop before the year's end (met so far, not achieved)."""
    out = []
    for r in records(evaluation.indicators):
        period = _part_month(f"{clean_cell(r.get('actual'))} {clean_cell(r.get('deviation_note'))}")
        s, w = _num(r.get("self_score")), _num(r.get("weight"))
        if period is None or s is None or w is None or s < w - _EPS:
            continue
        src = r.get("source_row")
        line = f"(第{int(src)}行)" if src is not None and not pd.isna(src) else ""
        out.append(
            make_finding(
                "D06",
                f"指标「{r['name']}」{line}",
                f"指标「{r['name']}」按「{period}」的数据计为已达成并得满分，"
                f"只能说明目前达成，全年是否达成尚待全年数据。",
                scope="indicator",
                indicator_id=str(r["indicator_id"]),
                expected="全年（截至12月31日）完成值",
                reported=clean_cell(r.get("actual")) or period,
            )
        )
    done = str((evaluation.texts or {}).get("完成情况", ""))
    period = _part_month(done)
    if period is not None and evaluation.unit.table_type != "declaration" and not out:
        out.append(
            make_finding(
                "D06",
                "年度总体目标完成情况",
                f"年度目标完成情况按「{period}」的数据填报，只能说明目前进展，不能作为全年达成的依据。",
                expected="全年完成情况",
                reported=period,
            )
        )
    return out
