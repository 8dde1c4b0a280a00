"""Scoring rules: a registry of self-describing functions (DOMAIN.md §2, §2.5).

Every rule has the signature ``fn(weight, target, actual, **params) -> RuleResult``:
``weight`` is the indicator's 分值, ``target`` and ``actual`` are parsed 指标值 and
完成值 (:class:`~jixiao.values.ParsedValue`). Rules return the *raw* score: they
never floor, cap or round. :func:`finalize_score` is that separate, documented step
(floor 0, cap at the weight, round half-up to 2 decimals).

Word judgements (is "规范" a claim of 达成?) live in :mod:`jixiao.rulewords`:
:func:`judge_word` and :func:`judge_met` are re-exported here (also useful to the review checks).
"""

from __future__ import annotations

import datetime as _dt
import inspect
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Callable, NamedTuple, Sequence

import pandas as pd

from .errors import RuleError
from .params import TIERS
from .rulewords import POSITIVE_WORDS  # noqa: F401 - re-exported: it was defined here
from .rulewords import is_nil_answer, judge_met, judge_word, value_text
from .units import convert
from .values import ParsedValue

__all__ = [
    "RuleResult",
    "Rule",
    "register_rule",
    "get_rule",
    "list_rules",
    "finalize_score",
    "round_half_up",
    "quantity",
    "judge_word",
    "judge_met",
    "DEFAULT_DEVIATION_TIERS",
    "DEFAULT_LATE_TIERS",
    "DEFAULT_BUDGET_TIERS",
    "DEFAULT_TIER_SCORES",
    "OVERSHOOT_RATIO",
]

#: 视偏差情况扣分: (largest relative deviation, share of the weight); beyond the last → 0. [J]
DEFAULT_DEVIATION_TIERS: tuple[tuple[float, float], ...] = ((0.10, 0.8), (0.20, 0.6), (0.30, 0.4))
#: Deadlines: (largest number of days late, share of the weight); beyond the last → 0. [J]
DEFAULT_LATE_TIERS: tuple[tuple[float, float], ...] = ((30, 0.8), (60, 0.6), (90, 0.4))
#: 预算执行率 tiers: (lowest execution rate in percent, share of the weight), inclusive; below → 0. [J]
DEFAULT_BUDGET_TIERS: tuple[tuple[float, float], ...] = ((95, 1.0), (90, 0.8), (80, 0.6), (70, 0.4))
#: Default share of the weight for each qualitative tier (inside the bands of params.TIERS).
DEFAULT_TIER_SCORES: dict[str, float] = {"达成": 1.0, "部分达成": 0.7, "未达成": 0.3}
#: a ≥ 1.3 t must be explained (Guangxi rule, DOMAIN §2.2).
OVERSHOOT_RATIO = 1.3
_EPS = 1e-9


class RuleResult(NamedTuple):
    """What a rule returns: raw score (None = cannot score), met, one Chinese line."""

    score_raw: float | None
    met: bool | None
    explanation: str


@dataclass(frozen=True)
class Rule:
    """A registered rule: id, Chinese label and description, the function and its parameters."""

    rule_id: str
    label: str
    description: str
    fn: Callable[..., RuleResult]
    param_names: tuple[str, ...] = field(default=())

    def __call__(self, weight: float, target: ParsedValue, actual: ParsedValue, **params: Any) -> RuleResult:
        unknown = sorted(set(params) - set(self.param_names))
        if unknown:
            allowed = "、".join(self.param_names) or "（无）"
            names = "、".join(unknown)
            raise RuleError(f"计分规则「{self.rule_id}」（{self.label}）不接受参数「{names}」，可用参数：{allowed}")
        return self.fn(weight, target, actual, **params)


_REGISTRY: dict[str, Rule] = {}


def register_rule(rule_id: str, label: str = "按比例得分", description: str = "") -> Callable:
    """Decorator: register ``fn(weight, target, actual, **params)`` under ``rule_id``."""

    def decorate(fn: Callable[..., RuleResult]) -> Callable[..., RuleResult]:
        old = _REGISTRY.get(rule_id)
        if old is not None and old.fn.__qualname__ != fn.__qualname__:
            raise RuleError(f"计分规则编号「{rule_id}」已被「{old.label}」使用")
        kinds = (inspect.Parameter.KEYWORD_ONLY,)
        names = tuple(p.name for p in inspect.signature(fn).parameters.values() if p.kind in kinds)
        _REGISTRY[rule_id] = Rule(rule_id, label, description, fn, names)
        return fn

    return decorate


def get_rule(rule_id: str) -> Rule:
    """The registered rule ``rule_id``; RuleError (Chinese, listing valid ids) if unknown."""
    try:
        return _REGISTRY[rule_id]
    except (KeyError, TypeError):
        valid = "、".join(f"{r.rule_id}（{r.label}）" for r in _REGISTRY.values())
        raise RuleError(f"未知的计分规则「{rule_id}」，可用的规则：{valid}") from None


def list_rules() -> pd.DataFrame:
    """Table of the registered rules: rule_id, label, description, params."""
    rows = [(r.rule_id, r.label, r.description, "、".join(r.param_names)) for r in _REGISTRY.values()]
    return pd.DataFrame(rows, columns=["rule_id", "label", "description", "params"])


# --- rounding ---------------------------------------------------------------------------


def round_half_up(value: float, places: int = 2) -> float:
    """Round half-up in decimal, not in binary: 2.675 -> 2.68, 89.995 -> 90.0.

    The float is read through its shortest repr and first snapped to 9 decimals, so
    binary noise from arithmetic (2.6749999999999998) rounds as the decimal it stands for.
    """
    value = float(value)
    if not math.isfinite(value) or abs(value) >= 1e15:  # no cents to round at that size
        return value
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(repr(float(value))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
        return float(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def finalize_score(raw: float | None, weight: float | None) -> float | None:
    """Floor at 0, cap at ``weight``, round half-up to 2 decimals; None when raw or weight is unknown."""
    if raw is None or weight is None or _nan(raw) or _nan(weight):
        return None
    return round_half_up(min(max(float(raw), 0.0), float(weight)))


# --- small helpers ------------------------------------------------------------------------


def quantity(number: float | None, unit: str | None = None, op: str | None = None) -> ParsedValue:
    """A numeric ParsedValue built from a number (budget lines, tests, params)."""
    if number is None or _nan(number):
        return ParsedValue(raw="", kind="empty")
    return ParsedValue(raw=f"{_n(number)}{unit or ''}", kind="number", op=op, number=float(number), unit=unit)


def _nan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _n(x: float) -> str:
    """A number for explanations: up to 4 decimals, no trailing zeros."""
    text = f"{round_half_up(x, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _v(x: float, unit: str | None) -> str:
    return f"{_n(x)}{unit or ''}"


def _pts(x: float) -> str:
    return f"{round_half_up(x):.2f}分"


def _pct(ratio: float) -> str:
    return f"{round_half_up(ratio * 100):.2f}%"


def _d(day: _dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _is_num(v: ParsedValue) -> bool:
    return v.kind == "number" and v.number is not None and not _nan(v.number)


def _no_number(actual: ParsedValue) -> RuleResult:
    if actual.kind == "empty":
        return RuleResult(None, None, "未填写完成值，无法计分")
    if actual.kind == "time_artifact":
        return RuleResult(None, None, f"完成值「{actual.raw}」是表格导出的时间格式，无法识别，无法计分")
    return RuleResult(None, None, f"完成值「{actual.raw}」未量化，不能按数值计分，需复核人员根据佐证材料判断")


def _quantities(target: ParsedValue, actual: ParsedValue, label: str) -> tuple[float, float, str] | RuleResult:
    """(t, a, unit) with the actual converted to the target's unit, or a RuleResult saying why not."""
    if not _is_num(target):
        return RuleResult(None, None, f"指标值「{target.raw}」不是数值，无法按「{label}」计分")
    t = float(target.number)
    if not _is_num(actual):
        if t == 0 and is_nil_answer(actual):
            return t, 0.0, target.unit or ""
        return _no_number(actual)
    a = float(actual.number)
    tu, au = target.unit or "", actual.unit or ""
    if tu and au and tu != au:
        converted = convert(a, au, tu)
        if converted is None:
            return RuleResult(None, None, f"完成值单位「{au}」与指标值单位「{tu}」不一致，无法比较")
        a = converted
    return t, a, tu or au


def _check_tiers(
    tiers: Sequence[Sequence[float]], name: str, *, ascending: bool = True, shares: bool = True
) -> list[tuple[float, float]]:
    """Validated [(bound, score)] pairs; with ``shares`` the scores are shares of the weight in [0, 1]."""
    try:
        pairs = [(float(b), float(s)) for b, s in tiers]
    except (TypeError, ValueError):
        raise RuleError(f"参数「{name}」应为 [(界限, 得分), ...] 的列表，这里是「{tiers}」") from None
    bounds = [b for b, _ in pairs]
    if not pairs or bounds != sorted(bounds, reverse=not ascending) or len(set(bounds)) < len(bounds):
        order = "从小到大" if ascending else "从大到小"
        raise RuleError(f"参数「{name}」的界限应{order}排列且不重复，这里是「{tiers}」")
    if shares and any(not 0 <= s <= 1 for _, s in pairs):
        raise RuleError(f"参数「{name}」中的得分率应在 0 到 1 之间（如 0.8 表示得分值的80%），这里是「{tiers}」")
    return pairs


def _share_by_upper(d: float, tiers: list[tuple[float, float]]) -> tuple[float, str]:
    """Share for a deviation d: full at d ≤ 0, else the first tier with d ≤ bound, else 0."""
    if d <= _EPS:
        return 1.0, "无偏差"
    for bound, share in tiers:
        if d <= bound + _EPS:
            return share, f"≤{_n(bound * 100)}%档" if bound <= 1 else f"≤{_n(bound)}档"
    return 0.0, "超出最后一档"


# --- numeric rules ------------------------------------------------------------------------------


@register_rule("proportional", "按比例得分", "正向指标（≥、=）：分值 × min(完成值/指标值, 1)，超额不加分，负数按0计")
def proportional(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w·min(a/t, 1); a ≤ target ops go to reverse_linear, t = 0 to zero_target."""
    if target.op in ("<=", "<"):
        return reverse_linear(weight, target, actual)
    q = _quantities(target, actual, "按比例得分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        if target.op in (">=", ">") and t == 0:
            met = a >= 0
            verdict = f"得满分{_pts(weight)}" if met else "得0分"
            return RuleResult(weight if met else 0.0, met, f"完成值{_v(a, u)}，指标值≥0，{verdict}")
        return zero_target(weight, target, actual)
    if a >= t - _EPS * max(1.0, abs(t)):
        note = "（超出指标值30%及以上，应说明原因）" if a >= OVERSHOOT_RATIO * t else ""
        return RuleResult(float(weight), True, f"完成值{_v(a, u)}达到指标值{_v(t, u)}，得满分{_pts(weight)}{note}")
    neg = "（完成值为负数，按0计）" if a < 0 else ""
    raw = weight * max(a, 0.0) / t
    return RuleResult(raw, False, f"完成值{_v(a, u)} / 指标值{_v(t, u)} × {_n(weight)}分 = {_pts(raw)}{neg}")


@register_rule("reverse_linear", "反向指标线性扣分", "反向指标（≤）：未超过指标值得满分；超过时按超出比例线性扣分，达到指标值2倍得0分")
def reverse_linear(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w if a ≤ t; w·(1 − (a − t)/t) for t < a < 2t; 0 at a ≥ 2t."""
    q = _quantities(target, actual, "反向指标线性扣分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        return zero_target(weight, target, actual)
    if a <= t + _EPS * max(1.0, t):
        return RuleResult(float(weight), True, f"完成值{_v(a, u)}未超过指标值{_v(t, u)}，得满分{_pts(weight)}")
    excess = (a - t) / t
    if excess >= 1:
        return RuleResult(0.0, False, f"完成值{_v(a, u)}达到指标值{_v(t, u)}的2倍及以上，得0分")
    raw = weight * (1 - excess)
    expl = f"完成值{_v(a, u)}超过指标值{_v(t, u)} {_pct(excess)}，{_n(weight)}分 × (1 − {_pct(excess)}) = {_pts(raw)}"
    return RuleResult(raw, False, expl)


@register_rule("reverse_ratio", "反向指标按比例得分", "反向指标（≤）：未超过指标值得满分，否则 分值 × 指标值/完成值")
def reverse_ratio(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w if a ≤ t else w·t/a."""
    q = _quantities(target, actual, "反向指标按比例得分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        return zero_target(weight, target, actual)
    if a <= t + _EPS * max(1.0, t):
        return RuleResult(float(weight), True, f"完成值{_v(a, u)}未超过指标值{_v(t, u)}，得满分{_pts(weight)}")
    raw = weight * t / a
    return RuleResult(raw, False, f"指标值{_v(t, u)} / 完成值{_v(a, u)} × {_n(weight)}分 = {_pts(raw)}")


@register_rule("zero_target", "零目标", "指标值为0（如安全事故数=0）：完成值为0得满分，否则不得分")
def zero_target(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w if a ≤ 0 else 0 (a blank-looking 「无」/「未发生」 counts as 0)."""
    zero = quantity(0.0, target.unit if _is_num(target) else None)
    q = _quantities(zero, actual, "零目标")
    if isinstance(q, RuleResult):
        return q
    _, a, u = q
    shown = _v(a, u) if _is_num(actual) else f"「{actual.raw}」（按0计）"
    if a <= _EPS:
        return RuleResult(float(weight), True, f"完成值{shown}，指标值为0，得满分{_pts(weight)}")
    return RuleResult(0.0, False, f"完成值{shown}，未达到指标值0，不得分")


@register_rule("per_point", "每个百分点扣分", "每低于（或超过）指标值1个百分点扣x分，扣完为止；不足1个百分点是否按1个计由参数 round_up 决定")
def per_point(
    weight: float, target: ParsedValue, actual: ParsedValue, *, x: float | None = None, round_up: bool = True,
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
    q = _quantities(target, actual, "每个百分点扣分")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    gap = (t - a) if side == "below" else (a - t)
    if u in ("%", "‰"):
        points, how = gap, ""
    elif t > 0:
        points, how = gap / t * 100, f"（完成率{_pct(a / t)}）"
    else:
        return RuleResult(None, None, f"指标值为{_v(t, u)}，无法换算百分点")
    if points <= _EPS:
        return RuleResult(float(weight), True, f"完成值{_v(a, u)}达到指标值{_v(t, u)}，得满分{_pts(weight)}")
    n = math.ceil(round(points, 9)) if round_up else points
    raw = weight - x * n
    word = "低于" if side == "below" else "超过"
    final = finalize_score(raw, weight)
    expl = f"完成值{_v(a, u)}{how}{word}指标值{_v(t, u)} {_n(points)}个百分点"
    expl += f"{'（不足1个按1个计）' if round_up and n != points else ''}，{_n(weight)}分 − {_n(x)}分 × {_n(n)} = {_pts(final)}"
    return RuleResult(raw, False, expl + ("（扣完为止）" if raw < 0 else ""))


@register_rule("step_tiers", "分档得分", "按完成值所在档次得分（如 ≥90%得5分，80%-90%得4分…），档次下限含本数")
def step_tiers(
    weight: float, target: ParsedValue, actual: ParsedValue, *, tiers: Sequence[Sequence[float]] | None = None,
    reverse: bool = False, share: bool = False,
) -> RuleResult:
    """Step function of the actual value.

    ``tiers`` = [(lower bound, score), ...] from high to low (lower bound inclusive); with
    ``reverse=True`` they are [(upper bound, score), ...] from low to high (upper bound
    inclusive), for "lower is better" tables. ``share=True`` reads scores as shares of w.
    """
    if not tiers:
        raise RuleError("计分规则「step_tiers」需要参数 tiers，如 [(90, 5), (80, 4), (70, 3)]")
    pairs = _check_tiers(tiers, "tiers", ascending=reverse, shares=share)
    if not _is_num(actual):
        return _no_number(actual)
    q = _quantities(target, actual, "分档得分") if _is_num(target) else None
    if isinstance(q, RuleResult):
        return q
    a, u = (q[1], q[2]) if q else (float(actual.number), actual.unit or "")
    hit = next(((b, s) for b, s in pairs if (a <= b + _EPS if reverse else a >= b - _EPS)), None)
    if hit is None:
        return RuleResult(0.0, False, f"完成值{_v(a, u)}不在任何得分档次内，得0分")
    bound, score = hit
    raw = score * weight if share else score
    band = f"{'≤' if reverse else '≥'}{_v(bound, u)}"
    return RuleResult(raw, hit == pairs[0], f"完成值{_v(a, u)}属于「{band}」档，得{_pts(raw)}")


@register_rule("approximate", "约数指标", "「约150」「150左右」：完成值在指标值±容差内得满分；低于下限按比例，高于上限按 指标值/完成值")
def approximate(weight: float, target: ParsedValue, actual: ParsedValue, *, tolerance: float = 0.10) -> RuleResult:
    """Met within ±tolerance (default 10%); below: w·a/t; above: w·t/a."""
    if not 0 <= tolerance < 1:
        raise RuleError(f"参数 tolerance（容差）应在 0 到 1 之间，如 0.1 表示 ±10%，这里是「{tolerance}」")
    q = _quantities(target, actual, "约数指标")
    if isinstance(q, RuleResult):
        return q
    t, a, u = q
    if t <= 0:
        return zero_target(weight, target, actual)
    band = f"约{_v(t, u)}（±{_n(tolerance * 100)}%）"
    dev = (a - t) / t
    if abs(dev) <= tolerance + _EPS:
        return RuleResult(float(weight), True, f"完成值{_v(a, u)}在{band}范围内，得满分{_pts(weight)}")
    if dev < 0:
        raw = weight * max(a, 0.0) / t
        return RuleResult(raw, False, f"完成值{_v(a, u)}低于{band}，{_v(a, u)} / {_v(t, u)} × {_n(weight)}分 = {_pts(raw)}")
    raw = weight * t / a
    return RuleResult(raw, False, f"完成值{_v(a, u)}高于{band}，{_v(t, u)} / {_v(a, u)} × {_n(weight)}分 = {_pts(raw)}")


@register_rule("range_target", "区间指标", "完成值在区间内得满分；在区间外按到最近端点的距离按比例扣分")
def range_target(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """Inside → w; below low: w·(1 − (low − a)/low); above high: w·(1 − (a − high)/high)."""
    if target.kind != "range" or (target.low is None and target.high is None):
        return proportional(weight, target, actual)
    if not _is_num(actual):
        return _no_number(actual)
    edge = target.low if target.low is not None else target.high
    q = _quantities(quantity(edge, target.unit), actual, "区间指标")
    if isinstance(q, RuleResult):
        return q
    _, a, u = q
    lo, hi = target.low, target.high
    left, right = "[" if target.low_inclusive else "(", "]" if target.high_inclusive else ")"
    shown = f"{left}{'' if lo is None else _v(lo, u)}，{'' if hi is None else _v(hi, u)}{right}"
    below = lo is not None and (a < lo - _EPS or (not target.low_inclusive and abs(a - lo) <= _EPS))
    above = hi is not None and (a > hi + _EPS or (not target.high_inclusive and abs(a - hi) <= _EPS))
    if not below and not above:
        return RuleResult(float(weight), True, f"完成值{_v(a, u)}在区间{shown}内，得满分{_pts(weight)}")
    e = lo if below else hi
    share = max(0.0, 1 - abs(a - e) / abs(e)) if e else 0.0
    raw = weight * share
    where = "低于下限" if below else "高于上限"
    return RuleResult(raw, False, f"完成值{_v(a, u)}{where}{_v(e, u)}，偏离{_pct(1 - share)}，{_n(weight)}分 × {_pct(share)} = {_pts(raw)}")


@register_rule("compound", "多值指标", "一个指标含多个指标值：按计量单位逐项计算 min(完成值/指标值, 1)，取平均（或取最小）")
def compound(weight: float, target: ParsedValue, actual: ParsedValue, *, combine: str = "mean") -> RuleResult:
    """Each part scored by its own ratio, parts matched by unit; combined by mean or min."""
    if combine not in ("mean", "min"):
        raise RuleError(f"参数 combine 应为 mean（取平均）或 min（取最小），这里是「{combine}」")
    if target.kind != "compound" or not target.parts:
        return proportional(weight, target, actual)
    pool = list(actual.parts) if actual.kind == "compound" else ([actual] if _is_num(actual) else [])
    if not pool:
        return _no_number(actual)
    ratios, shown = [], []
    for part in target.parts:
        same = [p for p in pool if (p.unit or "") == (part.unit or "")]
        usable = same or [p for p in pool if not isinstance(_quantities(part, p, "多值指标"), RuleResult)]
        match = usable[0] if usable else None
        if match is None:
            ratios.append(0.0)
            shown.append(f"{_v(part.number or 0, part.unit)}：完成值缺少此项，按0计")
            continue
        pool.remove(match)
        q = _quantities(part, match, "多值指标")
        if isinstance(q, RuleResult):
            return q
        t, a, u = q
        r = (1.0 if a <= _EPS else 0.0) if t <= 0 else min(max(a, 0.0) / t, 1.0)
        ratios.append(r)
        shown.append(f"{_v(a, u)}/{_v(t, u)}={_pct(r)}")
    share = sum(ratios) / len(ratios) if combine == "mean" else min(ratios)
    raw = weight * share
    how = "取平均" if combine == "mean" else "取最小"
    return RuleResult(raw, share >= 1 - _EPS, f"{'；'.join(shown)}；{how} {_pct(share)} × {_n(weight)}分 = {_pts(raw)}")


# --- rules on words, deadlines and trends -------------------------------------------------------


@register_rule("all_or_nothing", "完成得满分否则不得分", "达到指标值（或完成值表明达成）得满分，否则不得分")
def all_or_nothing(weight: float, target: ParsedValue, actual: ParsedValue, *, tolerance: float = 0.10) -> RuleResult:
    """s = w if met else 0; met by op and number, by date, or by the actual's word."""
    if actual.kind in ("empty", "time_artifact"):
        return _no_number(actual)
    met, detail = judge_met(target, actual, tolerance=tolerance)
    if met is None:
        return RuleResult(None, None, f"{detail}，无法判断是否达成，需复核人员判断")
    if met:
        return RuleResult(float(weight), True, f"{detail}，得满分{_pts(weight)}")
    return RuleResult(0.0, False, f"{detail}，不得分")


@register_rule("qualitative_bands", "定性分档", "达成 [0.8w, w]、部分达成 [0.6w, 0.8w)、未达成 [0, 0.6w)；未指定档次时按完成值用词判定")
def qualitative_bands(
    weight: float, target: ParsedValue, actual: ParsedValue, *, tier: str | None = None, score: float | None = None,
    tier_scores: dict[str, float] | None = None,
) -> RuleResult:
    """Three tiers (DOMAIN §2.1). ``tier``/``score`` come from the reviewer; otherwise words decide."""
    shares = {**DEFAULT_TIER_SCORES, **(tier_scores or {})}
    for name, s in shares.items():
        lo, hi = TIERS.get(name, (-1, -1))
        if not (lo - _EPS <= s <= hi + _EPS):
            raise RuleError(f"定性档次「{name}」的默认得分率 {s:g} 不在该档区间 [{lo:g}, {hi:g}] 内")
    if score is not None:
        tier = tier or next(n for n, (lo, hi) in TIERS.items() if score >= lo * weight - _EPS or n == "未达成")
    if tier is not None:
        if tier not in TIERS:
            raise RuleError(f"未知的定性档次「{tier}」，可选：{'、'.join(TIERS)}")
        lo, hi = TIERS[tier]
        raw = shares[tier] * weight if score is None else float(score)
        upper_ok = raw <= hi * weight + _EPS if tier == "达成" else raw < hi * weight - _EPS
        if raw < lo * weight - _EPS or not upper_ok:
            close = "]" if tier == "达成" else ")"
            raise RuleError(f"得分 {raw:g} 不在档次「{tier}」的区间 [{_n(lo * weight)}, {_n(hi * weight)}{close} 内")
        return RuleResult(raw, tier == "达成", f"复核判定为「{tier}」，得{_pts(raw)}")
    judged = judge_word(actual, target)
    if judged is None:
        if actual.kind == "empty":
            return _no_number(actual)
        return RuleResult(None, None, f"完成值「{actual.raw}」无法判定是否达成，需复核人员按定性分档评定")
    raw = shares[judged] * weight
    if judged == "达成":
        same = "与指标值一致" if value_text(actual) == value_text(target) else "表明已完成"
        return RuleResult(raw, True, f"完成值「{actual.raw}」{same}，按单位自述判定为达成，得{_pts(raw)}（需佐证材料）")
    return RuleResult(raw, False, f"完成值「{actual.raw}」表明{judged}，按「{judged}」档得分率{_pct(shares[judged])}计{_pts(raw)}")


@register_rule("deviation_tiers", "视偏差情况扣分", "按不利方向的相对偏差分档：无偏差满分，≤10%得80%，≤20%得60%，≤30%得40%，其余0分（档次可配置）")
def deviation_tiers(
    weight: float, target: ParsedValue, actual: ParsedValue, *, tiers: Sequence[Sequence[float]] = DEFAULT_DEVIATION_TIERS,
    tier_scores: dict[str, float] | None = None, late_tiers: Sequence[Sequence[float]] = DEFAULT_LATE_TIERS,
) -> RuleResult:
    """d = relative deviation in the bad direction; share by tier. Words go to qualitative_bands."""
    pairs = _check_tiers(tiers, "tiers")
    if target.kind in ("deadline", "periodic"):
        return deadline(weight, target, actual, late_tiers=late_tiers, tier_scores=tier_scores)
    if _is_num(target):
        q = _quantities(target, actual, "视偏差情况扣分")
        if isinstance(q, RuleResult):
            return q
        t, a, u = q
        if t <= 0:
            return zero_target(weight, target, actual)
        reverse = target.op in ("<=", "<")
        d = max(0.0, (a - t) / t if reverse else (t - a) / t)
        how = f"完成值{_v(a, u)}，指标值{_v(target.number, target.unit)}"
    elif _is_num(actual) and actual.unit == "%":
        a = float(actual.number)
        d = max(0.0, (100 - a) / 100)
        how = f"完成值{_v(a, '%')}（按完成比例计）"
    else:
        return qualitative_bands(weight, target, actual, tier_scores=tier_scores)
    share, band = _share_by_upper(d, pairs)
    raw = weight * share
    if share >= 1:
        return RuleResult(raw, True, f"{how}，无不利偏差，得满分{_pts(raw)}")
    return RuleResult(raw, False, f"{how}，偏差{_pct(d)}（{band}），{_n(weight)}分 × {_pct(share)} = {_pts(raw)}")


@register_rule("deadline", "时限指标", "在要求时间前完成得满分，逾期按天数分档；周期性要求按按时完成的期数比例；文字完成值按定性分档")
def deadline(
    weight: float, target: ParsedValue, actual: ParsedValue, *, late_tiers: Sequence[Sequence[float]] = DEFAULT_LATE_TIERS,
    tier_scores: dict[str, float] | None = None,
) -> RuleResult:
    """Dates: w if actual.date ≤ target.date else tier by days late. Periodic: share of periods."""
    pairs = _check_tiers(late_tiers, "late_tiers")
    if actual.kind in ("empty", "time_artifact"):
        return _no_number(actual)
    if target.kind == "deadline" and target.date and actual.kind == "deadline" and actual.date:
        late = (actual.date - target.date).days
        if late <= 0:
            return RuleResult(float(weight), True, f"完成时间{_d(actual.date)}不晚于要求时间{_d(target.date)}，得满分{_pts(weight)}")
        share, _ = _share_by_upper(late, pairs)
        raw = weight * share
        return RuleResult(raw, False, f"完成时间晚于要求时间{_d(target.date)} {late}天，{_n(weight)}分 × {_pct(share)} = {_pts(raw)}")
    n = target.periods_per_year
    if target.kind == "periodic" and n and _is_num(actual):
        a = float(actual.number)
        share = min(max(a, 0.0) / 100, 1.0) if actual.unit == "%" else min(max(a, 0.0) / n, 1.0)
        raw = weight * share
        basis = f"按时完成比例{_v(a, '%')}" if actual.unit == "%" else f"按时完成{_v(a, actual.unit)} / 全年{n}期"
        return RuleResult(raw, share >= 1 - _EPS, f"{basis}，{_n(weight)}分 × {_pct(share)} = {_pts(raw)}")
    return qualitative_bands(weight, target, actual, tier_scores=tier_scores)


@register_rule("direction_baseline", "方向性指标", "「降低」「提高」等无数值目标：有基期数据（上年值）时按变化方向判定，方向正确得满分，否则不得分")
def direction_baseline(
    weight: float, target: ParsedValue, actual: ParsedValue, *, baseline: float | None = None, tolerance: float = 0.05,
) -> RuleResult:
    """Met if the actual moved the right way from ``baseline`` (and by the magnitude, if any) → w, else 0."""
    trend = target.trend
    if target.kind != "direction" or trend not in ("up", "down", "flat"):
        return RuleResult(None, None, f"指标值「{target.raw}」不是方向性表述，无法按「方向性指标」计分")
    words = {"up": "提高", "down": "降低", "flat": "持平"}
    if baseline is None:
        if actual.kind == "direction" and actual.trend == trend and actual.number is not None:
            enough = target.number is None or actual.number >= target.number - _EPS
            if enough:
                claim = f"完成值「{actual.raw}」自述已{words[trend]}，达到指标值「{target.raw}」"
                return RuleResult(float(weight), True, f"{claim}，得满分{_pts(weight)}（需基期数据佐证）")
            return RuleResult(0.0, False, f"完成值「{actual.raw}」的变化幅度未达到指标值「{target.raw}」，不得分")
        return RuleResult(None, None, f"缺少基期数据（上年值），无法判断是否{words[trend]}，需在参数中提供 baseline")
    if isinstance(baseline, bool) or not isinstance(baseline, (int, float)):
        raise RuleError(f"参数 baseline（基期值）应为数字，这里是「{baseline}」")
    if not _is_num(actual):
        return _no_number(actual)
    a, b = float(actual.number), float(baseline)
    change = a - b
    rel = change / abs(b) if b else None
    if trend == "flat":
        met = (abs(rel) if rel is not None else abs(change)) <= tolerance + _EPS
    else:
        signed = change if trend == "up" else -change
        need = target.number or 0.0
        size = signed if target.unit != "%" or rel is None else (signed / abs(b)) * 100
        met = signed > _EPS and size >= need - _EPS
    shown = f"完成值{_v(a, actual.unit)}，基期值{_v(b, actual.unit)}" + (f"，变化{_pct(rel)}" if rel is not None else "")
    if met:
        return RuleResult(float(weight), True, f"{shown}，实现「{target.raw}」，得满分{_pts(weight)}")
    return RuleResult(0.0, False, f"{shown}，未实现「{target.raw}」，不得分")


# --- budget execution ----------------------------------------------------------------------------


def _execution_rate(target: ParsedValue, actual: ParsedValue) -> float | RuleResult:
    if not _is_num(target) or target.number <= 0:
        return RuleResult(None, None, "全年预算数为0或缺失，无法计算预算执行率")
    if not _is_num(actual):
        return RuleResult(None, None, "未填写全年执行数，无法计算预算执行率")
    return float(actual.number) / float(target.number)


@register_rule("budget_execution", "预算执行率按比例得分", "分值 × min(全年执行数/全年预算数, 1)")
def budget_execution(weight: float, target: ParsedValue, actual: ParsedValue) -> RuleResult:
    """s = w·min(spent/budget, 1); target = 全年预算数, actual = 全年执行数 (same money unit)."""
    rate = _execution_rate(target, actual)
    if isinstance(rate, RuleResult):
        return rate
    head = f"执行率 = {_v(actual.number, actual.unit)} / {_v(target.number, target.unit)} = {_pct(rate)}"
    note = "（执行数超过预算数）" if rate > 1 + _EPS else ""
    raw = weight * min(rate, 1.0)
    return RuleResult(raw, rate >= 1 - _EPS, f"{head}，{_n(weight)}分 × {_pct(min(rate, 1.0))} = {_pts(raw)}{note}")


@register_rule("budget_execution_tiers", "预算执行率分档得分", "执行率 ≥95% 得满分，≥90% 得80%，≥80% 得60%，≥70% 得40%，其余0分（档次可配置）")
def budget_execution_tiers(
    weight: float, target: ParsedValue, actual: ParsedValue, *, tiers: Sequence[Sequence[float]] = DEFAULT_BUDGET_TIERS,
) -> RuleResult:
    """Share of w by execution-rate tier: tiers = [(lowest rate in %, share), ...] from high to low."""
    pairs = _check_tiers(tiers, "tiers", ascending=False)
    rate = _execution_rate(target, actual)
    if isinstance(rate, RuleResult):
        return rate
    pct = rate * 100
    hit = next(((b, s) for b, s in pairs if pct >= b - _EPS), None)
    share = hit[1] if hit else 0.0
    band = f"≥{_n(hit[0])}%档" if hit else f"低于{_n(pairs[-1][0])}%"
    raw = weight * share
    return RuleResult(raw, share >= 1 - _EPS, f"执行率{_pct(rate)}（{band}），{_n(weight)}分 × {_pct(share)} = {_pts(raw)}")
