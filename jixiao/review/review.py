"""The review (复核) facade: run every check on a unit and return one findings table.

``review`` runs groups A, C and D on the self-evaluation table (``checks``, ``checks_quality``),
group B against the target declaration (``checks_declaration``) and group E on the narrative
report (``checks_report``). The codes are data (``resources/catalogue/findings.toml``). ``catalogue_markdown``
renders the code catalogue that ``docs/CHECKS.md`` holds; regenerate that file with
``python -m jixiao.review.review > docs/CHECKS.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.vocab import DEFAULT_TOLERANCES, SEVERITIES
from jixiao.parse.shortfall import shortfall_texts
from jixiao.review import budget as _budget
from jixiao.review import categories as _categories
from jixiao.review import explanations as _explanations
from jixiao.review import framing as _framing
from jixiao.review import goals as _goals
from jixiao.review import quality as _quality
from jixiao.review import residue as _residue
from jixiao.review import shortfall as _shortfall
from jixiao.review import spending as _spending
from jixiao.review import table as _checks
from jixiao.review.catalogue import catalogue, findings_frame
from jixiao.review.declaration import RENAME_RATIO, check_direction_rule, compare_declaration
from jixiao.review.helpers import has_column
from jixiao.review.narrative_report import check_report
from jixiao.score.rules.base import OVERSHOOT_RATIO
from jixiao.score.scoring import ScoringSettings, score_indicators
from jixiao.score.structure import repair_structure

__all__ = ["ReviewSettings", "review", "summarize_findings", "catalogue_markdown", "GROUPS"]

#: DOMAIN §4.2 groups and their Chinese titles.
GROUPS = {
    "A": "结构与计算",
    "B": "与绩效目标申报表的一致性",
    "C": "指标值与完成值的质量",
    "D": "偏差及原因说明",
    "E": "自评报告与自评表的一致性",
}


@dataclass(frozen=True)
class ReviewSettings:
    """Tolerances and thresholds of the checks (a difference counts when strictly above).

    The score, money and rate tolerances default to ``core.vocab.DEFAULT_TOLERANCES`` and come
    from the unit's params (or ``jixiao.toml``) through :meth:`from_tolerances`; the score
    tolerance applies to the total and to each indicator's self score against its rule score.
    """

    score_tolerance: float = DEFAULT_TOLERANCES.score  # points: Σ 自评分 vs 总分
    indicator_tolerance: float = DEFAULT_TOLERANCES.score  # points: one indicator's self score vs rule score
    over_ratio: float = OVERSHOOT_RATIO  # 完成值 ≥ ratio × 指标值 must be explained
    execution_threshold: float = 90.0  # percent: a lower 预算执行率 must be explained
    money_tolerance: float = DEFAULT_TOLERANCES.money  # in the table's money unit (元 / 万元)
    rate_tolerance: float = DEFAULT_TOLERANCES.rate  # percentage points
    weight_tolerance: float = DEFAULT_TOLERANCES.score  # points: weight sums and roll-ups
    total_points: float = 100.0  # what the 一级权重 add up to
    copy_share: float = 0.8  # share of identical 完成值 that makes copying a pattern
    rename_ratio: float = RENAME_RATIO  # name similarity for a renamed indicator
    scoring: ScoringSettings | None = None  # passed to score_indicators when review scores

    @classmethod
    def from_tolerances(cls, tolerances, **kwargs) -> ReviewSettings:
        """Settings from ``params.Tolerances`` (score, money, rate), other fields as given.

        The score tolerance applies to the total and to each indicator's score.
        """
        kwargs.setdefault("indicator_tolerance", tolerances.score)
        kwargs.setdefault("weight_tolerance", tolerances.score)
        return cls(
            score_tolerance=tolerances.score, money_tolerance=tolerances.money, rate_tolerance=tolerances.rate, **kwargs
        )


def review(
    evaluation=None,
    *,
    scored: pd.DataFrame | None = None,
    declaration=None,
    report=None,
    settings: ReviewSettings | None = None,
) -> pd.DataFrame:
    """Run every check and return one findings table (``findings.FINDING_COLUMNS``).

    Args:
        evaluation: the unit's self-evaluation table (``Evaluation``). A declaration
            (table_type "declaration") gets only the checks on its targets.
        scored: ``score_indicators`` output for ``evaluation``; scored here when None.
        declaration: the 绩效目标申报表 (``Evaluation``) to compare with (group B).
        report: the narrative self-evaluation report (``NarrativeReport``, group E).
        settings: tolerances and thresholds; defaults when None.

    Returns:
        Findings sorted by severity then code; empty when nothing is wrong.
    """
    s = settings or ReviewSettings()
    if evaluation is None:  # a narrative report on its own
        if report is None:
            return findings_frame([])
        found = check_report(report, evaluation=None, **_report_tolerances(s))
        return findings_frame(records(found))
    evaluation = repair_structure(evaluation)  # as scoring did: the record made there is kept
    year = evaluation.unit.year
    ind = evaluation.indicators
    is_declaration = evaluation.unit.table_type == "declaration"
    if not is_declaration and scored is None:
        scoring = replace(s.scoring or ScoringSettings(), unit_texts=shortfall_texts(evaluation.texts, report))
        scored = score_indicators(ind, settings=scoring, year=year)
    parsed = _checks.parse_targets(ind if is_declaration else scored, year)  # scoring's parse, reused
    rows = _checks.check_reader_notes(evaluation.notes)
    rows += _quality.check_targets(ind, parsed, asks_target=has_column(evaluation, "target"))
    rows += _goals.check_satisfaction_direction(ind, parsed) + _goals.check_cost_indicators(evaluation)
    rows += _categories.check_structure_repair(evaluation) + _categories.check_level2_placement(ind, evaluation.notes)
    rows += _categories.check_categories(ind)
    rows += _framing.check_framing(ind, parsed, declaration=is_declaration)
    rows += _residue.check_residue(evaluation, declaration=is_declaration)
    if not is_declaration:
        rows += _checks.check_weights(evaluation, total_points=s.total_points, tolerance=s.weight_tolerance)
        rows += _checks.check_scores(
            evaluation, parsed, tolerance_total=s.score_tolerance, tolerance=s.indicator_tolerance
        )
        rows += _budget.check_budget(
            evaluation.budget,
            tolerance_money=s.money_tolerance,
            tolerance_rate=s.rate_tolerance,
            tolerance_score=s.indicator_tolerance,
        )
        rows += _budget.check_budget_indicators(evaluation, parsed, tolerance_rate=s.rate_tolerance)
        rows += _checks.check_rescoring(scored, parsed, tolerance=s.indicator_tolerance)
        rows += _quality.check_actuals(evaluation, parsed, copy_share=s.copy_share)
        rows += _explanations.check_explanations(
            evaluation,
            scored,
            parsed,
            tolerance=s.indicator_tolerance,
            over_ratio=s.over_ratio,
            execution_threshold=s.execution_threshold,
            tolerance_money=s.money_tolerance,
            tolerance_rate=s.rate_tolerance,
        )
        rows += check_direction_rule(scored, year=year)
        rows += _spending.check_unspent_outputs(evaluation, scored, rows, threshold=s.execution_threshold)
        rows += _spending.check_cost_actuals(evaluation, parsed, tolerance_money=s.money_tolerance)
        rows += _goals.check_goal_coverage(evaluation) + _goals.check_part_year(evaluation)
        admitted = _shortfall.check_admitted_shortfall(scored, shortfall_texts(evaluation.texts, report))
        rows = _shortfall.supersede(rows + admitted)
    if declaration is not None:
        rows += compare_declaration(declaration, evaluation, ratio=s.rename_ratio)
    if report is not None:
        found = check_report(report, evaluation=evaluation, **_report_tolerances(s))
        rows += records(found)
    budget_scored = "weight" in evaluation.budget and evaluation.budget["weight"].notna().any()
    rows = _residue.fold_goal_findings(rows)
    return findings_frame(_one_per_problem(_without_unverifiable_sums(rows, budget_scored=budget_scored)))


#: Checks that cannot be judged when rows of the table were not read (A31): the sums lack those rows,
#: and a goal with no indicator (C12) may have one among them.
_SUM_CODES = {"A02", "A03", "A06", "C12"}
#: Sums that include the budget line's points: unverifiable when a budget line was not read (A33)
#: and none that was read carries points (the lost line may be the scored 预算执行率 line).
_BUDGET_SUM_CODES = {"A01", "A03", "A06"}


def _without_unverifiable_sums(rows: list[dict], *, budget_scored: bool = True) -> list[dict]:
    """The findings less the checks that lack rows the reader could not read: A02, A03, A06, C12
    when an indicator row was not read (A31); A01, A03, A06 when a budget line was not read (A33)
    and no budget line read carries points."""
    codes = {r["code"] for r in rows}
    drop = (_SUM_CODES if "A31" in codes else set()) | (
        _BUDGET_SUM_CODES if "A33" in codes and not budget_scored else set()
    )
    return [r for r in rows if r["code"] not in drop] if drop else rows


def _report_tolerances(s: ReviewSettings) -> dict[str, float]:
    return {
        "tolerance_money": s.money_tolerance,
        "tolerance_rate": s.rate_tolerance,
        "tolerance_score": s.score_tolerance,
    }


#: A finding (key) that another finding on the same indicator (value) already states.
_FOLDED = {"C02": "C25"}  # a bare "100" satisfaction target: C25 says no direction and no unit


def _one_per_problem(rows: list[dict]) -> list[dict]:
    """One finding per indicator and problem: the first of each (code, indicator) or (code, place);
    none that another finding on the same indicator already states (``_FOLDED``)."""
    present = {(r["code"], r.get("indicator_id")) for r in rows if r.get("indicator_id")}
    rows = [r for r in rows if (_FOLDED.get(r["code"]), r.get("indicator_id")) not in present]
    seen, out = set(), []
    for r in rows:
        key = (
            (r["code"], r["indicator_id"])
            if r.get("scope") == "indicator" and r.get("indicator_id")
            else (r["code"], r["where"], r["message"])
        )
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def summarize_findings(findings: pd.DataFrame) -> dict[str, int]:
    """Number of findings per severity (错误/警告/提示, each present) and in all (合计)."""
    counts = findings["severity"].value_counts() if len(findings) else pd.Series(dtype="int64")
    out = {sev: int(counts.get(sev, 0)) for sev in SEVERITIES}
    out["合计"] = int(len(findings))
    return out


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _note_mark(entry) -> str:
    return "（读取说明）" if entry.reader_note else ""


def catalogue_markdown() -> str:
    """The catalogue of check codes as Markdown, one table per group (docs/CHECKS.md)."""
    cat = catalogue()
    lines = [
        "# 复核检查项目录",
        "",
        "本文件由 `python -m jixiao.review.review > docs/CHECKS.md` 生成，请勿手工修改；"
        "测试会核对它与代码中登记的检查项一致。",
        "",
        "每条复核发现（finding）带有稳定的代码、级别（错误 / 警告 / 提示）、位置、说明、应为值和填报值。"
        "分组见 DOMAIN.md §4.2。标“读取说明”的代码记录原表是如何读取的（reader_note 为 true），"
        "不是对单位的复核发现，只出现在分析人员输出和 JSON 中，不进入客户报告。",
        "",
    ]
    groups = list(GROUPS) + sorted(set(cat["group"]) - set(GROUPS))
    for group in groups:
        part = cat[cat["group"] == group]
        if part.empty:
            continue
        lines += [
            f"## {group}. {GROUPS.get(group, '其他')}" if group else "## 其他",
            "",
            "| 代码 | 级别 | 名称 | 含义 | 修改建议 |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.code} | {r.severity} | {_cell(r.title)} | {_note_mark(r)}{_cell(r.meaning)} | {_cell(r.fix)} |"
            for r in part.itertuples()
        ]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
