"""Self-evaluation vs target declaration (DOMAIN §4.2 group B).

``compare_declaration`` matches the 三级 indicators of a 绩效目标申报表 with those of the
self-evaluation table — first by name, then by name similarity within the same 二级指标
— and reports indicators added, dropped, renamed or changed (指标值, 方向, 计量单位).
Values are compared parsed, not as raw strings: "≥95%" and "95 %" with 方向 "≥" agree.

``check_direction_rule`` reports a direction (≥/≤) that contradicts the scoring method used.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.parsed_value import ParsedValue
from jixiao.core.textnorm import normalize_text
from jixiao.core.units import convert
from jixiao.parse.direction import with_implied_direction
from jixiao.parse.values import parse_value
from jixiao.review.catalogue import make_finding

__all__ = ["compare_declaration", "check_direction_rule", "match_indicators", "RENAME_RATIO"]

#: Least difflib ratio for two names in the same 二级指标 to count as one renamed indicator.
RENAME_RATIO = 0.6


_EPS = 1e-9
_OP_SHOWN = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<", "≈": "约"}


def _key(text: object) -> str:
    """A name for matching: normalised, without whitespace and quotes."""
    return re.sub(r"[\s\"'“”‘’「」]", "", normalize_text(text))


def _where(row) -> str:
    src = row.get("source_row")
    line = f"(第{int(src)}行)" if src is not None and not pd.isna(src) else ""
    return f"指标「{row['name']}」{line}"


def match_indicators(
    declaration: pd.DataFrame, evaluation: pd.DataFrame, *, ratio: float = RENAME_RATIO
) -> tuple[list[tuple[int, int, float]], list[int], list[int]]:
    """Pair the rows of two indicator tables.

    Returns ``(pairs, dropped, added)``: pairs of (declaration position, evaluation position,
    name similarity; 1.0 for an exact match), declaration positions with no partner, and
    evaluation positions with no partner. Exact names pair first, in table order; then the
    remaining rows pair greedily by difflib ratio (≥ ``ratio``) within the same 二级指标.
    """
    dkeys = [_key(n) for n in declaration["name"]]
    ekeys = [_key(n) for n in evaluation["name"]]
    free_e = list(range(len(ekeys)))
    pairs: list[tuple[int, int, float]] = []
    free_d = []
    for i, k in enumerate(dkeys):
        j = next((j for j in free_e if ekeys[j] == k), None)
        if j is None:
            free_d.append(i)
        else:
            pairs.append((i, j, 1.0))
            free_e.remove(j)
    dl2 = [_key(x) for x in declaration["level2"]]
    el2 = [_key(x) for x in evaluation["level2"]]
    similar = (
        (difflib.SequenceMatcher(None, dkeys[i], ekeys[j]).ratio(), i, j)
        for i in free_d
        for j in free_e
        if dl2[i] == el2[j]
    )
    candidates = sorted(similar, key=lambda c: (-c[0], c[1], c[2]))
    used_d, used_e = set(), set()
    for score, i, j in candidates:
        if score < ratio - _EPS:
            break
        if i in used_d or j in used_e:
            continue
        pairs.append((i, j, score))
        used_d.add(i)
        used_e.add(j)
    dropped = [i for i in free_d if i not in used_d]
    added = [j for j in free_e if j not in used_e]
    return sorted(pairs, key=lambda p: p[1]), dropped, added


def _parse(row, year: int | None) -> ParsedValue:
    unit, direction = row.get("unit") or None, row.get("direction") or None
    target = parse_value(row.get("target"), unit_hint=unit, direction_hint=direction, year=year)
    return with_implied_direction(target, row.get("name"), direction)


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= _EPS * max(1.0, abs(a), abs(b))


def _value_changed(d: ParsedValue, e: ParsedValue) -> bool:
    """True when the 指标值 differs, ignoring the operator and unit (reported on their own)."""
    if d.kind != e.kind:
        return True
    if d.kind == "number":
        number = e.number
        if d.unit and e.unit and d.unit != e.unit:
            converted = convert(e.number, e.unit, d.unit)
            number = converted if converted is not None else e.number
        return not _same_number(d.number, number) or d.approx != e.approx
    if d.kind == "range":
        return not (_same_number(d.low, e.low) and _same_number(d.high, e.high))
    if d.kind == "deadline":
        return d.date != e.date
    if d.kind == "compound":
        return len(d.parts) != len(e.parts) or any(_value_changed(x, y) for x, y in zip(d.parts, e.parts))
    return _key(d.raw) != _key(e.raw)


def compare_declaration(declaration, evaluation, *, ratio: float = RENAME_RATIO) -> list[dict]:
    """B01-B08: indicators added, dropped, renamed, or with a changed 指标值, direction, unit or nature.

    Args:
        declaration: the 绩效目标申报表 (``Evaluation``).
        evaluation: the self-evaluation table (``Evaluation``) reviewed.
        ratio: least name similarity for a renamed indicator (same 二级指标).
    """
    dec, ev = declaration.indicators.reset_index(drop=True), evaluation.indicators.reset_index(drop=True)
    pairs, dropped, added = match_indicators(dec, ev, ratio=ratio)
    out = []
    for j in added:
        r = ev.iloc[j]
        out.append(
            make_finding(
                "B01",
                _where(r),
                f"指标「{r['name']}」（{r['level2'] or '未分类'}）不在绩效目标申报表中。",
                scope="indicator",
                indicator_id=str(r["indicator_id"]),
                expected="申报表中的指标",
                reported=r["name"],
            )
        )
    for i in dropped:
        r = dec.iloc[i]
        out.append(
            make_finding(
                "B02",
                f"申报表{_where(r)}",
                f"申报表中的指标「{r['name']}」（{r['level2'] or '未分类'}，指标值 {_show(r)}）在自评表中没有评价。",
                expected=r["name"],
                reported="（缺失）",
            )
        )
    dyear, eyear = declaration.unit.year, evaluation.unit.year
    for i, j, score in pairs:
        d, e = dec.iloc[i], ev.iloc[j]
        where, iid = _where(e), str(e["indicator_id"])

        def add(code, message, expected, reported, where=where, iid=iid):
            out.append(
                make_finding(
                    code, where, message, scope="indicator", indicator_id=iid, expected=expected, reported=reported
                )
            )

        if score < 1.0:
            add(
                "B03",
                f"指标「{e['name']}」与申报表中的「{d['name']}」相近（相似度 {score:.2f}），疑为更名。",
                d["name"],
                e["name"],
            )
        elif _key(d["level2"]) and _key(e["level2"]) and _key(d["level2"]) != _key(e["level2"]):
            add(
                "B07",
                f"指标「{e['name']}」在申报表中属于「{d['level2']}」，自评表中属于「{e['level2']}」。",
                d["level2"],
                e["level2"],
            )
        if d.get("nature") and e.get("nature") and d["nature"] != e["nature"]:
            add(
                "B08",
                f"指标「{e['name']}」申报为{d['nature']}指标，自评表为{e['nature']}指标。",
                d["nature"],
                e["nature"],
            )
        dv, evv = _parse(d, dyear or eyear), _parse(e, eyear or dyear)
        if _value_changed(dv, evv):
            add("B04", f"指标「{e['name']}」申报指标值为「{_show(d)}」，自评表为「{_show(e)}」。", _show(d), _show(e))
        if dv.op and evv.op and dv.op != evv.op and dv.kind == evv.kind == "number":
            add(
                "B05",
                f"指标「{e['name']}」申报方向为“{_OP_SHOWN.get(dv.op, dv.op)}”，自评表为“{_OP_SHOWN.get(evv.op, evv.op)}”。",
                _OP_SHOWN.get(dv.op, dv.op),
                _OP_SHOWN.get(evv.op, evv.op),
            )
        if dv.unit and evv.unit and dv.unit != evv.unit:
            add("B06", f"指标「{e['name']}」申报计量单位为“{dv.unit}”，自评表为“{evv.unit}”。", dv.unit, evv.unit)
    return out


def _show(row) -> str:
    """The 指标值 as a reader sees it: direction column + value + unit column."""
    target = normalize_text(row.get("target"))
    direction = normalize_text(row.get("direction"))
    unit = normalize_text(row.get("unit"))
    text = f"{direction if direction and not target.startswith(direction) else ''}{target}"
    return f"{text}{unit if unit and not target.endswith(unit) else ''}" or "（空）"


# --- item 9: direction vs scoring function ----------------------------------------------------------

_UP_RULES = {"proportional"}
_DOWN_RULES = {"reverse_linear", "reverse_ratio"}
_DOWN_WORDS = re.compile(r"不超过|不高于|每超|超过.{0,12}扣|高于.{0,12}扣|超出.{0,8}扣|以内.{0,4}得满分|指标值/完成值")
_UP_WORDS = re.compile(r"按比例得分|每低|低于.{0,12}扣|不低于|达到.{0,12}得满分|未达到.{0,8}扣|完成值/指标值")


def _rule_sense(rule: object, rule_text: object) -> tuple[str | None, str]:
    """("up"/"down"/None, what decided it) from the rule id, else the 评(扣)分标准 wording."""
    if rule in _UP_RULES:
        return "up", "正向比例得分"
    if rule in _DOWN_RULES:
        return "down", "反向扣分"
    text = normalize_text(rule_text)
    if _DOWN_WORDS.search(text):
        return "down", f"评分标准“{text}”"
    if _UP_WORDS.search(text):
        return "up", f"评分标准“{text}”"
    return None, ""


def check_direction_rule(scored: pd.DataFrame, *, year: int | None = None) -> list[dict]:
    """B09: a ≤ target scored as "more is better", or a ≥ target scored as "less is better".

    The direction is the scored ``target_op`` when present, else the parsed 指标值 with the
    方向 column; the scoring method is the scored ``rule`` id, else the 评(扣)分标准 wording.
    """
    out = []
    for r in records(scored):
        op = r.get("target_op") if isinstance(r.get("target_op"), str) and r.get("target_op") else _parse(r, year).op
        if op not in (">=", ">", "<=", "<"):
            continue
        rule = r.get("rule") if isinstance(r.get("rule"), str) else None
        sense, source = _rule_sense(rule, r.get("rule_text"))
        want = "up" if op in (">=", ">") else "down"
        if sense is None or sense == want:
            continue
        shown = _OP_SHOWN[op]
        by_id = isinstance(r.get("rule_label"), str) and rule in (_UP_RULES | _DOWN_RULES)
        label = r["rule_label"] if by_id else source
        out.append(
            make_finding(
                "B09",
                _where(r),
                f"指标「{r['name']}」方向为“{shown}”（{'越大越好' if want == 'up' else '越小越好'}），"
                f"评分却采用{label}（{'越大越好' if sense == 'up' else '越小越好'}）。",
                scope="indicator",
                indicator_id=str(r["indicator_id"]),
                expected="正向比例得分" if want == "up" else "反向扣分",
                reported=label,
            )
        )
    return out
