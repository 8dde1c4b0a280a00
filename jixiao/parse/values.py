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
from jixiao.core.textnorm import BLANKS, normalize_symbols, normalize_text
from jixiao.core.units import UNIT_ALIASES, UNIT_RE, canonical_unit, compact_spaces
from jixiao.parse.dates import CN_NUMERALS, TIME_RE, cn_int, parse_deadline, parse_periodic, parse_temporal, time_note
from jixiao.parse.operators import SUFFIX_OPS, direction_to_op, find_basis, find_trend, strip_ops

__all__ = [
    "parse_value",
    "describe_value",
]

# --- small helpers ---------------------------------------------------------------------------

_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_SNUM = r"[-+]?" + _NUM
_NUM_RE = re.compile(_NUM)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_OP_SYMBOL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<", "≈": "约"}


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def _make(raw: str, kind: str, notes: list[str] | tuple[str, ...] = (), **kw) -> ParsedValue:
    return ParsedValue(raw=raw, kind=kind, notes=tuple(notes), **kw)


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
            return _make(raw, "empty")
        if isinstance(text, float) and not math.isfinite(text):
            return _make(raw, "unparsed", ["数值为无穷大"])
        if isinstance(text, bool):
            return _make(raw, "qualitative", word="是" if text else "否")
        if isinstance(text, (_dt.time, _dt.date)):
            return parse_temporal(raw, text)
        pv = _parse_text(_fmt(text) if isinstance(text, float) else raw, year)
        if pv.raw != raw:
            pv = replace(pv, raw=raw)
        if isinstance(text, float) and pv.kind == "number" and canonical_unit(unit_hint) == "%" and 0 < text <= 1:
            pv = replace(pv, notes=pv.notes + (f"数值{_fmt(text)}不大于1而单位为%，可能是小数形式的比率，未换算",))
        return _apply_hints(pv, unit_hint, direction_hint)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return _make(raw, "unparsed", [f"解析出错：{type(exc).__name__}"])


def describe_value(v: ParsedValue) -> str:
    """Short Chinese rendering for explanations: "≥95%", "约150平方米", "2023年9月30日前", "每月"."""
    unit = v.unit or ""
    if v.kind == "number" and v.number is not None:
        op = "约" if v.approx and v.op in (None, "≈") else _OP_SYMBOL.get(v.op or "", "")
        if v.op_implicit and v.op == "=":
            op = ""
        return f"{op}{_fmt(v.number)}{unit}"
    if v.kind == "range" and v.low is not None and v.high is not None:
        if v.low_inclusive and v.high_inclusive:
            return f"{_fmt(v.low)}{unit}～{_fmt(v.high)}{unit}"
        left, right = "[" if v.low_inclusive else "(", "]" if v.high_inclusive else ")"
        return f"{left}{_fmt(v.low)},{_fmt(v.high)}{right}{unit}"
    if v.kind == "compound":
        return "、".join(compact_spaces(p.raw) for p in v.parts)
    if v.kind == "deadline" and v.date is not None:
        return f"{v.date.year}年{v.date.month}月{v.date.day}日前"
    if v.kind == "direction" and v.number is not None:
        verb = {"up": "上升", "down": "下降"}.get(v.trend or "", "变化")
        return f"{v.basis or ''}{verb}{_OP_SYMBOL.get(v.op or '', '')}{_fmt(v.number)}{unit}"
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
            notes.append(f"指标值中的符号「{_OP_SYMBOL[pv.op]}」与方向列「{_OP_SYMBOL[hint_op]}」不一致，以指标值为准")
    return replace(pv, notes=tuple(notes), **kw) if kw or notes != list(pv.notes) else pv


# --- text ------------------------------------------------------------------------------------------

_QUOTES = "\"'“”‘’「」『』"


def _prepare(raw: str) -> str:
    s = normalize_symbols(compact_spaces(normalize_text(raw)))
    s = s.strip(_QUOTES + " ").rstrip("。；;，,、.") or s
    s = re.sub(r"百分之百|百分百", "100%", s)
    s = re.sub(
        rf"百分之([0-9.]+|[{CN_NUMERALS}]+)", lambda m: f"{cn_int(m[1]) if cn_int(m[1]) is not None else m[1]}%", s
    )
    return re.sub(r"[(（]含[)）]", "", s)


def _parse_text(raw: str, year: int | None) -> ParsedValue:
    t = normalize_text(raw)
    if t in BLANKS and t != "无":
        return _make(raw, "empty")
    s = _prepare(raw)
    if s in BLANKS and s != "无":
        return _make(raw, "empty")
    if m := TIME_RE.fullmatch(s):
        return _make(raw, "time_artifact", [time_note(int(m[1]), int(m[2]), int(m[3] or 0))])
    has_digit = bool(re.search("[0-9]", s))
    if len(s) > 40:
        if has_digit:
            return _make(raw, "unparsed", ["文字较长且含数字，未能解析为指标值"])
        return _make(raw, "qualitative", ["文字较长（超过40字），按定性处理"], word=s)
    for step in (parse_periodic, lambda r, x: parse_deadline(r, x, year), _parse_range):
        if pv := step(raw, s):
            return pv
    if m := re.fullmatch(r"零([\u4e00-\u9fff]{1,8})", s):
        return _make(raw, "number", number=0.0, op_implicit=True, word=m[1])
    if not has_digit:
        s = _cn_to_digits(s)
    tokens = _tokens(s)
    if len(tokens) == 1:
        if pv := _parse_single(raw, s, tokens[0]):
            return pv
    elif len(tokens) > 1 and (pv := _parse_compound(raw, t)):
        return pv
    if not re.search("[0-9]", s) or not tokens:
        if d := _parse_direction(raw, s):
            return d
    if not has_digit and _CJK.search(s):
        return _make(raw, "qualitative", word=s)
    return _make(raw, "unparsed")


def _cn_to_digits(s: str) -> str:
    """Rewrite "不少于两次" / "十二个居委" as "不少于2次" / "12个居委" (short texts only)."""
    m = re.fullmatch(rf"(?P<pre>.{{0,6}}?)(?P<cn>[{CN_NUMERALS}]+)(?P<unit>{UNIT_RE.pattern})(?P<rest>.{{0,2}})", s)
    if not m or cn_int(m["cn"]) is None or UNIT_ALIASES[m["unit"]] == "分":
        return s
    if m["pre"] and strip_ops(m["pre"])[0]:
        return s
    return f"{m['pre']}{cn_int(m['cn'])}{m['unit']}{m['rest']}"


def _tokens(s: str) -> list[re.Match]:
    """Quantities in ``s``: numbers, minus a 4-digit year followed by 年."""
    out = []
    for m in re.finditer(rf"(?<![0-9.,]){_SNUM}", s):
        if m.group().startswith("-") and m.start() > 0 and re.match(r"[0-9%‰)）A-Za-z]", s[m.start() - 1]):
            continue
        if re.fullmatch(r"(19|20)[0-9]{2}", m.group()) and s[m.end() : m.end() + 1] == "年":
            continue
        out.append(m)
    return out


def _parse_direction(raw: str, s: str) -> ParsedValue | None:
    found = find_trend(s)
    if not found or not _CJK.search(s):
        return None
    trend, op = found
    return _make(raw, "direction", trend=trend, op=op, basis=find_basis(s), word=s)


# --- numbers, ranges, compounds -----------------------------------------------------------------------


def _unit_at(s: str, pos: int) -> tuple[str | None, int]:
    """The unit starting at ``pos`` ("%", "人次", "(件/人/年)", "次/月"), and where it ends."""
    if pos < len(s) and s[pos] in "(（":
        close = re.compile(r"[)）]").search(s, pos)
        if close and (u := canonical_unit(s[pos + 1 : close.start()])):
            return u, close.end()
    m = UNIT_RE.match(s, pos)
    if not m or (
        m.group().isascii()
        and m.group().isalpha()
        and s[m.end() : m.end() + 1].isascii()
        and s[m.end() : m.end() + 1].isalpha()
    ):
        return None, pos
    unit, end = UNIT_ALIASES[m.group()], m.end()
    while end < len(s) and s[end] == "/":
        nxt = UNIT_RE.match(s, end + 1) or re.compile(r"[\u4e00-\u9fff]{1,2}").match(s, end + 1)
        if not nxt:
            break
        unit, end = f"{unit}/{UNIT_ALIASES.get(nxt.group(), nxt.group())}", nxt.end()
    return unit, end


def _parse_single(raw: str, s: str, tok: re.Match, *, allow_direction: bool = True) -> ParsedValue | None:
    notes: list[str] = []
    number, pos = _to_float(tok.group()), tok.end()
    if s[pos : pos + 1] in ("万", "亿") and s[pos + 1 : pos + 2] != "元":
        number *= 1e4 if s[pos] == "万" else 1e8
        pos += 1
    op_more = s[pos : pos + 1] in ("余", "多")
    pos += op_more
    unit, pos = _unit_at(s, pos)
    label, ops = strip_ops(s[: tok.start()])
    post, suffix_op = s[pos:], None
    for word, op in SUFFIX_OPS:
        if post.startswith(word):
            post, suffix_op = post[len(word) :], op
            break
    tail = post.strip("：:，,；;、 ")
    label = label.strip("：:，,；;、 ")
    if unit == "日" and tail.startswith("前"):
        return None  # "次月10日前": a day of the month, not a quantity
    if not math.isfinite(number) or _NUM_RE.search(tail) or _NUM_RE.search(re.sub("(19|20)[0-9]{2}年", "", label)):
        return None
    approx = "≈" in ops or suffix_op == "≈"
    exact = [o for o in ops if o != "≈"]
    op = exact[0] if exact else None
    if suffix_op and suffix_op != "≈":
        if op and op != suffix_op:
            notes.append(f"前后比较词不一致（{_OP_SYMBOL[op]}与{_OP_SYMBOL[suffix_op]}），按前者处理")
        op = op or suffix_op
    if op_more:
        notes.append("「余/多」按不低于处理")
        op = op or ">="
    if approx and op is None:
        op = "≈"
    if (
        allow_direction
        and (found := find_trend(label, at_end=True))
        and not any(w in s[: tok.start()] for w in ("至", "到"))
    ):
        return _make(
            raw,
            "direction",
            notes,
            trend=found[0],
            basis=find_basis(label),
            number=number,
            unit=unit,
            op=found[1] or (op if op != "≈" else None),
            approx=approx,
            word=s,
        )
    word = "…".join(x for x in (label, tail) if x) or None
    return _make(
        raw,
        "number",
        notes,
        op=op,
        number=number,
        unit=unit,
        approx=approx,
        op_implicit=not ops and suffix_op is None and not op_more,
        word=word,
    )


_UNIT_ALT = rf"(?:[(（][^)）0-9]{{1,8}}[)）]|{UNIT_RE.pattern})"
_RANGE_RE = re.compile(
    rf"(?P<label>[^0-9]*?)(?P<lo>{_SNUM})(?P<u1>{_UNIT_ALT})?(?:-|~|—|–|〜|至|到)"
    rf"(?P<hi>{_SNUM})(?P<u2>{_UNIT_ALT})?(?P<tail>[^0-9]*)"
)
_INTERVAL_RE = re.compile(
    rf"(?P<l>[\[(（])(?P<lo>{_SNUM})(?P<u1>%|‰)?[,，](?P<hi>{_SNUM})(?P<u2>%|‰)?"
    rf"(?P<r>[\])）])(?P<u3>{_UNIT_ALT})?"
)
_CHAIN_RE = re.compile(
    rf"(?P<lo>{_SNUM})(?P<u1>{_UNIT_ALT})?(?P<o1>≤|<)[^0-9≤<]{{0,12}}(?P<o2>≤|<)"
    rf"(?P<hi>{_SNUM})(?P<u2>{_UNIT_ALT})?"
)


def _parse_range(raw: str, s: str) -> ParsedValue | None:
    lo_inc = hi_inc = True
    if m := _INTERVAL_RE.fullmatch(s):
        lo_inc, hi_inc = m["l"] == "[", m["r"] == "]"
        units = [m["u1"], m["u2"], m["u3"]]
    elif m := _CHAIN_RE.fullmatch(s):
        lo_inc, hi_inc = m["o1"] == "≤", m["o2"] == "≤"
        units = [m["u1"], m["u2"]]
    elif m := _RANGE_RE.fullmatch(s):
        units = [m["u1"], m["u2"]]
        if strip_ops(m["label"])[1] or any(w in m["tail"] for w, _ in SUFFIX_OPS[:6]):
            return None
    else:
        return None
    canon = [canonical_unit(u) for u in units if u]
    if len(canon) != len([u for u in units if u]) or None in canon:
        return None
    if not (math.isfinite(_to_float(m["lo"])) and math.isfinite(_to_float(m["hi"]))):
        return None
    notes = [f"区间两端单位不一致（{'、'.join(dict.fromkeys(canon))}），按后者处理"] if len(set(canon)) > 1 else []
    low, high = _to_float(m["lo"]), _to_float(m["hi"])
    if low > high:
        low, high, lo_inc, hi_inc = high, low, hi_inc, lo_inc
        notes.append("区间下限大于上限，已对调")
    return _make(
        raw,
        "range",
        notes,
        low=low,
        high=high,
        low_inclusive=lo_inc,
        high_inclusive=hi_inc,
        unit=canon[-1] if canon else None,
    )


def _parse_compound(raw: str, t: str) -> ParsedValue | None:
    pieces = [p for p in re.split(r"[，,；;、 ]+|和|以及|及(?!以)", t) if p]
    merged: list[str] = []
    for p in pieces:
        if re.search("[0-9]", p) or not merged:
            merged.append(p)
        else:
            merged[-1] += p
    if merged and not re.search("[0-9]", merged[0]) and len(merged) > 1:
        first = merged.pop(0)
        merged[0] = first + merged[0]
    segments: list[str] = []
    for piece in merged:
        s = _prepare(piece)
        toks = _tokens(s)
        start = 0
        for tok in toks[1:]:
            label, _ = strip_ops(s[start : tok.start()])
            cut = start + len(label)
            segments.append(s[start:cut])
            start = cut
        segments.append(s[start:])
    parts = []
    for seg in segments:
        toks = _tokens(seg)
        pv = _parse_single(seg, seg, toks[0], allow_direction=False) if len(toks) == 1 else None
        if pv is None or (pv.unit is None and len(pv.word or "") not in (1, 2, 3, 4)):
            return None  # a part needs a unit or a short noun ("67小区"); "1:1" is not two quantities
        parts.append(pv)
    return _make(raw, "compound", ["一个指标含多个指标值"], parts=tuple(parts)) if len(parts) > 1 else None
