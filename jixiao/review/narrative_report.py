"""Checks on a narrative self-evaluation report (DOMAIN §4.2 group E, plus group C
checks on the targets the report lists).

``check_report`` returns findings (problems only); ``report_confirmations`` returns
what was checked and found consistent (execution rates that recompute, parts that add
up, targets met), so that a review can cite both without mixing them.

Tolerances are explicit: money in the report's own unit (万元 or 元), rates in
percentage points. Sums and differences are rounded to 2 decimals only for display.
"""

from __future__ import annotations

import re
from dataclasses import fields

import pandas as pd

from jixiao.core.memo import memoized
from jixiao.core.units import convert
from jixiao.core.vocab import DEFAULT_TOLERANCES
from jixiao.read.narrative_doc import matching_sections
from jixiao.read.narrative_report import NarrativeReport
from jixiao.review.catalogue import findings_frame
from jixiao.review.helpers import CONFIRMATION_COLUMNS, ReportOutcome, close, fmt_money
from jixiao.review.narrative_budget import BUDGET_FIELDS, MONEY_FACTORS, check_budget
from jixiao.score.aggregate import GradeBands

__all__ = ["check_report", "report_confirmations", "REQUIRED_SECTIONS"]


#: Required sections (DOMAIN §4.2 item 18): name -> (title regex, exclude regex).
REQUIRED_SECTIONS = {
    "部门概况": (r"概况|基本情况", r"^$"),
    "绩效目标": (r"目标|工作任务|工作计划", r"实现|完成情况|考察"),
    "绩效管理开展情况": (r"绩效管理|管理开展|管理情况", r"^$"),
    "预算执行情况": (r"预算.*执行|执行情况|资金使用|预算安排", r"^$"),
    "绩效实现情况": (r"绩效实现|实现情况|完成情况|目标完成|工作完成|实现度|成效", r"^$"),
    "存在问题及改进措施": (r"存在.*问题|主要问题|问题及|改进措施", r"^$"),
    "结果应用和公开": (r"结果.*应用|应用.*公开|公开情况", r"^$"),
}
#: Sections that should carry figures; without any digit they are boilerplate.
_FIGURE_SECTIONS = ("绩效目标", "预算执行情况", "绩效实现情况")
_MIN_BODY = 40  # characters of body text below which a section counts as boilerplate
_BOILERPLATE = re.compile(r"^(无|暂无|略|详见附件|见附件|同上)[。.]?$")
_ACHIEVE_SECTIONS = (r"实现|完成情况|成效|工作完成|绩效情况", r"问题|改进|应用|公开")
_REQUIRED_RE = {name: (re.compile(inc), re.compile(exc)) for name, (inc, exc) in REQUIRED_SECTIONS.items()}
_ACHIEVE_RE = tuple(re.compile(p) for p in _ACHIEVE_SECTIONS)
_CN_NUMBER = re.compile(r"[一二三四五六七八九十百零〇]+")
_WHITESPACE = re.compile(r"\s")
_DIGIT = re.compile(r"\d")
_COUNTED = re.compile(r"[数率量]$")


# --- public API ----------------------------------------------------------------------------


def check_report(
    report: NarrativeReport,
    *,
    evaluation=None,
    tolerance_money: float = DEFAULT_TOLERANCES.money,
    tolerance_rate: float = DEFAULT_TOLERANCES.rate,
    tolerance_score: float = DEFAULT_TOLERANCES.score,
) -> pd.DataFrame:
    """Run every report check and return the findings (FINDING_COLUMNS).

    Args:
        report: the report as read by ``read_report``.
        evaluation: the unit's self-evaluation table (``jixiao.core.model.Evaluation``) to
            compare figures with; optional.
        tolerance_money: allowed difference in the report's money unit (万元 or 元).
        tolerance_rate: allowed difference of rates, in percentage points.
        tolerance_score: allowed difference of total scores.
    """
    findings, _ = _run(report, evaluation, tolerance_money, tolerance_rate, tolerance_score)
    return findings_frame(findings)


def report_confirmations(
    report: NarrativeReport,
    *,
    evaluation=None,
    tolerance_money: float = DEFAULT_TOLERANCES.money,
    tolerance_rate: float = DEFAULT_TOLERANCES.rate,
    tolerance_score: float = DEFAULT_TOLERANCES.score,
) -> pd.DataFrame:
    """What was checked and found consistent (CONFIRMATION_COLUMNS), for acceptance lists."""
    _, confirmed = _run(report, evaluation, tolerance_money, tolerance_rate, tolerance_score)
    return pd.DataFrame(confirmed, columns=CONFIRMATION_COLUMNS)


def _run(report, evaluation, tol_money, tol_rate, tol_score) -> tuple[list[dict], list[dict]]:
    """(findings, confirmations) of every check; one run per report and settings (a unit asks for
    the findings in its review and for the confirmations after it): shared, read-only."""
    parts = (evaluation, *(getattr(report, f.name) for f in fields(report)))
    name = f"report_checks:{tol_money!r}:{tol_rate!r}:{tol_score!r}"
    return memoized(report, name, parts, lambda: _run_checks(report, evaluation, tol_money, tol_rate, tol_score))


def _run_checks(report, evaluation, tol_money, tol_rate, tol_score) -> tuple[list[dict], list[dict]]:
    out = ReportOutcome()
    check_budget(report, out, tol_money, tol_rate)
    _check_sections(report, out)
    _check_targets(report, out)
    _check_achievements(report, out)
    if evaluation is not None:
        _check_against_table(report, evaluation, out, tol_money, tol_rate, tol_score)
    return out.findings, out.confirmed


# --- sections ------------------------------------------------------------------------------


def _section_label(row) -> str:
    number = row["number"]
    sep = "、" if _CN_NUMBER.fullmatch(number) else " " if number.startswith("第") else ""
    return f"报告「{number}{sep}{row['title']}」(第{row['line']}行)"


def _check_sections(report: NarrativeReport, out: ReportOutcome) -> None:
    secs = report.sections
    for name, (include, exclude) in _REQUIRED_RE.items():
        hits = [i for i, t in enumerate(secs["title"]) if include.search(t) and not exclude.search(t)]
        if not hits:
            out.find("R10", "自评报告", f"报告缺少“{name}”章节。", scope="section", expected=name, reported="未找到")
            continue
        i = min(hits, key=lambda k: (secs.at[k, "level"], k))
        body = report.section_body(i)
        plain = _WHITESPACE.sub("", body)
        reason = ""
        if len(plain) < _MIN_BODY or _BOILERPLATE.match(plain):
            reason = f"正文仅 {len(plain)} 字"
        elif name in _FIGURE_SECTIONS and not _DIGIT.search(body):
            reason = "没有任何数据"
        if reason:
            out.find(
                "R11",
                _section_label(secs.loc[i]),
                f"“{name}”章节内容空泛（{reason}）。",
                scope="section",
                expected="具体内容和数据",
                reported=plain[:30],
            )


# --- targets (group C) ---------------------------------------------------------------------


def _check_targets(report: NarrativeReport, out: ReportOutcome) -> None:
    targets = report.targets
    for t in targets.itertuples():
        where = f"报告指标「{t.name}」({t.level2}，第{t.line}行)"
        kw = dict(scope="indicator", indicator_id=t.target_id)
        if t.target_kind == "time_artifact":
            out.find(
                "R30",
                where,
                f"指标「{t.name}」的指标值为「{t.target}」，是时间格式错误值，不是有效指标值。",
                expected="有效的指标值和计量单位",
                reported=t.target,
                **kw,
            )
        elif t.name.endswith("率") and t.target_kind == "number" and t.target_unit and t.target_unit not in ("%", "‰"):
            out.find(
                "R31",
                where,
                f"比率类指标「{t.name}」以「{t.target_unit}」计量（{t.target}），单位与指标不符。",
                expected="以 % 计量",
                reported=t.target,
                **kw,
            )
        elif not t.target and t.nature != "定性" and _COUNTED.search(t.name):
            out.find("R32", where, f"指标「{t.name}」没有指标值。", expected="可衡量的指标值", reported="空", **kw)
    key = targets["name"].str.replace(r"\s", "", regex=True)
    for _name, group in targets.groupby(key, sort=False):
        if len(group) < 2:
            continue
        lines = "、".join(str(x) for x in group["line"])
        values = "、".join(v or "空" for v in group["target"])
        first = group.iloc[0]
        out.find(
            "R33",
            f"报告指标「{first['name']}」({first['level2']}，第{lines}行)",
            f"指标「{first['name']}」重复列示 {len(group)} 次（第{lines}行），指标值分别为 {values}。",
            scope="indicator",
            indicator_id=first["target_id"],
            expected="列示 1 次",
            reported=f"列示 {len(group)} 次",
        )


# --- achievements ------------------------------------------------------------------------


def _met(op: str | None, actual: float, target: float) -> bool:
    # A goal written as "达到80%" or a bare "80%" is read as "at least".
    return {"<=": actual <= target, "<": actual < target, ">": actual > target}.get(op or "", actual >= target)


def _op_label(op: str | None) -> str:
    return {"<=": "≤", "<": "<", ">": ">"}.get(op or "", "≥")


def _check_achievements(report: NarrativeReport, out: ReportOutcome) -> None:
    ach = report.achievements
    for a in ach.itertuples():
        if pd.isna(a.target_number) or pd.isna(a.actual_number):
            continue
        actual = convert(a.actual_number, a.actual_unit, a.target_unit)
        if actual is None:  # units that cannot be compared: no verdict
            continue
        where = f"报告绩效实现「{a.name}」(第{a.line}行)"
        expected = f"{_op_label(a.target_op)} {a.target_number:g}{a.target_unit or ''}"
        source = f"目标「{a.target_name}{a.target}」(第{a.target_line}行)"
        if _met(a.target_op, actual, a.target_number):
            out.ok("R21", where, "实现值达到目标", expected, a.actual, f"「{a.name}」实际 {a.actual}，达到{source}。")
        else:
            out.find(
                "R21",
                where,
                f"「{a.name}」实际 {a.actual}，未达到{source}。",
                scope="section",
                expected=expected,
                reported=a.actual,
            )
    _check_period(report, out)


def _check_period(report: NarrativeReport, out: ReportOutcome) -> None:
    """Dates "截至 …" in the achievement or budget sections that stop before 12-31 of the year."""
    if report.year is None:
        return
    secs, paras = report.sections, report.paragraphs
    scope = matching_sections(secs, *_ACHIEVE_RE) | matching_sections(secs, _REQUIRED_RE["预算执行情况"][0])
    partial = []
    for d in report.as_of_dates:  # a date belongs to the paragraph starting at or before its line
        owner = paras[paras["line"] <= d.line]
        in_scope = not owner.empty and owner.iloc[-1]["section"] in scope
        if in_scope and d.date.year == report.year and (d.date.month, d.date.day) != (12, 31):
            partial.append(d)
    if not partial:
        return
    lines = "、".join(str(d.line) for d in partial)
    dates = sorted({d.date for d in partial})
    shown = "、".join(x.isoformat() for x in dates)
    out.find(
        "R20",
        f"报告(第{lines}行)",
        f"{report.year}年度报告的数据仅统计至 {shown}（第{lines}行），未覆盖全年。",
        scope="section",
        expected=f"{report.year}-12-31",
        reported=dates[-1].isoformat(),
    )


# --- report vs self-evaluation table -------------------------------------------------------


def _check_against_table(report, evaluation, out: ReportOutcome, tol_money, tol_rate, tol_score) -> None:
    table = evaluation.budget
    by_name = {r["name"]: r for _, r in table.iterrows()} if table is not None and not table.empty else {}
    for row in report.budget.itertuples():
        other = by_name.get(row.name)
        if other is None:
            continue
        where = f"报告预算「{row.name}」(第{row.source_row}行)"
        u, ou = row.money_unit, other.get("money_unit") or ""
        if u in MONEY_FACTORS and ou in MONEY_FACTORS:
            for f, label in BUDGET_FIELDS.items():
                mine, theirs = getattr(row, f), other.get(f)
                if pd.isna(mine) or theirs is None or pd.isna(theirs):
                    continue
                theirs_conv = theirs * MONEY_FACTORS[ou] / MONEY_FACTORS[u]
                item = f"{label}与自评表核对"
                if close(mine, theirs_conv, tol_money):
                    message = f"「{row.name}」{label}与自评表一致。"
                    out.ok("R22", where, item, f"{fmt_money(theirs_conv)}{u}", f"{fmt_money(mine)}{u}", message)
                else:
                    out.find(
                        "R22",
                        where,
                        f"「{row.name}」{label}：报告 {fmt_money(mine)}{u}，自评表 {fmt_money(theirs)}{ou}"
                        f"（折合 {fmt_money(theirs_conv)}{u}）。",
                        scope="budget",
                        expected=f"{fmt_money(theirs_conv)}{u}",
                        reported=f"{fmt_money(mine)}{u}",
                    )
        mine = row.reported_rate if pd.notna(row.reported_rate) else row.rate
        theirs = other.get("reported_rate")
        theirs = other.get("rate") if theirs is None or pd.isna(theirs) else theirs
        if pd.notna(mine) and theirs is not None and pd.notna(theirs):
            if close(mine, theirs, tol_rate):
                out.ok(
                    "R22",
                    where,
                    "执行率与自评表核对",
                    f"{theirs:.2f}%",
                    f"{mine:.2f}%",
                    f"「{row.name}」执行率与自评表一致。",
                )
            else:
                out.find(
                    "R22",
                    where,
                    f"「{row.name}」执行率：报告 {mine:.2f}%，自评表 {theirs:.2f}%。",
                    scope="budget",
                    expected=f"{theirs:.2f}%",
                    reported=f"{mine:.2f}%",
                )
    total = getattr(evaluation, "reported_total", None)
    if total is None or pd.isna(total):
        return
    if report.reported_total is not None:
        if close(report.reported_total, total, tol_score):
            out.ok(
                "R23",
                "自评报告",
                "自评得分与自评表核对",
                f"{total:.2f}",
                f"{report.reported_total:.2f}",
                "报告得分与自评表总分一致。",
            )
        else:
            out.find(
                "R23",
                "自评报告",
                f"报告自评得分 {report.reported_total:.2f} 分，自评表总分 {total:.2f} 分。",
                scope="unit",
                expected=f"{total:.2f}",
                reported=f"{report.reported_total:.2f}",
            )
    if report.reported_grade:
        grade = GradeBands().grade(total)  # default bands (DOMAIN §1.4)
        if report.reported_grade == grade:
            out.ok(
                "R23",
                "自评报告",
                "自评等级与自评表核对",
                grade,
                report.reported_grade,
                "报告等级与自评表总分对应的等级一致。",
            )
        else:
            out.find(
                "R23",
                "自评报告",
                f"报告自评等级为“{report.reported_grade}”，自评表总分 {total:.2f} 分对应“{grade}”。",
                scope="unit",
                expected=grade,
                reported=report.reported_grade,
            )
