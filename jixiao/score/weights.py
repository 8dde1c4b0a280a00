"""Weight schemes: the table's own weights, 财预〔2020〕10号 单位自评, custom schemes.

A scheme gives each level 1 (一级指标) a weight; :func:`apply_scheme` rescales the
indicators of each level 1 so that their weights add up to it, and
:func:`allocate_weights` spreads the level-1 weights over indicators when a table
(a 目标申报表) has none. Level-1 names are matched loosely through :func:`level1_key`.

财预〔2020〕10号 (DOMAIN §1.1): 预算执行率 10 / 产出 50 / 效益 30 / 满意度 10. When a table has
no satisfaction level 1, its 10 points go to 产出 and 效益 in proportion 50:30, i.e.
产出 56.25 and 效益 33.75. The 10 points of 预算执行率 go to a level 1 of that name if the
table has one, else to the budget line (``scheme_weights`` returns them separately).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from jixiao.core.errors import ParamsError
from jixiao.core.numbers import round_half_up
from jixiao.core.textnorm import normalize_text

__all__ = [
    "WeightScheme",
    "TABLE",
    "CAIYU_2020_10",
    "BUILTIN_SCHEMES",
    "level1_key",
    "get_scheme",
    "scheme_weights",
    "apply_scheme",
    "allocate_weights",
    "largest_remainder",
    "SCORE_COLUMNS",
]

#: Columns rescaled by apply_scheme (the originals are kept with the suffix "_table").
SCORE_COLUMNS = ("weight", "self_score", "rule_score", "review_score", "review_low", "review_high")

_KEYS = {
    "投入管理": "投入",
    "投入": "投入",
    "决策": "决策",
    "过程": "过程",
    "产出": "产出",
    "效益": "效益",
    "效果": "效益",
    "履职效益": "效益",
    "满意度": "满意度",
    "服务对象满意度": "满意度",
    "成本": "成本",
    "预算执行率": "预算执行",
    "预算执行": "预算执行",
    "预算执行情况": "预算执行",
}
_CONTAINS = (
    ("满意度", "满意度"),
    ("预算执行", "预算执行"),
    ("产出", "产出"),
    ("效益", "效益"),
    ("效果", "效益"),
    ("投入", "投入"),
    ("成本", "成本"),
    ("决策", "决策"),
    ("过程", "过程"),
)


def level1_key(name: object) -> str:
    """Loose key of a level-1 name: 投入/决策/过程/产出/效益/满意度/成本/预算执行.

    "产出指标", "产出", "产出指标（50分）" → "产出"; "服务对象满意度指标" → "满意度";
    "投入管理指标" → "投入". Names of no standard level 1 ("履职效能") are returned cleaned
    (spaces, the "指标" suffix and a trailing "(x分)" removed), so custom schemes can name them.
    """
    t = normalize_text(name).replace(" ", "")
    t = re.sub(r"[（(]\d+(?:\.\d+)?分?[)）]$", "", t)
    for suffix in ("类指标", "指标"):
        if t.endswith(suffix) and len(t) > len(suffix):
            t = t[: -len(suffix)]
    if t in _KEYS:
        return _KEYS[t]
    return next((key for part, key in _CONTAINS if part in t), t)


@dataclass(frozen=True)
class WeightScheme:
    """Weights per level 1 (keys from :func:`level1_key`) plus the budget-execution weight."""

    name: str
    label: str
    level1: Mapping[str, float] = field(default_factory=dict)  # empty for the table's own weights
    budget_weight: float = 0.0
    satisfaction_to_output: bool = False  # 财预〔2020〕10号: no 满意度 → its weight to 产出/效益

    @property
    def is_table(self) -> bool:
        """True for the table's own weights."""
        return self.name == "table"

    @classmethod
    def from_dict(cls, weights: Mapping[str, Any], name: str = "custom", label: str = "自定义权重方案") -> WeightScheme:
        """A custom scheme ``{一级指标: 权重}``; a 预算执行率 key becomes the budget weight.

        Raises:
            ParamsError: non-numeric or negative weights, duplicate level 1s, or a sum other than 100 (± 0.01).
        """
        if not isinstance(weights, Mapping) or not weights:
            raise ParamsError("权重方案应为「一级指标: 权重」映射，且至少包含一项")
        level1: dict[str, float] = {}
        budget = 0.0
        for raw_name, value in weights.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParamsError(
                    f"权重方案中「{raw_name}」的权重应为数字，这里是「{value}」", key=f"weight_scheme.{raw_name}"
                )
            if value < 0:
                raise ParamsError(
                    f"权重方案中「{raw_name}」的权重不能为负数，这里是 {value:g}", key=f"weight_scheme.{raw_name}"
                )
            key = level1_key(raw_name)
            if key == "预算执行":
                budget += float(value)
                continue
            if key in level1:
                raise ParamsError(f"权重方案中有两个一级指标都对应「{key}」，请合并", key=f"weight_scheme.{raw_name}")
            level1[key] = float(value)
        total = sum(level1.values()) + budget
        if abs(total - 100) > 0.01:
            raise ParamsError(
                f"权重方案各一级指标权重之和应为 100，这里是 {round_half_up(total):g}", key="weight_scheme"
            )
        return cls(name, label, level1, budget)


TABLE = WeightScheme("table", "表内权重")
CAIYU_2020_10 = WeightScheme(
    "caiyu_2020_10",
    "财预〔2020〕10号 单位自评（预算执行率10/产出50/效益30/满意度10）",
    {"产出": 50.0, "效益": 30.0, "满意度": 10.0},
    budget_weight=10.0,
    satisfaction_to_output=True,
)
BUILTIN_SCHEMES = {s.name: s for s in (TABLE, CAIYU_2020_10)}


def get_scheme(spec: str | Mapping[str, Any] | WeightScheme | None) -> WeightScheme:
    """A scheme from params: "table", "caiyu_2020_10", a ``{一级指标: 权重}`` mapping, or a scheme."""
    if spec is None:
        return TABLE
    if isinstance(spec, WeightScheme):
        return spec
    if isinstance(spec, str):
        if spec not in BUILTIN_SCHEMES:
            names = "、".join(f"{k}（{v.label}）" for k, v in BUILTIN_SCHEMES.items())
            raise ParamsError(f"未知的权重方案「{spec}」，可选：{names}，或按一级指标给出权重", key="weight_scheme")
        return BUILTIN_SCHEMES[spec]
    return WeightScheme.from_dict(spec)


def _level1_names(indicators: pd.DataFrame) -> list[str]:
    return [str(n) for n in pd.unique(indicators["level1"])]


def scheme_weights(indicators: pd.DataFrame, scheme: WeightScheme) -> tuple[dict[str, float], float]:
    """({level-1 name as in the table: weight}, weight left for the budget line).

    The table scheme uses the declared 一级权重, else the sum of the 分值.

    Raises:
        ParamsError: a level 1 of the table is missing from the scheme, or the other way round.
    """
    names = _level1_names(indicators)
    if scheme.is_table:
        keys = [str(k) for k in indicators["level1"]]
        declared = (
            pd.to_numeric(indicators["level1_weight"], errors="coerce").tolist()
            if "level1_weight" in indicators
            else [math.nan] * len(keys)
        )
        weights = pd.to_numeric(indicators["weight"], errors="coerce").tolist()
        out = {}
        for name in names:
            idx = [i for i, k in enumerate(keys) if k == name]
            first = next((declared[i] for i in idx if not math.isnan(declared[i])), None)
            out[name] = (
                float(first) if first is not None else _sum(pd.Series([weights[i] for i in idx], dtype="float64"))
            )
        return out, scheme.budget_weight
    wanted = dict(scheme.level1)
    keys = {name: level1_key(name) for name in names}
    budget = scheme.budget_weight
    if "预算执行" in keys.values():
        wanted["预算执行"], budget = budget, 0.0
    if scheme.satisfaction_to_output and "满意度" in wanted and "满意度" not in keys.values():
        extra = wanted.pop("满意度")
        base = wanted.get("产出", 0.0) + wanted.get("效益", 0.0)
        for k in ("产出", "效益"):
            if k in wanted and base:
                wanted[k] += extra * wanted[k] / base
    missing = [n or "（未填一级指标）" for n, k in keys.items() if k not in wanted]
    if missing:
        raise ParamsError(
            f"权重方案「{scheme.label}」没有一级指标「{'、'.join(missing)}」的权重（方案包含：{'、'.join(wanted)}）",
            key="weight_scheme",
        )
    unused = [k for k in wanted if k not in keys.values() and wanted[k] > 0]
    if unused:
        raise ParamsError(f"权重方案中的一级指标「{'、'.join(unused)}」在指标表中不存在", key="weight_scheme")
    return {n: wanted[k] for n, k in keys.items()}, budget


def _sum(values: pd.Series) -> float:
    nums = pd.to_numeric(values, errors="coerce").dropna()
    return float(sum(Decimal(repr(float(x))) for x in nums)) if len(nums) else math.nan


def largest_remainder(shares: Sequence[float], total: float, places: int = 2) -> list[float]:
    """Split ``total`` in proportion to ``shares``, rounded to ``places`` decimals, summing exactly.

    Each part gets its floor; the units left go to the largest remainders (earlier rows win ties).
    """
    if not shares:
        return []
    unit = Decimal(1).scaleb(-places)
    units = int((Decimal(repr(float(total))) / unit).to_integral_value(rounding=ROUND_HALF_UP))
    whole = sum(Decimal(repr(float(s))) for s in shares)
    if whole <= 0:
        raise ParamsError("分配权重时各项份额之和必须大于0")
    quotas = [Decimal(repr(float(s))) / whole * units for s in shares]
    floors = [int(q) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return [float(Decimal(f) * unit) for f in floors]


def apply_scheme(scored: pd.DataFrame, scheme: WeightScheme) -> pd.DataFrame:
    """Rescale weights and scores of each level 1 so that its weights add up to the scheme weight.

    The table's values are kept as ``weight_table``, ``self_score_table``, ``rule_score_table``,
    ``review_score_table`` and ``level1_weight_table``; ``scheme_factor`` is the factor applied.
    New weights are rounded by largest remainder (their sum is exact); each score keeps its
    share of its weight (score / 分值) and is rounded half-up to 2 decimals. The table scheme
    returns the values unchanged (factor 1).

    Raises:
        ParamsError: the scheme does not fit the table, or a level 1 has no weights to rescale.
    """
    df = scored.copy()
    present = [c for c in SCORE_COLUMNS if c in df.columns]
    for col in present + ["level1_weight"]:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
            df[f"{col}_table"] = df[col]
    df["scheme_factor"] = 1.0
    if scheme.is_table:
        return df
    targets, _ = scheme_weights(df, scheme)
    for name, goal in targets.items():
        idx = df.index[df["level1"].astype(str) == name]
        old = pd.to_numeric(df.loc[idx, "weight_table"], errors="coerce")
        if old.isna().any() or old.sum() <= 0:
            raise ParamsError(
                f"一级指标「{name}」的指标没有（完整的）分值，无法按权重方案换算；请先用 allocate_weights 分配权重"
            )
        new = largest_remainder(old.tolist(), goal)
        df.loc[idx, "weight"] = new
        df.loc[idx, "level1_weight"] = goal
        df.loc[idx, "scheme_factor"] = goal / float(old.sum())
        for col in present:
            if col == "weight":
                continue
            vals = pd.to_numeric(df.loc[idx, f"{col}_table"], errors="coerce")
            df.loc[idx, col] = [
                math.nan if math.isnan(v) else round_half_up(v / w * nw) for v, w, nw in zip(vals, old, new)
            ]
    return df


def allocate_weights(indicators: pd.DataFrame, scheme: WeightScheme, *, by: str = "equal") -> pd.DataFrame:
    """Fill ``weight`` from the level-1 weights of ``scheme`` (for tables without 分值).

    ``by="equal"`` gives each indicator of a level 1 the same share; ``by="level2"`` splits the
    level-1 weight equally among its level-2 groups, then equally within each. Rounding is by
    largest remainder, so every level-1 sum is exact. The original weights are kept as
    ``weight_table``; ``level1_weight`` is set to the allocated level-1 weight.

    Raises:
        ParamsError: unknown ``by``, a level 1 without a weight, or a scheme that does not fit.
    """
    if by not in ("equal", "level2"):
        raise ParamsError(f"分配方式应为 equal（平均）或 level2（先按二级指标平均），这里是「{by}」")
    df = indicators.copy()
    df["weight_table"] = df["weight"] if "weight" in df.columns else math.nan
    targets, _ = scheme_weights(df, scheme)
    weights = pd.Series(math.nan, index=df.index, dtype="float64")
    for name, goal in targets.items():
        if goal is None or math.isnan(goal):
            raise ParamsError(
                f"一级指标「{name}」没有一级权重，请选择权重方案（如 caiyu_2020_10）或自定义", key="weight_scheme"
            )
        idx = df.index[df["level1"].astype(str) == name]
        if by == "equal":
            weights[idx] = largest_remainder([1.0] * len(idx), goal)
            continue
        groups = list(pd.unique(df.loc[idx, "level2"].astype(str)))
        for group, share in zip(groups, largest_remainder([1.0] * len(groups), goal)):
            gidx = idx[df.loc[idx, "level2"].astype(str) == group]
            weights[gidx] = largest_remainder([1.0] * len(gidx), share)
    for name, goal in targets.items():
        df.loc[df["level1"].astype(str) == name, "level1_weight"] = goal
    df["weight"] = weights
    return df
