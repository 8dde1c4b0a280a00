"""Scoring rules: a registry of self-describing functions (DOMAIN.md §2, §2.5).

Every rule has the signature ``fn(weight, target, actual, **params) -> RuleResult``:
``weight`` is the indicator's 分值, ``target`` and ``actual`` are parsed 指标值 and
完成值 (:class:`~jixiao.core.parsed_value.ParsedValue`). Rules return the *raw* score: they
never floor, cap or round. :func:`finalize_score` is that separate, documented step
(floor 0, cap at the weight, round half-up to 2 decimals).

The rule families live beside this module (:mod:`.quantitative`, :mod:`.qualitative`,
:mod:`.budget`); :mod:`.registry` imports them all, so its registry is complete.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jixiao.core.errors import RuleError
from jixiao.core.numbers import EPS, round_half_up
from jixiao.core.parsed_value import ParsedValue
from jixiao.core.units import convert
from jixiao.parse.words import is_nil_answer

__all__ = [
    "RuleResult",
    "Rule",
    "REGISTRY",
    "register_rule",
    "finalize_score",
    "quantity",
    "is_nan",
    "is_numeric",
    "no_number",
    "quantities",
    "check_tiers",
    "share_by_upper",
    "fmt_number",
    "fmt_value",
    "fmt_points",
    "fmt_percent",
    "fmt_date",
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


REGISTRY: dict[str, Rule] = {}


def register_rule(rule_id: str, label: str = "按比例得分", description: str = "") -> Callable:
    """Decorator: register ``fn(weight, target, actual, **params)`` under ``rule_id``."""

    def decorate(fn: Callable[..., RuleResult]) -> Callable[..., RuleResult]:
        old = REGISTRY.get(rule_id)
        if old is not None and old.fn.__qualname__ != fn.__qualname__:
            raise RuleError(f"计分规则编号「{rule_id}」已被「{old.label}」使用")
        kinds = (inspect.Parameter.KEYWORD_ONLY,)
        names = tuple(p.name for p in inspect.signature(fn).parameters.values() if p.kind in kinds)
        REGISTRY[rule_id] = Rule(rule_id, label, description, fn, names)
        return fn

    return decorate


# --- rounding ---------------------------------------------------------------------------


def finalize_score(raw: float | None, weight: float | None) -> float | None:
    """Floor at 0, cap at ``weight``, round half-up to 2 decimals; None when raw or weight is unknown."""
    if raw is None or weight is None or is_nan(raw) or is_nan(weight):
        return None
    return round_half_up(min(max(float(raw), 0.0), float(weight)))


# --- small helpers ------------------------------------------------------------------------


def quantity(number: float | None, unit: str | None = None, op: str | None = None) -> ParsedValue:
    """A numeric ParsedValue built from a number (budget lines, tests, params)."""
    if number is None or is_nan(number):
        return ParsedValue(raw="", kind="empty")
    return ParsedValue(raw=f"{fmt_number(number)}{unit or ''}", kind="number", op=op, number=float(number), unit=unit)


def is_nan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def fmt_number(x: float) -> str:
    """A number for explanations: up to 4 decimals, no trailing zeros."""
    text = f"{round_half_up(x, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def fmt_value(x: float, unit: str | None) -> str:
    return f"{fmt_number(x)}{unit or ''}"


def fmt_points(x: float) -> str:
    return f"{round_half_up(x):.2f}分"


def fmt_percent(ratio: float) -> str:
    return f"{round_half_up(ratio * 100):.2f}%"


def fmt_date(day: _dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def is_numeric(v: ParsedValue) -> bool:
    return v.kind == "number" and v.number is not None and not is_nan(v.number)


def no_number(actual: ParsedValue) -> RuleResult:
    if actual.kind == "empty":
        return RuleResult(None, None, "未填写完成值，无法计分")
    if actual.kind == "time_artifact":
        return RuleResult(None, None, f"完成值「{actual.raw}」是表格导出的时间格式，无法识别，无法计分")
    return RuleResult(None, None, f"完成值「{actual.raw}」未量化，不能按数值计分，待根据佐证材料核实")


def quantities(target: ParsedValue, actual: ParsedValue, label: str) -> tuple[float, float, str] | RuleResult:
    """(t, a, unit) with the actual converted to the target's unit, or a RuleResult saying why not."""
    if not is_numeric(target):
        return RuleResult(None, None, f"指标值「{target.raw}」不是数值，无法按「{label}」计分")
    t = float(target.number)
    if not is_numeric(actual):
        if t == 0 and is_nil_answer(actual):
            return t, 0.0, target.unit or ""
        return no_number(actual)
    a = float(actual.number)
    tu, au = target.unit or "", actual.unit or ""
    if tu and au and tu != au:
        converted = convert(a, au, tu)
        if converted is None:
            return RuleResult(None, None, f"完成值单位「{au}」与指标值单位「{tu}」不一致，无法比较")
        a = converted
    return t, a, tu or au


def check_tiers(
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


def share_by_upper(d: float, tiers: list[tuple[float, float]]) -> tuple[float, str]:
    """Share for a deviation d: full at d ≤ 0, else the first tier with d ≤ bound, else 0."""
    if d <= EPS:
        return 1.0, "无偏差"
    for bound, share in tiers:
        if d <= bound + EPS:
            return share, f"≤{fmt_number(bound * 100)}%档" if bound <= 1 else f"≤{fmt_number(bound)}档"
    return 0.0, "超出最后一档"


# --- numeric rules ------------------------------------------------------------------------------
