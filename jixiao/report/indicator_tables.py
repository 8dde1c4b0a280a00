"""The tables of section 四: each level 1's indicator scores (self-evaluation), its targets
(declaration) and the report's targets and achievements (self-evaluation report alone)."""

from __future__ import annotations

from typing import Any

from jixiao.core.frames import records
from jixiao.core.status import PENDING, reason_label
from jixiao.report import narrative
from jixiao.report.conclusion import cited_rows
from jixiao.report.facts import TOL, findings_of, num, report_target_facts
from jixiao.report.html import Col, table
from jixiao.report.wording import join_words

__all__ = ["indicator_table", "report_tables", "target_table"]


def indicator_table(result: Any, part: narrative.Level1Text) -> str:
    """The level 1's indicators with self and review scores (range while pending) and the scoring note."""
    scored = result.self_eval.scored
    rows = []
    for r in records(scored[scored["indicator_id"].isin(part.indicator_ids)]):
        weight, own, review = num(r["weight"]), num(r["self_score"]), num(r["review_score"])
        rows.append(
            dict(
                r,
                diff=None if own is None or review is None else review - own,
                lost=r.get("status") != PENDING and weight is not None and (review is None or weight - review >= TOL),
                review_span=(r.get("review_low", review), r.get("review_high", review)),
                explanation=_pending_note(r) + str(r.get("explanation") or ""),
            )
        )
    columns = [
        Col("level2", "二级指标", group=True),
        Col("name", "三级指标"),
        Col("weight", "分值", "score"),
        Col("target", "指标值", cls="val"),
        Col("actual", "完成值", cls="val"),
        Col("self_score", "自评分", "score"),
        Col("review_span", "复核分", "span", cls="review"),
        Col("diff", "差异", "diff"),
        Col("explanation", "计分说明", cls="note"),
    ]
    marks = lambda r: "pending" if r.get("status") == PENDING else "lost" if r["lost"] else ""  # noqa: E731
    return table(rows, columns, join_words(part.name, "指标计分"), row_class=marks)


def _pending_note(row: dict) -> str:
    """ "待核实（reason）：" before a pending indicator's explanation; "" otherwise."""
    if row.get("status") != PENDING:
        return ""
    label = reason_label(row.get("status_reason"))
    return f"待核实（{label}）：" if label else "待核实："


def target_table(result: Any, part: narrative.Level1Text) -> str:
    """The level 1's declared targets with the review opinion of each."""
    ind = result.declaration.evaluation.indicators
    notes = _finding_titles(result)
    mine = ind[ind["indicator_id"].isin(part.indicator_ids)]
    rows = [dict(r, review=notes.get(r["indicator_id"], "")) for r in records(mine)]
    columns = [
        Col("level2", "二级指标", group=True),
        Col("name", "三级指标"),
        Col("nature", "性质"),
        Col("direction", "方向"),
        Col("target", "指标值"),
        Col("unit", "计量单位"),
        Col("rule_text", "评（扣）分标准", cls="note"),
        Col("review", "审核意见", cls="note"),
    ]
    if cited_rows(mine):  # rows that set their standard by citing a regulation show it
        columns.insert(5, Col("definition", "指标解释", cls="note"))
    return table(rows, columns, f"{part.name}绩效目标", row_class=lambda r: "flagged" if r["review"] else "")


def report_tables(result: Any) -> str:
    """A report alone: its achievements checked against its targets, then the targets it lists."""
    facts = report_target_facts(result.report, result.confirmations)
    states = {(True, True): "达到目标", (False, True): "未达到目标"}
    rows = [dict(a, state=states.get((a["met"], a["matched"]), "无对应目标")) for a in facts["achievements"]]
    achieved = table(
        rows,
        [
            Col("name", "指标"),
            Col("actual", "实现值"),
            Col("target_name", "对应目标"),
            Col("target", "目标值"),
            Col("state", "核对结果"),
        ],
        "报告所列实现值与目标核对",
        row_class=lambda r: "" if r["met"] else "flagged",
    )
    targets = result.report.targets
    notes = _finding_titles(result)
    target_rows = [dict(r, review=notes.get(r["target_id"], "")) for r in records(targets)]
    columns = [
        Col("level2", "类别", group=True),
        Col("name", "绩效目标"),
        Col("target", "指标值"),
        Col("nature", "性质"),
        Col("line", "报告行号", "int"),
        Col("review", "审核意见", cls="note"),
    ]
    listed = table(target_rows, columns, "报告列示的绩效目标", row_class=lambda r: "flagged" if r["review"] else "")
    return achieved + listed


def _finding_titles(result: Any) -> dict[str, str]:
    found = findings_of(result)
    out: dict[str, list[str]] = {}
    for indicator_id, message in zip(found.get("indicator_id", []), found.get("message", [])):
        if indicator_id:
            out.setdefault(indicator_id, []).append(str(message))
    return {k: "；".join(v) for k, v in out.items()}
