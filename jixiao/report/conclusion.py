"""The facts of the report's conclusion: what an evaluator signs (pure; wording in ``templates/conclusion.j2``).

A scored self-evaluation gets a judgement on the unit's performance and its use of funds: the
review score (a range while indicators are 待核实), the grade (待定 when the range crosses a
band), how the budget was spent, and per level-1 indicator whether its targets were met and
where they fell short. A declaration alone gets a 目标审核 (审核意见 under 完整性、相关性、
可衡量性、合理性); a self-evaluation report alone a 自评报告审核意见. None of them is a count
of findings: findings are listed in section 六.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.memo import memoized
from jixiao.core.vocab import report_wording
from jixiao.report.engagement import PENDING, indicator_status, result_indicators
from jixiao.report.facts import (
    TOL,
    budget_lines,
    declaration_facts,
    finding_groups,
    findings_of,
    headline_line,
    indicator_states,
    level1_rows,
    num,
    report_target_facts,
    tolerances,
    unit_kind,
)
from jixiao.report.wording import fmt_rate, fmt_score
from jixiao.review.catalogue import catalogue

__all__ = [
    "STRONG_RATE",
    "UNDECIDED_GRADE",
    "TARGET_ASPECTS",
    "REPORT_ASPECTS",
    "review_kind",
    "judgement",
    "aspect_opinions",
    "cover_figures",
    "score_text",
    "cited_rows",
]

#: A level-1 indicator at or above this review score rate (%) met its targets on the whole.
STRONG_RATE = 90.0
#: The grade shown while the score range crosses a band.
UNDECIDED_GRADE = "待定"
_SHORTFALL_LIMIT = 4  # indicators named per level-1 shortfall
_UNNAMED_LEVEL1 = "未归入一级指标的指标"

#: 目标审核 aspects and the finding codes that speak to each (财预〔2021〕101号 目标审核要点).
TARGET_ASPECTS: dict[str, tuple[str, ...]] = {
    "完整性": ("C12", "C13", "C01"),
    "相关性": ("R33", "C09", "C10", "C08", "R31", "B07"),
    "可衡量性": ("C02", "C03", "C04", "C11", "R30", "R32"),
    "合理性": ("C14", "B09", "C07"),
}
#: 自评报告审核 aspects and their finding codes.
REPORT_ASPECTS: dict[str, tuple[str, ...]] = {
    "完整性": ("R10", "R11"),
    "数据准确性": ("R01", "R02", "R04", "R05", "R22", "R23"),
    "目标实现情况": ("R20", "R21", "D06"),
    "规范性": ("R03", "R06", "R30", "R31", "R32", "R33"),
}
#: Standard level-2 groups a declaration's level 1 should cover (DOMAIN §2; 财预〔2021〕101号).
_EXPECTED_LEVEL2 = {
    "产出指标": ("数量指标", "质量指标", "时效指标"),  # 成本指标: check C13
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
}


def review_kind(result: Any) -> dict[str, str]:
    """What the report is: kicker, subtitle and the name of its conclusion, by the materials given (core.vocab.REPORT_WORDING)."""
    w = report_wording(unit_kind(result))
    return {"kind": w.kind, "kicker": w.kicker, "subtitle": w.subtitle, "name": w.conclusion, "work": w.work}


# --- a scored self-evaluation -------------------------------------------------------------------
def judgement(result: Any) -> dict[str, Any]:
    """The facts of 评价结论 for a scored unit (computed once per unit; read-only).

    Keys: ``score`` (review total), ``low``/``high`` (the range while anything is pending, else
    None), ``grade`` (待定 when the range crosses a band), ``n_pending``, ``budget`` (the headline
    budget line, or None), ``strong`` and ``weak`` (level-1 rows; each weak row with ``lost``:
    indicator dicts with ``name``, ``lost``, ``why``, and ``pending``: names of 待核实 indicators).
    """
    unit = result.self_eval
    parts = (unit, unit.scored, unit.level1, unit.totals, unit.budget, result.params)
    return memoized(result, "judgement", parts, lambda: _judgement(result))


def _judgement(result: Any) -> dict[str, Any]:
    unit = result.self_eval
    totals = unit.totals
    low, high = num(totals.get("review_total_low")), num(totals.get("review_total_high"))
    ranged = low is not None and high is not None and high - low >= TOL
    pending = [r for r in result_indicators(result) if indicator_status(r)[0] == PENDING]
    grade = str(totals.get("grade") or "")
    if ranged and grade and not _same_band(low, high, result):
        grade = UNDECIDED_GRADE
    highs = dict(zip(unit.level1["name"].astype(str), unit.level1.get("review_rate_high", unit.level1["review_rate"])))
    rows = [
        dict(r, key=r["name"], name=r["name"] or _UNNAMED_LEVEL1, rate_high=num(highs.get(r["name"])))
        for r in level1_rows(unit)
        if r["rate"] is not None and r["weight"]
    ]
    strong, weak = [], []
    for row in rows:
        part = unit.scored[unit.scored["level1"].fillna("").astype(str) == row["key"]]
        shortfalls = _shortfalls(part)
        if row["rate"] >= STRONG_RATE and not any(s["pending"] for s in shortfalls):
            strong.append(dict(row, n=len(part), n_full=indicator_states(part)["n_full"]))
        else:
            lost = [x for x in shortfalls if not x["pending"]]
            weak.append(
                dict(
                    row,
                    lost=lost[:_SHORTFALL_LIMIT],
                    more=max(0, len(lost) - _SHORTFALL_LIMIT),
                    pending=[x["name"] for x in shortfalls if x["pending"]],
                )
            )
    weak.sort(key=lambda r: r["rate"])
    lines = budget_lines(result, tolerances(result)["rate"])
    return {
        "score": num(totals.get("review_total")),
        "weight_sum": num(totals.get("weight_sum")),
        "low": low if ranged else None,
        "high": high if ranged else None,
        "grade": grade,
        "n_pending": len(pending),
        "budget": headline_line(lines),
        "budget_source": lines[0]["source"] if lines else "",
        "strong": strong,
        "weak": weak,
        "strong_rate": STRONG_RATE,
    }


def _same_band(low: float, high: float, result: Any) -> bool:
    bands = (result.params or {}).get("grade_bands") or {}
    cuts = sorted(float(v) for v in bands.values()) if bands else [60.0, 80.0, 90.0]
    return not any(low < cut <= high for cut in cuts)


def _shortfalls(part: pd.DataFrame) -> list[dict]:
    """Indicators of one level 1 that lost points or could not be confirmed, largest first."""
    out = []
    for r in records(part):
        weight, review = num(r.get("weight")), num(r.get("review_score"))
        status = indicator_status(r)[0]
        pending = status == PENDING or review is None
        lost = (weight or 0.0) - (review or 0.0) if weight is not None else 0.0
        if not pending and lost < TOL:
            continue
        out.append({"name": str(r.get("name") or ""), "lost": lost, "pending": pending, "why": _why(r, pending)})
    return sorted(out, key=lambda s: (-s["lost"], s["name"]))


def _why(r: dict, pending: bool) -> str:
    target, actual = _text(r.get("target")), _text(r.get("actual"))
    if pending:
        return "完成情况待核实"
    if r.get("review_note"):
        return "经评价人核定扣分"
    if not actual:
        return "未填报完成值"
    if target and actual:
        return f"完成值{actual}未达到指标值{target}"
    return "未完全达到指标值"


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text in ("nan", "None", "<NA>") else text


# --- a declaration or a report alone --------------------------------------------------------------
def aspect_opinions(result: Any) -> list[dict]:
    """审核意见 per aspect (目标审核 or 自评报告审核): name, what was checked (facts), the problems, a verdict.

    Each item: ``name``, ``facts`` (sentences of what the materials show), ``groups`` (finding
    groups of the aspect's codes, errors and warnings first), ``ok`` (no error or warning).
    Computed once per unit (read-only).
    """
    parts = (result.declaration, result.report, result.findings, result.params)
    return memoized(result, "aspect_opinions", parts, lambda: _aspect_opinions(result))


def _aspect_opinions(result: Any) -> list[dict]:
    kind = unit_kind(result)
    aspects = TARGET_ASPECTS if kind == "declaration" else REPORT_ASPECTS
    groups = finding_groups(findings_of(result), catalogue())
    facts = _declaration_aspect_facts(result) if kind == "declaration" else _report_aspect_facts(result)
    out = []
    for name, codes in aspects.items():
        mine = [g for g in groups if g["code"] in codes]
        out.append(
            {
                "name": name,
                "facts": facts.get(name, []),
                "groups": mine,
                "ok": not any(g["severity"] in ("错误", "警告") for g in mine),
            }
        )
    return out


def _declaration_aspect_facts(result: Any) -> dict[str, list[str]]:
    ind = result.declaration.evaluation.indicators
    texts = result.declaration.evaluation.texts
    level1 = [str(x) for x in pd.unique(ind["level1"]) if _text(x)]
    level2 = {str(x) for x in ind["level2"] if _text(x)}
    complete = [
        f"申报表设一级指标 {len(level1)} 个（{'、'.join(level1)}）、二级指标 {len(level2)} 个、三级指标 {len(ind)} 项"
    ]
    placed = _level_pairs(ind)
    for name, expected in _EXPECTED_LEVEL2.items():
        if name in level1:
            missing = [e for e in expected if not any(e[:2] in x for x in level2 if (x, name) in placed)]
            if missing:
                complete.append(f"{name}下未设{'、'.join(missing)}")
    if texts.get("年度目标"):
        complete.append("填报了年度总体目标")
    nature = ind["nature"].fillna("").astype(str)
    n_quant, n_qual = int((nature == "定量").sum()), int((nature == "定性").sum())
    measurable = [f"定量指标 {n_quant} 项、定性指标 {n_qual} 项"] if n_quant or n_qual else []
    counts = declaration_facts(result)
    share = counts.get("share_measurable")
    if counts.get("n_cited"):  # 投入管理 rows that only cite a regulation have no target of their own
        measurable.append(f"{counts['n_cited']} 项只引用文件规定、未填指标值")
        if share is not None:
            measurable.append(
                f"填有指标值的 {counts['n_with_target']} 项中可衡量的 {counts['n_measurable']} 项（{fmt_rate(share)}）"
            )
    elif share is not None:
        measurable.append(f"指标值可衡量的 {counts['n_measurable']} 项（{fmt_rate(share)}）")
    listed = [label for key, label in (("职责", "单位职责"), ("年度目标", "年度总体目标")) if texts.get(key)]
    relevant = [f"申报表列明了{'和'.join(listed)}，可据以核对 {len(ind)} 项指标与单位履职的对应关系"] if listed else []
    directions = ind["direction"].fillna("").astype(str) if "direction" in ind else pd.Series(dtype=str)
    n_directed = int((directions != "").sum())
    reasonable = []
    if len(directions):
        reasonable = [
            f"{len(ind)} 项指标中 {n_directed} 项标明了指标方向" if n_directed else f"{len(ind)} 项指标均未标明指标方向"
        ]
    return {"完整性": complete, "相关性": relevant, "可衡量性": measurable, "合理性": reasonable}


def _level_pairs(ind: pd.DataFrame) -> set[tuple[str, str]]:
    """The (二级指标, 一级指标) pairs of the rows, as text: a 二级 is under a 一级 when its pair is there."""
    return set(zip(ind["level2"].astype(str).tolist(), ind["level1"].astype(str).tolist()))


def _report_aspect_facts(result: Any) -> dict[str, list[str]]:
    report = result.report
    sections = report.sections
    n_top = int((sections["level"] == 1).sum()) if not sections.empty else 0
    facts: dict[str, list[str]] = {"完整性": [f"报告共 {n_top} 个一级章节"]}
    lines = budget_lines(result, tolerances(result)["rate"])
    head = headline_line(lines)
    if head is not None and head["rate"] is not None:
        facts["数据准确性"] = [f"报告所列执行率按全年执行数 ÷ 全年预算数复算为 {fmt_rate(head['rate'])}"]
    got = report_target_facts(report, result.confirmations)
    n_achieved = len(got["achievements"])
    facts["目标实现情况"] = [
        f"给出实现值的 {n_achieved} 项中 {got['n_matched']} 项可与目标对应、{got['n_met']} 项经核对达到目标，"
        f"其余 {got['n_targets'] - got['n_matched']} 项绩效目标无可核对的实现值"
    ]
    if got["as_of"]:
        facts["目标实现情况"].append(f"报告数据的统计截止日期为{'、'.join(got['as_of'])}")
    return facts


def cover_figures(result: Any) -> list[tuple[str, str, str]]:
    """(label, value, unit) of the cover's key figures for a declaration or report review (no score: no 不计分 box)."""
    kind = unit_kind(result)
    if kind not in ("declaration", "report"):
        return []
    pending = [a["name"] for a in aspect_opinions(result) if not a["ok"]]
    verdict = ("审核结论", "需修改完善" if pending else "符合要求", "")
    if kind == "declaration":
        return [verdict, ("三级指标", str(len(result.declaration.evaluation.indicators)), "项")]
    return [verdict, ("绩效目标", str(len(result.report.targets)), "项")]


def cited_rows(part: pd.DataFrame) -> list[dict]:
    """Declaration rows without a target of their own whose 指标解释 sets the standard (投入管理 rows citing a regulation)."""
    out = []
    for r in records(part):
        definition = _text(r.get("definition"))
        if not _text(r.get("target")) and definition:
            out.append({"name": _text(r.get("name")), "definition": definition})
    return out


def score_text(result: Any) -> tuple[str, str]:
    """(review score, grade) as the cover and the key figures show them: "85.00–94.00" and 待定 while pending."""
    j = judgement(result)
    if j["low"] is not None:
        return f"{fmt_score(j['low'])}–{fmt_score(j['high'])}", j["grade"] or "—"
    return fmt_score(j["score"]), j["grade"] or "—"
