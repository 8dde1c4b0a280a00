"""The unit report's sections (DOMAIN §4.3 outline) as HTML displays, adapted to the unit's inputs.

Each ``show_*`` takes a :class:`jixiao.run.evaluate.UnitResult` and returns an
``IPython.display.HTML``; the notebook only calls them. The words come from
:mod:`jixiao.report.narrative`, the charts from :mod:`jixiao.report.charts`; this module lays them out:
cover, key figures, tables (deductions and severities carry CSS classes for colour,
see ``templates/report.css``) and figures. Every text that comes from an input file is
HTML-escaped here, once; charts are embedded as ``data:`` URIs with Chinese alt text.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from IPython.display import HTML

from jixiao.core.frames import records
from jixiao.core.model import TABLE_TYPES
from jixiao.core.vocab import SEVERITIES, report_wording
from jixiao.report import charts, narrative
from jixiao.report.conclusion import cover_figures, review_kind, score_text
from jixiao.report.datacheck import data_check_html
from jixiao.report.endmatter import show_appendix, show_footer
from jixiao.report.engagement import DRAFT_MARK, cover_lines, draft_header, draft_of, show_engagement, show_pending
from jixiao.report.facts import (
    budget_lines,
    declaration_facts,
    findings_of,
    material_names,
    num,
    severity_counts,
    tolerances,
    unit_kind,
)
from jixiao.report.html import (
    GRADE_CLASSES,
    SEVERITY_CLASSES,
    Col,
    badge,
    cn_numeral,
    esc,
    figure,
    figure_box,
    h3,
    pairs,
    paragraphs,
    quote_block,
    table,
)
from jixiao.report.indicator_tables import indicator_table, report_tables, target_table
from jixiao.report.wording import fmt_money, fmt_rate, fmt_score

__all__ = [
    "PAGE_TITLE_KEY",
    "show_cover",
    "show_summary",
    "show_basic_info",
    "show_method",
    "show_conclusion",
    "show_indicator_analysis",
    "show_experience",
    "show_problems",
    "show_suggestions",
    "show_other_matters",
    "show_appendix",
    "show_footer",
    "show_figure",
]

#: Output metadata key under which the cover hands the page title to the HTML export.
PAGE_TITLE_KEY = "jixiao"


# --- cover and front matter -------------------------------------------------------------------
def show_cover(result: Any, report_date: str = "") -> HTML:
    """封面: unit, year, report kind, total and grade, materials, evaluator, date; sets the page title.

    Args:
        result: the unit's result.
        report_date: date shown on the cover (``YYYY-MM-DD`` or any text); today when empty.
    """
    kind = unit_kind(result)
    year = f"{result.year}年度" if result.year else ""
    titles = review_kind(result)
    subtitle = titles["subtitle"]
    if result.total is not None:
        total, grade_text = score_text(result)
        score = figure_box("复核总分", total, "分", "jx-score")
        grade = figure_box("评价等级", grade_text, "", "jx-grade " + GRADE_CLASSES.get(grade_text, ""))
    elif kind in ("declaration", "report"):
        (label, value, unit), (label2, value2, unit2) = cover_figures(result)
        score = figure_box(label, value, unit, "jx-score")
        grade = figure_box(label2, value2, unit2, "jx-grade")
    else:
        score = figure_box("复核总分", "不计分", "", "jx-score jx-unscored")
        grade = figure_box("评价等级", "—", "", "jx-grade")
    meta = {
        "评价对象": result.unit_name,
        "评价年度": year,
        ("审核材料" if kind in ("declaration", "report") else "复核材料"): "、".join(material_names(result)),
        **cover_lines(result),
        "报告日期": _date_text(report_date),
    }
    is_draft = draft_of(result)
    draft = f'<p class="jx-draft-mark">{DRAFT_MARK}</p>' if is_draft else ""
    body = (
        draft_header(is_draft) + f'<section class="jx-cover">{draft}'
        f'<p class="jx-cover-kicker">{esc(titles["kicker"])}</p>'
        f'<h1 class="jx-cover-title">{esc(result.unit_name)}</h1>'
        f'<p class="jx-cover-subtitle">{esc(year)}{esc(subtitle)}</p>'
        f'<div class="jx-cover-figures">{score}{grade}</div>'
        f"{pairs(meta, 'jx-cover-meta')}"
        f"{data_check_html(result)}"
        "</section>"
    )
    return HTML(body, metadata={PAGE_TITLE_KEY: {"title": result.unit_name}})


def show_summary(result: Any) -> HTML:
    """摘要: key figures, then the summary paragraphs."""
    counts = severity_counts(result)
    cards = []
    if result.self_eval is not None:
        totals = result.self_eval.totals
        total, grade_text = score_text(result)
        cards += [
            ("复核总分", total, "分", ""),
            ("评价等级", grade_text, "", GRADE_CLASSES.get(grade_text, "")),
            ("自评总分", fmt_score(totals.get("reported_total")), "分", ""),
        ]
    elif result.declaration is not None:
        states = declaration_facts(result)
        cards += [
            ("三级指标", str(len(result.declaration.scored)), "项", ""),
            ("指标值可衡量", fmt_rate(states["share_measurable"]), "", ""),
        ]
    elif result.report is not None:
        lines = [ln for ln in _budget_lines(result) if ln["name"] == "合计"] or _budget_lines(result)
        if lines:
            cards += [
                ("全年预算", fmt_money(lines[0]["budget"], ""), lines[0]["unit"], ""),
                ("执行率", fmt_rate(lines[0]["rate"]), "", ""),
            ]
    cards += [(f"{s}", str(counts[s]), "条", SEVERITY_CLASSES[s]) for s in SEVERITIES]
    strip = "".join(figure_box(label, value, unit, "jx-card " + cls) for label, value, unit, cls in cards)
    return HTML(f'<div class="jx-cards">{strip}</div>' + paragraphs(narrative.summary(result)))


# --- 一、基本情况 --------------------------------------------------------------------------------
def show_basic_info(result: Any) -> HTML:
    """一、基本情况: （一）单位概况, （二）预算执行情况 (table + chart), （三）绩效目标."""
    parts = [h3("（一）单位概况"), paragraphs(narrative.basic_info(result))]
    main = result.main
    if main is not None:
        unit = main.evaluation.unit
        parts.append(
            pairs(
                {
                    "评价对象": result.unit_name,
                    "表内被评价单位": unit.name,
                    "主管部门": unit.department,
                    "年度": f"{unit.year}年" if unit.year else "",
                    "时段": unit.period,
                    "表格类型": TABLE_TYPES.get(unit.table_type, unit.table_type),
                }
            )
        )
        parts.append(quote_block("单位职责", main.evaluation.texts.get("职责", ""), "摘自" + _table_name(result)))
    elif result.report is not None:
        report = result.report
        parts.append(
            pairs(
                {
                    "评价对象": result.unit_name,
                    "报告中的单位名称": report.unit_name,
                    "年度": f"{report.year}年" if report.year else "",
                    "报告标题": report.title,
                }
            )
        )
        parts.append(quote_block("部门概况", _report_overview(report), "摘自自评报告"))
    parts += [h3("（二）预算执行情况"), paragraphs(narrative.budget_execution(result))]
    lines = _budget_lines(result)
    if lines:
        unit = lines[0]["unit"]
        columns = [
            Col("name", "项目"),
            Col("group", "类别"),
            Col("initial", f"年初预算数（{unit}）", "money"),
            Col("budget", f"全年预算数（{unit}）", "money"),
            Col("spent", f"全年执行数（{unit}）", "money"),
            Col("reported_rate", "填报执行率（%）", "score"),
            Col("rate", "复算执行率（%）", "score"),
        ]
        columns = [c for c in columns if any(ln.get(c.key) not in (None, "") for ln in lines)]
        parts.append(
            table(lines, columns, "预算执行情况", row_class=lambda r: "mismatch" if r["rate_mismatch"] else "")
        )
        if any(ln["spent"] is not None for ln in lines):
            source = (
                "数据来源：自评报告所列预算执行数据；执行率 = 全年执行数 ÷ 全年预算数（审核时重算）。"
                if lines[0]["source"] == "report"
                else None
            )
            budget = result.main.budget if lines[0]["source"] != "report" else result.report.budget
            fig = charts.plot_budget_execution(budget, source=source)
            parts.append(figure(fig, f"{result.unit_name}预算执行情况（全年预算数与全年执行数）"))
    parts += [h3("（三）绩效目标"), paragraphs(narrative.targets_overview(result))]
    if main is not None:
        parts.append(
            quote_block("年度总体目标", main.evaluation.texts.get("年度目标", ""), "摘自" + _table_name(result))
        )
    return HTML("".join(parts))


# --- 二、三 ---------------------------------------------------------------------------------------
def show_method(result: Any) -> HTML:
    """二、绩效评价（复核）工作开展情况: purpose and scope, basis, principles and method, work process, team."""
    said_elsewhere = ("复核对象为", "审核对象为", "评价人：")  # scope and team are in （一） and （四）
    return show_engagement(result, [p for p in narrative.method(result) if not p.startswith(said_elsewhere)])


def show_conclusion(result: Any) -> HTML:
    """三、综合评价情况及评价结论: the level-1 score table and chart (self vs review), then the conclusion."""
    parts = []
    if result.self_eval is not None:
        unit = result.self_eval
        rows = [
            dict(
                r,
                diff=None
                if r.get("pending_count")
                else (num(r["review_score_sum"]) or 0) - (num(r["self_score_sum"]) or 0),
                review_span=(r.get("review_low_sum", r["review_score_sum"]), r.get("review_high_sum")),
                rate_span=(r.get("review_rate_low", r["review_rate"]), r.get("review_rate_high")),
            )
            for r in records(unit.level1)
        ]
        totals = unit.totals
        own, review = num(totals.get("self_score_sum")), num(totals.get("review_total"))
        pending = bool(totals.get("pending_count"))
        rows.append(
            {
                "name": "合计",
                "declared_weight": None,
                "weight_sum": totals.get("weight_sum"),
                "self_score_sum": own,
                "review_score_sum": review,
                "review_span": (totals.get("review_total_low", review), totals.get("review_total_high")),
                "rate_span": (None, None),
                "self_rate": None,
                "review_rate": None,
                "diff": None if own is None or review is None or pending else review - own,
            }
        )
        columns = [
            Col("name", "一级指标"),
            Col("declared_weight", "一级权重", "score"),
            Col("weight_sum", "分值合计", "score"),
            Col("self_score_sum", "自评分", "score"),
            Col("review_score_sum" if not pending else "review_span", "复核分", "score" if not pending else "span"),
            Col("diff", "差异", "diff"),
            Col("self_rate", "自评得分率（%）", "score"),
            Col("review_rate" if not pending else "rate_span", "复核得分率（%）", "score" if not pending else "span"),
        ]
        total_row = lambda r: "total" if r["name"] == "合计" else ""  # noqa: E731
        parts.append(table(rows, columns, "各一级指标得分（自评与复核）", row_class=total_row))
        fig = charts.plot_level1_rates(unit.level1)
        parts.append(figure(fig, f"{result.unit_name}各一级指标得分率（自评与复核）"))
    parts.append(paragraphs(narrative.conclusion(result)))
    parts.append(show_pending(result))
    return HTML("".join(parts))


# --- 四、绩效评价指标分析 -----------------------------------------------------------------------------
def show_indicator_analysis(result: Any) -> HTML:
    """四: per level 1 the analysis paragraphs and its indicator table; then the indicator charts."""
    parts = []
    texts = narrative.level1_analysis(result)
    for i, part in enumerate(texts):
        parts.append(h3(f"（{cn_numeral(i + 1)}）{part.name}") + paragraphs(part.paragraphs))
        if result.self_eval is not None:
            parts.append(indicator_table(result, part))
        elif result.declaration is not None:
            parts.append(target_table(result, part))
    if result.self_eval is not None:
        scored = result.self_eval.scored
        parts.append(figure(charts.plot_indicator_completion(scored), f"{result.unit_name}定量指标完成率"))
        parts.append(figure(charts.plot_points_lost(scored), f"{result.unit_name}复核扣分指标"))
    elif result.declaration is not None:
        from jixiao.report.charts_targets import plot_target_quality

        fig = plot_target_quality(result.declaration.evaluation.indicators, findings_of(result))
        parts.append(figure(fig, f"{result.unit_name}绩效目标可衡量性（按二级指标）"))
    elif result.report is not None:
        parts.append(report_tables(result))
    return HTML("".join(parts) or paragraphs(["所提供的材料中没有可分析的指标。"]))


# --- 五 至 八 -------------------------------------------------------------------------------------
def show_experience(result: Any) -> HTML:
    """五、主要经验及做法: what the data confirms, nothing else."""
    return HTML(paragraphs(narrative.experience(result)))


def show_problems(result: Any) -> HTML:
    """六、存在的问题及原因分析: the lost-point indicators, then each kind of error and warning."""
    parts = [paragraphs(narrative.problems_intro(result))]
    for i, problem in enumerate(narrative.problems(result)):
        label = badge(problem.severity)
        items = "".join(f"<li>{esc(item)}</li>" for item in problem.items)
        parts.append(
            f'<div class="jx-problem {SEVERITY_CLASSES.get(problem.severity, "")}">'
            f"<h3>（{cn_numeral(i + 1)}）{esc(problem.title)}{label}</h3>{paragraphs([problem.text])}"
            + (f'<ul class="jx-items">{items}</ul>' if items else "")
            + "</div>"
        )
    return HTML("".join(parts))


def show_suggestions(result: Any) -> HTML:
    """七、有关建议: the catalogue's fixes for the problems found, grouped by area."""
    found = narrative.suggestions(result)
    if not found:
        w = report_wording(unit_kind(result))
        return HTML(paragraphs([f"本次{w.work}未形成错误或警告类{w.findings}，无针对性改进建议。"]))
    parts, groups = [], list(dict.fromkeys(s.group for s in found))
    for i, group in enumerate(groups):
        items = "".join(
            f'<li><p class="jx-fix">{esc(s.text)}</p><p class="jx-basis">{esc(s.basis)}。</p></li>'
            for s in found
            if s.group == group
        )
        parts.append(f'<h3>（{cn_numeral(i + 1)}）{esc(group)}</h3><ol class="jx-suggestions">{items}</ol>')
    return HTML("".join(parts))


def show_other_matters(result: Any) -> HTML:
    """八、其他需要说明的问题."""
    return HTML(paragraphs(narrative.other_matters(result)))


def show_figure(fig: Any, alt: str) -> HTML:
    """A chart as an embedded PNG (``data:`` URI) with Chinese alt text."""
    return HTML(figure(fig, alt))


# --- helpers ----------------------------------------------------------------------------------
def _table_name(result: Any) -> str:
    main = result.main
    return "《" + TABLE_TYPES.get(main.evaluation.unit.table_type, "自评表") + "》" if main is not None else ""


def _date_text(value: str) -> str:
    text = str(value or "").strip()
    try:
        day = _dt.date.fromisoformat(text) if text else _dt.date.today()
    except ValueError:
        return text
    return f"{day.year}年{day.month}月{day.day}日"


def _budget_lines(result: Any) -> list[dict]:
    return budget_lines(result, tolerances(result)["rate"])


def _report_overview(report: Any) -> str:
    secs = report.sections
    if secs.empty:
        return ""
    hits = secs[secs["title"].astype(str).str.contains("职能|概况|人员|资产") & (secs["text"].astype(str) != "")]
    return "\n".join(str(t) for t in hits["text"])
