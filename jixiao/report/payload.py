"""JSON-ready payloads of a scored unit and of its findings (versioned schemas).

Schemas: ``jixiao/schemas/score.schema.json`` (``jixiao score --json``) and
``jixiao/schemas/findings.schema.json`` (``jixiao check --json``); documented in
``docs/JSON.md``. Raw texts are kept as given; numbers are numbers or null.
"""

from __future__ import annotations

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.jsondata import json_ready
from jixiao.core.model import TABLE_TYPES, Evaluation
from jixiao.read.readcheck import read_check

__all__ = ["SCORE_SCHEMA_VERSION", "FINDINGS_SCHEMA_VERSION", "score_payload", "findings_payload"]

SCORE_SCHEMA_VERSION = 2  # 2: per-indicator status and review range; totals review_total_low/high
FINDINGS_SCHEMA_VERSION = 1


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    cols = [c for c in columns if c in frame.columns]
    return [json_ready(r) for r in records(frame[cols])] if cols else []  # itertuples of no column: no rows


def _indicator(row: dict) -> dict:
    def parsed(prefix: str) -> dict:
        return {
            "kind": row.get(f"{prefix}_kind"),
            "op": row.get(f"{prefix}_op"),
            "number": row.get(f"{prefix}_number"),
            "unit": row.get(f"{prefix}_unit"),
        }

    return {
        "id": row.get("indicator_id"),
        "level1": row.get("level1"),
        "level2": row.get("level2"),
        "name": row.get("name"),
        "weight": row.get("weight"),
        "nature": row.get("nature") or None,
        "direction": row.get("direction") or None,
        "target": row.get("target"),
        "unit": row.get("unit") or None,
        "actual": row.get("actual"),
        "target_parsed": parsed("target"),
        "actual_parsed": parsed("actual"),
        "deviation_note": row.get("deviation_note") or None,
        "self_score": row.get("self_score"),
        "rule_text": row.get("rule_text") or None,
        "rule": row.get("rule"),
        "rule_label": row.get("rule_label"),
        "rule_source": row.get("rule_source"),
        "met": row.get("met"),
        "rule_score": row.get("rule_score"),
        "explanation": row.get("explanation"),
        "review_score": row.get("review_score"),
        "review_note": row.get("review_note") or None,
        "status": row.get("status") or None,
        "status_reason": row.get("status_reason") or None,
        "review_low": row.get("review_low"),
        "review_high": row.get("review_high"),
        "source_row": row.get("source_row"),
    }


def score_payload(
    evaluation: Evaluation,
    scored: pd.DataFrame,
    level1: pd.DataFrame,
    totals: dict,
    budget: pd.DataFrame | None = None,
) -> dict:
    """The ``jixiao score --json`` document of one unit."""
    budget = evaluation.budget if budget is None else budget
    unit = evaluation.unit
    indicators = [_indicator(r) for r in _records(scored, list(scored.columns))]
    return json_ready(
        {
            "schema": "jixiao.score",
            "schema_version": SCORE_SCHEMA_VERSION,
            "unit": {
                "name": unit.name,
                "department": unit.department,
                "year": unit.year,
                "period": unit.period,
                "table_type": unit.table_type,
                "table_type_label": TABLE_TYPES.get(unit.table_type, ""),
            },
            "source": {
                "path": evaluation.source.path,
                "sheet": evaluation.source.sheet,
                "sha256": evaluation.source.sha256,
                "layout": evaluation.source.layout,
            },
            "budget": _records(budget, list(budget.columns)),
            "indicators": indicators,
            "level1": _records(level1, list(level1.columns)),
            "totals": totals,
            "reader_notes": _records(evaluation.notes, list(evaluation.notes.columns)),
            "read_check": read_check(evaluation),
        }
    )


def findings_payload(findings: pd.DataFrame, *, inputs: dict[str, str] | None = None) -> dict:
    """The ``jixiao check --json`` document."""
    counts = findings["severity"].value_counts().to_dict() if not findings.empty else {}
    return json_ready(
        {
            "schema": "jixiao.findings",
            "schema_version": FINDINGS_SCHEMA_VERSION,
            "inputs": inputs or {},
            "counts": {s: int(counts.get(s, 0)) for s in ("错误", "警告", "提示")},
            "findings": _records(findings, list(findings.columns)),
        }
    )
