"""The evaluator's review of one unit as a model of edits, independent of any widget.

A :class:`ReviewSession` holds a unit's parsed tables (read once, cached across sessions),
the saved overrides from its params, and the edits not yet saved: review scores with their
reasons and tiers, what-if 完成值 and the weight scheme. :meth:`ReviewSession.recompute`
re-scores the table from memory (no file is read again). Only review scores, reasons and
tiers are saved (:func:`jixiao.run.params_edit.save_overrides`); what-if values and the scheme
switch are exploratory and never written.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from jixiao.core.errors import ParamsError
from jixiao.core.numbers import round_half_up
from jixiao.core.status import PENDING
from jixiao.core.textnorm import normalize_text, to_number
from jixiao.core.vocab import TIERS
from jixiao.parse.values import parse_value
from jixiao.run.evaluate import ScoredUnit, UnitResult, evaluate_unit, score_evaluation, scoring_settings
from jixiao.run.params import UnitParams, load_unit
from jixiao.run.params_edit import override_key, save_overrides
from jixiao.score.overrides import Override, match_overrides, score_in_tier, tier_band_text
from jixiao.score.rules.base import DEFAULT_TIER_SCORES
from jixiao.score.weights import BUILTIN_SCHEMES

__all__ = [
    "EditError",
    "ReviewSession",
    "check_review",
    "tier_default_score",
    "is_qualitative",
    "indicator_view",
    "filter_view",
    "LOST_TOLERANCE",
    "clear_cache",
]

#: Points below which a difference from the weight is rounding noise, not a loss.
LOST_TOLERANCE = 0.005
_CACHE_SIZE = 8
_EVALUATIONS: dict[tuple, tuple[UnitResult, str]] = {}


class EditError(ParamsError):
    """An edit the review panel refuses; the message is shown to the evaluator."""


def tier_default_score(tier: str, weight: float) -> float:
    """The review score a tier gives by default (DEFAULT_TIER_SCORES share of the weight, 2 decimals)."""
    return round_half_up(DEFAULT_TIER_SCORES[tier] * float(weight))


def check_review(weight: float, score: Any, reason: Any, tier: str | None = None) -> float:
    """Validate one review-score edit and return the score in points.

    An empty ``score`` with a ``tier`` takes the tier's default score.

    Raises:
        EditError: no 分值, non-number or more than 2 decimals, outside [0, 分值],
            unknown tier, outside the tier's band, or no reason (Chinese message).
    """
    if weight is None or math.isnan(float(weight)):
        raise EditError("该指标没有分值，不能调整复核分")
    weight = float(weight)
    if tier and tier not in TIERS:
        raise EditError(f"未知的档次「{tier}」，可选：{'、'.join(TIERS)}")
    text = "" if score is None else str(score).strip()
    if not text:
        if not tier:
            raise EditError("请填写复核分，或为定性指标选择档次")
        value = tier_default_score(tier, weight)
    else:
        number = to_number(score)
        if number is None or isinstance(score, bool) or math.isnan(number) or math.isinf(number):
            raise EditError(f"复核分应为数字，这里是「{text}」")
        value = float(number)
        if _decimals(value) > 2:
            raise EditError(f"复核分最多保留两位小数，这里是「{text}」")
    if value < 0 or value > weight + 1e-9:
        raise EditError(f"复核分 {value:g} 应在 0 到该指标的分值 {weight:g} 之间")
    if tier and not score_in_tier(value, tier, weight):
        raise EditError(f"复核分 {value:g} 不在档次「{tier}」的分数区间 {tier_band_text(tier, weight)} 内")
    if not isinstance(reason, str) or not reason.strip():
        raise EditError("调整复核分必须写明理由")
    return value


def _decimals(value: float) -> int:
    try:
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return 99
    return max(0, -int(exponent))


def is_qualitative(row: pd.Series | dict) -> bool:
    """A 定性 indicator: declared so, scored by the qualitative tiers, or with a word target."""
    return (
        normalize_text(row.get("nature")) == "定性"
        or row.get("rule") == "qualitative_bands"
        or row.get("target_kind") == "qualitative"
    )


def indicator_view(
    scored: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    pending: set[str] = frozenset(),
    what_if: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per indicator: the scored columns plus ``findings`` (codes), ``finding_messages``,
    ``qualitative``, ``lost`` (review score below 分值, or unscored), ``pending`` and ``what_if``."""
    what_if = what_if or {}
    view = scored.copy()
    ids = view["indicator_id"].astype(str)
    by_id: dict[str, list[tuple[str, str, str]]] = {}
    if findings is not None and not findings.empty:
        for code, severity, ident, message in findings[["code", "severity", "indicator_id", "message"]].itertuples(
            index=False
        ):
            if ident:
                by_id.setdefault(str(ident), []).append((str(code), str(severity), str(message)))
    view["findings"] = [" ".join(dict.fromkeys(c for c, _, _ in by_id.get(i, []))) for i in ids]
    view["finding_messages"] = [by_id.get(i, []) for i in ids]
    view["qualitative"] = [is_qualitative(r) for r in view.to_dict("records")]
    weight = pd.to_numeric(view["weight"], errors="coerce")
    review = pd.to_numeric(view["review_score"], errors="coerce")
    view["lost"] = (weight > 0) & (review.isna() | (review < weight - LOST_TOLERANCE))
    view["pending"] = ids.isin(pending)
    view["what_if"] = ids.isin(what_if)
    return view


def filter_view(
    view: pd.DataFrame, *, level1: str = "", with_findings: bool = False, lost: bool = False
) -> pd.DataFrame:
    """The rows of :func:`indicator_view` matching the panel's filters, 待核实 indicators first."""
    keep = pd.Series(True, index=view.index)
    if level1:
        keep &= view["level1"].astype(str) == level1
    if with_findings:
        keep &= view["findings"] != ""
    if lost:
        keep &= view["lost"]
    rows = view[keep]
    if "status" in rows.columns:  # 待核实 first, each group in table order
        first = (rows["status"] != PENDING).astype(int)
        rows = rows.iloc[first.argsort(kind="stable")]
    return rows


class ReviewSession:
    """Pending overrides, tier choices, what-if 完成值 and the weight scheme of one unit."""

    def __init__(self, params: UnitParams, result: UnitResult, problem: str = "", project_dir: str = "") -> None:
        self.params = params
        self.project_dir = project_dir
        self.result = result
        self.problem = problem  # why the params' overrides were ignored ("" when they were not)
        main = result.main
        self.evaluation = main.evaluation if main is not None else None
        self.indicators = self.evaluation.indicators if self.evaluation is not None else None
        self.editable = result.self_eval is not None
        self.findings = result.findings
        self.saved: dict[str, Override] = {}
        if self.editable and not problem:
            self.saved = match_overrides(params.overrides, self.indicators, source=params.path)
        self.pending: dict[str, Override | None] = {}
        self.what_if: dict[str, str] = {}
        self.scheme: str | dict[str, float] = params.weight_scheme if self.editable else "table"
        self._cached: tuple[Any, ScoredUnit | None] | None = None
        if main is not None and not problem:  # the run's own scoring is the initial state
            self._cached = (self._state(), main)

    # --- opening ------------------------------------------------------------------------------------
    @classmethod
    def open(cls, unit_id: str = "", *, params_path: str = "", project_dir: str = "") -> ReviewSession:
        """Load a unit's params and tables (parsed once per file version, then cached).

        The unit is looked up in the project of ``project_dir``, else the project above the
        working directory (a notebook opened in the project's ``notebooks/`` finds it).

        Raises:
            ParamsError, InputFileError, RuleError: the params or inputs cannot be used.
        """
        params = load_unit(unit_id, params_path, project_dir)
        result, problem = _evaluate_cached(params)
        return cls(params, result, problem, project_dir)

    # --- state ----------------------------------------------------------------------------------------
    @property
    def overrides(self) -> dict[str, Override]:
        """Effective overrides by indicator_id: saved ones with the pending edits applied."""
        merged: dict[str, Override | None] = {**self.saved, **self.pending}
        return {k: v for k, v in merged.items() if v is not None}

    @property
    def dirty(self) -> bool:
        """Unsaved review-score edits exist."""
        return bool(self.pending)

    @property
    def exploratory(self) -> bool:
        """What the panel shows differs from a run for reasons that are never saved (what-if, scheme)."""
        return bool(self.what_if) or self.scheme != (self.params.weight_scheme if self.editable else "table")

    def row(self, indicator_id: str) -> pd.Series:
        """The current scored row of an indicator."""
        scored = self.recompute().scored
        rows = scored[scored["indicator_id"].astype(str) == str(indicator_id)]
        if rows.empty:
            raise EditError(f"指标表中没有编号为「{indicator_id}」的指标")
        return rows.iloc[0]

    # --- edits ----------------------------------------------------------------------------------------
    def set_review(self, indicator_id: str, score: Any, reason: Any, tier: str | None = None) -> Override:
        """Set an indicator's review score (pending until :meth:`save`).

        Raises:
            EditError: the unit cannot be edited or the edit is invalid (see :func:`check_review`).
        """
        self._require_editable()
        row = self._base_row(indicator_id)
        tier = tier or None
        value = check_review(row["weight"], score, reason, tier)
        override = Override(self._key(indicator_id), value, str(reason).strip(), tier)
        self.pending[str(indicator_id)] = override
        self._cached = None
        return override

    def clear_review(self, indicator_id: str) -> None:
        """Back to the rule score (removes a saved override on save)."""
        self._require_editable()
        ident = str(indicator_id)
        if ident in self.saved:
            self.pending[ident] = None
        else:
            self.pending.pop(ident, None)
        self._cached = None

    def set_what_if(self, indicator_id: str, actual: str | None) -> None:
        """Try another 完成值 for an indicator (exploratory, never saved); None or "" removes it."""
        self._require_editable()
        self._base_row(indicator_id)
        if actual is None or not str(actual).strip():
            self.what_if.pop(str(indicator_id), None)
        else:
            text = str(actual).strip()
            if parse_value(text).kind == "unparsed":
                raise EditError(
                    f"完成值假设「{text}」无法识别：请填写数值（如 95%、12人）或定性结论（如 达成、是），未试算"
                )
            self.what_if[str(indicator_id)] = text
        self._cached = None

    def set_scheme(self, scheme: str | dict[str, float]) -> None:
        """Switch the weight scheme (exploratory, never saved).

        Raises:
            EditError: the scheme does not fit the table (e.g. a level 1 the scheme lacks).
        """
        self._require_editable()
        try:
            scored = self._score(scheme)
        except ParamsError as exc:
            raise EditError(f"无法切换权重方案：{exc.reason}") from None
        self.scheme = scheme
        self._cached = (self._state(), scored)

    def applicable_schemes(self) -> dict[str, str]:
        """The built-in weight schemes that can score this table (key → definition), e.g. not 财预〔2020〕10号
        on a 部门整体支出 table whose level 1 indicators it does not name."""
        fitting = {}
        for key, scheme in BUILTIN_SCHEMES.items():
            if self.evaluation is None:
                break
            try:
                self._score(key)
            except ParamsError:
                continue
            fitting[key] = scheme.label
        return fitting

    def reset(self) -> None:
        """Discard every unsaved change (edits, what-if values, scheme)."""
        self.pending.clear()
        self.what_if.clear()
        self.scheme = self.params.weight_scheme if self.editable else "table"
        self._cached = None

    def save(self) -> Path:
        """Write the pending review scores into the params file (validated first; atomic).

        Raises:
            ParamsError: invalid edits or params (nothing is written).
        """
        self._require_editable()
        if self.problem:
            raise EditError(f"参数文件中的复核调整有误，请先修正后再保存：{self.problem}")
        path = save_overrides(self.params.path, dict(self.pending), indicators=self.indicators)
        self.params = load_unit(params_path=str(path), project_dir=self.project_dir)
        self.saved = match_overrides(self.params.overrides, self.indicators, source=self.params.path)
        self.pending.clear()
        self._cached = None
        return path

    # --- computing --------------------------------------------------------------------------------------
    def recompute(self) -> ScoredUnit | None:
        """The unit scored with the current edits (None for a unit without an indicator table)."""
        if self.evaluation is None:
            return None
        state = self._state()
        if self._cached is None or self._cached[0] != state:
            self._cached = (state, self._score(self.scheme))
        return self._cached[1]

    def view(self) -> pd.DataFrame:
        """:func:`indicator_view` of the current scores."""
        scored = self.recompute()
        if scored is None:
            return pd.DataFrame()
        return indicator_view(scored.scored, self.findings, pending=set(self.pending), what_if=self.what_if)

    def _score(self, scheme: Any) -> ScoredUnit:
        evaluation = self.evaluation
        if self.what_if:
            indicators = evaluation.indicators.copy()
            ids = indicators["indicator_id"].astype(str)
            for ident, actual in self.what_if.items():
                indicators.loc[ids == ident, "actual"] = actual
            evaluation = replace(evaluation, indicators=indicators)
        settings = scoring_settings(self.params)
        if not self.editable:
            return score_evaluation(evaluation, scheme="table", bands=self.params.grade_bands, settings=settings)
        return score_evaluation(
            evaluation, scheme=scheme, bands=self.params.grade_bands, overrides=self.overrides, settings=settings
        )

    def _state(self) -> str:
        pending = {k: None if v is None else vars(v) for k, v in self.pending.items()}
        return json.dumps([pending, self.what_if, self.scheme], sort_keys=True, ensure_ascii=False)

    def _base_row(self, indicator_id: str) -> pd.Series:
        ind = self.indicators
        rows = ind[ind["indicator_id"].astype(str) == str(indicator_id)] if ind is not None else []
        if len(rows) == 0:
            raise EditError(f"指标表中没有编号为「{indicator_id}」的指标")
        return rows.iloc[0]

    def _key(self, indicator_id: str) -> str:
        saved = self.saved.get(str(indicator_id))
        return saved.indicator if saved is not None else override_key(indicator_id, self.indicators)

    def _require_editable(self) -> None:
        if not self.editable:
            what = "申报表没有分值和完成值，不计分" if self.result.declaration is not None else "该单位没有自评表"
            raise EditError(f"{what}：只有自评表的指标可以调整复核分")


def _evaluate_cached(params: UnitParams) -> tuple[UnitResult, str]:
    """evaluate_unit, cached by params and input file versions; overrides that fail validation are
    dropped and their error returned (so the panel can open and show it)."""
    key = _cache_key(params)
    if key in _EVALUATIONS:
        return _EVALUATIONS[key]
    try:
        entry = (evaluate_unit(params), "")
    except ParamsError as exc:
        if not params.overrides:
            raise
        entry = (evaluate_unit(replace(params, overrides=())), str(exc))
    if len(_EVALUATIONS) >= _CACHE_SIZE:
        _EVALUATIONS.pop(next(iter(_EVALUATIONS)))
    _EVALUATIONS[key] = entry
    return entry


def _cache_key(params: UnitParams) -> tuple:
    files = []
    for path in params.inputs.values():
        stat = path.stat()
        files.append((str(path), stat.st_mtime_ns, stat.st_size))
    return (str(params.path), json.dumps(params.to_dict(), sort_keys=True, ensure_ascii=False), tuple(files))


def clear_cache() -> None:
    """Forget the cached evaluations (tests, or after inputs changed in place within a second)."""
    _EVALUATIONS.clear()
