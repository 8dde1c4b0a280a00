"""Facts the narrative cites, computed from a unit's tables (pure; no wording here).

Split from :mod:`jixiao.report.narrative` so that the numbers (what lost points, which budget
line leads, how findings group) can be tested apart from the sentences that carry them.
Rows are plain dicts with floats or None, never NaN, so templates can test them simply.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.memo import memoized
from jixiao.core.model import TABLE_TYPES
from jixiao.core.status import PENDING, reason_label
from jixiao.core.vocab import DEFAULT_TOLERANCES, INPUT_KINDS, SEVERITIES
from jixiao.parse.wordlists import cites_regulation
from jixiao.report.findinggroups import NAME_IN_WHERE as _NAME_IN_WHERE
from jixiao.report.findinggroups import finding_groups
from jixiao.review.catalogue import reader_note_codes

__all__ = [
    "TOL",
    "VAGUE_CODES",
    "num",
    "unit_kind",
    "findings_of",
    "reader_notes_of",
    "severity_counts",
    "tolerances",
    "total_diff",
    "level1_rows",
    "declaration_facts",
    "material_names",
    "budget_lines",
    "headline_line",
    "indicator_states",
    "level1_facts",
    "finding_groups",
    "report_target_facts",
]

#: Points below this are rounding noise, not a deduction or a difference.
TOL = 0.005
#: Finding codes that mark a target as not measurable (missing, vague, or a report target without a value).
VAGUE_CODES = ("C01", "C03", "R32")
_HEADLINE_ORDER = ("合计", "财政拨款")


def num(value: object) -> float | None:
    """A float, or None for blanks, NaN, NA and text."""
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) or math.isinf(x) else x


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    return "" if text in ("<NA>", "nan", "None") else text.strip()


# --- the unit ------------------------------------------------------------------------------------
def unit_kind(result: Any) -> str:
    """What the report is about: "self" (scored table), "declaration", "report" or "none"."""
    if result.self_eval is not None:
        return "self"
    if result.declaration is not None:
        return "declaration"
    return "report" if result.report is not None else "none"


def findings_of(result: Any) -> pd.DataFrame:
    """The unit's findings for the client report (empty when there is none).

    Reader notes (codes A30–A39: shifted rows, guessed cells) are left out: they describe how the
    file was read, not the unit's performance, and go to the analyst's 读取说明 (:func:`reader_notes_of`).
    Computed once per findings table (every section asks): treat it as read-only.
    """
    found = result.findings
    if found is None or found.empty or "code" not in found.columns:
        return found if found is not None else pd.DataFrame()
    return memoized(
        result, "findings_of", (found,), lambda: found[~found["code"].isin(reader_note_codes())].reset_index(drop=True)
    )


def reader_notes_of(result: Any) -> pd.DataFrame:
    """The unit's reader-note findings (A30–A39), for the analyst outputs only."""
    found = result.findings
    if found is None or found.empty or "code" not in found.columns:
        return pd.DataFrame()
    return found[found["code"].isin(reader_note_codes())].reset_index(drop=True)


def severity_counts(result: Any) -> dict[str, int]:
    """Findings per severity, every severity present (0 when none)."""
    found = findings_of(result)
    counts = Counter(found["severity"].tolist()) if not found.empty else Counter()
    return {s: counts[s] for s in SEVERITIES}


def tolerances(result: Any) -> dict[str, float]:
    """The unit's check tolerances (score points, money, rate points) from its params."""
    tol = (result.params or {}).get("tolerances") or {}
    defaults = vars(DEFAULT_TOLERANCES)
    return {k: float(tol.get(k, v)) for k, v in defaults.items()}


def total_diff(totals: dict) -> float | None:
    """Review total minus the unit's own total, None when either is missing."""
    review, reported = num(totals.get("review_total")), num(totals.get("reported_total"))
    return None if review is None or reported is None else review - reported


def level1_rows(unit: Any) -> list[dict]:
    """Level-1 rows of a scored table as dicts: name, own, review, weight, declared, rate, self_rate, diff."""
    rows = []
    for r in unit.level1.itertuples(index=False):
        rows.append(
            {
                "name": r.name,
                "own": num(r.self_score_sum),
                "review": num(r.review_score_sum),
                "weight": num(r.weight_sum),
                "declared": num(r.declared_weight),
                "rate": num(r.review_rate),
                "self_rate": num(r.self_rate),
                "review_high": num(getattr(r, "review_high_sum", r.review_score_sum)),
                "rate_high": num(getattr(r, "review_rate_high", r.review_rate)),
                "pending": int(num(getattr(r, "pending_count", 0)) or 0),
            }
        )
        review, own = rows[-1]["review"], rows[-1]["own"]
        rows[-1]["diff"] = None if review is None or own is None or rows[-1]["pending"] else review - own
    return rows


def declaration_facts(result: Any) -> dict[str, Any]:
    """Counts of a declaration's targets: per level 1, 定量/定性, measurable or not (C01/C03/R32 findings).

    Computed once per unit (the summary, 评价结论 and the cover ask): treat it as read-only.
    """
    unit = result.declaration
    parts = (unit, unit.evaluation, unit.evaluation.indicators, result.findings)
    return memoized(result, "declaration_facts", parts, lambda: _declaration_facts(result))


def _declaration_facts(result: Any) -> dict[str, Any]:
    ind = result.declaration.evaluation.indicators
    found = findings_of(result)
    vague_ids = set(found.loc[found["code"].isin(VAGUE_CODES), "indicator_id"]) if not found.empty else set()
    by_level1 = [(name, int((ind["level1"] == name).sum())) for name in pd.unique(ind["level1"])]
    nature = ind["nature"].fillna("").astype(str)
    cited = ind["target"].fillna("").astype(str).str.strip().eq("") & ind["definition"].fillna("").astype(str).map(
        cites_regulation
    )
    n_cited = int(cited.sum())
    n = len(ind) - n_cited  # rows with a target of their own (投入管理 rows citing a regulation have none)
    return {
        "n_cited": n_cited,
        "n_with_target": n,
        "by_level1": by_level1,
        "n_level2": int(ind[["level1", "level2"]].drop_duplicates().shape[0]),
        "n_quant": int((nature == "定量").sum()),
        "n_qual": int((nature == "定性").sum()),
        "n_vague": len(vague_ids),
        "n_measurable": n - len(vague_ids),
        "share_measurable": (n - len(vague_ids)) / n * 100 if n else None,
        "share_vague": len(vague_ids) / n * 100 if n else None,
    }


# --- materials ---------------------------------------------------------------------------------
def material_names(result: Any) -> list[str]:
    """《table type》（file name）for each input the unit's params name, in INPUT_KINDS order."""
    inputs = (result.params or {}).get("inputs") or {}
    names = []
    for kind in INPUT_KINDS:
        if kind not in inputs:
            continue
        unit = {"self_evaluation": result.self_eval, "declaration": result.declaration}.get(kind)
        table_type = unit.evaluation.unit.table_type if unit is not None else ("report" if kind == "report" else "")
        title = TABLE_TYPES.get(table_type, INPUT_KINDS[kind]) if table_type != "tidy" else INPUT_KINDS[kind]
        names.append(f"《{title}》（{Path(str(inputs[kind])).name}）")
    return names


# --- budget ------------------------------------------------------------------------------------
def budget_lines(result: Any, rate_tolerance: float = DEFAULT_TOLERANCES.rate) -> list[dict]:
    """The budget lines of the main table (or of the report), as dicts.

    Keys: name, group, budget, spent, rate (recomputed), reported_rate, initial, unit,
    rate_mismatch (printed vs recomputed rate beyond ``rate_tolerance`` points),
    adjust / adjust_pct (全年 − 年初, and in % of 年初, when both are given), source.
    """
    main = result.main
    if main is not None and not main.budget.empty:
        frame, source = main.budget, ("declaration" if main is result.declaration else "table")
    elif result.report is not None and not result.report.budget.empty:
        frame, source = result.report.budget, "report"
    else:
        return []
    lines = []
    for r in records(frame):
        budget, spent, initial = num(r.get("budget")), num(r.get("spent")), num(r.get("initial_budget"))
        rate, reported = num(r.get("rate")), num(r.get("reported_rate"))
        adjust = None if budget is None or initial is None else budget - initial
        lines.append(
            {
                "name": _text(r.get("name")),
                "group": _text(r.get("group")),
                "budget": budget,
                "spent": spent,
                "rate": rate,
                "reported_rate": reported,
                "initial": initial,
                "unit": _text(r.get("money_unit")) or "元",
                "rate_mismatch": rate is not None
                and reported is not None
                and abs(rate - reported) > rate_tolerance + 1e-9,
                "adjust": adjust,
                "adjust_pct": None if adjust is None or not initial else adjust / initial * 100,
                "source": source,
            }
        )
    return lines


def headline_line(lines: list[dict]) -> dict | None:
    """The line a summary quotes: 合计, else 财政拨款, else the first line with a budget."""
    for name in _HEADLINE_ORDER:
        for line in lines:
            if line["name"] == name and line["budget"] is not None:
                return line
    return next((ln for ln in lines if ln["budget"] is not None), None)


# --- indicators --------------------------------------------------------------------------------
def _indicator_row(r: dict) -> dict:
    weight, self_score, review = num(r.get("weight")), num(r.get("self_score")), num(r.get("review_score"))
    return {
        "id": _text(r.get("indicator_id")),
        "name": _text(r.get("name")),
        "level1": _text(r.get("level1")),
        "level2": _text(r.get("level2")),
        "weight": weight,
        "own": self_score,
        "review": review,
        "lost": None if weight is None or review is None else max(0.0, weight - review),
        "diff": None if self_score is None or review is None else review - self_score,
        "explanation": _text(r.get("explanation")),
        "note": _text(r.get("review_note")),
        "deviation": _text(r.get("deviation_note")),
        "target": _text(r.get("target")),
        "actual": _text(r.get("actual")),
        "met": r.get("met") if r.get("met") in (True, False) else None,
        "status": _text(r.get("status")),
        "reason": _text(r.get("status_reason")),
        "reason_label": reason_label(r.get("status_reason")),
        "low": num(r.get("review_low")),
        "high": num(r.get("review_high")),
    }


def indicator_states(scored: pd.DataFrame) -> dict[str, Any]:
    """Indicators by outcome: full marks, lost points, overridden, unscored; self vs review differences.

    Returns a dict with lists of indicator dicts (``full``, ``lost``, ``overridden``,
    ``overridden_lost``, ``unscored``, ``pending`` (待核实, counted as a range), ``diffs``) and counts
    (``n``, ``met``, ``unmet``, ``undecided``, ``n_full``) and point sums (``lost_points``,
    ``unscored_points``, ``overridden_points``, ``pending_points`` / ``pending_low`` / ``pending_high``). ``lost`` excludes indicators whose review score the evaluator set.
    """
    rows = [_indicator_row(r) for r in records(scored)]
    pending = [r for r in rows if r["status"] == PENDING]
    unscored = [r for r in rows if r["review"] is None and r["weight"] is not None and r["status"] != PENDING]
    overridden = [r for r in rows if r["note"]]
    lost = [r for r in rows if r["lost"] is not None and r["lost"] >= TOL and not r["note"]]
    overridden_lost = [r for r in overridden if r["lost"] is not None and r["lost"] >= TOL]
    full = [r for r in rows if r["lost"] is not None and r["lost"] < TOL]
    diffs = [r for r in rows if r["diff"] is not None and abs(r["diff"]) >= TOL]
    return {
        "n": len(rows),
        "full": full,
        "n_full": len(full),
        "lost": lost,
        "overridden": overridden,
        "overridden_lost": overridden_lost,
        "unscored": unscored,
        "pending": pending,
        "pending_points": sum(r["weight"] for r in pending if r["weight"] is not None),
        "pending_low": sum(r["low"] or 0.0 for r in pending),
        "pending_high": sum(r["high"] or 0.0 for r in pending),
        "diffs": diffs,
        "met": sum(r["met"] is True for r in rows),
        "unmet": sum(r["met"] is False for r in rows),
        "undecided": sum(r["met"] is None for r in rows),
        "lost_points": sum(r["lost"] for r in lost),
        "overridden_points": sum(r["lost"] for r in overridden_lost),
        "unscored_points": sum(r["weight"] for r in unscored),
        "weight_sum": sum(r["weight"] for r in rows if r["weight"] is not None),
    }


def level1_facts(unit: Any, findings: pd.DataFrame, codes: pd.DataFrame | None = None) -> list[dict]:
    """Per level-1 row of ``unit.level1`` that has indicators: counts, sums, rate and :func:`indicator_states`."""
    scored = unit.scored
    out = []
    for r in unit.level1.itertuples(index=False):
        part = scored[scored["level1"].astype(str) == str(r.name)]
        if part.empty:  # the budget-execution row added by the aggregation
            continue
        ids = [str(i) for i in part["indicator_id"]]
        mine = findings[findings["indicator_id"].isin(ids)] if not findings.empty else findings
        out.append(
            {
                "name": str(r.name),
                "ids": ids,
                "n": len(part),
                "level2": [(l2, int((part["level2"] == l2).sum())) for l2 in pd.unique(part["level2"]) if _text(l2)],
                "weight": num(r.weight_sum),
                "declared": num(r.declared_weight),
                "own": num(r.self_score_sum),
                "review": num(r.review_score_sum),
                "rate": num(r.review_rate),
                "self_rate": num(r.self_rate),
                "review_high": num(getattr(r, "review_high_sum", r.review_score_sum)),
                "rate_high": num(getattr(r, "review_rate_high", r.review_rate)),
                "states": indicator_states(part),
                "n_findings": len(mine),
                "codes": [(g["code"], g["title"], g["count"]) for g in finding_groups(mine, codes)],
            }
        )
    return out


# --- report ------------------------------------------------------------------------------------
def report_target_facts(report: Any, confirmations: pd.DataFrame | None) -> dict[str, Any]:
    """Targets and achievements a narrative report lists, with what was confirmed as met.

    Computed once per report and confirmations (most sections ask): treat it as read-only.
    """
    parts = (report.targets, report.achievements, report.as_of_dates, report.reported_total, report.reported_grade)
    return memoized(
        report, "report_target_facts", (*parts, confirmations), lambda: _report_target_facts(report, confirmations)
    )


def _report_target_facts(report: Any, confirmations: pd.DataFrame | None) -> dict[str, Any]:
    targets, achieved = report.targets, report.achievements
    kinds = targets["target_kind"].fillna("").astype(str) if not targets.empty else pd.Series(dtype=str)
    met_names = set()
    if confirmations is not None and not confirmations.empty:
        for where in confirmations.loc[confirmations["code"] == "R21", "where"].astype(str):
            m = _NAME_IN_WHERE.search(where)
            if m:
                met_names.add(m.group(1))
    rows = []
    for r in records(achieved) if not achieved.empty else []:
        target_name = _text(r.get("target_name"))
        rows.append(
            {
                "name": _text(r.get("name")),
                "actual": _text(r.get("actual")),
                "target": _text(r.get("target")),
                "target_name": target_name,
                "matched": bool(target_name),
                "met": _text(r.get("name")) in met_names,
            }
        )
    return {
        "n_targets": len(targets),
        "by_level2": [(l2, int((targets["level2"] == l2).sum())) for l2 in pd.unique(targets["level2"])]
        if not targets.empty
        else [],
        "n_targets_quant": int((targets["nature"] == "定量").sum()) if not targets.empty else 0,
        "n_targets_empty": int((kinds == "empty").sum()),
        "achievements": rows,
        "n_matched": sum(r["matched"] for r in rows),
        "n_met": sum(r["met"] for r in rows),
        "as_of": [f"{d.year}年{d.month}月{d.day}日" for d in sorted({a.date for a in report.as_of_dates})],
        "reported_total": num(report.reported_total),
        "reported_grade": report.reported_grade or "",
    }
