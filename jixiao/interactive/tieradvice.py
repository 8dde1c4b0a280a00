"""What choosing a qualitative tier does to the review panel's score field.

A tier proposes its default score (its share of the 分值, :func:`tier_default_score`), unless
the evaluator has typed a score: one inside the tier's band is kept as it is; one outside is
kept too and the proposal is named, so a typed score is never overwritten.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from jixiao.core.textnorm import to_number
from jixiao.interactive.session import tier_default_score
from jixiao.score.overrides import score_in_tier, tier_band_text

__all__ = ["TierAdvice", "tier_advice"]


@dataclass(frozen=True)
class TierAdvice:
    """``score``: text for the score field (None: leave it); ``message`` for the evaluator; ``ok``: not a warning."""

    score: str | None
    message: str
    ok: bool = True


def tier_advice(tier: str, weight: float, typed: str | None) -> TierAdvice | None:
    """The advice for choosing ``tier`` on an indicator of ``weight`` points; ``typed``: the score the evaluator
    typed (None if the field holds no typed score). None when the weight is unknown."""
    weight = float(weight)
    if math.isnan(weight):
        return None
    proposal = f"{tier_default_score(tier, weight):g}"
    band = tier_band_text(tier, weight)
    if typed is not None and typed.strip():
        value = to_number(typed)
        if value is not None and score_in_tier(value, tier, weight):
            return TierAdvice(None, f"档次「{tier}」的区间为 {band}，已填写的复核分 {value:g} 在区间内，未改动。")
        return TierAdvice(
            None,
            f"档次「{tier}」的区间为 {band}，建议分 {proposal}；已填写的复核分未改动，"
            "如采用建议分请在「复核分」中改为该值后点「应用调整」。",
            ok=False,
        )
    return TierAdvice(
        proposal, f"已按档次「{tier}」（区间 {band}）填入建议复核分 {proposal}，可修改；点「应用调整」后生效。"
    )
