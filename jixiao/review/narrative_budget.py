"""Checks of the budget figures a narrative self-evaluation report states (DOMAIN §4.2 group E):
execution within budget, printed rates that recompute, parts that add up to the total, and
budget adjustments explained. Money in the report's own unit (元, 万元, 亿元)."""

from __future__ import annotations

import re

import pandas as pd

from jixiao.read.narrative_report import NarrativeReport
from jixiao.review.helpers import ReportOutcome, close, fmt_money

__all__ = ["check_budget", "check_adjustment", "MONEY_FACTORS", "BUDGET_FIELDS"]

_ADJUST_WORDS = re.compile(r"调整|调减|调增|追加|追减|调剂|压减|核减|收回|预算变动")
_REASON_WORDS = re.compile(r"原因|由于|因为|主要是|系因")
MONEY_FACTORS = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
BUDGET_FIELDS = {"initial_budget": "年初预算", "budget": "全年预算", "spent": "执行金额"}


# --- budget --------------------------------------------------------------------------------


def _budget_text(report: NarrativeReport, line: int) -> str:
    """Text of the section holding the budget paragraph at ``line``."""
    paras = report.paragraphs
    before = paras[paras["line"] <= line]
    if before.empty:
        return ""
    section = before.iloc[-1]["section"]
    return "\n".join(paras.loc[paras["section"] == section, "text"])


def check_budget(report: NarrativeReport, out: ReportOutcome, tol_money: float, tol_rate: float) -> None:
    budget = report.budget
    if budget.empty:
        out.find(
            "R05",
            "自评报告",
            "报告中未识别到预算执行数据（全年预算、执行金额、执行率）。",
            scope="unit",
            expected="列明预算与执行金额",
            reported="未找到",
        )
        return
    for row in budget.itertuples():
        where = f"报告预算「{row.name}」(第{row.source_row}行)"
        u = row.money_unit
        missing = [label for f, label in (("budget", "全年预算"), ("spent", "执行金额")) if pd.isna(getattr(row, f))]
        if missing:
            out.find(
                "R05",
                where,
                f"「{row.name}」未列明{'、'.join(missing)}。",
                scope="budget",
                expected="、".join(missing),
                reported="未找到",
            )
            continue
        if row.budget > 0 and row.spent > row.budget + tol_money:
            out.find(
                "R04",
                where,
                f"「{row.name}」执行金额 {fmt_money(row.spent)}{u} 超过全年预算 {fmt_money(row.budget)}{u}。",
                scope="budget",
                expected=f"≤ {fmt_money(row.budget)}{u}",
                reported=f"{fmt_money(row.spent)}{u}",
            )
        if pd.notna(row.reported_rate) and pd.notna(row.rate):
            if close(row.reported_rate, row.rate, tol_rate):
                out.ok(
                    "R01",
                    where,
                    "执行率核对一致",
                    f"{row.rate:.2f}%",
                    f"{row.reported_rate:.2f}%",
                    f"「{row.name}」{fmt_money(row.spent)} ÷ {fmt_money(row.budget)} = {row.rate:.2f}%，与报告一致。",
                )
            else:
                out.find(
                    "R01",
                    where,
                    f"「{row.name}」执行率应为 {fmt_money(row.spent)} ÷ {fmt_money(row.budget)} = "
                    f"{row.rate:.2f}%，报告写为 {row.reported_rate:.2f}%。",
                    scope="budget",
                    expected=f"{row.rate:.2f}%",
                    reported=f"{row.reported_rate:.2f}%",
                )
        rate = row.rate if pd.notna(row.rate) else row.reported_rate
        if pd.notna(rate) and rate < 90 and not _REASON_WORDS.search(_budget_text(report, row.source_row)):
            out.find(
                "R06",
                where,
                f"「{row.name}」预算执行率 {rate:.2f}% 低于 90%，报告未说明原因。",
                scope="budget",
                expected="≥ 90% 或说明原因",
                reported=f"{rate:.2f}%",
            )
    _check_parts(budget, out, tol_money)
    check_adjustment(report, out, tol_money)


def _check_parts(budget: pd.DataFrame, out: ReportOutcome, tol_money: float) -> None:
    rows = {r["name"]: r for _, r in budget.iterrows()}
    total = rows.get("合计")
    if total is None:
        return
    unit = total["money_unit"]
    for parts in (("基本支出", "项目支出"), ("财政拨款", "其他资金")):
        if not all(p in rows for p in parts):
            continue
        for f, label in BUDGET_FIELDS.items():
            values = [rows[p][f] * MONEY_FACTORS[rows[p]["money_unit"]] / MONEY_FACTORS[unit] for p in parts]
            if pd.isna(total[f]) or any(pd.isna(v) for v in values):
                continue
            parts_sum = round(sum(values), 2)  # display rounding; the comparison uses the tolerance
            detail = " + ".join(f"{p} {fmt_money(v)}" for p, v in zip(parts, values))
            where = f"报告预算「合计」(第{total['source_row']}行)"
            if close(sum(values), total[f], tol_money):
                out.ok(
                    "R02",
                    where,
                    f"{label}分项合计核对一致",
                    f"{fmt_money(parts_sum)}{unit}",
                    f"{fmt_money(total[f])}{unit}",
                    f"{label}：{detail} = {fmt_money(parts_sum)}{unit}，与合计一致。",
                )
            else:
                gap = round(total[f] - sum(values), 2)
                out.find(
                    "R02",
                    where,
                    f"{label}：{detail} = {fmt_money(parts_sum)}{unit}，与合计 {fmt_money(total[f])}{unit} "
                    f"相差 {fmt_money(abs(gap))}{unit}。",
                    scope="budget",
                    expected=f"{fmt_money(parts_sum)}{unit}",
                    reported=f"{fmt_money(total[f])}{unit}",
                )


def check_adjustment(report: NarrativeReport, out: ReportOutcome, tol_money: float) -> None:
    for row in report.budget.itertuples():
        if pd.isna(row.initial_budget) or pd.isna(row.budget) or close(row.initial_budget, row.budget, tol_money):
            continue
        raw = row.budget - row.initial_budget
        u, delta = row.money_unit, round(raw, 2)  # rounded for display only
        pct = round(raw / row.initial_budget * 100, 2) if row.initial_budget else float("nan")
        verb = "调增" if delta > 0 else "调减"
        change = f"{verb} {fmt_money(abs(delta))}{u}（{pct:+.2f}%）"
        where = f"报告预算「{row.name}」(第{row.source_row}行)"
        before, after = f"年初预算 {fmt_money(row.initial_budget)}{u}", f"全年预算 {fmt_money(row.budget)}{u}"
        explained = _ADJUST_WORDS.search(_budget_text(report, row.source_row))
        if explained:
            message = f"{before} → {after}，报告有“{explained.group(0)}”的说明。"
            out.ok("R03", where, "预算调整已说明", "说明调整原因", change, message)
        else:
            out.find(
                "R03",
                where,
                f"「{row.name}」{before}，{after}，{change}，报告未说明预算调整原因。",
                scope="budget",
                expected=f"{before}（或说明调整原因）",
                reported=f"{after}，{change}",
            )
