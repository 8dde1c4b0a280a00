"""Terminal renderings of a scored unit and of findings (Chinese headings, aligned)."""

from __future__ import annotations

import pandas as pd

from jixiao.core.model import TABLE_TYPES
from jixiao.core.status import PENDING
from jixiao.core.vocab import SEVERITIES, report_wording
from jixiao.read.readcheck import read_check, read_check_lines
from jixiao.report.terminal import fmt_number, format_table

__all__ = ["format_score", "format_targets", "format_report_only", "format_findings"]


def _span(low: object, high: object) -> str:
    """A score, or its range "45.89–98.99" when the two ends differ ("" when unknown)."""
    lo, hi = fmt_number(low), fmt_number(high)
    return lo if not hi or lo == hi else f"{lo}–{hi}" if lo else hi


def _review_cell(r) -> str:
    if getattr(r, "status", "") == PENDING:
        return f"待核实 {_span(r.review_low, r.review_high)}"
    return fmt_number(r.review_score)


def format_score(unit) -> str:
    """Scored indicator table, level-1 table, totals and grade of a pipeline.ScoredUnit."""
    ev = unit.evaluation
    lines = []
    title = ev.unit.name or ev.source.path
    kind = TABLE_TYPES.get(ev.unit.table_type, "")
    lines.append(f"{title}（{ev.unit.year or '年度未知'}年，{kind}）")
    lines.append(f"来源：{ev.source.path}" + (f" 工作表「{ev.source.sheet}」" if ev.source.sheet else ""))
    lines.append("")
    lines.append("读取核对")
    lines.extend("  " + line for line in read_check_lines(read_check(ev)))
    lines.append("")
    if not unit.budget.empty:
        lines.append("预算执行")
        rows = [
            [
                r.name,
                fmt_number(r.budget),
                fmt_number(r.spent),
                fmt_number(r.reported_rate) + ("%" if pd.notna(r.reported_rate) else ""),
                fmt_number(r.rate) + ("%" if pd.notna(r.rate) else ""),
                r.money_unit,
            ]
            for r in unit.budget.itertuples()
        ]
        lines.append(
            format_table(
                ["项目", "全年预算数", "全年执行数", "填报执行率", "复算执行率", "单位"], rows, align=list("lrrrrl")
            )
        )
        lines.append("")
    if ev.unit.table_type == "declaration":  # 目标审核: targets, not scores
        return "\n".join(lines + [format_targets(unit)])
    s = unit.scored
    rows = [
        [
            r.indicator_id,
            r.level1,
            r.name,
            fmt_number(r.weight),
            r.target,
            r.actual,
            fmt_number(r.self_score),
            r.rule_label,
            fmt_number(r.rule_score),
            _review_cell(r),
        ]
        for r in s.itertuples()
    ]
    lines.append("指标计分")
    lines.append(
        format_table(
            ["编号", "一级指标", "三级指标", "分值", "指标值", "完成值", "自评分", "规则", "规则得分", "复核分"],
            rows,
            align=list("lllrllrlrr"),
            max_width=20,
        )
    )
    lines.append("")
    lines.append("一级指标")
    l1 = unit.level1
    rows = [
        [
            r.name,
            fmt_number(r.declared_weight),
            fmt_number(r.weight_sum),
            fmt_number(r.self_score_sum),
            fmt_number(r.rule_score_sum),
            _span(r.review_low_sum, r.review_high_sum),
        ]
        for r in l1.itertuples()
    ]
    lines.append(
        format_table(
            ["一级指标", "表列权重", "分值合计", "自评分合计", "规则得分合计", "复核分合计"], rows, align=list("lrrrrr")
        )
    )
    lines.append("")
    t = unit.totals
    lines.append(
        "总分：分值合计 {w}，自评分合计 {s}（按分值封顶 {c}），表列总分 {r}，复核总分 {v}，等级 {g}{p}".format(
            w=fmt_number(t.get("weight_sum")),
            s=fmt_number(t.get("self_score_sum")),
            c=fmt_number(t.get("self_score_capped_sum")),
            r=fmt_number(t.get("reported_total")) or "未填",
            v=_span(t.get("review_total_low", t.get("review_total")), t.get("review_total_high")),
            g=t.get("grade") or "—",
            p=f"（{t['pending_count']} 项指标待核实）" if t.get("pending_count") else "",
        )
    )
    return "\n".join(lines)


def format_targets(unit) -> str:
    """A target declaration's indicators by level 1 (every group, 投入管理 rows that only cite a rule too) and what it gets."""
    ind = unit.evaluation.indicators
    # a row that only cites a regulation (投入管理: 「根据沪财绩【2022】13号文…」) shows the citation as its standard
    cited = lambda r: r.rule_text or ("" if str(r.target).strip() else str(getattr(r, "definition", "") or ""))  # noqa: E731
    rows = [
        [r.indicator_id, r.level1, r.level2, r.name, r.nature, r.direction, r.target, r.unit, cited(r)]
        for r in ind.itertuples()
    ]
    table = format_table(
        ["编号", "一级指标", "二级指标", "三级指标", "性质", "方向", "指标值", "计量单位", "评（扣）分标准"],
        rows,
        max_width=20,
    )
    groups = "、".join(
        f"{name or '未归入一级指标'} {n} 项" for name, n in ind["level1"].value_counts(sort=False).items()
    )
    wording = report_wording("declaration")
    return "\n".join(
        [
            "绩效目标",
            table,
            "",
            f"一级指标：{groups}（共 {len(ind)} 项）。",
            f"绩效目标申报表没有分值和完成值，出具{wording.verdict}；审核发现见 jixiao check。",
        ]
    )


def format_report_only(report, path: object) -> str:
    """What ``jixiao score`` says about a self-evaluation report alone: no indicator table to score."""
    wording = report_wording("report")
    who = "，".join(x for x in (report.unit_name, f"{report.year}年度" if report.year else "") if x)
    return (
        f"{path}：部门整体支出绩效自评报告" + (f"（{who}）" if who else "") + "，没有指标计分表。\n"
        f"自评报告单独审核，出具{wording.verdict}；审核发现见 jixiao check --report {path}。"
    )


def format_findings(findings: pd.DataFrame, kind: str = "self") -> str:
    """Findings grouped by severity, with counts; ``kind`` names the work (复核 of a table, 审核 of targets or a report)."""
    wording = report_wording(kind)
    if findings.empty:
        return f"{wording.work}未发现问题。"
    out = []
    counts = findings["severity"].value_counts()
    out.append(f"{wording.findings}：" + "，".join(f"{s} {int(counts.get(s, 0))} 项" for s in SEVERITIES))
    for sev in SEVERITIES:
        part = findings[findings["severity"] == sev]
        if part.empty:
            continue
        out.append("")
        out.append(f"【{sev}】{len(part)} 项")
        for r in part.itertuples():
            extra = []
            if r.expected:
                extra.append(f"应为 {r.expected}")
            if r.reported:
                extra.append(f"填报 {r.reported}")
            tail = f"（{'；'.join(extra)}）" if extra else ""
            out.append(f"  [{r.code}] {r.where}：{r.message}{tail}")
    return "\n".join(out)
