"""One unit from inputs to result: read, score, aggregate, review (the notebooks' entry).

``score_evaluation`` is the pure chain for one table; ``evaluate_unit`` runs it for
every input a unit's params name and collects the findings. Only readers touch disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jixiao.core.model import Evaluation

__all__ = [
    "ScoredUnit",
    "UnitResult",
    "score_evaluation",
    "score_file",
    "evaluate_unit",
    "scoring_settings",
    "RESULT_SCHEMA_VERSION",
]

RESULT_SCHEMA_VERSION = 2  # 2: indicator status and review range, totals review_total_low/high


@dataclass
class ScoredUnit:
    """A table after scoring and aggregation."""

    evaluation: Evaluation
    scored: pd.DataFrame  # INDICATOR_COLUMNS + SCORED_COLUMNS
    budget: pd.DataFrame  # BUDGET_COLUMNS (+ rule_score/explanation when a line carries a weight)
    level1: pd.DataFrame  # LEVEL1_COLUMNS
    level2: pd.DataFrame
    totals: dict  # TOTAL_KEYS
    scheme: str = "table"
    _payload: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def payload(self) -> dict:
        """The ``jixiao score --json`` document (a fresh copy each call).

        Built once per unit: a report asks for it many times (cover, 评价结论, 附件, result.json).
        It is rebuilt when a frame is replaced or the totals change.
        """
        from jixiao.report.payload import score_payload

        frames, totals = (self.evaluation, self.scored, self.level1, self.budget), dict(self.totals)
        cached = self._payload
        if cached is None or cached[1] != totals or any(a is not b for a, b in zip(cached[0], frames, strict=True)):
            doc = score_payload(self.evaluation, self.scored, self.level1, self.totals, self.budget)
            self._payload = (frames, totals, json.dumps(doc, ensure_ascii=False, allow_nan=False))
        return json.loads(self._payload[2])  # plain JSON data: the copy is exact


def _scheme(scheme: Any):
    from jixiao.score.weights import get_scheme

    return get_scheme(scheme)


def score_evaluation(
    evaluation: Evaluation,
    *,
    scheme: Any = "table",
    bands: dict[str, float] | None = None,
    overrides: dict | None = None,
    settings: Any = None,
    report: Any = None,
) -> ScoredUnit:
    """Score every indicator, the budget line(s) and aggregate (pure).

    Args:
        evaluation: a unit's table as read.
        scheme: "table", "caiyu_2020_10" or a {一级指标: 权重} dict.
        bands: grade lower bounds, e.g. {"优": 90, "良": 80, "中": 60}.
        overrides: {indicator_id or name: Override} from the unit's params.
        settings: scoring.ScoringSettings.
        report: the unit's self-evaluation report, if any: its problem chapters count as the unit's words.
    """
    from dataclasses import replace

    from jixiao.core.status import SURVEY_TEXT_RE
    from jixiao.parse.shortfall import shortfall_texts
    from jixiao.score.aggregate import GradeBands, aggregate_scores
    from jixiao.score.scoring import ScoringSettings, score_budget, score_indicators
    from jixiao.score.structure import repair_structure

    texts = " ".join(str(v) for v in evaluation.texts.values())
    settings = settings or ScoringSettings()
    if not settings.survey_in_texts and SURVEY_TEXT_RE.search(texts):
        settings = replace(settings, survey_in_texts=True)  # the unit's texts describe a satisfaction survey
    if not settings.unit_texts:  # the unit's own words about its shortfalls (parse.shortfall)
        settings = replace(settings, unit_texts=shortfall_texts(evaluation.texts, report))
    evaluation = repair_structure(evaluation)  # level 1 as the declared weights prove it (DOMAIN §4.4)
    scored = score_indicators(evaluation.indicators, settings=settings, overrides=overrides, year=evaluation.unit.year)
    scheme_obj = _scheme(scheme)
    budget = score_budget(evaluation.budget, weight=scheme_obj.budget_weight or None)
    has_budget_score = "rule_score" in budget.columns and budget["rule_score"].notna().any()
    grade_bands = GradeBands.from_mapping(bands) if bands else GradeBands()
    agg = aggregate_scores(
        scored,
        scheme=scheme_obj,
        bands=grade_bands,
        reported_total=evaluation.reported_total,
        budget_score=budget if has_budget_score else None,
    )
    return ScoredUnit(evaluation, scored, budget, agg.level1, agg.level2, agg.totals, scheme_obj.name)


def score_file(path: str | Path, *, scheme: Any = "table", bands: dict[str, float] | None = None) -> ScoredUnit:
    """Read a table and score it (used by ``jixiao score``)."""
    from jixiao.read.files import load_evaluation

    return score_evaluation(load_evaluation(path), scheme=scheme, bands=bands)


@dataclass
class UnitResult:
    """Everything the per-unit notebook shows and the runner writes to result.json."""

    unit_id: str
    unit_name: str
    year: int | None
    evaluator: str
    self_eval: ScoredUnit | None = None
    declaration: ScoredUnit | None = None
    report: Any = None  # report_reader.NarrativeReport
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    confirmations: pd.DataFrame = field(default_factory=pd.DataFrame)
    params: dict = field(default_factory=dict)

    @property
    def main(self) -> ScoredUnit | None:
        """The table the evaluation is about: the self-evaluation, else the declaration."""
        return self.self_eval or self.declaration

    @property
    def total(self) -> float | None:
        """Review total (复核总分), None when nothing was scored."""
        if self.self_eval is None:
            return None
        return self.self_eval.totals.get("review_total")

    @property
    def grade(self) -> str:
        if self.self_eval is None:
            return ""
        return self.self_eval.totals.get("grade") or ""

    def _totals(self) -> dict:
        if self.self_eval is not None:
            return dict(self.self_eval.totals)
        from jixiao.core.model import TOTAL_KEYS

        totals = {k: None for k in TOTAL_KEYS}
        if self.declaration is not None:
            totals["weight_sum"] = self.declaration.totals.get("weight_sum")
        return totals

    def to_dict(self) -> dict:
        """JSON-able result (see ``jixiao/schemas/result.schema.json``)."""
        from jixiao.core.frames import records
        from jixiao.core.jsondata import json_ready

        def scored_part(unit: ScoredUnit | None) -> dict | None:
            return None if unit is None else unit.payload()

        counts = self.findings["severity"].value_counts().to_dict() if not self.findings.empty else {}
        main = self.main
        main_payload = main.payload() if main is not None else {"budget": [], "indicators": [], "level1": []}
        return json_ready(
            {
                "schema_version": RESULT_SCHEMA_VERSION,
                "unit": {
                    "id": self.unit_id,
                    "name": self.unit_name,
                    "year": self.year,
                    "evaluator": self.evaluator,
                    "inputs": sorted(
                        k
                        for k, v in (
                            ("self_evaluation", self.self_eval),
                            ("declaration", self.declaration),
                            ("report", self.report),
                        )
                        if v is not None
                    ),
                },
                "budget": main_payload["budget"],
                "indicators": main_payload["indicators"],
                "level1": main_payload["level1"],
                "totals": self._totals(),
                "findings": records(self.findings) if not self.findings.empty else [],
                "finding_counts": {s: int(counts.get(s, 0)) for s in ("错误", "警告", "提示")},
                "self_evaluation": main_payload if main is self.self_eval and main else scored_part(self.self_eval),
                "declaration": main_payload if main is self.declaration and main else scored_part(self.declaration),
            }
        )


def scoring_settings(params: Any) -> Any:
    """The scoring settings a unit's params give: evidence recorded in params (佐证材料) and whether it resolves a 待核实."""
    from jixiao.score.scoring import ScoringSettings

    return ScoringSettings(
        evidence=frozenset(getattr(params, "evidence", None) or {}),
        evidence_resolves_pending=getattr(params, "evidence_resolves_pending", True),
    )


def evaluate_unit(params: Any) -> UnitResult:
    """Run every input of a unit (params.UnitParams) through the chain and review it."""
    from jixiao.read.files import load_evaluation
    from jixiao.review.review import ReviewSettings, review
    from jixiao.score.overrides import match_overrides, validate_overrides

    result = UnitResult(
        unit_id=params.unit_id,
        unit_name=params.display_name,
        year=params.year,
        evaluator=params.evaluator,
        params=params.to_dict(),
    )
    if params.report is not None:  # read first: its problem chapters are the unit's words on shortfalls
        from jixiao.read.narrative_report import read_report

        result.report = read_report(params.report)
    declaration_eval = None
    if params.declaration is not None:
        declaration_eval = load_evaluation(params.declaration)
        result.declaration = score_evaluation(declaration_eval, scheme="table", bands=params.grade_bands)
    if params.self_evaluation is not None:
        evaluation = load_evaluation(params.self_evaluation)
        validate_overrides(params.overrides, evaluation.indicators, source=params.path)
        overrides = match_overrides(params.overrides, evaluation.indicators, source=params.path)
        result.self_eval = score_evaluation(
            evaluation,
            scheme=params.weight_scheme,
            bands=params.grade_bands,
            overrides=overrides,
            settings=scoring_settings(params),
            report=result.report,
        )
    main = result.self_eval or result.declaration
    result.findings = review(
        main.evaluation if main else None,
        scored=main.scored if main else None,
        declaration=declaration_eval if result.self_eval is not None else None,
        report=result.report,
        settings=ReviewSettings.from_tolerances(params.tolerances),
    )
    if result.report is not None:
        from jixiao.review.narrative_report import report_confirmations

        result.confirmations = report_confirmations(result.report)
    return result
