"""Choosing an indicator's scoring rule: from the 评(扣)分标准 text, else from the target's kind and direction.

``choose_rule`` gives (rule id, parameters, source); the source is "评分标准" when the text names a
rule, "方向与值" when the parsed 指标值 decides it (DOMAIN §5). ``parse_cell`` parses a 指标值/完成值
cell once per distinct text (cached), for the scorer and the rule choice alike.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Any

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.textnorm import normalize_text
from jixiao.parse.direction import with_implied_direction
from jixiao.parse.values import parse_value

__all__ = [
    "SOURCE_PARAMS",
    "SOURCE_TEXT",
    "SOURCE_VALUE",
    "cell_text",
    "choose_rule",
    "parse_cell",
    "rule_from_text",
    "rule_from_value",
]

SOURCE_TEXT, SOURCE_VALUE, SOURCE_PARAMS = "评分标准", "方向与值", "参数覆盖"


_NUM = r"(\d+(?:\.\d+)?)"
_PER_POINT_RE = re.compile(
    rf"每(低|少|降低|减少|下降|低于|少于|超|高|超过|超出|高出|高于|增加|上升)于?1个?(?:百分点|%)(?:扣|减)(?:除)?{_NUM}分"
)
_SCORE_RE = re.compile(rf"(?:得|计|给){_NUM}分")
_LOWER_RES = (
    re.compile(rf"(?:≥|>|不低于|不少于|达到|高于){_NUM}%?"),
    re.compile(rf"{_NUM}%?(?:\(含\)|（含）)?(?:及|或)?以上"),
    re.compile(rf"[\[(（]{_NUM}%?[,，]"),
    re.compile(rf"{_NUM}%?(?:\(含\)|（含）)?[-~—–至到]{_NUM}%?"),
)
_BELOW_RE = re.compile(rf"(?:<|低于|不足|未达到){_NUM}%?|{_NUM}%?以下")
_DEVIATION_RE = re.compile(r"视偏差|酌情|根据偏差|按偏差|偏差情况|视情况")
_LINEAR_RE = re.compile(r"线性|按比例|按完成比例|按完成率|按实际完成|比例得分|比例扣分|比例计分|折算")
_BINARY_RE = re.compile(r"否则不得分|否则得0分|否则0分|否则为0|否则不计分|不得分|得0分|得满分")


def _clauses(text: str) -> list[str]:
    """Split at ，,；;。 outside brackets ("[80,90)得4分" stays one clause)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(（【":
            depth += 1
        elif ch in "])）】" and depth:
            depth -= 1
        elif depth == 0 and ch in "，,；;。":
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def _tiers_from_text(text: str) -> list[tuple[float, float]]:
    tiers = []
    for clause in _clauses(text):
        score = _SCORE_RE.search(clause)
        if not score:
            continue
        head = clause[: score.start()]
        bound = next((float(m.group(1)) for r in _LOWER_RES if (m := r.search(head))), None)
        if bound is None and _BELOW_RE.search(head):
            bound = 0.0
        if bound is not None:
            tiers.append((bound, float(score.group(1))))
    tiers = sorted(dict(tiers).items(), key=lambda p: -p[0])
    return tiers if len(tiers) >= 2 else []


def rule_from_text(text: object, target: ParsedValue | None = None) -> tuple[str, dict[str, Any]] | None:
    """Rule id and parameters read from a 评(扣)分标准 text, or None when the text names no rule."""
    reverse = target is not None and target.op in ("<=", "<")
    try:
        found = _rule_from_text(text, reverse)
    except TypeError:  # unhashable cell
        found = _rule_from_text.__wrapped__(text, reverse)
    return None if found is None else (found[0], dict(found[1]))


@functools.lru_cache(maxsize=4096)
def _rule_from_text(text: object, reverse: bool) -> tuple[str, tuple] | None:
    found = _read_rule_text(normalize_text(text).replace(" ", ""), reverse)
    return None if found is None else (found[0], tuple(found[1].items()))


def _read_rule_text(t: str, reverse: bool) -> tuple[str, dict[str, Any]] | None:
    if not t:
        return None
    if m := _PER_POINT_RE.search(t):
        side = "below" if m.group(1)[0] in "低少降减" else "above"
        return "per_point", {"x": float(m.group(2)), "side": side}
    if tiers := _tiers_from_text(t):
        return "step_tiers", {"tiers": tiers}
    if _DEVIATION_RE.search(t):
        return "deviation_tiers", {}
    if _LINEAR_RE.search(t):
        return ("reverse_linear" if reverse else "proportional"), {}
    if _BINARY_RE.search(t) or "完成得满分" in t:
        return "all_or_nothing", {}
    return None


def rule_from_value(target: ParsedValue, nature: str = "") -> str:
    """Rule id from the target's kind and operator (DOMAIN §5)."""
    kind = target.kind
    if kind == "number":
        if target.approx or target.op == "≈":
            return "approximate"
        if target.number == 0 and target.op in (None, "=", "<=", "<"):
            return "zero_target"
        return "reverse_linear" if target.op in ("<=", "<") else "proportional"
    by_kind = {
        "deadline": "deadline",
        "periodic": "deadline",
        "compound": "compound",
        "range": "range_target",
        "direction": "direction_baseline",
        "qualitative": "qualitative_bands",
    }
    if kind in by_kind:
        return by_kind[kind]
    return "proportional" if normalize_text(nature) == "定量" else "qualitative_bands"


def choose_rule(
    row: Mapping[str, Any], *, target: ParsedValue | None = None, year: int | None = None
) -> tuple[str, dict[str, Any], str]:
    """(rule_id, params, source) for one indicator row; source is "评分标准" or "方向与值".

    A text rule that needs a number ("按比例") on a target that is not a single number
    (a date, a word, a compound value) gives way to the rule of the value's kind.
    """
    if target is None:
        direction = cell_text(row.get("direction"))
        target = parse_cell(row.get("target"), cell_text(row.get("unit")), direction, year)
        target = with_implied_direction(target, row.get("name"), direction)
    found = rule_from_text(row.get("rule_text"), target)
    if found is not None:
        rule_id, params = found
        if rule_id not in ("proportional", "reverse_linear") or target.kind == "number":
            return rule_id, params, SOURCE_TEXT
    return rule_from_value(target, cell_text(row.get("nature"))), {}, SOURCE_VALUE


def cell_text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


@functools.lru_cache(maxsize=8192)
def _parse_cached(text: object, unit: str, direction: str, year: int | None) -> ParsedValue:
    return parse_value(text, unit_hint=unit or None, direction_hint=direction or None, year=year)


def parse_cell(text: object, unit: str, direction: str, year: int | None) -> ParsedValue:
    try:
        return _parse_cached(text, unit, direction, year)
    except TypeError:  # unhashable cell
        return parse_value(text, unit_hint=unit or None, direction_hint=direction or None, year=year)
