"""The report's apparatus in the client HTML: engagement, basis, work process, team, limitations, scoring annex.

The settings come from ``result.params["apparatus"]`` (merged from ``jixiao.toml`` and the
unit's params by :mod:`jixiao.run.apparatus`); nothing here invents a fact: a data source,
member or rule appears only when the settings or the data name it. The annex rows
(:func:`annex_rows`) are built from the result's JSON indicators, so that the HTML, the
Word report and the working papers show the same numbers as ``result.json``.

:func:`is_draft` decides the 征求意见稿 mark: one place, reading the indicators' ``status``
and the total range when the result carries them. While anything is pending the cover and
every printed page's header carry the mark (:func:`draft_header`) and section 三 lists the
pending indicators with the evidence each needs (:func:`show_pending`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.display import HTML

from jixiao.core.status import DRAFT_MARK, FINAL_MARK, JUDGED, PENDING, PENDING_REASONS, reason_label
from jixiao.core.vocab import report_wording
from jixiao.report.facts import TOL, material_names, num, unit_kind
from jixiao.report.html import Col, esc, h3, pairs, paragraphs, table
from jixiao.report.wording import fmt_score, fmt_span

__all__ = [
    "PENDING",
    "DRAFT_MARK",
    "FINAL_MARK",
    "pending_rows",
    "PENDING_COLUMNS",
    "show_pending",
    "draft_header",
    "apparatus_of",
    "indicator_status",
    "is_draft",
    "annex_rows",
    "ANNEX_COLUMNS",
    "engagement_texts",
    "limitation_texts",
    "show_engagement",
    "show_limitations",
    "show_annex",
    "cover_lines",
    "result_indicators",
    "draft_of",
]

#: 财预〔2020〕10号 第五条: the principles of performance evaluation.
_PRINCIPLES = (
    "复核遵循科学公正、统筹兼顾、激励约束、公开透明的原则（财预〔2020〕10号）："
    "以单位提交的材料为依据逐项计分，计分规则对所有单位一致，每一处扣分写明依据，复核结果与单位自评结果并列呈现。"
)
#: The same for a review without scores (a declaration or a report alone).
_REVIEW_PRINCIPLES = (
    "审核遵循科学公正、统筹兼顾、激励约束、公开透明的原则（财预〔2020〕10号）："
    "以单位提交的材料为依据逐项审核，审核标准对所有单位一致，每一项审核意见写明依据。"
)


def apparatus_of(result: Any) -> dict[str, Any]:
    """The merged report settings of a unit result (or of a result.json document)."""
    params = result.get("provenance", {}).get("params", {}) if isinstance(result, dict) else result.params
    return dict((params or {}).get("apparatus") or {})


def indicator_status(row: dict) -> tuple[str, str]:
    """(status, reason) of one indicator row (result JSON form).

    The result's own ``status``/``status_reason`` when it carries them; otherwise 评价人判定
    for an evaluator's override, 待核实 where no review score could be computed (data missing),
    else 确定.
    """
    status = row.get("status")
    if status:
        if status == JUDGED:
            return JUDGED, str(row.get("review_note") or "")
        return str(status), reason_label(row.get("status_reason")) or str(row.get("status_note") or "")
    if row.get("review_note"):
        return JUDGED, str(row["review_note"])
    if num(row.get("review_score")) is None and num(row.get("weight")) is not None:
        return PENDING, "缺少计分所需的完成值或佐证材料"
    return "确定", ""


def is_draft(indicators: list[dict], totals: dict | None = None) -> bool:
    """True while anything is pending: a 待核实 indicator, or a total that is still a range."""
    totals = totals or {}
    low, high = num(totals.get("review_total_low")), num(totals.get("review_total_high"))
    if low is not None and high is not None and high - low >= TOL:
        return True
    return any(indicator_status(r)[0] == PENDING for r in indicators)


def _evidence_text(row: dict, evidence: dict[str, dict]) -> str:
    item = evidence.get(str(row.get("id"))) or evidence.get(str(row.get("name"))) or {}
    parts = []
    if item.get("file"):
        parts.append("文件：" + Path(item["file"]).name)
    if item.get("note"):
        parts.append(item["note"])
    return "；".join(parts)


def annex_rows(indicators: list[dict], evidence: dict[str, dict] | None = None) -> list[dict]:
    """One row per indicator of the 指标评分表 (result JSON rows in, plain values out)."""
    rows = []
    for r in indicators:
        weight, own, review = num(r.get("weight")), num(r.get("self_score")), num(r.get("review_score"))
        status, reason = indicator_status(r)
        lost = weight is not None and review is not None and weight - review >= TOL
        target = " ".join(str(x) for x in (r.get("direction"), r.get("target"), r.get("unit")) if x)
        standard = "；".join(str(x) for x in (r.get("rule_text"), r.get("rule_label")) if x)
        rows.append(
            {
                "id": r.get("id", ""),
                "level1": r.get("level1") or "",
                "level2": r.get("level2") or "",
                "name": r.get("name") or "",
                "weight": weight,
                "target": target,
                "actual": r.get("actual") or "",
                "standard": standard,
                "applied": (r.get("explanation") or "") + _pending_note(r, status),
                "self_score": own,
                "review_score": review,
                "review_span": (num(r.get("review_low", review)), num(r.get("review_high", review))),
                "status": status,
                "status_reason": reason,
                "deduction": (r.get("review_note") or r.get("explanation") or "") if lost else "",
                "evidence": _evidence_text(r, evidence or {}),
                "lost": lost,
            }
        )
    return rows


def _pending_note(row: dict, status: str) -> str:
    """ "；待核实，复核分按 a–b 分计" after a pending indicator's rule explanation; "" otherwise."""
    low, high = num(row.get("review_low")), num(row.get("review_high"))
    if status != PENDING or low is None or high is None:
        return ""
    return f"；待核实，复核分按 {fmt_span(low, high)} 分计"


#: The annex table's columns (HTML and Word): key, header, kind.
ANNEX_COLUMNS = [
    Col("id", "编号"),
    Col("level1", "一级指标", group=True),
    Col("level2", "二级指标", group=True),
    Col("name", "三级指标"),
    Col("weight", "分值", "score"),
    Col("target", "指标值", cls="val"),
    Col("actual", "完成值", cls="val"),
    Col("standard", "评分标准", cls="note"),
    Col("applied", "计分过程", cls="note"),
    Col("self_score", "自评分", "score"),
    Col("review_span", "复核分", "span", cls="review"),
    Col("status", "状态"),
    Col("deduction", "扣分原因", cls="note"),
    Col("evidence", "佐证材料", cls="note"),
]


def pending_rows(indicators: list[dict]) -> list[dict]:
    """The 待核实 indicators (result JSON rows in): name, level 1, 分值, 自评分, reason, range, evidence needed."""
    rows = []
    for r in indicators:
        if indicator_status(r)[0] != PENDING:
            continue
        reason = PENDING_REASONS.get(str(r.get("status_reason") or ""))
        low, high = num(r.get("review_low")), num(r.get("review_high"))
        rows.append(
            {
                "id": r.get("id", ""),
                "level1": r.get("level1") or "",
                "name": r.get("name") or "",
                "weight": num(r.get("weight")),
                "self_score": num(r.get("self_score")),
                "reason": reason.label if reason else indicator_status(r)[1],
                "range": fmt_span(low, high) if low is not None and high is not None else "—",
                "low": low,
                "high": high,
                "evidence": reason.evidence if reason else "完成值及其佐证材料",
            }
        )
    return rows


#: The pending table's columns (HTML, Word through the HTML).
PENDING_COLUMNS = [
    Col("level1", "一级指标", group=True),
    Col("name", "三级指标"),
    Col("weight", "分值", "score"),
    Col("self_score", "自评分", "score"),
    Col("reason", "待核实原因", cls="note"),
    Col("range", "复核分区间"),
    Col("evidence", "需补充的材料", cls="note"),
]


def draft_header(draft: bool) -> str:
    """The 征求意见稿 mark of every printed page's header (and a line at the top of the screen); "" for a 终稿."""
    if not draft:
        return ""
    return (
        f'<style>@page {{ @top-right {{ content: "{DRAFT_MARK}"; color: #b3261e; font-size: 10pt; '
        'font-family: "JixiaoSans", "PingFang SC", "Microsoft YaHei", sans-serif; } }</style>'
        f'<div class="jx-draft-banner">{DRAFT_MARK}：有待核实事项，复核分和等级待单位补充材料后确定</div>'
    )


# --- texts ------------------------------------------------------------------------------------
#: By what the unit provided: (what is done and why, the scope); the verb is core.vocab.REPORT_WORDING's.
_PURPOSES = {
    "self": (
        "预算绩效自评结果开展第三方复核，目的是核实自评结果的真实性和准确性，",
        "预算执行情况、绩效目标及其完成情况",
    ),
    "declaration": (
        "绩效目标开展审核，目的是审核绩效目标的完整性、相关性、可衡量性和合理性，",
        "绩效目标和预算",
    ),
    "report": (
        "部门整体支出绩效自评报告开展审核，目的是核实报告所列数据和目标实现情况，",
        "预算执行情况和绩效目标实现情况",
    ),
    "none": ("预算绩效自评材料开展第三方复核，", "内容"),
}


def _has_targets(result: Any) -> bool:
    report = getattr(result, "report", None)
    has_report_targets = report is not None and not getattr(report, "targets", []).empty
    return result.self_eval is not None or result.declaration is not None or has_report_targets


def engagement_texts(result: Any) -> dict[str, list[str]]:
    """Paragraphs of 二（一）目的、对象和范围, （二）依据, （四）工作过程, keyed by part."""
    app = apparatus_of(result)
    year = f"{result.year}年度" if result.year else ""
    materials = "、".join(material_names(result)) or "所提供的材料"
    client, firm = app.get("client", ""), app.get("firm", "")
    purpose = (
        (f"受{client}委托，" if client else "")
        + (f"{firm}" if firm else "评价机构")
        + f"对{result.unit_name}{year}{_PURPOSES[unit_kind(result)][0]}"
        "发现绩效目标设定、预算执行和绩效管理中的问题并提出改进建议，为预算安排和绩效管理提供参考。"
    )
    verb, what = report_wording(unit_kind(result)).work, _PURPOSES[unit_kind(result)][1]
    scope = f"{verb}对象为{result.unit_name}，{verb}范围为其{year}{materials}所载的{what}。"
    basis = list(app.get("basis") or [])
    if _has_targets(result) and app.get("targets_basis"):
        basis.append(app["targets_basis"])
    process = [f"资料审阅：{materials}" + "".join(f"；{d}" for d in app.get("documents") or []) + "。"]
    for key, label in (("site_visits", "现场核查"), ("interviews", "访谈"), ("questionnaires", "问卷调查")):
        if app.get(key):
            process.append(f"{label}：" + "；".join(app[key]) + "。")
    if len(process) == 1:
        process.append(f"本次{verb}未开展现场核查、访谈或问卷调查，{verb}结论依据上述书面材料。")
    return {"purpose": [purpose, scope], "basis": basis, "process": process}


def limitation_texts(result: Any, indicators: list[dict]) -> list[str]:
    """局限性: what the data show (pending indicators, desk review only, reader guesses) and what the settings add."""
    app = apparatus_of(result)
    work = report_wording(unit_kind(result)).work
    texts = [
        f"{work}以单位提供的材料为依据，单位对所提供材料的真实性、完整性负责；材料未载明的事项不在{work}结论范围内。"
    ]
    pending = [r for r in indicators if indicator_status(r)[0] == PENDING]
    if pending:
        names = "、".join(str(r.get("name")) for r in pending[:5]) + ("等" if len(pending) > 5 else "")
        texts.append(
            f"{len(pending)} 项指标（{names}）缺少计分所需的完成值或佐证材料，复核分待单位补充材料后确定，本报告为{DRAFT_MARK}。"
        )
    if not any(app.get(k) for k in ("site_visits", "interviews", "questionnaires")):
        texts.append(f"本次{work}未开展现场核查、访谈或问卷调查，完成值的真实性未经现场验证。")
    texts.extend(app.get("limitations") or [])
    return texts


def draft_of(result: Any) -> bool:
    """:func:`is_draft` of a unit result (its main table's indicators and totals)."""
    return is_draft(result_indicators(result), result.main.totals if result.main is not None else {})


def cover_lines(result: Any) -> dict[str, str]:
    """委托方, 评价机构, 报告文号 for the cover (only those set)."""
    app = apparatus_of(result)
    return {"委托方": app.get("client", ""), "评价机构": app.get("firm", ""), "报告文号": app.get("number", "")}


def result_indicators(result: Any) -> list[dict]:
    """The JSON rows of the unit's main table (self-evaluation, else declaration)."""
    main = result.self_eval or result.declaration
    return main.payload()["indicators"] if main is not None else []


# --- HTML ---------------------------------------------------------------------------------------
def show_engagement(result: Any, method_paragraphs: list[str] | None = None) -> HTML:
    """二: （一）目的、对象和范围 （二）评价依据 （三）原则、指标体系、方法和标准 （四）工作过程与项目组."""
    texts = engagement_texts(result)
    app = apparatus_of(result)
    basis = "".join(f"<li>{esc(b)}</li>" for b in texts["basis"])
    parts = [
        h3("（一）评价目的、对象和范围"),
        paragraphs(texts["purpose"]),
        h3("（二）评价依据"),
        f'<ol class="jx-basis-list">{basis}</ol>',
        h3("（三）评价原则、指标体系、方法和标准"),
        paragraphs([_PRINCIPLES if unit_kind(result) == "self" else _REVIEW_PRINCIPLES, *(method_paragraphs or [])]),
        h3("（四）评价工作过程"),
        paragraphs(texts["process"]),
    ]
    team = [{"name": m.get("name", ""), "role": m.get("role", "")} for m in app.get("team") or []]
    if team:
        parts.append(table(team, [Col("name", "姓名"), Col("role", "项目组职责")], "项目组成员"))
    return HTML("".join(parts))


def show_limitations(result: Any) -> HTML:
    """局限性 (a sub-section of 八)."""
    return HTML(h3("局限性") + paragraphs(limitation_texts(result, result_indicators(result))))


def show_pending(result: Any) -> str:
    """待核实指标: why each is pending, its range and the evidence it needs (HTML; "" when nothing is pending)."""
    rows = pending_rows(result_indicators(result)) if result.self_eval is not None else []
    if not rows:
        return ""
    totals = result.self_eval.totals
    intro = (
        f"以下 {len(rows)} 项指标缺少计分所需的数据或佐证材料，复核分按区间计："
        "下限为佐证不成立时的得分，上限为单位自评主张的得分（不超过分值）。"
        f"复核总分因此为 {fmt_span(totals.get('review_total_low'), totals.get('review_total_high'))} 分，"
        f"本报告为{DRAFT_MARK}，请单位补充所列材料，复核后形成{FINAL_MARK}。"
    )
    return h3("待核实指标") + paragraphs([intro]) + table(rows, PENDING_COLUMNS, "待核实指标及需补充的材料")


def show_annex(result: Any) -> HTML:
    """附件四 指标评分表: every indicator with its 分值, values, standard, scores, status, deduction and evidence."""
    evidence = (result.params or {}).get("evidence") or {}
    heading = report_wording(unit_kind(result)).annexes.get("scores")
    if heading is None:  # a self-evaluation report alone: no indicator table to annex
        return HTML("")
    rows = annex_rows(result_indicators(result), evidence)
    if not rows:
        return HTML(h3(heading) + paragraphs(["所提供的材料中没有可计分的指标。"]))
    columns = list(ANNEX_COLUMNS)
    if result.self_eval is None:  # a declaration: no actual values or scores
        dropped = ("weight", "actual", "applied", "self_score", "review_span", "status", "deduction")
        columns = [c for c in columns if c.key not in dropped]
    for r in rows:
        r["status"] = r["status"] + (f"（{r['status_reason']}）" if r["status_reason"] else "")
    note = pairs({"分值合计": fmt_score(sum(r["weight"] or 0 for r in rows)), "指标数": str(len(rows))})
    if result.self_eval is None:  # targets without 分值
        note = pairs({"指标数": str(len(rows))})
    marks = lambda r: "pending" if r["status"].startswith(PENDING) else "lost" if r["lost"] else ""  # noqa: E731
    body = table(rows, columns, heading.split("　")[-1], row_class=marks)
    return HTML(h3(heading) + note + body)
