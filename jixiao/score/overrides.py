"""The evaluator's review scores (overrides) and how they attach to indicators.

An override comes from a unit's params (or the review panel): a score with a reason and,
for qualitative indicators, a tier. Matching and validation are pure: the params loader
and the scorer both call them.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from jixiao.core.errors import ParamsError
from jixiao.core.numbers import EPS
from jixiao.core.textnorm import normalize_text
from jixiao.core.vocab import TIERS

__all__ = ["Override", "match_overrides", "validate_overrides", "score_in_tier", "tier_band_text"]


@dataclass(frozen=True)
class Override:
    """The evaluator's review score for one indicator."""

    indicator: str  # indicator name or indicator_id, as written in params
    score: float
    reason: str
    tier: str | None = None  # a key of TIERS, for qualitative indicators


def match_overrides(
    overrides: Iterable[Override], indicators: pd.DataFrame, *, source: str | os.PathLike[str] | None = None
) -> dict[str, Override]:
    """Map each override to its indicator_id (by id, else by normalised name).

    Raises:
        ParamsError: an override names no indicator, an ambiguous name, or two overrides hit one indicator.
    """
    ids = [str(i) for i in indicators["indicator_id"]]
    names = [normalize_text(n) for n in indicators["name"]]
    matched: dict[str, Override] = {}
    for ov in overrides:
        key = f"overrides.{ov.indicator}"
        if ov.indicator in ids:
            target = ov.indicator
        else:
            hits = [i for i, n in zip(ids, names) if n == normalize_text(ov.indicator)]
            if not hits:
                hint = _did_you_mean(ov.indicator, [n for n in names if n])
                raise ParamsError(f"指标表中没有名为或编号为「{ov.indicator}」的指标{hint}", path=_p(source), key=key)
            if len(hits) > 1:
                raise ParamsError(
                    f"有 {len(hits)} 个指标同名（{'、'.join(hits)}），请改用指标编号", path=_p(source), key=key
                )
            target = hits[0]
        if target in matched:
            raise ParamsError(f"与「{matched[target].indicator}」指向同一个指标 {target}", path=_p(source), key=key)
        matched[target] = ov
    return matched


def validate_overrides(
    overrides: Iterable[Override], indicators: pd.DataFrame, *, source: str | os.PathLike[str] | None = None
) -> None:
    """Check overrides against the indicator (or scored) table: each exists, score ≤ 分值, score in its tier band.

    Indicators whose 分值 is unknown (NaN, e.g. a declaration before weights are allocated) are not checked
    against the weight.

    Raises:
        ParamsError: naming the params file and ``overrides.<indicator>.score``.
    """
    weights = dict(zip((str(i) for i in indicators["indicator_id"]), indicators["weight"]))
    for target, ov in match_overrides(overrides, indicators, source=source).items():
        weight = weights[target]
        if weight is None or (isinstance(weight, float) and math.isnan(weight)):
            continue
        key = f"overrides.{ov.indicator}.score"
        if ov.score > float(weight) + EPS:
            raise ParamsError(f"复核分 {ov.score:g} 超过该指标的分值 {float(weight):g}", path=_p(source), key=key)
        if ov.tier and not score_in_tier(ov.score, ov.tier, float(weight)):
            raise ParamsError(
                f"复核分 {ov.score:g} 不在档次「{ov.tier}」的分数区间 {tier_band_text(ov.tier, float(weight))} 内",
                path=_p(source),
                key=key,
            )


def score_in_tier(score: float, tier: str, weight: float) -> bool:
    """Whether ``score`` lies in the band of ``tier`` for an indicator of ``weight`` (达成 closed above, others open)."""
    low, high = TIERS[tier]
    upper_ok = score <= high * weight + EPS if tier == "达成" else score < high * weight - EPS
    return score >= low * weight - EPS and upper_ok


def tier_band_text(tier: str, weight: float) -> str:
    """The band of ``tier`` in points, as shown to users: "[0.6, 0.8)"."""
    low, high = TIERS[tier]
    return f"[{low * weight:g}, {high * weight:g}{']' if tier == '达成' else ')'}"


def _p(source: str | os.PathLike[str] | None) -> str | None:
    return str(source) if source else None


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"，是否想写「{close[0]}」？" if close else ""
