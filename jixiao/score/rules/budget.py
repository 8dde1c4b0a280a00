"""Budget execution rules (预算执行率): proportional and tiered."""

from __future__ import annotations

from collections.abc import Sequence

from jixiao.core.numbers import EPS
from jixiao.core.parsed_value import ParsedValue
from jixiao.score.rules.base import (
    DEFAULT_BUDGET_TIERS,
    RuleResult,
    check_tiers,
    fmt_number,
    fmt_percent,
    fmt_points,
    fmt_value,
    is_numeric,
    register_rule,
)

__all__ = ["budget_execution", "budget_execution_tiers"]


def _execution_rate(target: ParsedValue, actual: ParsedValue) -> float | RuleResult:
    if not is_numeric(target) or target.number <= 0:
        return RuleResult(None, None, "全年预算数为0或缺失，无法计算预算执行率")
    if not is_numeric(actual):
        return RuleResult(None, None, "未填写全年执行数，无法计算预算执行率")
    return float(actual.number) / float(target.number)


@register_rule("budget_execution", "预算执行率按比例得分", "分值 × min(全年执行数/全年预算数, 1)")
def budget_execution(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w·min(spent/budget, 1); target = 全年预算数, actual = 全年执行数 (same money unit)."""
    rate = _execution_rate(target, actual)
    if isinstance(rate, RuleResult):
        return rate
    head = f"执行率 = {fmt_value(actual.number, actual.unit)} / {fmt_value(target.number, target.unit)} = {fmt_percent(rate)}"
    note = "（执行数超过预算数）" if rate > 1 + EPS else ""
    raw = weight * min(rate, 1.0)
    return RuleResult(
        raw,
        rate >= 1 - EPS,
        f"{head}，{fmt_number(weight)}分 × {fmt_percent(min(rate, 1.0))} = {fmt_points(raw)}{note}",
    )


@register_rule(
    "budget_execution_tiers",
    "预算执行率分档得分",
    "执行率 ≥95% 得满分，≥90% 得80%，≥80% 得60%，≥70% 得40%，其余0分（档次可配置）",
)
def budget_execution_tiers(
    weight: float,
    target: ParsedValue,
    actual: ParsedValue,
    *,
    tiers: Sequence[Sequence[float]] = DEFAULT_BUDGET_TIERS,
) -> RuleResult:
    """Share of w by execution-rate tier: tiers = [(lowest rate in %, share), ...] from high to low."""
    pairs = check_tiers(tiers, "tiers", ascending=False)
    rate = _execution_rate(target, actual)
    if isinstance(rate, RuleResult):
        return rate
    pct = rate * 100
    hit = next(((b, s) for b, s in pairs if pct >= b - EPS), None)
    share = hit[1] if hit else 0.0
    band = f"≥{fmt_number(hit[0])}%档" if hit else f"低于{fmt_number(pairs[-1][0])}%"
    raw = weight * share
    return RuleResult(
        raw,
        share >= 1 - EPS,
        f"执行率{fmt_percent(rate)}（{band}），{fmt_number(weight)}分 × {fmt_percent(share)} = {fmt_points(raw)}",
    )
