"""Recognise a table row by its shape rather than by fixed column positions.

Published exports shift cells left or right (merged cells became blanks, a cell
was dropped). A row is read by aligning its non-blank cells, in order, to the
header's fields, scoring how well each cell's content fits each field and how
far it moved from the field's column. This is a small monotone alignment (dynamic
programming over cells × fields); a row that fits no alignment is not an
indicator row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from jixiao.read.headers import DIRECTION_WORDS, NATURE_WORDS, is_level1_word, is_level2_word

__all__ = ["Token", "tokenize", "align_tokens", "fit_indicator_field", "is_plain_number", "looks_like_value"]

_NUM_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_VALUE_START = re.compile(r"^(≥|≤|=|>|<|约|不低于|不少于|不超过|不高于|达到?\d)")

_LEVEL_WEIGHT = re.compile(r"\s*[（(]\s*\d+(\.\d+)?\s*分?\s*[)）]$")

# Penalty per column a cell sits away from its field's header column.
SHIFT_PENALTY = 0.25


@dataclass(frozen=True)
class Token:
    """A non-blank cell of a row."""

    col: int
    text: str
    value: object  # the original cell value (str, float, datetime, time)


def tokenize(cells: list[object], to_text: Callable[[object], str]) -> list[Token]:
    """Non-blank cells of a row as tokens, in column order."""
    out = []
    for c, v in enumerate(cells):
        if v is None:
            continue
        text = to_text(v)
        if text:
            out.append(Token(c, text, v))
    return out


def is_plain_number(text: str) -> bool:
    """True for "12", "0.5", "1,234.50" (no unit, no operator)."""
    return bool(_NUM_RE.match(text.replace(" ", "")))


_NUMBER_WITH_UNIT = re.compile(r"[+-]?\d+(\.\d+)?\s*(%|‰|[\u4e00-\u9fa5A-Za-z/]{1,6})")
_CLOCK_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")
_DATE_WORDS = re.compile(r"(\d{4}年)?(\d{1,2}月)?(\d{1,2}日)?(底|末)?(前|以前|之前)?")


def looks_like_value(text: str) -> bool:
    """True when the text reads as a target/actual value rather than a name."""
    t = text.replace(" ", "")
    if is_plain_number(t) or _VALUE_START.match(t):
        return True
    if _NUMBER_WITH_UNIT.fullmatch(t):
        return True
    if _CLOCK_TIME.fullmatch(t):
        return True
    if _DATE_WORDS.fullmatch(t) and re.search(r"\d", t):
        return True
    return False


_RULE_WORDS = ("得分", "扣分", "满分", "不得分", "扣完为止", "得0分")
_DEFINITION_START = ("考察", "反映", "指", "衡量", "用于", "评价")


_DIGIT = re.compile(r"\d")


def fit_indicator_field(field: str, tok: Token) -> float | None:
    """How well a cell fits an indicator-table field (None = cannot)."""
    t = tok.text
    num = is_plain_number(t)
    if field == "level1":
        if is_level1_word(t):
            return 3.0
        if is_level2_word(t) or num or looks_like_value(t) or len(t) > 12:
            return None
        return -0.5  # possible (a province's own 一级 name) but never preferred
    if field == "level1_weight":
        return 1.0 if num else None
    if field == "level2":
        t = _LEVEL_WEIGHT.sub("", t)  # "基础信息 (3分)"
        if is_level2_word(t):
            return 3.0
        if is_level1_word(t):
            return 0.5
        if num or looks_like_value(t) or len(t) > 20 or re.search(r"\d", t):
            return None
        return 0.3
    if field == "name":
        if num or looks_like_value(t) or t in NATURE_WORDS or t in DIRECTION_WORDS:
            return None
        if is_level1_word(t):
            return 0.1  # "预算执行率" is both a 一级指标 and its only indicator
        if is_level2_word(t):
            return 0.2
        return 0.5 if len(t) <= 2 else 2.0  # "合规", "规范" are values, not names
    if field in ("weight", "self_score"):
        return 2.0 if num else None
    if field == "nature":
        if t in NATURE_WORDS:
            return 3.0
        if t in DIRECTION_WORDS:
            return 2.0  # some provinces print ≥/= in the 指标性质 column
        return None
    if field == "direction":
        return 3.0 if t in DIRECTION_WORDS else None
    if field in ("target", "actual"):
        if t in NATURE_WORDS:
            return None
        return 0.3 if len(t) > 60 else 1.0
    if field == "unit":
        if num or len(t) > 8 or _DIGIT.search(t) or t in NATURE_WORDS:
            return None
        return 1.0
    if field == "deviation_note":
        if num:
            return None
        if looks_like_value(t) or (_DIGIT.search(t) and len(t) <= 12):
            return 0.1
        return 0.4 if len(t) <= 6 else 0.8  # short words are more likely shifted values
    if field == "rule_text":
        if num:
            return None
        return 2.5 if any(w in t for w in _RULE_WORDS) else 0.5
    if field == "definition":
        if num:
            return None
        return 2.5 if t.startswith(_DEFINITION_START) else 0.5
    return None


def align_tokens(
    tokens: list[Token],
    fields: list[tuple[str, int]],
    fit: Callable[[str, Token], float | None] = fit_indicator_field,
) -> tuple[float, dict[str, Token]] | None:
    """Best monotone assignment of every token to a distinct field.

    Args:
        tokens: the row's non-blank cells, in column order.
        fields: (field, header column) in header order.
        fit: content score of a token for a field, None when impossible.

    Returns:
        (score, {field: token}) or None when the tokens cannot all be placed.
    """
    n, m = len(tokens), len(fields)
    if n == 0 or n > m:
        return None
    neg = float("-inf")
    # best[i][j]: best score placing tokens[:i] into fields[:j]
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    choice: list[list[int]] = [[0] * (m + 1) for _ in range(n + 1)]  # 1 = token i-1 -> field j-1
    for j in range(m + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        tok = tokens[i - 1]
        for j in range(i, m + 1):
            skip = best[i][j - 1]
            take = neg
            if best[i - 1][j - 1] > neg:
                field, col = fields[j - 1]
                s = fit(field, tok)
                if s is not None:
                    take = best[i - 1][j - 1] + s - SHIFT_PENALTY * abs(tok.col - col)
            if take >= skip and take > neg:
                best[i][j], choice[i][j] = take, 1
            else:
                best[i][j], choice[i][j] = skip, 0
    if best[n][m] == neg:
        return None
    assigned: dict[str, Token] = {}
    i, j = n, m
    while i > 0:
        if choice[i][j] == 1:
            assigned[fields[j - 1][0]] = tokens[i - 1]
            i, j = i - 1, j - 1
        else:
            j -= 1
    return best[n][m], assigned
