"""Qualitative and judgement rules: all or nothing, tiers, deviation, deadlines, direction; and judge_met."""

from __future__ import annotations

from collections.abc import Sequence

from jixiao.core.errors import RuleError
from jixiao.core.numbers import EPS
from jixiao.core.parsed_value import ParsedValue
from jixiao.core.vocab import TIERS
from jixiao.parse.words import judge_word, value_text
from jixiao.score.rules.base import (
    DEFAULT_DEVIATION_TIERS,
    DEFAULT_LATE_TIERS,
    DEFAULT_TIER_SCORES,
    RuleResult,
    check_tiers,
    fmt_date,
    fmt_number,
    fmt_percent,
    fmt_points,
    fmt_value,
    is_numeric,
    no_number,
    quantities,
    register_rule,
    share_by_upper,
)
from jixiao.score.rules.quantitative import compound, range_target, zero_target

__all__ = ["all_or_nothing", "qualitative_bands", "deviation_tiers", "deadline", "direction_baseline", "judge_met"]


@register_rule("all_or_nothing", "完成得满分否则不得分", "达到指标值（或完成值表明达成）得满分，否则不得分")
def all_or_nothing(weight: float, target: ParsedValue, actual: ParsedValue, *, tolerance: float = 0.10) -> RuleResult:
    """s = w if met else 0; met by op and number, by date, or by the actual's word."""
    if actual.kind in ("empty", "time_artifact"):
        return no_number(actual)
    met, detail = judge_met(target, actual, tolerance=tolerance)
    if met is None:
        return RuleResult(None, None, f"{detail}，无法判断是否达成，待核实")
    if met:
        return RuleResult(float(weight), True, f"{detail}，得满分{fmt_points(weight)}")
    return RuleResult(0.0, False, f"{detail}，不得分")


@register_rule(
    "qualitative_bands",
    "定性分档",
    "达成 [0.8w, w]、部分达成 [0.6w, 0.8w)、未达成 [0, 0.6w)；未指定档次时按完成值用词判定",
)
def qualitative_bands(
    weight: float,
    target: ParsedValue,
    actual: ParsedValue,
    *,
    tier: str | None = None,
    score: float | None = None,
    tier_scores: dict[str, float] | None = None,
) -> RuleResult:
    """Three tiers (DOMAIN §2.1). ``tier``/``score`` come from the reviewer; otherwise words decide."""
    shares = {**DEFAULT_TIER_SCORES, **(tier_scores or {})}
    for name, s in shares.items():
        lo, hi = TIERS.get(name, (-1, -1))
        if not (lo - EPS <= s <= hi + EPS):
            raise RuleError(f"定性档次「{name}」的默认得分率 {s:g} 不在该档区间 [{lo:g}, {hi:g}] 内")
    if score is not None:
        tier = tier or next(n for n, (lo, hi) in TIERS.items() if score >= lo * weight - EPS or n == "未达成")
    if tier is not None:
        if tier not in TIERS:
            raise RuleError(f"未知的定性档次「{tier}」，可选：{'、'.join(TIERS)}")
        lo, hi = TIERS[tier]
        raw = shares[tier] * weight if score is None else float(score)
        upper_ok = raw <= hi * weight + EPS if tier == "达成" else raw < hi * weight - EPS
        if raw < lo * weight - EPS or not upper_ok:
            close = "]" if tier == "达成" else ")"
            raise RuleError(
                f"得分 {raw:g} 不在档次「{tier}」的区间 [{fmt_number(lo * weight)}, {fmt_number(hi * weight)}{close} 内"
            )
        return RuleResult(raw, tier == "达成", f"复核判定为「{tier}」，得{fmt_points(raw)}")
    judged = judge_word(actual, target)
    if judged is None:
        if actual.kind == "empty":
            return no_number(actual)
        return RuleResult(None, None, f"完成值「{actual.raw}」无法判定是否达成，待核实后按定性分档评定")
    raw = shares[judged] * weight
    if judged == "达成":
        same = "与指标值一致" if value_text(actual) == value_text(target) else "表明已完成"
        return RuleResult(
            raw, True, f"完成值「{actual.raw}」{same}，按单位自述判定为达成，得{fmt_points(raw)}（需佐证材料）"
        )
    return RuleResult(
        raw,
        False,
        f"完成值「{actual.raw}」表明{judged}，按「{judged}」档得分率{fmt_percent(shares[judged])}计{fmt_points(raw)}",
    )


@register_rule(
    "deviation_tiers",
    "视偏差情况扣分",
    "按不利方向的相对偏差分档：无偏差满分，≤10%得80%，≤20%得60%，≤30%得40%，其余0分（档次可配置）",
)
def deviation_tiers(
    weight: float,
    target: ParsedValue,
    actual: ParsedValue,
    *,
    tiers: Sequence[Sequence[float]] = DEFAULT_DEVIATION_TIERS,
    tier_scores: dict[str, float] | None = None,
    late_tiers: Sequence[Sequence[float]] = DEFAULT_LATE_TIERS,
) -> RuleResult:
    """d = relative deviation in the bad direction; share by tier. Words go to qualitative_bands."""
    pairs = check_tiers(tiers, "tiers")
    if target.kind in ("deadline", "periodic"):
        return deadline(weight, target, actual, late_tiers=late_tiers, tier_scores=tier_scores)
    if is_numeric(target):
        q = quantities(target, actual, "视偏差情况扣分")
        if isinstance(q, RuleResult):
            return q
        t, a, u = q
        if t <= 0:
            return zero_target(weight, target, actual)
        reverse = target.op in ("<=", "<")
        d = max(0.0, (a - t) / t if reverse else (t - a) / t)
        how = f"完成值{fmt_value(a, u)}，指标值{fmt_value(target.number, target.unit)}"
    elif is_numeric(actual) and actual.unit == "%":
        a = float(actual.number)
        d = max(0.0, (100 - a) / 100)
        how = f"完成值{fmt_value(a, '%')}（按完成比例计）"
    else:
        return qualitative_bands(weight, target, actual, tier_scores=tier_scores)
    share, band = share_by_upper(d, pairs)
    raw = weight * share
    if share >= 1:
        return RuleResult(raw, True, f"{how}，无不利偏差，得满分{fmt_points(raw)}")
    return RuleResult(
        raw,
        False,
        f"{how}，偏差{fmt_percent(d)}（{band}），{fmt_number(weight)}分 × {fmt_percent(share)} = {fmt_points(raw)}",
    )


@register_rule(
    "deadline",
    "时限指标",
    "在要求时间前完成得满分，逾期按天数分档；周期性要求按按时完成的期数比例；文字完成值按定性分档",
)
def deadline(
    weight: float,
    target: ParsedValue,
    actual: ParsedValue,
    *,
    late_tiers: Sequence[Sequence[float]] = DEFAULT_LATE_TIERS,
    tier_scores: dict[str, float] | None = None,
) -> RuleResult:
    """Dates: w if actual.date ≤ target.date else tier by days late. Periodic: share of periods."""
    pairs = check_tiers(late_tiers, "late_tiers")
    if actual.kind in ("empty", "time_artifact"):
        return no_number(actual)
    if target.kind == "deadline" and target.date and actual.kind == "deadline" and actual.date:
        late = (actual.date - target.date).days
        if late <= 0:
            return RuleResult(
                float(weight),
                True,
                f"完成时间{fmt_date(actual.date)}不晚于要求时间{fmt_date(target.date)}，得满分{fmt_points(weight)}",
            )
        share, _ = share_by_upper(late, pairs)
        raw = weight * share
        return RuleResult(
            raw,
            False,
            f"完成时间晚于要求时间{fmt_date(target.date)} {late}天，{fmt_number(weight)}分 × {fmt_percent(share)} = {fmt_points(raw)}",
        )
    n = target.periods_per_year
    if target.kind == "periodic" and n and is_numeric(actual):
        a = float(actual.number)
        share = min(max(a, 0.0) / 100, 1.0) if actual.unit == "%" else min(max(a, 0.0) / n, 1.0)
        raw = weight * share
        basis = (
            f"按时完成比例{fmt_value(a, '%')}"
            if actual.unit == "%"
            else f"按时完成{fmt_value(a, actual.unit)} / 全年{n}期"
        )
        return RuleResult(
            raw, share >= 1 - EPS, f"{basis}，{fmt_number(weight)}分 × {fmt_percent(share)} = {fmt_points(raw)}"
        )
    return qualitative_bands(weight, target, actual, tier_scores=tier_scores)


@register_rule(
    "direction_baseline",
    "方向性指标",
    "「降低」「提高」等无数值目标：有基期数据（上年值）时按变化方向判定，方向正确得满分，否则不得分",
)
def direction_baseline(
    weight: float,
    target: ParsedValue,
    actual: ParsedValue,
    *,
    baseline: float | None = None,
    tolerance: float = 0.05,
) -> RuleResult:
    """Met if the actual moved the right way from ``baseline`` (and by the magnitude, if any) → w, else 0."""
    trend = target.trend
    if target.kind != "direction" or trend not in ("up", "down", "flat"):
        return RuleResult(None, None, f"指标值「{target.raw}」不是方向性表述，无法按「方向性指标」计分")
    words = {"up": "提高", "down": "降低", "flat": "持平"}
    if baseline is None:
        if actual.kind == "direction" and actual.trend == trend and actual.number is not None:
            enough = target.number is None or actual.number >= target.number - EPS
            if enough:
                claim = f"完成值「{actual.raw}」自述已{words[trend]}，达到指标值「{target.raw}」"
                return RuleResult(float(weight), True, f"{claim}，得满分{fmt_points(weight)}（需基期数据佐证）")
            return RuleResult(0.0, False, f"完成值「{actual.raw}」的变化幅度未达到指标值「{target.raw}」，不得分")
        return RuleResult(None, None, f"缺少基期数据（上年值），无法判断是否{words[trend]}，待单位提供基期数据后核实")
    if isinstance(baseline, bool) or not isinstance(baseline, (int, float)):
        raise RuleError(f"参数 baseline（基期值）应为数字，这里是「{baseline}」")
    if not is_numeric(actual):
        return no_number(actual)
    a, b = float(actual.number), float(baseline)
    change = a - b
    rel = change / abs(b) if b else None
    if trend == "flat":
        met = (abs(rel) if rel is not None else abs(change)) <= tolerance + EPS
    else:
        signed = change if trend == "up" else -change
        need = target.number or 0.0
        size = signed if target.unit != "%" or rel is None else (signed / abs(b)) * 100
        met = signed > EPS and size >= need - EPS
    shown = f"完成值{fmt_value(a, actual.unit)}，基期值{fmt_value(b, actual.unit)}" + (
        f"，变化{fmt_percent(rel)}" if rel is not None else ""
    )
    if met:
        return RuleResult(float(weight), True, f"{shown}，实现「{target.raw}」，得满分{fmt_points(weight)}")
    return RuleResult(0.0, False, f"{shown}，未实现「{target.raw}」，不得分")


# --- budget execution ----------------------------------------------------------------------------


def _compare(a: float, op: str, t: float, tolerance: float) -> bool:
    eps = EPS * max(1.0, abs(t))
    if op in ("<=", "<"):
        return a <= t + eps if op == "<=" else a < t - eps
    if op == "≈":
        return abs(a - t) <= tolerance * abs(t) + eps
    if op == "=" and t == 0:
        return a <= eps
    if op == ">":
        return a > t + eps
    return a >= t - eps  # ≥, "=" with t > 0 (positive indicator), implicit


def judge_met(target: ParsedValue, actual: ParsedValue, *, tolerance: float = 0.10) -> tuple[bool | None, str]:
    """Whether the actual meets the target, with a short Chinese description of why."""
    if actual.kind == "empty":
        return None, "未填写完成值"
    if actual.kind == "time_artifact":
        return None, f"完成值「{actual.raw}」是表格导出的时间格式"
    if is_numeric(target):
        q = quantities(target, actual, "完成得满分否则不得分")
        if isinstance(q, RuleResult):
            return None, q.explanation.split("，")[0]
        t, a, u = q
        op = target.op or ">="
        met = _compare(a, op, t, tolerance)
        shown = {">=": "≥", "<=": "≤", "≈": "约"}.get(op, op)
        return met, f"完成值{fmt_value(a, u)}{'满足' if met else '未满足'}指标值{shown}{fmt_value(t, u)}"
    if target.kind == "range" and is_numeric(actual):
        res = range_target(1.0, target, actual)
        return res.met, res.explanation.split("，")[0]
    if target.kind == "deadline" and target.date and actual.kind == "deadline" and actual.date:
        met = actual.date <= target.date
        return met, f"完成时间{fmt_date(actual.date)}{'不晚于' if met else '晚于'}要求时间{fmt_date(target.date)}"
    if target.kind == "compound" and actual.kind == "compound":
        res = compound(1.0, target, actual, combine="min")
        return res.met, res.explanation.rsplit("；", 1)[0]
    judged = judge_word(actual, target)
    if judged is None:
        return None, f"完成值「{actual.raw}」未说明是否达到指标值「{target.raw}」"
    if judged == "达成":
        return True, f"完成值「{actual.raw}」表明达到指标值「{target.raw}」（按单位自述，需佐证材料）"
    return False, f"完成值「{actual.raw}」表明{judged}"
