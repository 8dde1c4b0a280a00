"""Sum scored indicators by level 1 and level 2, compute totals and grades.

All sums are exact decimal sums of the (already 2-decimal) scores, rounded half-up to
2 decimals as a separate step. Level 1s and level 2s keep their order of first appearance.

Grades are given to the score *as displayed*: the total is rounded half-up to 2 decimals
first, then compared with the lower bounds (inclusive). So 89.99 is 良, 90 is 优, and a
printed total of 89.995 (shown as 90.00) is 优; 59.995 (shown as 60.00) is 中. Float noise
such as 89.99999999997 for a true 90 cannot change a grade.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import pandas as pd

from jixiao.core.errors import ParamsError
from jixiao.core.model import LEVEL1_COLUMNS
from jixiao.core.numbers import round_half_up
from jixiao.core.status import GRADE_PENDING, PENDING
from jixiao.core.vocab import DEFAULT_GRADE_BANDS, LOWEST_GRADE
from jixiao.score.weights import TABLE, WeightScheme, apply_scheme, scheme_weights

__all__ = ["GradeBands", "Aggregates", "aggregate_scores", "LEVEL2_COLUMNS", "BUDGET_LEVEL1"]

LEVEL2_COLUMNS = [
    "level1",
    "name",
    "weight_sum",
    "self_score_sum",
    "rule_score_sum",
    "review_score_sum",
    "review_high_sum",
]
#: Name of the level-1 row added for a scored budget-execution line.
BUDGET_LEVEL1 = "预算执行率"


@dataclass(frozen=True)
class GradeBands:
    """Grade names and inclusive lower bounds, best first; below the last bound is ``lowest``."""

    bands: tuple[tuple[str, float], ...] = tuple(DEFAULT_GRADE_BANDS.items())
    lowest: str = LOWEST_GRADE

    def __post_init__(self) -> None:
        bounds = [b for _, b in self.bands]
        if not bounds or any(isinstance(b, bool) or not isinstance(b, (int, float)) for b in bounds):
            raise ParamsError(f"等级下限应为数字，这里是「{self.bands}」", key="grade_bands")
        ordered = bounds == sorted(bounds, reverse=True) and len(set(bounds)) == len(bounds)
        if not ordered or not 0 <= bounds[-1] <= bounds[0] <= 100:
            shown = "、".join(f"{n} {b:g}" for n, b in self.bands)
            raise ParamsError(f"等级下限应在 0–100 之间且从高到低排列、互不相同，这里是 {shown}", key="grade_bands")

    @classmethod
    def from_mapping(cls, bands: Mapping[str, float], lowest: str = LOWEST_GRADE) -> GradeBands:
        """From params ``grade_bands`` ({优: 90, 良: 80, 中: 60}), best first."""
        return cls(tuple((str(k), float(v)) for k, v in bands.items()), lowest)

    def grade(self, score: float | None) -> str:
        """Grade of a score after rounding half-up to 2 decimals; "" when the score is unknown."""
        if score is None or (isinstance(score, float) and math.isnan(score)):
            return ""
        shown = round_half_up(score)
        return next((name for name, bound in self.bands if shown >= bound), self.lowest)

    def grade_range(self, low: float | None, high: float | None) -> str:
        """Grade of a score known only as [low, high]: the grade when both ends share it, else 待定."""
        first, last = self.grade(low), self.grade(high)
        return first if first == last else GRADE_PENDING


class Aggregates(NamedTuple):
    """Level-1 table (LEVEL1_COLUMNS), level-2 table (LEVEL2_COLUMNS), totals (TOTAL_KEYS + extras)."""

    level1: pd.DataFrame
    level2: pd.DataFrame
    totals: dict[str, Any]


def _floats(values: Any) -> list[float]:
    """Values as floats (NaN for anything that is not a number), without building a Series."""
    out = []
    for v in values:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            out.append(math.nan)
    return out


def _dsum(values: Any) -> float:
    """Exact decimal sum of the non-missing values, rounded half-up to 2 decimals; NaN if none."""
    nums = [v for v in _floats(values) if not math.isnan(v)]
    if not nums:
        return math.nan
    return round_half_up(float(sum(Decimal(repr(v)) for v in nums)))


def _rate(part: float, whole: float) -> float:
    if math.isnan(part) or math.isnan(whole) or whole == 0:
        return math.nan
    return round_half_up(part / whole * 100)


def _num(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x


def _budget_part(budget_score: Any, budget_weight: float | None) -> tuple[float, float, float] | None:
    """(score, weight, self score) of the budget line, from a number or a score_budget() table."""
    if budget_score is None:
        return None
    if isinstance(budget_score, pd.DataFrame):
        if "rule_score" not in budget_score.columns:
            raise TypeError("budget_score 应为分数，或 scoring.score_budget 返回的表")
        rows = budget_score[pd.to_numeric(budget_score["rule_score"], errors="coerce").notna()]
        if rows.empty:
            return None
        weight = _dsum(rows["rule_weight"]) if "rule_weight" in rows else _num(budget_weight)
        own = _dsum(rows["reported_score"]) if "reported_score" in rows else math.nan
        return _dsum(rows["rule_score"]), weight, own
    return round_half_up(float(budget_score)), _num(budget_weight), math.nan


def aggregate_scores(
    scored: pd.DataFrame,
    *,
    scheme: WeightScheme | None = None,
    bands: GradeBands | None = None,
    reported_total: float | None = None,
    budget_score: float | pd.DataFrame | None = None,
    budget_weight: float | None = None,
) -> Aggregates:
    """Level-1/level-2 sums, totals and grades of a scored indicator table.

    Args:
        scored: ``score_indicators`` output.
        scheme: weight scheme; other than the table's own, scores are rescaled per level 1
            (``weights.apply_scheme``) and the totals are out of the scheme's 100.
        bands: grade bands (default 90/80/60).
        reported_total: 总分 as printed on the table.
        budget_score: the budget-execution score, as points or as the ``score_budget`` table;
            it adds a level-1 row "预算执行率" and counts in rule_total and review_total.
        budget_weight: the budget line's weight when ``budget_score`` is a number
            (default: the scheme's budget weight).

    In the level-1 table ``weight_sum`` is Σ 分值 as read, the ``*_score_sum`` columns are on
    the scheme's scale, and the rates are scale-free (Σ score / Σ 分值 as read). The level-2
    table is on the scheme's scale. ``totals`` has TOTAL_KEYS plus ``unscored_count`` (indicators
    the rules could not score) and ``weight_scheme``.

    A 待核实 indicator (``status``, see :mod:`jixiao.score.status`) counts as its range
    [``review_low``, ``review_high``]: ``review_score_sum`` and ``review_total`` are the low ends,
    ``review_high_sum`` / ``review_total_high`` the high ends, and the grade is given only when
    both ends of the total fall in one band (otherwise 待定). The aggregation works on whatever
    ``level1`` column it is given (printed or repaired).
    """
    scheme = scheme or TABLE
    bands = bands or GradeBands()
    base = scored.copy()
    for col in ("level1", "level2"):
        if col not in base.columns:
            base[col] = ""
    for col in ("level1_weight", "weight", "self_score", "rule_score", "review_score"):
        if col not in base.columns:
            base[col] = math.nan
    for col in ("review_low", "review_high"):  # tables scored before statuses existed: the review score
        if col not in base.columns:
            base[col] = base["review_score"]
    if "status" not in base.columns:
        base["status"] = ""
    df = apply_scheme(base, scheme)
    active, left = scheme_weights(df, scheme)
    # plain lists: a unit has tens of rows, and boolean masks per group cost more than the sums
    cols = {
        c: _floats(df[c])
        for c in (
            "level1_weight_table",
            "weight_table",
            "self_score_table",
            "review_score_table",
            "self_score",
            "rule_score",
            "review_score",
            "review_low",
            "review_high",
            "review_low_table",
            "review_high_table",
        )
    }
    pending = [str(s) == PENDING for s in df["status"]]
    keys = [str(k) for k in df["level1"]]
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    rows = []
    for name, idx in groups.items():

        def pick(col: str, idx=idx) -> list[float]:
            return [cols[col][i] for i in idx]

        level1_decl = [v for v in pick("level1_weight_table") if not math.isnan(v)]
        weight_sum = _dsum(pick("weight_table"))
        self_orig = _dsum(pick("self_score_table"))
        low_orig, high_orig = _dsum(pick("review_low_table")), _dsum(pick("review_high_table"))
        low_sum = _dsum(pick("review_low"))
        rows.append(
            {
                "name": name,
                "declared_weight": level1_decl[0] if level1_decl else math.nan,
                "weight_sum": weight_sum,
                "scheme_weight": round_half_up(active[name]) if not math.isnan(active[name]) else math.nan,
                "self_score_sum": _dsum(pick("self_score")),
                "rule_score_sum": _dsum(pick("rule_score")),
                "review_score_sum": low_sum,
                "self_rate": _rate(self_orig, weight_sum),
                "review_rate": _rate(low_orig, weight_sum),
                "review_low_sum": low_sum,
                "review_high_sum": _dsum(pick("review_high")),
                "review_rate_low": _rate(low_orig, weight_sum),
                "review_rate_high": _rate(high_orig, weight_sum),
                "pending_count": sum(pending[i] for i in idx),
            }
        )
    budget = _budget_part(budget_score, budget_weight if budget_weight is not None else (left or None))
    if budget is not None:
        b_score, b_weight, b_self = budget
        rows.append(
            {
                "name": BUDGET_LEVEL1,
                "declared_weight": math.nan,
                "weight_sum": b_weight,
                "scheme_weight": b_weight,
                "self_score_sum": b_self,
                "rule_score_sum": b_score,
                "review_score_sum": b_score,
                "self_rate": _rate(b_self, b_weight),
                "review_rate": _rate(b_score, b_weight),
                "review_low_sum": b_score,
                "review_high_sum": b_score,
                "review_rate_low": _rate(b_score, b_weight),
                "review_rate_high": _rate(b_score, b_weight),
                "pending_count": 0,
            }
        )
    level1 = pd.DataFrame(rows, columns=LEVEL1_COLUMNS)
    level2 = _level2(df)
    totals = _totals(df, level1, budget, reported_total, bands, scheme)
    return Aggregates(level1, level2, totals)


def _level2(df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    names = ("weight", "self_score", "rule_score", "review_low", "review_high")
    cols = {c: _floats(df[c]) for c in names}
    groups: dict[tuple[str, str], list[int]] = {}
    for i, pair in enumerate(zip(df["level1"].astype(str), df["level2"].astype(str))):
        groups.setdefault(pair, []).append(i)
    for (l1, l2), idx in groups.items():
        sums = [_dsum([cols[c][i] for i in idx]) for c in names]
        rows.append([l1, l2, *sums])
    return pd.DataFrame(rows, columns=LEVEL2_COLUMNS)


def _plus(a: float, b: float | None) -> float:
    if b is None or math.isnan(b):
        return a
    return round_half_up(float(Decimal(repr(0.0 if math.isnan(a) else a)) + Decimal(repr(b))))


def _totals(df, level1, budget, reported_total, bands: GradeBands, scheme: WeightScheme) -> dict[str, Any]:
    weights = _floats(df["weight_table"])
    selfs = _floats(df["self_score_table"])
    capped = [min(s, w) if not math.isnan(w) else s for s, w in zip(selfs, weights) if not math.isnan(s)]
    b_score, b_weight = (budget[0], budget[1]) if budget else (None, None)
    weight_sum = _dsum(df["weight"])
    b_self = budget[2] if budget else None  # the 预算执行率 line's own 得分 is part of the table's total
    self_sum = _plus(_dsum(selfs), b_self)
    reported = None if reported_total is None or math.isnan(_num(reported_total)) else float(reported_total)
    rule_total = _plus(_dsum(df["rule_score"]), b_score)
    low = _plus(_dsum(df["review_low"]), b_score)
    high = _plus(_dsum(df["review_high"]), b_score)
    pending = sum(1 for s in df["status"] if str(s) == PENDING)
    return {
        "weight_sum": _plus(weight_sum, b_weight),
        "self_score_sum": self_sum,
        "self_score_capped_sum": _plus(_dsum(capped), b_self),
        "reported_total": reported,
        "rule_total": rule_total,
        "review_total": low,
        "review_total_low": low,
        "review_total_high": high,
        "pending_count": pending,
        "grade": bands.grade_range(low, high),
        "self_grade": bands.grade(reported if reported is not None else self_sum),
        "unscored_count": sum(1 for v in _floats(df["rule_score"]) if math.isnan(v)),
        "weight_scheme": scheme.name,
    }
