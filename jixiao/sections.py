"""The unit report's sections (DOMAIN §4.3 outline) as HTML displays, adapted to the unit's inputs.

Each ``show_*`` takes a :class:`jixiao.pipeline.UnitResult` and returns an
``IPython.display.HTML``: a self-evaluation table gets scores, tables and charts; a
declaration alone gets a review of its targets; a report alone gets a review of its
figures. The notebook only calls these (no logic there). Every text that comes from an
input file is HTML-escaped; charts are embedded as ``data:`` URIs with Chinese alt text.
The narrative wording is deliberately plain: the report design (issue 5) replaces it.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
from IPython.display import HTML

from . import charts
from .findings import SEVERITIES, catalogue
from .model import TABLE_TYPES
from .params import INPUT_KINDS, WEIGHT_SCHEMES
from .terminal import fmt_number

__all__ = [
    "show_title",
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
    "show_figure",
]

_FINDING_HEADERS = {"severity": "严重程度", "where": "位置", "message": "问题", "expected": "应为", "reported": "填报"}


def show_title(result: Any) -> HTML:
    """Report title, evaluator and the inputs reviewed."""
    kinds = "、".join(INPUT_KINDS[k] for k in _inputs(result))
    year = f"{result.year}年度" if result.year else ""
    return HTML(
        f"<h1>{_e(result.unit_name)}{year}绩效评价复核报告</h1>"
        f"<p>评价人：{_e(result.evaluator or '未填写')}；复核材料：{kinds}。</p>"
    )


def show_summary(result: Any) -> HTML:
    """摘要: object, total, grade, finding counts, main problems."""
    parts = [f"<p>评价对象：{_e(result.unit_name)}（{result.year or '年度未知'}年度）。</p>"]
    if result.self_eval is not None:
        totals = result.self_eval.totals
        parts.append(
            f"<p><strong>复核总分 {fmt_number(totals.get('review_total'))} 分，等级「{_e(totals.get('grade') or '—')}」</strong>；"
            f"单位自评总分 {fmt_number(totals.get('reported_total')) or '未填报'}"
            f"（{_e(totals.get('self_grade') or '—')}）。</p>"
        )
    elif result.declaration is not None:
        parts.append("<p>本次仅提供绩效目标申报表，没有完成值和分值，不计分；复核内容为绩效目标本身的质量。</p>")
    else:
        parts.append("<p>本次仅提供自评报告，不计分；复核内容为报告中的数字是否自洽、章节是否完整。</p>")
    parts.append(f"<p>复核发现：{_counts(result.findings)}。</p>")
    top = _findings(result).head(5)
    if not top.empty:
        items = "".join(f"<li>【{_e(r.severity)}】{_e(r.where)}：{_e(r.message)}</li>" for r in top.itertuples())
        parts.append(f"<p>主要问题：</p><ul>{items}</ul>")
    return HTML("".join(parts))


def show_basic_info(result: Any) -> HTML:
    """一、基本情况: the unit as the table states it, budget and execution (table + chart)."""
    parts = []
    main = result.main
    if main is not None:
        unit = main.evaluation.unit
        info = {"单位名称": unit.name, "主管部门": unit.department, "年度": unit.year or "", "时段": unit.period,
                "表格类型": TABLE_TYPES.get(unit.table_type, unit.table_type)}  # fmt: skip
        parts.append(_pairs(info))
    elif result.report is not None:
        report = result.report
        parts.append(_pairs({"单位名称": report.unit_name, "年度": report.year or "", "报告标题": report.title}))
    budget = _budget(result)
    if budget.empty:
        parts.append("<p>所提供的材料中没有预算执行数据。</p>")
    else:
        columns = {"name": "项目", "budget": "全年预算数", "spent": "全年执行数", "reported_rate": "填报执行率（%）",
                   "rate": "复算执行率（%）", "money_unit": "金额单位"}  # fmt: skip
        parts.append(_table(budget, columns))
        parts.append(_figure(charts.plot_budget_execution(budget), "预算执行情况图"))
    return HTML("".join(parts))


def show_method(result: Any) -> HTML:
    """二、复核工作开展情况: basis, scope (input files), method, weights and grade bands."""
    params = result.params or {}
    files = "".join(f"<li>{INPUT_KINDS[k]}：{_e(v)}</li>" for k, v in (params.get("inputs") or {}).items())
    scheme = params.get("weight_scheme", "table")
    scheme_text = WEIGHT_SCHEMES.get(scheme, "") if isinstance(scheme, str) else "自定义：" + "、".join(
        f"{_e(k)} {fmt_number(v)}" for k, v in scheme.items()
    )
    bands = "、".join(f"{_e(k)} ≥ {fmt_number(v)}" for k, v in (params.get("grade_bands") or {}).items())
    return HTML(
        "<p>复核依据：财预〔2020〕10号《项目支出绩效评价管理办法》、财预〔2013〕53号 共性指标框架及本单位绩效目标。</p>"
        f"<p>复核材料：</p><ul>{files}</ul>"
        "<p>复核方法：逐项按评分规则重新计分，核对分值、得分和预算执行率的算术关系，"
        "检查指标值的可衡量性、完成值的佐证和偏差说明，比对报告与表格中的数字。</p>"
        f"<p>权重方案：{scheme_text}；等级划分：{bands}，低于「中」为「差」；评价人：{_e(result.evaluator or '未填写')}。</p>"
    )


def show_conclusion(result: Any) -> HTML:
    """三、综合评价情况及评价结论: totals, level-1 table and chart (self vs review)."""
    if result.self_eval is None:
        return HTML("<p>本单位未提供整体支出绩效自评表，不形成总分和等级。</p>")
    unit = result.self_eval
    totals = {"分值合计": unit.totals.get("weight_sum"), "单位填报总分": unit.totals.get("reported_total"),
              "自评分合计": unit.totals.get("self_score_sum"), "规则计分": unit.totals.get("rule_total"),
              "复核总分": unit.totals.get("review_total"), "复核等级": unit.totals.get("grade"),
              "自评等级": unit.totals.get("self_grade")}  # fmt: skip
    columns = {"name": "一级指标", "weight_sum": "分值", "self_score_sum": "自评分", "review_score_sum": "复核分",
               "self_rate": "自评得分率（%）", "review_rate": "复核得分率（%）"}  # fmt: skip
    return HTML(
        _pairs({k: fmt_number(v) if isinstance(v, float) else (v or "—") for k, v in totals.items()})
        + _table(unit.level1, columns)
        + _figure(charts.plot_level1_rates(unit.level1), "各一级指标得分率图")
    )


def show_indicator_analysis(result: Any) -> HTML:
    """四、绩效评价指标分析: scores and deductions; or the declaration's targets; or the report's figures."""
    parts = []
    if result.self_eval is not None:
        scored = result.self_eval.scored
        columns = {"level1": "一级指标", "name": "三级指标", "weight": "分值", "target": "指标值", "actual": "完成值",
                   "self_score": "自评分", "review_score": "复核分", "explanation": "计分说明"}  # fmt: skip
        parts.append(_table(scored, columns))
        parts.append(_figure(charts.plot_indicator_completion(scored), "指标完成情况图"))
        parts.append(_figure(charts.plot_points_lost(scored), "扣分指标图"))
    if result.declaration is not None:
        targets = result.declaration.evaluation.indicators
        columns = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "nature": "性质", "direction": "方向",
                   "target": "指标值", "unit": "计量单位", "rule_text": "评（扣）分标准"}  # fmt: skip
        parts.append("<h3>绩效目标复核</h3>" + _table(targets, columns))
        parts.append(_findings_table(_findings(result, scope="indicator")))
    if result.report is not None:
        report = result.report
        parts.append("<h3>自评报告中的目标与完成情况</h3>")
        parts.append(_table(report.targets, {"level2": "类别", "name": "指标", "target": "目标值", "line": "行号"}))
        parts.append(_table(report.achievements, {"name": "指标", "target": "目标", "actual": "实际", "line": "行号"}))
    return HTML("".join(parts) or "<p>没有可分析的指标。</p>")


def show_experience(result: Any) -> HTML:
    """五、主要经验及做法: what was checked and found in order (met indicators, consistent figures)."""
    parts = []
    if result.self_eval is not None:
        met = result.self_eval.scored["met"]
        parts.append(f"<p>{int((met == True).sum())} 个指标按规则判定为达成（共 {len(met)} 个）。</p>")  # noqa: E712
    confirmations = result.confirmations
    if confirmations is not None and not confirmations.empty:
        parts.append("<p>经核对一致的数据：</p>" + _table(confirmations, {"where": "位置", "item": "项目", "message": "说明"}))
    return HTML("".join(parts) or "<p>（由评价人根据现场核查情况补充。）</p>")


def show_problems(result: Any) -> HTML:
    """六、存在的问题及原因分析: all findings, errors first."""
    findings = _findings(result)
    if findings.empty:
        return HTML("<p>未发现问题。</p>")
    return HTML(f"<p>{_counts(findings)}。</p>" + _findings_table(findings))


def show_suggestions(result: Any) -> HTML:
    """七、有关建议: the catalogue's fix for each kind of problem found."""
    findings = _findings(result)
    if findings.empty:
        return HTML("<p>无。</p>")
    fixes = catalogue().set_index("code")
    items = []
    for code in dict.fromkeys(findings["code"]):
        if code in fixes.index:
            items.append(f"<li>{_e(fixes.at[code, 'title'])}：{_e(fixes.at[code, 'fix'])}</li>")
    return HTML(f"<ol>{''.join(items)}</ol>")


def show_other_matters(result: Any) -> HTML:
    """八、其他需要说明的问题: the evaluator's score adjustments (with reasons)."""
    overrides = (result.params or {}).get("overrides") or []
    if not overrides:
        return HTML("<p>评价人未调整复核分。</p>")
    rows = pd.DataFrame(overrides).rename(columns={"indicator": "指标", "score": "复核分", "reason": "理由", "tier": "档次"})
    return HTML("<p>评价人调整的复核分：</p>" + _table(rows, {c: c for c in rows.columns}))


def show_appendix(result: Any) -> HTML:
    """附件: differences between self and review scores."""
    if result.self_eval is None:
        return HTML("<p>（不计分，无评分表附件。）</p>")
    scored = result.self_eval.scored
    diff = scored.assign(difference=(scored["review_score"] - scored["self_score"]).round(2))
    diff = diff[diff["difference"].fillna(0).abs() > 0]
    columns = {"indicator_id": "编号", "name": "三级指标", "weight": "分值", "self_score": "自评分",
               "review_score": "复核分", "difference": "差异", "review_note": "调整理由"}  # fmt: skip
    return HTML("<h3>复核差异清单</h3>" + (_table(diff, columns) if not diff.empty else "<p>自评分与复核分一致。</p>"))


def show_figure(fig: Any, alt: str) -> HTML:
    """A chart as an embedded PNG (``data:`` URI) with Chinese alt text."""
    return HTML(_figure(fig, alt))


# --- helpers ----------------------------------------------------------------------------------
def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _inputs(result: Any) -> list[str]:
    return list((result.params or {}).get("inputs") or {})


def _budget(result: Any) -> pd.DataFrame:
    if result.main is not None and not result.main.budget.empty:
        return result.main.budget
    if result.report is not None:
        return result.report.budget
    return pd.DataFrame()


def _findings(result: Any, scope: str | None = None) -> pd.DataFrame:
    findings = result.findings if result.findings is not None else pd.DataFrame()
    if findings.empty:
        return findings
    if scope:
        findings = findings[findings["scope"] == scope]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return findings.sort_values("severity", key=lambda s: s.map(order), kind="stable")


def _counts(findings: pd.DataFrame) -> str:
    counts = findings["severity"].value_counts() if not findings.empty else pd.Series(dtype="int64")
    return "、".join(f"{s} {int(counts.get(s, 0))} 条" for s in SEVERITIES)


def _pairs(values: dict[str, object]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in values.items())
    return f'<table class="jixiao-pairs">{rows}</table>'


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    if frame is None or frame.empty:
        return "<p>（无）</p>"
    present = {k: v for k, v in columns.items() if k in frame.columns}
    shown = frame[list(present)].rename(columns=present)
    shown = shown.apply(lambda col: col.map(fmt_number if col.dtype.kind == "f" else _blank_none))
    return shown.to_html(index=False, escape=True, classes="jixiao-table", border=0, na_rep="")


def _blank_none(value: object) -> object:
    return "" if value is None else value


def _findings_table(findings: pd.DataFrame) -> str:
    return _table(findings, _FINDING_HEADERS) if not findings.empty else "<p>未发现问题。</p>"


def _figure(fig: Any, alt: str) -> str:
    return f'<figure><img src="{charts.figure_to_data_uri(fig)}" alt="{_e(alt)}"></figure>'
