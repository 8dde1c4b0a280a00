"""Operator and direction words of 指标值 / 完成值 text: 不低于 → ">=", 以内 → "<=", 约 → "≈",
提高/降低/持平 trends and their basis (同比, 较上年), and the operator of a 方向 / 指标性质 cell."""

from __future__ import annotations

import re

from jixiao.core.textnorm import normalize_text
from jixiao.core.units import compact_spaces

__all__ = ["direction_to_op", "strip_ops", "SUFFIX_OPS", "find_basis", "find_trend"]

HINT_OPS = {
    "≥": ">=",
    ">": ">",
    "≤": "<=",
    "<": "<",
    "=": "=",
    "≈": "≈",
    "正向": ">=",
    "正向指标": ">=",
    "越大越好": ">=",
    "越高越好": ">=",
    "大于等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "反向": "<=",
    "反向指标": "<=",
    "越小越好": "<=",
    "越低越好": "<=",
    "小于等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "等于": "=",
    "大于": ">",
    "小于": "<",
}


def direction_to_op(hint: object) -> str | None:
    """Operator of a 方向 / 指标性质 cell ("≥", ">=", "正向", "反向", "=" ...), or None."""
    h = compact_spaces(normalize_text(hint))
    if h in HINT_OPS:
        return HINT_OPS[h]
    return HINT_OPS.get(h[:1]) if h[:1] in "≥≤=<>" else None


# --- operators -------------------------------------------------------------------------------------

PREFIX_OPS = [
    ("降低至", "<="),
    ("降低到", "<="),
    ("下降至", "<="),
    ("下降到", "<="),
    ("减少至", "<="),
    ("减少到", "<="),
    ("压缩至", "<="),
    ("压减至", "<="),
    ("缩短至", "<="),
    ("缩短到", "<="),
    ("降至", "<="),
    ("减至", "<="),
    ("提高至", ">="),
    ("提高到", ">="),
    ("提升至", ">="),
    ("提升到", ">="),
    ("增加至", ">="),
    ("增加到", ">="),
    ("增长至", ">="),
    ("上升至", ">="),
    ("增至", ">="),
    ("升至", ">="),
    ("力争达到", ">="),
    ("大于或等于", ">="),
    ("大于等于", ">="),
    ("小于或等于", "<="),
    ("小于等于", "<="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不短于", ">="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不大于", "<="),
    ("不多于", "<="),
    ("不超出", "<="),
    ("不长于", "<="),
    ("至少", ">="),
    ("最少", ">="),
    ("最低", ">="),
    ("达到", ">="),
    ("至多", "<="),
    ("最多", "<="),
    ("最高", "<="),
    ("控制在", "<="),
    ("控制到", "<="),
    ("超过", ">"),
    ("多于", ">"),
    ("大于", ">"),
    ("高于", ">"),
    ("低于", "<"),
    ("少于", "<"),
    ("小于", "<"),
    ("不足", "<"),
    ("大约", "≈"),
    ("约为", "≈"),
    ("接近", "≈"),
    ("将近", "≈"),
    ("大概", "≈"),
    ("等于", "="),
    ("达", ">="),
    ("约", "≈"),
    ("近", "≈"),
    ("≥", ">="),
    ("≤", "<="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
    ("≈", "≈"),
]
#: Characters that, before a one-character op word, make it part of another word (节约, 附近, 到达).
BLOCKED = {"约": "节制预合公简契条签", "近": "附最邻靠亲就", "达": "到抵送下传表发通直"}
SUFFIX_OPS = [
    ("及以上", ">="),
    ("或以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("或以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("内", "<="),
    ("左右", "≈"),
    ("上下", "≈"),
]


def strip_ops(pre: str) -> tuple[str, list[str]]:
    """Remove operator words from the end of ``pre``; return (label, ops nearest-first)."""
    ops: list[str] = []
    for _ in range(3):
        for word, op in PREFIX_OPS:
            if pre.endswith(word):
                before = pre[: -len(word)]
                if word in BLOCKED and before and before[-1] in BLOCKED[word]:
                    continue
                pre = before
                ops.append(op)
                break
        else:
            break
    return pre, ops


# --- directions ---------------------------------------------------------------------------------

BASES = [
    (r"同比", "同比"),
    (r"环比", "环比"),
    (r"(?:较|与|比)(?:上年|去年|上一年)同期(?:相比)?", "与去年同期"),
    (r"(?:较|比|与|相比|低于|高于|超过)(?:上一年度|上一年|上年度|上年|去年|往年)(?:相比)?", "较上年"),
]
NOT_BELOW = r"不(?:下降|降低|减少|低于(?:上一年|上年|去年|往年))"
NOT_ABOVE = r"不(?:上升|增加|增长|提高|高于(?:上一年|上年|去年|往年)|超过(?:上一年|上年|去年|往年))"
FLAT = r"基本持平|持平|保持稳定|基本稳定|保持不变"
UP = r"稳中有升|提高|提升|上升|增加|增长|增强|改善|扩大|升高|增多|好转"
DOWN = r"降低|下降|减少|减小|缩短|压缩|压降|下滑|减轻"


_BASES_RE = [(re.compile(pat), name) for pat, name in BASES]
#: (pattern, trend, op) in the order they are tried, by ``at_end`` (True: the word ends the text).
_TRENDS = (
    (NOT_BELOW, "flat", ">="),
    (NOT_ABOVE, "flat", "<="),
    (FLAT, "flat", None),
    (UP, "up", None),
    (DOWN, "down", None),
)
_TRENDS_RE = {
    at_end: [(re.compile(f"(?:{pat}){'(?:了)?$' if at_end else ''}"), trend, op) for pat, trend, op in _TRENDS]
    for at_end in (False, True)
}


def find_basis(s: str) -> str | None:
    return next((name for pat, name in _BASES_RE if pat.search(s)), None)


def find_trend(s: str, *, at_end: bool = False) -> tuple[str, str | None] | None:
    for pat, trend, op in _TRENDS_RE[at_end]:
        if pat.search(s):
            return trend, op
    return None
