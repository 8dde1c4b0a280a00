"""Review checks on the budget block of a self-evaluation table (DOMAIN §4.2 group A):
execution rates that recompute, execution within budget, sources that add up to the total,
and 预算执行率 indicator lines that agree with the block. Money differences within
``ROUNDING_SHARE`` of the amount are rounding gaps (提示), not wrong amounts.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from jixiao.core.vocab import DEFAULT_TOLERANCES, ROUNDING_SHARE
from jixiao.review.helpers import EPS, budget_finding, fmt2, indicator_finding, num, over, records
from jixiao.review.table import parse_targets
from jixiao.score.scoring import score_budget

__all__ = ["check_budget", "check_budget_indicators"]


#: Percentage points within which a printed rate only rounds the recomputed one to one decimal
#: (ten times that for a rate printed as a whole number).
_RATE_ROUNDING = 0.05


def _rounding(diff: float, whole: float) -> bool:
    """True when a money difference is within ``ROUNDING_SHARE`` of the amount (a rounding gap, not a wrong amount)."""
    return abs(diff) <= ROUNDING_SHARE * abs(whole) + EPS


_FIELDS = {"budget": "全年预算数", "spent": "全年执行数", "initial_budget": "年初预算数"}


def _total_line(budget: pd.DataFrame) -> dict | None:
    """The budget total: the 合计 row, else Σ 资金来源, else Σ 资金结构 (None if nothing to sum)."""
    for group in ("合计", "资金来源", "资金结构"):
        part = budget[(budget["group"] == group) & budget["budget"].notna()]
        if len(part):
            return {k: float(part[k].sum()) if part[k].notna().any() else None for k in _FIELDS}
    return None


def check_budget(
    budget: pd.DataFrame,
    *,
    tolerance_money: float = DEFAULT_TOLERANCES.money,
    tolerance_rate: float = DEFAULT_TOLERANCES.rate,
    tolerance_score: float = DEFAULT_TOLERANCES.score,
) -> list[dict]:
    """A10-A14: recomputed rates, 执行 > 预算, blank budgets, parts vs totals, execution-rate score.

    A line that repeats the figures of a line already checked (财政拨款 equal to 合计) is the
    same problem: it is not reported again.
    """
    out, seen = [], set()
    for r in records(budget):
        name, unit = r["name"], r.get("money_unit") or ""
        b, s, rate = num(r["budget"]), num(r["spent"]), num(r["reported_rate"])
        if b is None:
            b = num(r.get("initial_budget"))  # only 年初预算数 given: the reader computed the rate on it
        if (b, s, rate) in seen:
            continue
        seen.add((b, s, rate))
        nothing_spent = not s and not rate and r.get("group") != "合计"  # 上年结转 0 / 0: empty, not broken
        if (b is None or b == 0) and (s is not None or rate is not None) and not (b == 0 and nothing_spent):
            shown = "为 0" if b == 0 else "为空"
            only_rate = b is None and s is None and rate is not None  # a printed rate, no amounts behind it
            what = f"只填了执行率 {fmt2(rate)}%，全年预算数和执行数为空，执行率无法复核" if only_rate else ""
            out.append(
                budget_finding(
                    "A12",
                    name,
                    f"预算「{name}」{what or f'全年预算数{shown}，执行率无法计算'}。",
                    "全年预算数",
                    "0" if b == 0 else "（空）",
                )
            )
            continue
        if not b or s is None:
            continue
        if s > b + tolerance_money:
            rounding = _rounding(s - b, b)
            out.append(
                budget_finding(
                    "A11",
                    name,
                    f"预算「{name}」全年执行数 {fmt2(s)}{unit} 超过全年预算数 {fmt2(b)}{unit}"
                    f"（超出 {fmt2(s - b)}{unit}{'，属舍入差异' if rounding else ''}）。",
                    f"≤{fmt2(b)}",
                    s,
                    severity="提示" if rounding else None,
                )
            )
        recomputed = round(s / b * 100, 2)  # display rounding of the recomputed rate, as tables print it
        if rate is not None and over(rate - recomputed, tolerance_rate):
            # 99.9% printed for 99.87%, or a whole 86% for 86.20%: display rounding
            rounding = abs(rate - recomputed) < (_RATE_ROUNDING * 10 if rate == int(rate) else _RATE_ROUNDING)
            note = "（差异在显示位数的舍入范围内）" if rounding else ""
            out.append(
                budget_finding(
                    "A10",
                    name,
                    f"预算「{name}」表列执行率 {fmt2(rate)}%，按 {fmt2(s)} ÷ {fmt2(b)} 重算为 {fmt2(recomputed)}%{note}。",
                    f"{fmt2(recomputed)}%",
                    f"{fmt2(rate)}%",
                    severity="提示" if rounding else None,
                )
            )
    for r in records(score_budget(budget, weight=None)):
        score, expected = num(r.get("reported_score")), num(r.get("rule_score"))
        if score is not None and expected is not None and over(score - expected, tolerance_score):
            out.append(
                budget_finding(
                    "A14",
                    r["name"],
                    f"预算「{r['name']}」执行率得分 {fmt2(score)}，按规则重算为 {fmt2(expected)}"
                    f"（{r['explanation']}）。",
                    expected,
                    score,
                )
            )
    return out + _check_parts(budget, tolerance_money)


def _check_parts(budget: pd.DataFrame, tol: float) -> list[dict]:
    """A13: 基本 + 项目 = 合计, Σ 资金来源 = 合计; without a 合计 row, Σ 资金结构 = Σ 资金来源."""
    budget = budget.dropna(subset=list(_FIELDS), how="all")  # blank lines (其他资金 with nothing) are absent
    total = budget[budget["group"] == "合计"]
    structure = budget[budget["group"] == "资金结构"]
    sources = budget[budget["group"] == "资金来源"]
    if len(total):
        whole = total.iloc[0]
        pairs = [("基本支出与项目支出之和", structure, "合计", whole), ("各资金来源之和", sources, "合计", whole)]
    elif len(sources) and len(structure) >= 2:
        whole = {k: sources[k].sum() if sources[k].notna().all() else math.nan for k in _FIELDS}
        pairs = [("基本支出与项目支出之和", structure, "各资金来源之和", whole)]
    else:
        return []
    out = []
    for label, parts, whole_label, whole in pairs:
        if len(parts) < 2:
            continue  # one line equal to the total says nothing
        for key, field_label in _FIELDS.items():
            w = num(whole[key])
            if w is None or parts[key].isna().any():
                continue
            s = float(parts[key].sum())
            if over(s - w, tol):
                rounding = _rounding(s - w, w)
                out.append(
                    budget_finding(
                        "A13",
                        whole_label,
                        f"{field_label}：{label} {fmt2(s)} 与{whole_label} {fmt2(w)} 不符"
                        f"（相差 {fmt2(s - w)}{'，在合计数的 0.1% 以内，属舍入差异' if rounding else ''}）。",
                        w,
                        s,
                        severity="提示" if rounding else None,
                    )
                )
    return out


_RATE_PREFIXES = re.compile(r"部门|单位|整体|年度|全年|财政拨款|财政|基本支出|项目支出|预算|支出|资金")


def check_budget_indicators(
    evaluation, parsed: dict | None = None, *, tolerance_rate: float = DEFAULT_TOLERANCES.rate
) -> list[dict]:
    """A15: an indicator-level 预算执行率 row (完成值) against the rate recomputed from the budget block."""
    budget, out = evaluation.budget, []
    parsed = parsed or parse_targets(evaluation.indicators, evaluation.unit.year)
    for r in records(evaluation.indicators):
        name = re.sub(r"\s+", "", str(r["name"]))
        if _RATE_PREFIXES.sub("", name) != "执行率" or name == "执行率":
            continue  # only 预算执行率 / 基本支出预算执行率 / 项目支出执行率 …, not 三公经费预算执行率
        line = None
        for part in ("基本支出", "项目支出"):
            if part in name:
                match = budget[budget["name"].astype(str).str.contains(part)]
                line = _total_line(match.assign(group="合计")) if len(match) else None
                break
        else:
            line, part = _total_line(budget), "预算合计"
        if not line or not line["budget"] or line["spent"] is None:
            continue
        actual = parsed[str(r["indicator_id"])][1]
        if actual.kind != "number" or actual.number is None or actual.unit not in ("%", None):
            continue
        rate = round(line["spent"] / line["budget"] * 100, 2)
        if over(actual.number - rate, tolerance_rate):
            out.append(
                indicator_finding(
                    "A15",
                    r,
                    f"指标「{r['name']}」完成值 {actual.raw}，按预算表{part}执行数 ÷ 预算数重算的执行率为 "
                    f"{fmt2(rate)}%。",
                    expected=f"{fmt2(rate)}%",
                    reported=actual.raw,
                )
            )
    return out
