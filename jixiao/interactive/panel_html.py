"""The HTML the review panel draws: the indicator table and one indicator's detail, escaped."""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from jixiao.core.status import PENDING, PENDING_REASONS, reason_label
from jixiao.core.textnorm import to_number

__all__ = [
    "PANEL_COLUMNS",
    "escape",
    "points",
    "review_text",
    "indicator_table_html",
    "detail_html",
    "scheme_definitions_html",
]

#: Columns of the panel's indicator table.
PANEL_COLUMNS = [
    "编号",
    "一级指标",
    "三级指标",
    "分值",
    "指标值",
    "完成值",
    "自评分",
    "规则分",
    "计分说明",
    "复核分",
    "调整理由",
    "复核发现",
]


def escape(value: object) -> str:
    """A cell value as escaped HTML; "" for blanks."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value))


def points(value: object) -> str:
    """Points with 2 decimals; "—" when missing."""
    x = to_number(value) if not isinstance(value, (int, float)) else float(value)
    return "—" if x is None or math.isnan(x) else f"{x:.2f}"


def review_text(row: dict) -> str:
    """The review score, or "待核实 low–high" while the indicator is pending."""
    if row.get("status") == PENDING:
        return f"待核实 {points(row.get('review_low'))}–{points(row.get('review_high'))}"
    return points(row.get("review_score"))


def evidence_needed(row: dict) -> str:
    """What evidence resolves a 待核实 indicator ("" when it is not pending)."""
    if row.get("status") != PENDING:
        return ""
    reason = PENDING_REASONS.get(str(row.get("status_reason") or ""))
    return reason.evidence if reason else ""


def indicator_table_html(view: pd.DataFrame) -> str:
    """The indicator table of the panel as escaped HTML (rows from ``ReviewSession.view``)."""
    if view.empty:
        return "<p>没有符合筛选条件的指标。</p>"
    head = "".join(f"<th style='position:sticky;top:0;background:#F3F4F6'>{c}</th>" for c in PANEL_COLUMNS)
    rows = []
    for r in view.to_dict("records"):
        style = "background:#FFF7D6" if r["pending"] else ""
        actual = escape(r["actual"]) + (" <i style='color:#1D4ED8'>（假设）</i>" if r["what_if"] else "")
        lost = "color:#B91C1C;font-weight:bold" if r["lost"] else ""
        tips = escape("\n".join(f"{c}（{s}）{m}" for c, s, m in r["finding_messages"]))
        cells = [
            escape(r["indicator_id"]),
            escape(r["level1"]),
            escape(r["name"]) + (" <small>〔定性〕</small>" if r["qualitative"] else ""),
            points(r["weight"]),
            escape(r["target"]),
            actual,
            points(r["self_score"]),
            points(r["rule_score"]),
            f"<small>{escape(r['explanation'])}</small>",
            f"<span style='{lost}'>{review_text(r)}</span>"
            + (f"<br><small>需：{escape(evidence_needed(r))}</small>" if evidence_needed(r) else ""),
            f"<small>{escape(r['review_note'])}</small>",
            f"<span title='{tips}'>{escape(r['findings'])}</span>",
        ]
        rows.append(f"<tr style='{style}'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        "<div style='max-height:420px;overflow:auto'><table style='border-collapse:collapse;font-size:12px' border='1'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def detail_html(row: dict, override: Any, what_if: str) -> str:
    """The detail box of one indicator: values, rule explanation, review score and its findings."""
    kind = "定性指标：可选择档次（达成 / 部分达成 / 未达成）" if row["qualitative"] else "定量指标"
    lines = [
        f"<b>{escape(row['indicator_id'])} {escape(row['name'])}</b>（{escape(row['level1'])} / {escape(row['level2'])}；{kind}）",
        f"分值 {points(row['weight'])}　指标值「{escape(row['target'])}」　完成值「{escape(row['actual'])}」"
        + ("（假设，原为表内值）" if what_if else ""),
        f"自评分 {points(row['self_score'])}　规则分 {points(row['rule_score'])}（{escape(row['rule_label'])}）："
        f"{escape(row['explanation'])}",
        f"复核分 {review_text(row)}"
        + (
            f"　调整理由：{escape(override.reason)}"
            if override
            else f"（{escape(reason_label(row.get('status_reason')))}，调整后解除）"
            if row.get("status") == PENDING
            else "（= 规则分）"
        ),
    ]
    if evidence_needed(row) and not override:
        lines.append(f"所需佐证：{escape(evidence_needed(row))}（收到后在参数文件记录佐证，或填写复核分和理由）")
    lines += [
        f"<span style='color:#92400E'>{escape(c)}（{escape(s)}）{escape(m)}</span>"
        for c, s, m in row["finding_messages"]
    ]
    return "<br>".join(lines)


_TABLE_DEFINITION = "表内权重：按自评表中各指标填写的分值计分（总分 100）。"


def scheme_definitions_html(fitting: dict[str, str], current: Any) -> str:
    """Each offered weight scheme with its definition; says when 财预〔2020〕10号 does not fit the table."""
    items = []
    for key, label in fitting.items():
        items.append(_TABLE_DEFINITION if key == "table" else f"{label}。")
    if isinstance(current, dict):
        weights = "、".join(f"{name} {value:g}" for name, value in current.items())
        items.append(f"参数文件中的自定义方案：一级指标权重 {weights}。")
    if "caiyu_2020_10" not in fitting:
        items.append(
            "财预〔2020〕10号 单位自评方案不适用于本表（表中的一级指标与该方案不符，如部门整体支出表），未列出。"
        )
    return "<small><ul style='margin:2px 0'>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul></small>"


def summary_html(totals: dict, scheme_label: str, states: list[str]) -> str:
    """The panel's headline: review total (a range while anything is 待核实), grade, rule and self totals."""
    t = totals
    if t.get("review_total") is None or (isinstance(t["review_total"], float) and math.isnan(t["review_total"])):
        head = "<b>不计分</b>（指标没有分值）"
    else:
        shown = points(t["review_total"])
        if t.get("pending_count"):
            shown += f"–{points(t['review_total_high'])}"
        head = (
            f"复核总分 <b style='font-size:1.3em'>{shown}</b>　等级 <b style='font-size:1.3em'>"
            f"{escape(t['grade'])}</b>　｜ 规则计分 {points(t['rule_total'])}"
        )
        if t.get("pending_count"):
            head += f"　｜ 待核实 {t['pending_count']} 项"
        own = t.get("reported_total") if t.get("reported_total") is not None else t.get("self_score_sum")
        head += f"　｜ 单位自评 {points(own)}（{escape(t.get('self_grade'))}）"
    return f"<p>{head}<br><small>权重方案：{escape(scheme_label)}　{'　'.join(states)}</small></p>"
