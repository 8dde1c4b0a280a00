"""Quantitative rules: proportional, reverse, zero target, per point, tiers, approximate, range, compound."""

from __future__ import annotations

import math
from collections.abc import Sequence

from jixiao.core.errors import RuleError
from jixiao.core.numbers import EPS
from jixiao.core.parsed_value import ParsedValue
from jixiao.score.rules.base import (
    OVERSHOOT_RATIO,
    RuleResult,
    check_tiers,
    finalize_score,
    fmt_number,
    fmt_percent,
    fmt_points,
    fmt_value,
    is_numeric,
    no_number,
    quantities,
    quantity,
    register_rule,
)

__all__ = [
    "proportional",
    "reverse_linear",
    "reverse_ratio",
    "zero_target",
    "per_point",
    "step_tiers",
    "approximate",
    "range_target",
    "compound",
]


@register_rule("proportional", "按比例得分", "正向指标（≥、=）：分值 × min(完成值/指标值, 1)，超额不加分，负数按0计")
def proportional(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w·min(a/t, 1); a ≤ target ops go to reverse_linear, t = 0 to zero_target."""
    if target.op in ("<=", "<"):
        return reverse_linear(weight, target, actual)
    q = quantities(target, actual, "按比例得分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        if target.op in (">=", ">") and t == 0:
            met = a >= 0
            verdict = f"得满分{fmt_points(weight)}" if met else "得0分"
            return RuleResult(weight if met else 0.0, met, f"完成值{fmt_value(a, u)}，指标值≥0，{verdict}")
        return zero_target(weight, target, actual)
    if a >= t - EPS * max(1.0, abs(t)):
        note = "（超出指标值30%及以上，应说明原因）" if a >= OVERSHOOT_RATIO * t else ""
        return RuleResult(
            float(weight), True, f"完成值{fmt_value(a, u)}达到指标值{fmt_value(t, u)}，得满分{fmt_points(weight)}{note}"
        )
    neg = "（完成值为负数，按0计）" if a < 0 else ""
    raw = weight * max(a, 0.0) / t
    return RuleResult(
        raw,
        False,
        f"完成值{fmt_value(a, u)} / 指标值{fmt_value(t, u)} × {fmt_number(weight)}分 = {fmt_points(raw)}{neg}",
    )


@register_rule(
    "reverse_linear",
    "反向指标线性扣分",
    "反向指标（≤）：未超过指标值得满分；超过时按超出比例线性扣分，达到指标值2倍得0分",
)
def reverse_linear(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w if a ≤ t; w·(1 − (a − t)/t) for t < a < 2t; 0 at a ≥ 2t."""
    q = quantities(target, actual, "反向指标线性扣分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        return zero_target(weight, target, actual)
    if a <= t + EPS * max(1.0, t):
        return RuleResult(
            float(weight), True, f"完成值{fmt_value(a, u)}未超过指标值{fmt_value(t, u)}，得满分{fmt_points(weight)}"
        )
    excess = (a - t) / t
    if excess >= 1:
        return RuleResult(0.0, False, f"完成值{fmt_value(a, u)}达到指标值{fmt_value(t, u)}的2倍及以上，得0分")
    raw = weight * (1 - excess)
    expl = f"完成值{fmt_value(a, u)}超过指标值{fmt_value(t, u)} {fmt_percent(excess)}，{fmt_number(weight)}分 × (1 − {fmt_percent(excess)}) = {fmt_points(raw)}"
    return RuleResult(raw, False, expl)


@register_rule("reverse_ratio", "反向指标按比例得分", "反向指标（≤）：未超过指标值得满分，否则 分值 × 指标值/完成值")
def reverse_ratio(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w if a ≤ t else w·t/a."""
    q = quantities(target, actual, "反向指标按比例得分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        return zero_target(weight, target, actual)
    if a <= t + EPS * max(1.0, t):
        return RuleResult(
            float(weight), True, f"完成值{fmt_value(a, u)}未超过指标值{fmt_value(t, u)}，得满分{fmt_points(weight)}"
        )
    raw = weight * t / a
    return RuleResult(
        raw, False, f"指标值{fmt_value(t, u)} / 完成值{fmt_value(a, u)} × {fmt_number(weight)}分 = {fmt_points(raw)}"
    )


@register_rule("zero_target", "零目标", "指标值为0（如安全事故数=0）：完成值为0得满分，否则不得分")
def zero_target(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w if a ≤ 0 else 0 (a blank-looking 「无」/「未发生」 counts as 0)."""
    zero = quantity(0.0, target.unit if is_numeric(target) else None)
    q = quantities(zero, actual, "零目标")
    if isinstance(q, RuleResult):
        return q
    _, a, u = q
    shown = fmt_value(a, u) if is_numeric(actual) else f"「{actual.raw}」（按0计）"
    if a <= EPS:
        return RuleResult(float(weight), True, f"完成值{shown}，指标值为0，得满分{fmt_points(weight)}")
    return RuleResult(0.0, False, f"完成值{shown}，未达到指标值0，不得分")


@register_rule(
    "per_point",
    "每个百分点扣分",
    "每低于（或超过）指标值1个百分点扣x分，扣完为止；不足1个百分点是否按1个计由参数 round_up 决定",
)
def per_point(
    weight: float,
    target: ParsedValue,
    actual: ParsedValue,
    *,
    x: float | None = None,
    round_up: bool = True,
    side: str | None = None,
) -> RuleResult:
    """s = w − x·ceil(points off) (raw; finalize floors at 0).

    Points off are percentage points when the unit is % (or ‰ as given), otherwise points
    of the completion rate a/t. ``side`` is "below" (每低) or "above" (每超); default from the op.
    """
    if x is None or isinstance(x, bool) or not isinstance(x, (int, float)) or x <= 0:
        raise RuleError(f"计分规则「per_point」需要参数 x（每个百分点扣的分数，正数），这里是「{x}」")
    side = side or ("above" if target.op in ("<=", "<") else "below")
    if side not in ("below", "above"):
        raise RuleError(f"参数 side 应为 below（每低）或 above（每超），这里是「{side}」")
    q = quantities(target, actual, "每个百分点扣分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    gap = (t - a) if side == "below" else (a - t)
    if u in ("%", "‰"):
        points, how = gap, ""
    elif t > 0:
        points, how = gap / t * 100, f"（完成率{fmt_percent(a / t)}）"
    else:
        return RuleResult(None, None, f"指标值为{fmt_value(t, u)}，无法换算百分点")
    if points <= EPS:
        return RuleResult(
            float(weight), True, f"完成值{fmt_value(a, u)}达到指标值{fmt_value(t, u)}，得满分{fmt_points(weight)}"
        )
    n = math.ceil(round(points, 9)) if round_up else points
    raw = weight - x * n
    word = "低于" if side == "below" else "超过"
    final = finalize_score(raw, weight)
    expl = f"完成值{fmt_value(a, u)}{how}{word}指标值{fmt_value(t, u)} {fmt_number(points)}个百分点"
    expl += f"{'（不足1个按1个计）' if round_up and n != points else ''}，{fmt_number(weight)}分 − {fmt_number(x)}分 × {fmt_number(n)} = {fmt_points(final)}"
    return RuleResult(raw, False, expl + ("（扣完为止）" if raw < 0 else ""))


@register_rule("step_tiers", "分档得分", "按完成值所在档次得分（如 ≥90%得5分，80%-90%得4分…），档次下限含本数")
def step_tiers(
    weight: float,
    target: ParsedValue,
    actual: ParsedValue,
    *,
    tiers: Sequence[Sequence[float]] | None = None,
    reverse: bool = False,
    share: bool = False,
) -> RuleResult:
    """Step function of the actual value.

    ``tiers`` = [(lower bound, score), ...] from high to low (lower bound inclusive); with
    ``reverse=True`` they are [(upper bound, score), ...] from low to high (upper bound
    inclusive), for "lower is better" tables. ``share=True`` reads scores as shares of w.
    """
    if not tiers:
        raise RuleError("计分规则「step_tiers」需要参数 tiers，如 [(90, 5), (80, 4), (70, 3)]")
    pairs = check_tiers(tiers, "tiers", ascending=reverse, shares=share)
    if not is_numeric(actual):
        return no_number(actual)
    q = quantities(target, actual, "分档得分") if is_numeric(target) else None
    if isinstance(q, RuleResult):
        return q
    a, u = (q[1], q[2]) if q else (float(actual.number), actual.unit or "")
    hit = next(((b, s) for b, s in pairs if (a <= b + EPS if reverse else a >= b - EPS)), None)
    if hit is None:
        return RuleResult(0.0, False, f"完成值{fmt_value(a, u)}不在任何得分档次内，得0分")
    bound, score = hit
    raw = score * weight if share else score
    band = f"{'≤' if reverse else '≥'}{fmt_value(bound, u)}"
    return RuleResult(raw, hit == pairs[0], f"完成值{fmt_value(a, u)}属于「{band}」档，得{fmt_points(raw)}")


@register_rule(
    "approximate",
    "约数指标",
    "「约150」「150左右」：完成值在指标值±容差内得满分；低于下限按比例，高于上限按 指标值/完成值",
)
def approximate(weight: float, target: ParsedValue, actual: ParsedValue, *, tolerance: float = 0.10) -> RuleResult:
    """Met within ±tolerance (default 10%); below: w·a/t; above: w·t/a."""
    if not 0 <= tolerance < 1:
        raise RuleError(f"参数 tolerance（容差）应在 0 到 1 之间，如 0.1 表示 ±10%，这里是「{tolerance}」")
    q = quantities(target, actual, "约数指标")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        return zero_target(weight, target, actual)
    band = f"约{fmt_value(t, u)}（±{fmt_number(tolerance * 100)}%）"
    dev = (a - t) / t
    if abs(dev) <= tolerance + EPS:
        return RuleResult(float(weight), True, f"完成值{fmt_value(a, u)}在{band}范围内，得满分{fmt_points(weight)}")
    if dev < 0:
        raw = weight * max(a, 0.0) / t
        return RuleResult(
            raw,
            False,
            f"完成值{fmt_value(a, u)}低于{band}，{fmt_value(a, u)} / {fmt_value(t, u)} × {fmt_number(weight)}分 = {fmt_points(raw)}",
        )
    raw = weight * t / a
    return RuleResult(
        raw,
        False,
        f"完成值{fmt_value(a, u)}高于{band}，{fmt_value(t, u)} / {fmt_value(a, u)} × {fmt_number(weight)}分 = {fmt_points(raw)}",
    )


@register_rule("range_target", "区间指标", "完成值在区间内得满分；在区间外按到最近端点的距离按比例扣分")
def range_target(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """Inside → w; below low: w·(1 − (low − a)/low); above high: w·(1 − (a − high)/high)."""
    if target.kind != "range" or (target.low is None and target.high is None):
        return proportional(weight, target, actual)
    if not is_numeric(actual):
        return no_number(actual)
    edge = target.low if target.low is not None else target.high
    q = quantities(quantity(edge, target.unit), actual, "区间指标")
    if isinstance(q, RuleResult):
        return q
    _, a, u = q
    lo, hi = target.low, target.high
    left, right = "[" if target.low_inclusive else "(", "]" if target.high_inclusive else ")"
    shown = f"{left}{'' if lo is None else fmt_value(lo, u)}，{'' if hi is None else fmt_value(hi, u)}{right}"
    below = lo is not None and (a < lo - EPS or (not target.low_inclusive and abs(a - lo) <= EPS))
    above = hi is not None and (a > hi + EPS or (not target.high_inclusive and abs(a - hi) <= EPS))
    if not below and not above:
        return RuleResult(float(weight), True, f"完成值{fmt_value(a, u)}在区间{shown}内，得满分{fmt_points(weight)}")
    e = lo if below else hi
    share = max(0.0, 1 - abs(a - e) / abs(e)) if e else 0.0
    raw = weight * share
    where = "低于下限" if below else "高于上限"
    return RuleResult(
        raw,
        False,
        f"完成值{fmt_value(a, u)}{where}{fmt_value(e, u)}，偏离{fmt_percent(1 - share)}，{fmt_number(weight)}分 × {fmt_percent(share)} = {fmt_points(raw)}",
    )


@register_rule(
    "compound", "多值指标", "一个指标含多个指标值：按计量单位逐项计算 min(完成值/指标值, 1)，取平均（或取最小）"
)
def compound(weight: float, target: ParsedValue, actual: ParsedValue, *, combine: str = "mean") -> RuleResult:
    """Each part scored by its own ratio, parts matched by unit; combined by mean or min."""
    if combine not in ("mean", "min"):
        raise RuleError(f"参数 combine 应为 mean（取平均）或 min（取最小），这里是「{combine}」")
    if target.kind != "compound" or not target.parts:
        return proportional(weight, target, actual)
    pool = list(actual.parts) if actual.kind == "compound" else ([actual] if is_numeric(actual) else [])
    if not pool:
        return no_number(actual)
    ratios, shown = [], []
    for part in target.parts:
        same = [p for p in pool if (p.unit or "") == (part.unit or "")]
        usable = same or [p for p in pool if not isinstance(quantities(part, p, "多值指标"), RuleResult)]
        match = usable[0] if usable else None
        if match is None:
            ratios.append(0.0)
            shown.append(f"{fmt_value(part.number or 0, part.unit)}：完成值缺少此项，按0计")
            continue
        pool.remove(match)
        if {part.trend, match.trend} == {"up", "down"}:  # "体检率下降1%" against "体检率提高2%"
            ratios.append(0.0)
            shown.append(f"{match.raw}：与指标值「{part.raw}」方向相反，按0计")
            continue
        q = quantities(part, match, "多值指标")
        if isinstance(q, RuleResult):
            return q
        t, a, u = q
        r = (1.0 if a <= EPS else 0.0) if t <= 0 else min(max(a, 0.0) / t, 1.0)
        ratios.append(r)
        shown.append(f"{fmt_value(a, u)}/{fmt_value(t, u)}={fmt_percent(r)}")
    share = sum(ratios) / len(ratios) if combine == "mean" else min(ratios)
    raw = weight * share
    how = "取平均" if combine == "mean" else "取最小"
    return RuleResult(
        raw,
        share >= 1 - EPS,
        f"{'；'.join(shown)}；{how} {fmt_percent(share)} × {fmt_number(weight)}分 = {fmt_points(raw)}",
    )


# --- rules on words, deadlines and trends -------------------------------------------------------
