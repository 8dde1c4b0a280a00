"""Review checks on a unit's self-evaluation table: structure and arithmetic (DOMAIN §4.2 group A).

Every public ``check_*`` function takes tables and explicit tolerances and returns a
list of finding rows (``findings.make_finding``); ``review.review`` runs them all and
builds one findings table. A finding reports a problem only: what was checked and
found consistent is not listed. The budget block checks are in
:mod:`jixiao.review.budget`; groups C and D (quality of 指标值 / 完成值, explanations)
are in :mod:`jixiao.review.quality`; both use the helpers of :mod:`jixiao.review.helpers`.

Tolerances: a difference counts when it is strictly larger than the tolerance.
Sums are compared unrounded; numbers are rounded to 2 decimals only for display.
"""

from __future__ import annotations

import pandas as pd

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.status import PENDING
from jixiao.core.vocab import DEFAULT_TOLERANCES, TIERS
from jixiao.parse.direction import with_implied_direction
from jixiao.parse.values import parse_value
from jixiao.parse.words import judge_word
from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import (
    EPS,
    fmt2,
    has_column,
    indicator_finding,
    num,
    over,
    records,
    text,
)

__all__ = [
    "check_weights",
    "check_scores",
    "check_rescoring",
    "check_reader_notes",
    "parse_targets",
]


def parse_targets(indicators: pd.DataFrame, year: int | None = None) -> dict[str, tuple[ParsedValue, ParsedValue]]:
    """Parsed (target, actual) per indicator_id, with the row's unit and direction as hints.

    A scored table (``score_indicators`` output) already carries the parsed values in
    ``target_value`` / ``actual_value``: they are reused, not parsed again.
    """
    if {"target_value", "actual_value"} <= set(indicators.columns):
        ids = indicators["indicator_id"].astype(str).tolist()
        return dict(zip(ids, zip(indicators["target_value"].tolist(), indicators["actual_value"].tolist())))
    out = {}
    for r in records(indicators):
        unit, direction = r.get("unit") or None, r.get("direction") or None
        target = parse_value(r.get("target"), unit_hint=unit, direction_hint=direction, year=year)
        out[str(r["indicator_id"])] = (
            with_implied_direction(target, r.get("name"), direction),
            parse_value(r.get("actual"), unit_hint=unit, year=year),
        )
    return out


# --- A: weights and scores -------------------------------------------------------------------------


def _budget_weight(budget: pd.DataFrame) -> tuple[float, float | None]:
    """(Σ 分值, Σ 得分 or None) of the budget lines the table scores."""
    scored = budget[budget["weight"].notna()] if "weight" in budget else budget.iloc[:0]
    if scored.empty:
        return 0.0, None
    score = scored["reported_score"].dropna()
    return float(scored["weight"].sum()), (float(score.sum()) if len(score) else None)


def check_weights(
    evaluation, *, total_points: float = 100.0, tolerance: float = DEFAULT_TOLERANCES.score
) -> list[dict]:
    """A01-A03, A09: level-1 weights sum to 100, roll-ups per level 1, Σ 分值 = 总分值, blank weights."""
    ind, out = evaluation.indicators, []
    if ind.empty:
        return out
    budget_w, _ = _budget_weight(evaluation.budget)
    declared = evaluation.level1_declared
    extra = f"（含预算执行率 {fmt2(budget_w)} 分）" if budget_w else ""
    level1_total = None  # Σ 一级权重 when A01 reports it
    if len(declared) and declared["declared_weight"].notna().all():
        total = float(declared["declared_weight"].sum()) + budget_w
        if over(total - total_points, tolerance):
            level1_total = total
            parts = "、".join(f"{n} {fmt2(w)}" for n, w in zip(declared["name"], declared["declared_weight"]))
            out.append(
                make_finding(
                    "A01",
                    "一级指标",
                    f"一级指标权重合计 {fmt2(total)}{extra}，不等于 {fmt2(total_points)}（{parts}）。",
                    expected=total_points,
                    reported=total,
                )
            )
    found = ind.groupby("level1", sort=False)["weight"].sum(min_count=1)
    for name, w in zip(declared["name"], declared["declared_weight"]):
        s = found.get(name)
        if pd.isna(w) or s is None or pd.isna(s) or not over(s - w, tolerance):
            continue
        out.append(
            make_finding(
                "A02",
                f"一级指标「{name}」",
                f"一级指标「{name}」下三级指标分值合计 {fmt2(s)}，与一级权重 {fmt2(w)} 不符（相差 {fmt2(s - w)}）。",
                expected=w,
                reported=s,
            )
        )
    weights = ind["weight"].dropna()
    goal = evaluation.declared_weight_total if evaluation.declared_weight_total is not None else total_points
    # the same sum against the same 100 as A01 is one problem: A01 (with the level-1 parts) reports it
    same_as_a01 = (
        level1_total is not None
        and not over(goal - total_points, tolerance)
        and not over(float(weights.sum()) + budget_w - level1_total, tolerance)
    )
    if len(weights) and not same_as_a01 and over(float(weights.sum()) + budget_w - goal, tolerance):
        total = float(weights.sum()) + budget_w
        out.append(
            make_finding(
                "A03",
                "全表",
                f"全部三级指标分值合计 {fmt2(total)}{extra}，与总分值 {fmt2(goal)} 不符。",
                expected=goal,
                reported=total,
            )
        )
    missing = ind[ind["weight"].isna()]
    if len(missing) == len(ind):
        out.append(
            make_finding(
                "A09", "全表", "全部指标均未填写分值（权重），无法复核得分。", expected="各指标分值", reported="（空）"
            )
        )
    else:
        out += [
            indicator_finding("A09", r, f"指标「{r['name']}」未填写分值。", expected="分值", reported="（空）")
            for r in records(missing)
        ]
    return out


def check_scores(
    evaluation,
    parsed: dict | None = None,
    *,
    tolerance_total: float = DEFAULT_TOLERANCES.score,
    tolerance: float = DEFAULT_TOLERANCES.score,
) -> list[dict]:
    """A04-A08: 0 ≤ 自评分 ≤ 分值 (beyond ``tolerance``), Σ 自评分 vs 总分 (as given and capped), blank cells."""
    ind, out = evaluation.indicators, []
    parsed = parsed or parse_targets(ind, evaluation.unit.year)
    asks_actual, asks_score = has_column(evaluation, "actual"), has_column(evaluation, "self_score")
    for r in records(ind):
        s, w = num(r["self_score"]), num(r["weight"])
        if s is not None and w is not None and over(s - w, tolerance) and s > w:
            out.append(
                indicator_finding(
                    "A04",
                    r,
                    f"指标「{r['name']}」自评分 {fmt2(s)} 超过分值 {fmt2(w)}（超出 {fmt2(s - w)} 分）。",
                    expected=f"≤{fmt2(w)}",
                    reported=s,
                )
            )
        if s is not None and s < 0 and over(s, tolerance):
            out.append(
                indicator_finding("A05", r, f"指标「{r['name']}」自评分 {fmt2(s)} 为负数。", expected="≥0", reported=s)
            )
        if asks_actual and parsed[str(r["indicator_id"])][1].kind == "empty":  # "无" answers, "—" does not
            out.append(
                indicator_finding(
                    "A07",
                    r,
                    f"指标「{r['name']}」未填写全年完成值（指标值 {r['target'] or '（空）'}）。",
                    expected="全年完成值",
                    reported="（空）",
                )
            )
        if s is None and asks_score:  # no 得分 column: the table asks for no self score
            out.append(
                indicator_finding("A08", r, f"指标「{r['name']}」未填写自评分。", expected="自评分", reported="（空）")
            )
    reported = evaluation.reported_total
    if reported is None or ind.empty:
        return out
    scores, weights = ind["self_score"], ind["weight"]
    given = float(scores.sum())
    capped = float(scores.where(scores.isna() | weights.isna(), scores.clip(upper=weights)).sum())
    budget_w, budget_s = _budget_weight(evaluation.budget)
    if budget_s is not None:
        given, capped = given + budget_s, capped + min(budget_s, budget_w)
    if over(given - reported, tolerance_total):
        note = f"（含预算执行率得分 {fmt2(budget_s)}）" if budget_s is not None else ""
        blank = int(scores.isna().sum())
        blank_note = f"；另有 {blank} 项指标未填自评分" if blank else ""
        out.append(
            make_finding(
                "A06",
                "总分",
                f"各指标自评分合计 {fmt2(given)}{note}，按分值封顶后为 {fmt2(capped)}，与表列总分 {fmt2(reported)} 不符"
                f"（相差 {fmt2(given - reported)}，容差 ±{tolerance_total:g}）{blank_note}。",
                expected=f"{fmt2(given)}（按分值封顶 {fmt2(capped)}）",
                reported=reported,
            )
        )
    return out


# --- A: re-scoring --------------------------------------------------------------------------------


def _qualitative(row, target: ParsedValue) -> bool:
    if row.get("nature") == "定性" or target.kind == "qualitative":
        return True
    return target.kind == "direction" and target.number is None


def check_rescoring(scored: pd.DataFrame, parsed: dict, *, tolerance: float = DEFAULT_TOLERANCES.score) -> list[dict]:
    """A20-A22: self score vs rule score (自评偏高/偏低), qualitative scores outside their tier band."""
    out = []
    for r in records(scored):
        s, w, rule = num(r["self_score"]), num(r["weight"]), num(r.get("rule_score"))
        if s is None or w is None or over(s - w, tolerance) and s > w or s < 0:
            continue  # A04/A05/A08 report these rows
        target, actual = parsed[str(r["indicator_id"])]
        if _qualitative(r, target):
            tier = judge_word(actual, target)
            if tier is not None:
                lo, hi = TIERS[tier]
                # a score within the tolerance of its band is not a finding (as for every score check)
                inside = lo * w - tolerance - EPS <= s and (
                    s <= hi * w + EPS if tier == "达成" else s < hi * w + tolerance - EPS
                )
                if not inside:
                    band = f"[{fmt2(lo * w)}, {fmt2(hi * w)}{']' if tier == '达成' else ')'}"
                    out.append(
                        indicator_finding(
                            "A22",
                            r,
                            f"指标「{r['name']}」完成值「{r['actual']}」属“{tier}”档，得分区间 {band}，"
                            f"自评分 {fmt2(s)} 不在区间内。",
                            expected=band,
                            reported=s,
                        )
                    )
                    continue
        if rule is None:
            continue
        explanation = text(r.get("explanation"))
        why = f"（{explanation}）" if explanation else ""
        full_but_missed = r.get("met") is False and s >= w - EPS and over(w - rule, tolerance)
        if over(s - rule, tolerance) and s > rule or full_but_missed:
            lead = "未达到指标值却自评满分，" if full_but_missed else ""
            out.append(
                indicator_finding(
                    "A20",
                    r,
                    f"指标「{r['name']}」{lead}按评分规则应得 {fmt2(rule)} 分{why}，自评 {fmt2(s)} 分，"
                    f"偏高 {fmt2(s - rule)} 分。",
                    expected=rule,
                    reported=s,
                )
            )
        elif over(rule - s, tolerance) and rule > s and r.get("status") != PENDING:  # no raise on an unverified claim
            out.append(
                indicator_finding(
                    "A21",
                    r,
                    f"指标「{r['name']}」按评分规则应得 {fmt2(rule)} 分{why}，自评 {fmt2(s)} 分，"
                    f"偏低 {fmt2(rule - s)} 分。",
                    expected=rule,
                    reported=s,
                )
            )
    return out


# --- A: what the reader had to guess ---------------------------------------------------------------

_NOTE_CODES = {
    "unreadable_row": "A31",
    "level1_from_level2": "A32",
    "budget_unreadable": "A33",
    "hidden_sheet": "A34",
    "formula_no_value": "A35",
    "no_indicator_rows": "A36",
    "bad_number": "A37",
}
_QUIET_NOTES = {"one_value", "nature_filled"}  # covered by A07, or routine merged cells


def check_reader_notes(notes: pd.DataFrame) -> list[dict]:
    """A30-A39: reader notes that a reviewer must know about (shifted rows summarised in one line)."""
    out = []
    shifted = notes[notes["code"] == "shifted_row"]
    if len(shifted):
        rows = sorted({int(x) for x in shifted["row"] if x is not None and not pd.isna(x)})
        out.append(
            make_finding(
                "A30",
                "全表",
                f"原表有 {len(rows)} 行单元格与表头错位（第 {'、'.join(map(str, rows))} 行），"
                f"已按内容形状识别，请对照原表核对。",
                expected="各列与表头对齐",
                reported=f"{len(rows)} 行错位",
            )
        )
    for r in records(notes):
        code = r["code"]
        if code == "shifted_row" or code in _QUIET_NOTES:
            continue
        row = r.get("row")
        where = f"第{int(row)}行" if row is not None and not pd.isna(row) else "全表"
        out.append(make_finding(_NOTE_CODES.get(code, "A39"), where, str(r["message"]), reported=r.get("value") or ""))
    return out
