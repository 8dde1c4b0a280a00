"""Score every indicator by rule: parse 指标值/完成值, choose a rule, compute, finalize.

The rule for a row comes, in this order, from (1) the evaluator's settings for that
indicator (``ScoringSettings.indicator_params[...]["rule"]``, source "参数覆盖"), (2) the
评(扣)分标准 text (source "评分标准"), (3) the parsed target's kind and direction
(source "方向与值"). Overrides of the review score never change the rule score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jixiao.core.errors import ParamsError, RuleError
from jixiao.core.model import INDICATOR_COLUMNS, SCORED_COLUMNS
from jixiao.core.numbers import round_half_up
from jixiao.core.textnorm import normalize_text
from jixiao.parse.direction import with_implied_direction
from jixiao.parse.shortfall import admitted_shortfall, text_admissions
from jixiao.score.overrides import Override
from jixiao.score.rulechoice import SOURCE_PARAMS, cell_text, choose_rule, parse_cell
from jixiao.score.rules.base import (
    DEFAULT_DEVIATION_TIERS,
    DEFAULT_LATE_TIERS,
    DEFAULT_TIER_SCORES,
    RuleResult,
    finalize_score,
    quantity,
)
from jixiao.score.rules.registry import get_rule
from jixiao.score.status import WORD_KINDS, admitted_partial, pending_reason, review_status

__all__ = ["ScoringSettings", "score_indicators", "score_budget"]


@dataclass(frozen=True)
class ScoringSettings:
    """Defaults the rules use, and per-indicator rule choices (keyed by indicator_id or name).

    ``indicator_params`` example: ``{"群众投诉案件率降低": {"baseline": 12.5},
    "I17": {"rule": "reverse_ratio"}}``; the key "rule" forces a rule, the other keys are
    that rule's parameters.
    """

    deviation_tiers: tuple[tuple[float, float], ...] = DEFAULT_DEVIATION_TIERS
    approx_tolerance: float = 0.10
    compound_combine: str = "mean"
    tier_scores: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TIER_SCORES))
    late_tiers: tuple[tuple[float, float], ...] = DEFAULT_LATE_TIERS
    per_point_round_up: bool = True
    indicator_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: indicators (id or name) with evidence recorded in params (佐证材料); see score.status
    evidence: frozenset[str] = frozenset()
    #: whether recorded evidence resolves a 待核实 whose claim the rule already scored
    evidence_resolves_pending: bool = True
    #: the unit's texts describe a satisfaction survey (satisfaction indicators are then measured)
    survey_in_texts: bool = False
    #: the unit's texts about shortfalls as (source, text) (parse.shortfall.shortfall_texts): a clause naming
    #: a qualitative indicator claimed as achieved gives it the 部分达成 tier, as its own 偏差原因 would
    unit_texts: tuple[tuple[str, str], ...] = ()

    def defaults_for(self, rule_id: str) -> dict[str, Any]:
        """The settings that apply to ``rule_id`` as keyword parameters."""
        rule = get_rule(rule_id)
        given = {
            "tolerance": self.approx_tolerance,
            "combine": self.compound_combine,
            "tier_scores": dict(self.tier_scores),
            "late_tiers": self.late_tiers,
            "round_up": self.per_point_round_up,
        }
        if rule_id == "deviation_tiers":
            given["tiers"] = self.deviation_tiers
        return {k: v for k, v in given.items() if k in rule.param_names}


# --- scoring a table ----------------------------------------------------------------------------------


def _lookup(mapping: Mapping[str, Any], ident: str, name: str, used: set[str]) -> Any:
    if not mapping:
        return None
    for key in (ident, name, normalize_text(name)):
        if key and key in mapping:
            used.add(key)
            return mapping[key]
    return None


def _check_used(mapping: Mapping[str, Any], used: set[str], what: str, error: type[Exception]) -> None:
    unused = [k for k in mapping if k not in used and normalize_text(k) not in used]
    if unused:
        raise error(f"{what}中的「{'、'.join(map(str, unused))}」在指标表中找不到（按指标编号或名称匹配）")


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


def score_indicators(
    indicators: pd.DataFrame,
    *,
    settings: ScoringSettings | None = None,
    overrides: Mapping[str, Override] | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """The indicator table plus SCORED_COLUMNS (rule, rule score, explanation, review score).

    Args:
        indicators: INDICATOR_COLUMNS (other columns are kept).
        settings: rule defaults and per-indicator rule parameters.
        overrides: review scores by indicator_id or name (``params.match_overrides`` gives ids);
            any object with ``score``, ``reason`` and ``tier`` attributes works.
        year: evaluation year, for deadlines written without one ("9月底前").

    Raises:
        RuleError: a per-indicator rule or parameter is invalid (names the indicator).
        ParamsError: an override names no indicator or its score is outside [0, 分值].
    """
    settings = settings or ScoringSettings()
    overrides = overrides or {}
    df = indicators.copy()
    for col in INDICATOR_COLUMNS:
        if col not in df.columns:
            df[col] = math.nan if col in ("weight", "level1_weight", "self_score") else ""
    out: dict[str, list] = {c: [] for c in SCORED_COLUMNS}
    used_params: set[str] = set()
    used_overrides: set[str] = set()
    cols = ["indicator_id", "name", "weight", "nature", "direction", "target", "unit", "actual", "rule_text"]
    cols += ["self_score", "deviation_note"]
    evidence = {normalize_text(k) for k in settings.evidence} if settings.evidence_resolves_pending else set()
    admissions = text_admissions(settings.unit_texts, dict(zip(df["indicator_id"], df["name"])))
    unmet = float(settings.tier_scores.get("未达成", DEFAULT_TIER_SCORES["未达成"]))
    for ident, name, weight, nature, direction, target_text, unit, actual_text, rule_text, own, note_text in zip(
        *(df[c].tolist() for c in cols)
    ):
        ident, name, unit, direction = cell_text(ident), cell_text(name), cell_text(unit), cell_text(direction)
        target = with_implied_direction(parse_cell(target_text, unit, direction, year), name, direction)
        actual = parse_cell(actual_text, unit, "", year)
        row = {"rule_text": rule_text, "nature": nature}
        rule_id, params, source = choose_rule(row, target=target)
        extra = dict(_lookup(settings.indicator_params, ident, name, used_params) or {})
        has_baseline = extra.get("baseline") is not None
        if "rule" in extra:
            rule_id, params, source = str(extra.pop("rule")), {}, SOURCE_PARAMS
        w = None if weight is None or _nan(weight) else float(weight)
        try:
            rule = get_rule(rule_id)
            kwargs = {**settings.defaults_for(rule_id), **params, **extra}
            result = rule(1.0 if w is None else w, target, actual, **kwargs)  # no 分值: run on 1 point for met/rate
        except RuleError as exc:
            raise RuleError(f"指标「{name}」（{ident}）：{exc}") from None
        claimed_met = result.met
        if w is not None and claimed_met is True and actual.kind in WORD_KINDS and not {"tier", "score"} & set(extra):
            share = float(settings.tier_scores.get("部分达成", DEFAULT_TIER_SCORES["部分达成"]))
            admitted, where = admitted_shortfall(note_text), "偏差说明"
            if not admitted and admissions.get(ident):
                admitted, where = admissions[ident][0].quote, admissions[ident][0].source
            result = admitted_partial(result, w, admitted, share, where)
        score = finalize_score(result.score_raw, w) if w is not None else None
        explanation = result.explanation if w is not None else _no_weight(result)
        override = _lookup(overrides, ident, name, used_overrides)
        judged, note = None, ""
        if override is not None:
            judged, note = _apply_override(override, w, name, ident)
        reason = pending_reason(
            name=name,
            target=target,
            actual=actual,
            rule_score=score,
            met=claimed_met,
            has_baseline=has_baseline,
            survey_basis=settings.survey_in_texts,
            texts=cell_text(actual_text) + cell_text(note_text),
        )
        own_score = None if own is None or _nan(own) else _float_or_none(own)
        status = review_status(
            reason,
            weight=w,
            self_score=own_score,
            rule_score=score,
            override=judged,
            has_evidence=bool({ident, normalize_text(name)} & evidence),
            unmet_share=unmet,
            numeric_target=target.kind in ("number", "range", "compound"),
        )
        for prefix, v in (("target", target), ("actual", actual)):
            out[f"{prefix}_value"].append(v)
            out[f"{prefix}_kind"].append(v.kind)
            out[f"{prefix}_op"].append(v.op)
            out[f"{prefix}_number"].append(_num(v.number))
            out[f"{prefix}_unit"].append(v.unit)
        out["rule"].append(rule_id)
        out["rule_label"].append(rule.label)
        out["rule_source"].append(source)
        out["met"].append(result.met)
        out["rule_score_raw"].append(_num(result.score_raw) if w is not None else math.nan)
        out["rule_score"].append(_num(score))
        out["explanation"].append(explanation)
        out["review_score"].append(status.review)
        out["review_note"].append(note)
        out["status"].append(status.status)
        out["status_reason"].append(status.reason)
        out["review_low"].append(status.low)
        out["review_high"].append(status.high)
    _check_used(settings.indicator_params, used_params, "计分参数", RuleError)
    _check_used(overrides, used_overrides, "复核调整（overrides）", ParamsError)
    floats = ("target_number", "actual_number", "rule_score_raw", "rule_score", "review_score", "review_low")
    floats += ("review_high",)
    data = {c: np.array(v, dtype="float64") if c in floats else _objects(v) for c, v in out.items()}
    scored = pd.DataFrame(data, index=df.index)
    return pd.concat([df.drop(columns=[c for c in SCORED_COLUMNS if c in df.columns]), scored], axis=1)


def _objects(values: list) -> np.ndarray:
    """A 1-d object array (np.array would build 2-d arrays from tuples)."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _nan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _float_or_none(x: object) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _no_weight(result: RuleResult) -> str:
    if result.score_raw is None:
        return f"未设分值；{result.explanation}"
    rate = round_half_up(min(max(result.score_raw, 0.0), 1.0) * 100)
    return f"未设分值，无法计分（按规则得分率为{rate:.2f}%）"


def _apply_override(override: Any, weight: float | None, name: str, ident: str) -> tuple[float, str]:
    score = float(override.score)
    if score < 0 or (weight is not None and score > weight + 1e-9):
        shown = "—" if weight is None else f"{weight:g}"
        raise ParamsError(f"指标「{name}」（{ident}）的复核分 {score:g} 不在 0 到分值 {shown} 之间")
    tier = getattr(override, "tier", None)
    note = str(override.reason) + (f"（档次：{tier}）" if tier else "")
    return score, note


# --- budget execution --------------------------------------------------------------------------------

_BUDGET_SCORE_COLUMNS = ["rule", "rule_label", "rule_weight", "met", "rule_score_raw", "rule_score", "explanation"]
_DRIVING_LINES = ("合计", "财政拨款")


def score_budget(
    budget: pd.DataFrame, *, weight: float | None, rule: str = "budget_execution", tiers: Any = None
) -> pd.DataFrame:
    """Budget lines plus rule/rule_label/rule_weight/met/rule_score_raw/rule_score/explanation.

    Lines that carry a 分值 (BUDGET_COLUMNS "weight") are scored with it. When ``weight``
    is given (e.g. the 10 points of a weight scheme) only one line is scored with it:
    the line carrying a 分值, else 合计, else 财政拨款, else the first line.
    Execution rate = 全年执行数 / 全年预算数 (DOMAIN §2.5).
    """
    fn = get_rule(rule)
    params = {} if tiers is None else {"tiers": tiers}
    df = budget.copy()
    for col in _BUDGET_SCORE_COLUMNS:
        df[col] = math.nan if col in ("rule_weight", "rule_score_raw", "rule_score") else None
    df["explanation"] = ""
    if df.empty:
        return df
    weights = pd.to_numeric(df.get("weight", pd.Series(math.nan, index=df.index)), errors="coerce")
    if weight is not None:
        carried = weights[weights.notna()].index
        names = df["name"].astype(str).tolist() if "name" in df.columns else []
        named = [df.index[names.index(n)] for n in _DRIVING_LINES if n in names]
        line = carried[0] if len(carried) else (named[0] if named else df.index[0])
        plan = {line: float(weight)}
    else:
        plan = {i: float(w) for i, w in weights.items() if not math.isnan(w)}
    for i, w in plan.items():
        unit = cell_text(df.at[i, "money_unit"]) if "money_unit" in df.columns else ""
        target = quantity(_num(df.at[i, "budget"]), unit or None)
        actual = quantity(_num(df.at[i, "spent"]), unit or None)
        result = fn(w, target, actual, **params)
        df.at[i, "rule"], df.at[i, "rule_label"], df.at[i, "met"] = rule, fn.label, result.met
        df.at[i, "rule_weight"] = w
        df.at[i, "rule_score_raw"] = _num(result.score_raw)
        df.at[i, "rule_score"] = _num(finalize_score(result.score_raw, w))
        label = f"{df.at[i, 'name']}：" if "name" in df.columns else ""
        df.at[i, "explanation"] = label + result.explanation
    return df
