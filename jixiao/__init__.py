"""jixiao (绩效): read, score and review budget performance self-evaluations.

The stage functions, in data-flow order, are re-exported here; they are imported
lazily so that ``import jixiao`` stays cheap (the CLI and kernels start fast).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # read
    "load_evaluation": "read.files",
    "read_report": "read.narrative_report",
    "parse_value": "parse.values",
    # score
    "score_indicators": "score.scoring",
    "score_budget": "score.scoring",
    "ScoringSettings": "score.scoring",
    "aggregate_scores": "score.aggregate",
    "GradeBands": "score.aggregate",
    "get_scheme": "score.weights",
    "allocate_weights": "score.weights",
    "list_rules": "score.rules.registry",
    # review
    "review": "review.review",
    "ReviewSettings": "review.review",
    "summarize_findings": "review.review",
    "check_report": "review.narrative_report",
    "report_confirmations": "review.narrative_report",
    "compare_declaration": "review.declaration",
    "catalogue": "review.catalogue",
    # units and projects
    "score_evaluation": "run.evaluate",
    "score_file": "run.evaluate",
    "evaluate_unit": "run.evaluate",
    "load_params": "run.params",
    "load_unit": "run.params",
    "find_project": "run.project",
    "init_project": "run.scaffold",
    "run_units": "run.runner",
    "load_portfolio": "run.portfolio",
    # model and errors
    "Evaluation": "core.model",
    "ParsedValue": "core.parsed_value",
    "JixiaoError": "core.errors",
    "InputFileError": "core.errors",
    "ParamsError": "core.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jixiao' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
