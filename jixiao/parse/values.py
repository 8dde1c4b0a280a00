"""Parse 指标值 / 完成值 cells into typed :class:`~jixiao.core.parsed_value.ParsedValue` objects.

The operator and direction words (不低于, 以内, 提高, 同比) are in :mod:`jixiao.parse.operators`.
The word lists the review uses (vague targets, generic completion claims) are in
:mod:`jixiao.parse.wordlists`.
The unit helpers (canonical units, conversions) live in :mod:`jixiao.core.units`.

Choices worth knowing (DOMAIN.md §5):

- A bare number ("100", "4人") has ``op_implicit=True``. Its ``op`` comes from
  ``direction_hint`` ("=" stays "=", "正向" is ">=", "反向" is "<="); without a hint
  it stays None and the rule decides — unless the indicator's name says lower is better
  (预算调整率, 结转结余率, 投诉率, 经费控制率, …成本): scoring and review then read it as "<="
  (:func:`jixiao.parse.direction.with_implied_direction`).
- "以上/以下/以内/内" are inclusive (>= / <=). 超过/高于/大于 are ">", 低于/少于/小于/不足
  are "<". "300余件" / "100多个" are ">=" with a note.
- "约150", "150左右", "近300" are op "≈" with ``approx=True``.
- "无" alone is kind "qualitative" with word "无" (not "empty"): for "安全事故 = 0"
  style indicators it answers "none happened". :func:`jixiao.parse.wordlists.is_nil` recognises it; a blank
  cell ("", "—", "/") stays "empty", i.e. no evidence at all.
- "改善" alone is kind "direction", trend "up", word "改善"; :func:`jixiao.parse.wordlists.is_vague` flags it.
  Every direction without a magnitude ("降低", "较上一年提升") is vague: it needs a baseline.
- "不下降" / "不低于上年" are trend "flat" with op ">="; "不上升" / "不高于上年" are "flat" with "<=".
- Deadlines: ``date`` is the last allowed day. "9月前" and "三季度前" count to the end of
  that month / quarter (with a note). Without a year ``date`` is None and a note says so.
- "2023.9" alone is read as September 2023 (with a note), not as the number 2023.9.
- A datetime.time, "15:01:00" or an Excel epoch date (year ≤ 1900) is a "time_artifact".
- A real float ≤ 1 in a "%" column (0.95) is kept as 0.95 with a note; it is never rescaled.
- ``word`` of a "number" holds the text around the figure ("满意率达95%以上" → "满意率";
  "29个居委" → "居委"); compound parts keep their own ``raw`` and ``word``. ``word`` of a
  "direction" is the whole normalised text. A "periodic" value's number/unit is the count
  per period ("每季度1次" → 1 次, periods_per_year 4).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import replace

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.textnorm import BLANKS, normalize_text
from jixiao.core.units import UNIT_ALIASES, UNIT_RE, canonical_unit, compact_spaces
from jixiao.parse.dates import CN_NUMERALS, TIME_RE, cn_int, parse_deadline, parse_periodic, parse_temporal, time_note
from jixiao.parse.operators import direction_to_op, find_basis, find_trend, strip_ops
from jixiao.parse.quantities import (
    CJK_RE,
    OP_SYMBOL,
    fmt_number,
    make_value,
    number_tokens,
    parse_compound,
    parse_range,
    parse_single,
    prepare_text,
)

__all__ = [
    "parse_value",
    "describe_value",
]


def _raw_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    return "" if str(value) in ("NaT", "<NA>", "nan") else str(value)


# --- public entry points -------------------------------------------------------------------------


def parse_value(
    text: object,
    *,
    unit_hint: str | None = None,
    direction_hint: str | None = None,
    year: int | None = None,
) -> ParsedValue:
    """Parse one 指标值 / 完成值 cell. Never raises: what it cannot read is kind "unparsed".

    Args:
        text: The cell (str, int, float, datetime.time/date/datetime or None).
        unit_hint: The row's 计量单位 cell; used when the value carries no unit.
        direction_hint: The row's 方向 / 指标性质 cell; gives the operator of a bare number.
        year: The evaluation year, for deadlines such as "9月底前" or "年内".

    Returns:
        A ParsedValue whose ``raw`` is the original text.
    """
    raw = _raw_text(text)
    try:
        if not isinstance(text, str) and raw == "":
            return make_value(raw, "empty")
        if isinstance(text, float) and not math.isfinite(text):
            return make_value(raw, "unparsed", ["数值为无穷大"])
        if isinstance(text, bool):
            return make_value(raw, "qualitative", word="是" if text else "否")
        if isinstance(text, (_dt.time, _dt.date)):
            return parse_temporal(raw, text)
        pv = _parse_text(fmt_number(text) if isinstance(text, float) else raw, year)
        if pv.raw != raw:
            pv = replace(pv, raw=raw)
        if isinstance(text, float) and pv.kind == "number" and canonical_unit(unit_hint) == "%" and 0 < text <= 1:
            pv = replace(
                pv, notes=pv.notes + (f"数值{fmt_number(text)}不大于1而单位为%，可能是小数形式的比率，未换算",)
            )
        return _apply_hints(pv, unit_hint, direction_hint)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return make_value(raw, "unparsed", [f"解析出错：{type(exc).__name__}"])


def describe_value(v: ParsedValue) -> str:
    """Short Chinese rendering for explanations: "≥95%", "约150平方米", "2023年9月30日前", "每月"."""
    unit = v.unit or ""
    if v.kind == "number" and v.number is not None:
        op = "约" if v.approx and v.op in (None, "≈") else OP_SYMBOL.get(v.op or "", "")
        if v.op_implicit and v.op == "=":
            op = ""
        return f"{op}{fmt_number(v.number)}{unit}"
    if v.kind == "range" and v.low is not None and v.high is not None:
        if v.low_inclusive and v.high_inclusive:
            return f"{fmt_number(v.low)}{unit}～{fmt_number(v.high)}{unit}"
        left, right = "[" if v.low_inclusive else "(", "]" if v.high_inclusive else ")"
        return f"{left}{fmt_number(v.low)},{fmt_number(v.high)}{right}{unit}"
    if v.kind == "compound":
        return "、".join(compact_spaces(p.raw) for p in v.parts)
    if v.kind == "deadline" and v.date is not None:
        return f"{v.date.year}年{v.date.month}月{v.date.day}日前"
    if v.kind == "direction" and v.number is not None:
        verb = {"up": "上升", "down": "下降"}.get(v.trend or "", "变化")
        return f"{v.basis or ''}{verb}{OP_SYMBOL.get(v.op or '', '')}{fmt_number(v.number)}{unit}"
    if v.kind in ("qualitative", "direction") and v.word:
        return v.word
    if v.kind == "time_artifact":
        return f"{v.raw}（疑似电子表格把数值转成了时间格式）"
    if v.kind == "empty":
        return "（空）"
    return compact_spaces(normalize_text(v.raw)) or v.raw


# --- hints -------------------------------------------------------------------------------------


def _apply_hints(pv: ParsedValue, unit_hint: object, direction_hint: object) -> ParsedValue:
    hint_text = compact_spaces(normalize_text(unit_hint))
    hint_unit = None if hint_text in BLANKS else (canonical_unit(hint_text) or hint_text)
    hint_op = direction_to_op(direction_hint)
    if pv.kind == "compound":
        return replace(pv, parts=tuple(_apply_hints(p, unit_hint, direction_hint) for p in pv.parts))
    if pv.kind not in ("number", "range", "direction"):
        return pv
    notes, kw = list(pv.notes), {}
    if pv.number is not None or pv.kind == "range":
        if pv.unit is None and hint_unit:
            kw["unit"] = hint_unit
        elif pv.unit and hint_unit and pv.unit != hint_unit:
            notes.append(f"指标值单位「{pv.unit}」与计量单位列「{hint_unit}」不一致，以指标值为准")
    if pv.kind == "number" and hint_op:
        if pv.op is None:
            kw["op"] = hint_op
        elif {pv.op[0], hint_op[0]} == {">", "<"}:
            notes.append(f"指标值中的符号「{OP_SYMBOL[pv.op]}」与方向列「{OP_SYMBOL[hint_op]}」不一致，以指标值为准")
    return replace(pv, notes=tuple(notes), **kw) if kw or notes != list(pv.notes) else pv


# --- text ------------------------------------------------------------------------------------------


_ASCII_DIGIT = re.compile("[0-9]")
_ZERO_WORD = re.compile(r"零([\u4e00-\u9fff]{1,8})")


def _parse_text(raw: str, year: int | None) -> ParsedValue:
    t = normalize_text(raw)
    if t in BLANKS and t != "无":
        return make_value(raw, "empty")
    s = prepare_text(raw)
    if s in BLANKS and s != "无":
        return make_value(raw, "empty")
    if m := TIME_RE.fullmatch(s):
        return make_value(raw, "time_artifact", [time_note(int(m[1]), int(m[2]), int(m[3] or 0))])
    has_digit = bool(_ASCII_DIGIT.search(s))
    if len(s) > 40:
        if has_digit:
            return make_value(raw, "unparsed", ["文字较长且含数字，未能解析为指标值"])
        return make_value(raw, "qualitative", ["文字较长（超过40字），按定性处理"], word=s)
    for step in (parse_periodic, lambda r, x: parse_deadline(r, x, year), parse_range):
        if pv := step(raw, s):
            return pv
    if m := _ZERO_WORD.fullmatch(s):
        return make_value(raw, "number", number=0.0, op_implicit=True, word=m[1])
    if not has_digit:
        s = _cn_to_digits(s)
    tokens = number_tokens(s)
    if len(tokens) == 1:
        if pv := parse_single(raw, s, tokens[0]):
            return pv
    elif len(tokens) > 1 and (pv := parse_compound(raw, t)):
        return pv
    if not re.search("[0-9]", s) or not tokens:
        if d := _parse_direction(raw, s):
            return d
    if not has_digit and CJK_RE.search(s):
        return make_value(raw, "qualitative", word=s)
    return make_value(raw, "unparsed")


_CN_COUNT = re.compile(rf"(?P<pre>.{{0,6}}?)(?P<cn>[{CN_NUMERALS}]+)(?P<unit>{UNIT_RE.pattern})(?P<rest>.{{0,2}})")


def _cn_to_digits(s: str) -> str:
    """Rewrite "不少于两次" / "十二个居委" as "不少于2次" / "12个居委" (short texts only)."""
    m = _CN_COUNT.fullmatch(s)
    if not m or cn_int(m["cn"]) is None or UNIT_ALIASES[m["unit"]] == "分":
        return s
    if m["pre"] and strip_ops(m["pre"])[0]:
        return s
    return f"{m['pre']}{cn_int(m['cn'])}{m['unit']}{m['rest']}"


def _parse_direction(raw: str, s: str) -> ParsedValue | None:
    found = find_trend(s)
    if not found or not CJK_RE.search(s):
        return None
    trend, op = found
    return make_value(raw, "direction", trend=trend, op=op, basis=find_basis(s), word=s)
