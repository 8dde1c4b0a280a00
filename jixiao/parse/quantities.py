"""The quantities inside a 指标值 / 完成值 text: numbers with their unit and operator, ranges,
intervals and chains, compounds of several quantities ("签约率提高1%体检率下降1%").

Used by :mod:`jixiao.parse.values`, which decides what kind of value a whole cell is; the
helpers here (number pattern, tokens, formatting) are shared by both.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.textnorm import normalize_symbols, normalize_text
from jixiao.core.units import UNIT_ALIASES, UNIT_RE, canonical_unit, compact_spaces
from jixiao.parse.dates import CN_NUMERALS, cn_int
from jixiao.parse.operators import SUFFIX_OPS, find_basis, find_trend, strip_ops

__all__ = [
    "CJK_RE",
    "NUM_RE",
    "OP_SYMBOL",
    "SNUM",
    "fmt_number",
    "make_value",
    "number_tokens",
    "parse_compound",
    "parse_range",
    "parse_single",
    "prepare_text",
    "to_float",
    "unit_at",
]

NUM_PATTERN = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
SNUM = r"[-+]?" + NUM_PATTERN
NUM_RE = re.compile(NUM_PATTERN)
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
OP_SYMBOL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<", "≈": "约"}


def to_float(text: str) -> float:
    return float(text.replace(",", ""))


def fmt_number(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def make_value(raw: str, kind: str, notes: list[str] | tuple[str, ...] = (), **kw) -> ParsedValue:
    return ParsedValue(raw=raw, kind=kind, notes=tuple(notes), **kw)


QUOTES = "\"'“”‘’「」『』"


_HUNDRED_PERCENT = re.compile(r"百分之百|百分百")
_INCLUSIVE_MARK = re.compile(r"[(（]含[)）]")


def prepare_text(raw: str) -> str:
    s = normalize_symbols(compact_spaces(normalize_text(raw)))
    s = s.strip(QUOTES + " ").rstrip("。；;，,、.") or s
    s = _HUNDRED_PERCENT.sub("100%", s)
    s = re.sub(
        rf"百分之([0-9.]+|[{CN_NUMERALS}]+)", lambda m: f"{cn_int(m[1]) if cn_int(m[1]) is not None else m[1]}%", s
    )
    return _INCLUSIVE_MARK.sub("", s)


_NUMBER_TOKEN = re.compile(rf"(?<![0-9.,]){SNUM}")
_YEAR_NUMBER = re.compile(r"(19|20)[0-9]{2}")


def number_tokens(s: str) -> list[re.Match]:
    """Quantities in ``s``: numbers, minus a 4-digit year followed by 年."""
    out = []
    for m in _NUMBER_TOKEN.finditer(s):
        if m.group().startswith("-") and m.start() > 0 and re.match(r"[0-9%‰)）A-Za-z]", s[m.start() - 1]):
            continue
        if _YEAR_NUMBER.fullmatch(m.group()) and s[m.end() : m.end() + 1] == "年":
            continue
        out.append(m)
    return out


def unit_at(s: str, pos: int) -> tuple[str | None, int]:
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


_YEAR_WORD = re.compile("(19|20)[0-9]{2}年")


def parse_single(raw: str, s: str, tok: re.Match, *, allow_direction: bool = True) -> ParsedValue | None:
    notes: list[str] = []
    number, pos = to_float(tok.group()), tok.end()
    if s[pos : pos + 1] in ("万", "亿") and s[pos + 1 : pos + 2] != "元":
        number *= 1e4 if s[pos] == "万" else 1e8
        pos += 1
    op_more = s[pos : pos + 1] in ("余", "多")
    pos += op_more
    unit, pos = unit_at(s, pos)
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
    if not math.isfinite(number) or NUM_RE.search(tail) or NUM_RE.search(_YEAR_WORD.sub("", label)):
        return None
    approx = "≈" in ops or suffix_op == "≈"
    exact = [o for o in ops if o != "≈"]
    op = exact[0] if exact else None
    if suffix_op and suffix_op != "≈":
        if op and op != suffix_op:
            notes.append(f"前后比较词不一致（{OP_SYMBOL[op]}与{OP_SYMBOL[suffix_op]}），按前者处理")
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
        return make_value(
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
    return make_value(
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
    rf"(?P<label>[^0-9]*?)(?P<lo>{SNUM})(?P<u1>{_UNIT_ALT})?(?:-|~|—|–|〜|至|到)"
    rf"(?P<hi>{SNUM})(?P<u2>{_UNIT_ALT})?(?P<tail>[^0-9]*)"
)
_INTERVAL_RE = re.compile(
    rf"(?P<l>[\[(（])(?P<lo>{SNUM})(?P<u1>%|‰)?[,，](?P<hi>{SNUM})(?P<u2>%|‰)?"
    rf"(?P<r>[\])）])(?P<u3>{_UNIT_ALT})?"
)
_CHAIN_RE = re.compile(
    rf"(?P<lo>{SNUM})(?P<u1>{_UNIT_ALT})?(?P<o1>≤|<)[^0-9≤<]{{0,12}}(?P<o2>≤|<)"
    rf"(?P<hi>{SNUM})(?P<u2>{_UNIT_ALT})?"
)


def parse_range(raw: str, s: str) -> ParsedValue | None:
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
    if not (math.isfinite(to_float(m["lo"])) and math.isfinite(to_float(m["hi"]))):
        return None
    notes = [f"区间两端单位不一致（{'、'.join(dict.fromkeys(canon))}），按后者处理"] if len(set(canon)) > 1 else []
    low, high = to_float(m["lo"]), to_float(m["hi"])
    if low > high:
        low, high, lo_inc, hi_inc = high, low, hi_inc, lo_inc
        notes.append("区间下限大于上限，已对调")
    return make_value(
        raw,
        "range",
        notes,
        low=low,
        high=high,
        low_inclusive=lo_inc,
        high_inclusive=hi_inc,
        unit=canon[-1] if canon else None,
    )


_COMPOUND_SPLIT = re.compile(r"[，,；;、 ]+|和|以及|及(?!以)")


def parse_compound(raw: str, t: str) -> ParsedValue | None:
    pieces = [p for p in _COMPOUND_SPLIT.split(t) if p]
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
        s = prepare_text(piece)
        toks = number_tokens(s)
        start = 0
        for prev, tok in zip(toks, toks[1:]):
            label, _ = strip_ops(s[start : tok.start()])
            cut = start + len(label)
            after = unit_at(s, prev.end())[1]
            if CJK_RE.search(s[after : tok.start()]) and find_trend(s[after : tok.start()], at_end=True):
                cut = after  # "签约率提高1%体检率下降1%": the words before a quantity label it
            segments.append(s[start:cut])
            start = cut
        segments.append(s[start:])
    parts = []
    for seg in segments:
        toks = number_tokens(seg)
        pv = parse_single(seg, seg, toks[0], allow_direction=False) if len(toks) == 1 else None
        if pv is None or (pv.unit is None and len(pv.word or "") not in (1, 2, 3, 4)):
            return None  # a part needs a unit or a short noun ("67小区"); "1:1" is not two quantities
        if trend := find_trend(strip_ops(seg[: toks[0].start()])[0], at_end=True):
            pv = replace(pv, trend=trend[0])  # "体检率下降1%" is a fall of 1 %, not 1 %
        parts.append(pv)
    return make_value(raw, "compound", ["一个指标含多个指标值"], parts=tuple(parts)) if len(parts) > 1 else None
