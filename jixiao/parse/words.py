"""Word and met judgements: does a 完成值 claim, or show, that the target was achieved?

:func:`judge_word` reads the tier a unit's own words claim ("已完成" → 达成, "基本完成" →
部分达成, "未完成"/"滞后" → 未达成); :func:`judge_met` decides met / not met from numbers,
dates or ranges when it can and falls back to the words. The scoring rules
(:mod:`jixiao.score.rules.base`, which re-exports both) and the review checks use them.
"""

from __future__ import annotations

import functools
import re

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.textnorm import normalize_text
from jixiao.parse.wordlists import NIL_WORDS

__all__ = ["judge_word", "value_text", "is_nil_answer", "POSITIVE_WORDS"]

_EPS = 1e-9  # the same float tolerance as the rules


# --- the words of a value ------------------------------------------------------------------


def value_text(v: ParsedValue | None) -> str:
    """The value's words (or raw text) normalised, without spaces; "" for None."""
    return "" if v is None else _compact_text(v.word or v.raw)


@functools.lru_cache(maxsize=4096)
def _compact_text(text: str) -> str:
    return normalize_text(text).replace(" ", "")


_NIL_RE = re.compile(rf"^(?:{'|'.join(NIL_WORDS)}|不发生|均未发生)(?![法效需])")


def is_nil_answer(v: ParsedValue) -> bool:
    """「无」「未发生」「无重特大事故」 (not 「无法统计」「无效」): a count of zero for a zero target."""
    return v.kind == "qualitative" and bool(_NIL_RE.match(value_text(v)))


# --- word judgements -----------------------------------------------------------------------------

#: Words with which units claim an indicator was achieved.
POSITIVE_WORDS = frozenset(
    "完成 已完成 全部完成 按时完成 达成 已达成 达成预期指标 达到 已达到 达标 是 有效 规范 合理 合规 及时 按时 按期 如期 "
    "准时 建立健全 已建立 健全 完善 满足 符合 符合规定 良好 优秀 合格 落实 已落实 到位 明显 显著 效果明显 提升 提高 改善 "
    "按计划完成 按计划推进 有序推进 已改善 已提升 已提高".split()
)
_PARTIAL_PREFIXES = ("部分", "基本", "大部分", "大体", "总体")
_NEGATIVE_PREFIXES = ("未", "不", "否", "没")
_NEGATIVE_PARTS = (
    "未完成",
    "未达",
    "未按",
    "滞后",
    "延期",
    "延迟",
    "逾期",
    "超期",
    "较差",
    "无效",
    "不及时",
    "不合格",
    "不达标",
    "未落实",
    "未建立",
)


def judge_word(actual: ParsedValue, target: ParsedValue | None = None) -> str | None:
    """Tier claimed by the actual's words: "达成", "部分达成", "未达成", or None if undecidable.

    Equal to the target word → 达成; negative words (未完成, 否, 滞后…) → 未达成;
    "部分…/基本…" → 部分达成; a positive word or one contained in the target → 达成.
    """
    text, goal = value_text(actual), value_text(target)
    if not text or actual.kind in ("empty", "time_artifact"):
        return None
    if goal and text == goal:
        return "达成"
    if target is not None and target.kind == actual.kind == "direction" and target.trend and actual.trend:
        return "达成" if target.trend == actual.trend else "未达成"
    if text.startswith(_NEGATIVE_PREFIXES) or any(p in text for p in _NEGATIVE_PARTS if p not in goal):
        return "未达成"
    if goal and len(text) >= 2 and text in goal:
        return "达成"
    if text.startswith(_PARTIAL_PREFIXES):
        return "部分达成"
    if text in POSITIVE_WORDS or text.startswith(("已", "全部", "均已")) or (len(goal) >= 2 and goal in text):
        return "达成"
    return None
