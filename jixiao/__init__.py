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
    "load_evaluation": "readers",
    "read_report": "report_reader",
    "parse_value": "parse",
    # score
    "score_indicators": "scoring",
    "score_budget": "scoring",
    "ScoringSettings": "scoring",
    "aggregate_scores": "aggregate",
    "GradeBands": "aggregate",
    "get_scheme": "weights",
    "allocate_weights": "weights",
    "list_rules": "rules",
    # review
    "review": "review",
    "ReviewSettings": "review",
    "summarize_findings": "review",
    "check_report": "checks_report",
    "report_confirmations": "checks_report",
    "compare_declaration": "checks_declaration",
    "catalogue": "findings",
    # units
    "score_evaluation": "pipeline",
    "score_file": "pipeline",
    "evaluate_unit": "pipeline",
    "load_params": "params",
    "run_units": "runner",
    "load_portfolio": "portfolio",
    # model and errors
    "Evaluation": "model",
    "ParsedValue": "values",
    "JixiaoError": "errors",
    "InputFileError": "errors",
    "ParamsError": "errors",
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
