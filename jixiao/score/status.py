"""The review status of one indicator's score and its range (DOMAIN §4.4, docs/STATUS.md).

Pure: from the parsed values, the rule's result and what params record (override, evidence,
baseline) to (status, reason code, review score, low, high). A 待核实 indicator has no review
score yet (NaN); it counts as the range [low, high] in the totals, never as a silent 0.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from jixiao.core.numbers import round_half_up
from jixiao.core.parsed_value import ParsedValue
from jixiao.core.status import (
    CONFIRMED,
    JUDGED,
    LOW_UNMET_TIER,
    PENDING,
    PENDING_REASONS,
    SATISFACTION_RE,
    SURVEY_RE,
)
from jixiao.parse.words import judge_word
from jixiao.score.rules.base import RuleResult, fmt_percent, fmt_points

__all__ = ["StatusResult", "review_status", "pending_reason", "admitted_partial", "EVIDENCE_RESOLVES", "WORD_KINDS"]

#: Reasons that evidence recorded in params resolves (the rule already scored the unit's claim).
EVIDENCE_RESOLVES = ("actual_repeats_target", "satisfaction_no_survey", "qualitative_self_declared")
#: Kinds of a 完成值 written in words: a claim, not a measured value.
WORD_KINDS = ("qualitative", "periodic", "direction", "unparsed")
_INEQUALITIES = (">=", "<=", ">", "<")


class StatusResult(NamedTuple):
    """Status, reason code ("" unless 待核实), review score (NaN while pending) and its range."""

    status: str
    reason: str
    review: float
    low: float
    high: float


def _nan(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pending_reason(
    *,
    name: str,
    target: ParsedValue,
    actual: ParsedValue,
    rule_score: float | None,
    met: bool | None,
    has_baseline: bool = False,
    survey_basis: bool = False,
    texts: str = "",
) -> str:
    """The reason code why this indicator's score cannot be confirmed, "" when a rule applied to a measured value.

    ``texts`` are the indicator's own 完成值 and 偏差说明 (searched for a survey); ``survey_basis``
    says the unit's texts describe a satisfaction survey.
    """
    if target.kind == "empty" and actual.kind == "empty":
        return "target_actual_empty"
    if actual.kind == "empty":
        return "actual_missing"
    if target.kind == "direction" and not has_baseline:
        return "direction_no_baseline"
    if SATISFACTION_RE.search(name) and not survey_basis and not SURVEY_RE.search(texts):
        return "satisfaction_no_survey"
    if actual.kind == "number" and actual.op in _INEQUALITIES and not actual.op_implicit:
        return "actual_repeats_target"
    if actual.kind in WORD_KINDS and (met is True or (_nan(rule_score) and judge_word(actual, target) == "达成")):
        return "qualitative_self_declared"
    if _nan(rule_score):
        return "not_scorable"
    return ""


def review_status(
    reason: str,
    *,
    weight: float | None,
    self_score: float | None,
    rule_score: float | None,
    override: float | None = None,
    has_evidence: bool = False,
    unmet_share: float = 0.3,
    numeric_target: bool = False,
) -> StatusResult:
    """Status, review score and range of one indicator.

    - An override: 评价人判定, its score (low = high = score).
    - No reason, or evidence recorded in params for a reason the rule already scored: 确定, the rule score.
    - Otherwise 待核实: review NaN; high = the unit's claim (min of 自评分 and the rule's score on the
      claimed value), capped at the weight (the weight when neither exists); low = 0, or the 未达成 tier's
      share of the weight for a qualitative claim on a target that is not a number (``numeric_target``
      False), never above high.

    Indicators without a weight have no score to verify: status "" and NaN range.
    """
    nan = math.nan
    if override is not None:
        return StatusResult(JUDGED, "", float(override), float(override), float(override))
    if _nan(weight):
        return StatusResult("", "", nan if _nan(rule_score) else float(rule_score), nan, nan)
    w = float(weight)
    resolved = has_evidence and reason in EVIDENCE_RESOLVES and not _nan(rule_score)
    if not reason or resolved:
        score = nan if _nan(rule_score) else float(rule_score)
        return StatusResult(CONFIRMED, "", score, score, score)
    claims = [float(x) for x in (self_score, rule_score) if not _nan(x)]
    high = round_half_up(min(max(min(claims), 0.0), w)) if claims else w
    tiered = PENDING_REASONS[reason].low == LOW_UNMET_TIER and not numeric_target
    low = round_half_up(unmet_share * w) if tiered else 0.0
    return StatusResult(PENDING, reason, nan, min(low, high), high)


def admitted_partial(
    result: RuleResult, weight: float, admitted: str, share: float, source: str = "偏差说明"
) -> RuleResult:
    """部分达成 (``share`` of the weight) where the unit's own words admit a shortfall (DOMAIN §4.4); else ``result``.

    ``source`` names where the unit wrote ``admitted`` (its 偏差说明, or 自评表「存在问题」 …).
    """
    if not admitted:
        return result
    raw = min(share * weight, result.score_raw if result.score_raw is not None else weight)
    return RuleResult(
        raw,
        False,
        f"完成值填报为达成，但单位{source}写明「{admitted}」，表明未完全达成，"
        f"默认按「部分达成」档得分率{fmt_percent(share)}计{fmt_points(raw)}",
    )
