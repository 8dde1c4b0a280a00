"""The report's Chinese narrative, written from the data (pure: tables in, paragraphs out).

Each public function takes a :class:`jixiao.run.evaluate.UnitResult` and returns plain-text
paragraphs (``list[str]``, not HTML-escaped) or small records (:class:`Problem`,
:class:`Suggestion`, :class:`Level1Text`). The facts come from :mod:`jixiao.report.facts`,
the wording from ``templates/*.j2`` (Jinja2); this module joins them. Every sentence cites a number, an indicator or a finding:
nothing is said when the data gives nothing to say, and a unit without findings gets no
problems beyond the indicators that actually lost points.

Numbers and names are written by :mod:`jixiao.report.wording` (formats, rounding, the Jinja2
environment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from jixiao.core.model import TABLE_TYPES
from jixiao.core.vocab import INPUT_KINDS, SEVERITIES, WEIGHT_SCHEMES, report_wording
from jixiao.report.conclusion import aspect_opinions, cited_rows, judgement
from jixiao.report.experience import unit_practices
from jixiao.report.facts import (
    VAGUE_CODES,
    budget_lines,
    declaration_facts,
    finding_groups,
    findings_of,
    headline_line,
    indicator_states,
    level1_facts,
    level1_rows,
    material_names,
    num,
    report_target_facts,
    severity_counts,
    tolerances,
    total_diff,
    unit_kind,
)
from jixiao.report.problems import GROUP_TITLES, Problem, Suggestion, problems, suggestions
from jixiao.report.wording import (
    fmt_score,
    plain,
    render_paragraphs,
)
from jixiao.review.catalogue import catalogue

__all__ = [
    "GROUP_TITLES",
    "Problem",
    "Suggestion",
    "Level1Text",
    "summary",
    "basic_info",
    "budget_execution",
    "targets_overview",
    "method",
    "conclusion",
    "level1_analysis",
    "experience",
    "problems",
    "problems_intro",
    "suggestions",
    "other_matters",
]


@dataclass(frozen=True)
class Level1Text:
    """Section 四 for one level-1 indicator (or one level-2 group of a report)."""

    name: str
    paragraphs: tuple[str, ...]
    indicator_ids: tuple[str, ...]


# --- shared context ---------------------------------------------------------------------------
def _context(result: Any) -> dict[str, Any]:
    main = result.main
    kind = unit_kind(result)
    table_type = main.evaluation.unit.table_type if main is not None else ""
    if main is None and result.report is not None:
        table_type = "report"
    scored = main.scored if main is not None else None
    return {
        "kind": kind,
        "unit": result.unit_name,
        "year": f"{result.year}年度" if result.year else "",
        "table_name": TABLE_TYPES.get(table_type, ""),
        "materials": material_names(result),
        "n_indicators": 0 if scored is None else len(scored),
        "counts": severity_counts(result),
        "n_findings": len(findings_of(result)),
        **_wording_context(kind),
    }


def _wording_context(kind: str) -> dict[str, str]:
    """The words naming the work in the templates: 复核 or 审核 (core.vocab.REPORT_WORDING)."""
    w = report_wording(kind)
    return {"work": w.work, "findings_word": w.findings, "findings_annex": w.findings_annex}


# --- 摘要 ---------------------------------------------------------------------------------------
def summary(result: Any) -> list[str]:
    """摘要: object, total and grade (or why there is none), budget, main results, problems, suggestions."""
    ctx = _context(result)
    ctx["budget"] = _budget_headline(result)
    ctx["top_problems"] = [
        f"{g['title']}（{g['count']} 处）"
        for g in finding_groups(findings_of(result), catalogue())
        if g["severity"] != "提示"
    ][:3]
    found = suggestions(result)
    ctx["top_fixes"] = [plain(s.text).replace("；", "，") for s in found[:3]]
    ctx["n_suggestions"] = len(found)
    _add_kind_facts(ctx, result)
    if ctx["kind"] == "self":
        ctx["judgement"] = judgement(result)
    return render_paragraphs("summary.j2", **ctx)


def _budget_headline(result: Any) -> dict | None:
    lines = budget_lines(result, tolerances(result)["rate"])
    head = headline_line(lines)
    if head is None:
        return None
    return {
        "head": head,
        "parts": [ln for ln in lines if ln["group"] == "资金结构" and ln is not head],
        "source": lines[0]["source"],
    }


# --- 一、基本情况 --------------------------------------------------------------------------------
def basic_info(result: Any) -> list[str]:
    """一（一）单位概况: who, which year, which materials, how the table is built."""
    ctx = _context(result)
    main = result.main
    report = result.report
    ctx["table_unit"] = main.evaluation.unit.name if main is not None else (report.unit_name if report else "")
    ctx["department"] = main.evaluation.unit.department if main is not None else ""
    ctx["extra"] = dict(main.evaluation.unit.extra) if main is not None else {}
    if result.report is not None and main is None:
        sections = result.report.sections
        ctx["report_sections"] = int((sections["level"] == 1).sum()) if not sections.empty else 0
        ctx["report_title"] = result.report.title
    return render_paragraphs("basic.j2", **ctx)


def budget_execution(result: Any) -> list[str]:
    """一（二）预算执行情况: headline line, its parts, adjustment, rate checks and budget findings."""
    lines = budget_lines(result, tolerances(result)["rate"])
    found = findings_of(result)
    budget_findings = found[found["scope"] == "budget"] if not found.empty else found
    head = headline_line(lines)
    return render_paragraphs(
        "budget.j2",
        year=f"{result.year}年度" if result.year else "",
        lines=lines,
        head=head,
        parts=[ln for ln in lines if ln["group"] == "资金结构" and ln is not head],
        mismatched=[ln for ln in lines if ln["rate_mismatch"]],
        budget_findings=[plain(m) for m in (budget_findings["message"] if not budget_findings.empty else [])],
        source=lines[0]["source"] if lines else "",
        **_wording_context(unit_kind(result)),
    )


def targets_overview(result: Any) -> list[str]:
    """一（三）绩效目标: the indicator system as declared (levels, weights, counts)."""
    ctx = _context(result)
    if ctx["kind"] in ("self", "declaration"):
        ind = result.main.evaluation.indicators
        ctx["level1"] = [
            {"name": name, "n": int((ind["level1"] == name).sum()), "declared": num(w)}
            for name, w in result.main.evaluation.level1_declared.itertuples(index=False, name=None)
        ]
        ctx["n_level2"] = int(ind[["level1", "level2"]].drop_duplicates().shape[0])
    elif ctx["kind"] == "report":
        ctx.update(report_target_facts(result.report, result.confirmations))
    return render_paragraphs("targets.j2", **ctx)


# --- 二、工作开展情况 ------------------------------------------------------------------------------
def method(result: Any) -> list[str]:
    """二: scope, basis, method (rules used, with counts), tolerances, weights and grade bands."""
    ctx = _context(result)
    params = result.params or {}
    main = result.main
    rules = []
    if main is not None and ctx["kind"] == "self":
        labels = main.scored["rule_label"].fillna("").astype(str)
        rules = [(label, int(n)) for label, n in labels[labels != ""].value_counts().items()]
    scheme = params.get("weight_scheme", "table")
    if ctx["kind"] == "report":
        ctx.update(report_target_facts(result.report, result.confirmations))
    ctx.update(
        rules=rules,
        n_budget=len(budget_lines(result, 0.01)),
        tolerances=tolerances(result),
        money_unit=(budget_lines(result, 0.01) or [{"unit": "元"}])[0]["unit"],
        scheme=WEIGHT_SCHEMES.get(scheme, "")
        if isinstance(scheme, str)
        else "自定义（" + "、".join(f"{k} {fmt_score(v)} 分" for k, v in scheme.items()) + "）",
        scheme_key=scheme if isinstance(scheme, str) else "custom",
        bands=params.get("grade_bands") or {},
        evaluator=result.evaluator,
        n_overrides=len(params.get("overrides") or []),
    )
    return render_paragraphs("method.j2", **ctx)


def _add_kind_facts(ctx: dict, result: Any) -> None:
    """The facts each kind of unit (self-evaluation / declaration / report) is summarised by."""
    if ctx["kind"] == "self":
        unit = result.self_eval
        ctx.update(
            totals=unit.totals,
            level1=level1_rows(unit),
            states=indicator_states(unit.scored),
            total_diff=total_diff(unit.totals),
        )
    elif ctx["kind"] == "declaration":
        ctx.update(declaration_facts(result))
    elif ctx["kind"] == "report":
        ctx.update(report_target_facts(result.report, result.confirmations))


# --- 三、综合评价情况及评价结论 -----------------------------------------------------------------------
def conclusion(result: Any) -> list[str]:
    """三: self vs review, then 评价结论 (a judgement, see :mod:`jixiao.report.conclusion`) or the 审核意见."""
    ctx = _context(result)
    _add_kind_facts(ctx, result)
    if ctx["kind"] == "self":
        ctx["judgement"] = judgement(result)
    elif ctx["kind"] in ("declaration", "report"):
        ctx["aspects"] = aspect_opinions(result)
    return render_paragraphs("conclusion.j2", **ctx)


# --- 四、绩效评价指标分析 -----------------------------------------------------------------------------
def level1_analysis(result: Any) -> list[Level1Text]:
    """四: per level-1 indicator, the score rate, what was met, what lost points and why, self vs review.

    A declaration gets the quality of its targets per level 1; a report its targets per level 2.
    """
    found = findings_of(result)
    out = []
    if result.self_eval is not None:
        for facts in level1_facts(result.self_eval, found, catalogue()):
            paragraphs = render_paragraphs("level1.j2", **facts)
            out.append(Level1Text(facts["name"], tuple(paragraphs), tuple(facts["ids"])))
    elif result.declaration is not None:
        ind = result.declaration.evaluation.indicators
        for name in pd.unique(ind["level1"]):
            part = ind[ind["level1"] == name]
            ids = list(part["indicator_id"])
            mine = found[found["indicator_id"].isin(ids)] if not found.empty else found
            facts = {
                "name": name,
                "n": len(part),
                "level2": [(l2, int((part["level2"] == l2).sum())) for l2 in pd.unique(part["level2"])],
                "n_quant": int((part["nature"] == "定量").sum()),
                "n_qual": int((part["nature"] == "定性").sum()),
                "vague": _vague_items(part, mine),
                "cited": cited_rows(part),
                "other": [] if mine.empty else finding_groups(mine[~mine["code"].isin(VAGUE_CODES)], catalogue()),
            }
            out.append(Level1Text(name, tuple(render_paragraphs("declaration_level1.j2", **facts)), tuple(ids)))
    elif result.report is not None:
        facts = report_target_facts(result.report, result.confirmations)
        out.append(
            Level1Text("报告列示的绩效目标与实现情况", tuple(render_paragraphs("report_targets.j2", **facts)), ())
        )
    return out


def _vague_items(part: pd.DataFrame, mine: pd.DataFrame) -> list[dict]:
    if mine.empty:
        return []
    ids = set(mine.loc[mine["code"].isin(VAGUE_CODES), "indicator_id"])
    rows = part[part["indicator_id"].isin(ids)]
    return [{"name": r.name, "target": r.target} for r in rows.itertuples(index=False)]


# --- 五、主要经验及做法 ---------------------------------------------------------------------------
def experience(result: Any) -> list[str]:
    """五: the unit's own account of its work (完成情况, 履职情况, or the report's chapter), attributed."""
    ctx = _context(result)
    ctx.update(unit_practices(result))
    conf = result.confirmations
    ctx["confirmed"] = [] if conf is None or conf.empty else [plain(m) for m in conf["message"]]
    return render_paragraphs("experience.j2", **ctx)


# --- 六、存在的问题 -----------------------------------------------------------------------------
def problems_intro(result: Any) -> list[str]:
    """六 opening: finding counts and how the problems are ordered; the unit's own statement of problems."""
    ctx = _context(result)
    main = result.main
    ctx["own"] = plain(main.evaluation.texts.get("存在问题", "")) if main is not None else ""
    found = problems(result)
    ctx["n_problems"] = len(found)
    ctx["order"] = [s for s in ("扣分", *SEVERITIES) if any(p.severity == s for p in found)]
    ctx["order"] = ["扣分指标" if s == "扣分" else s for s in ctx["order"]]
    return render_paragraphs("problems_intro.j2", **ctx)


# --- 八、其他需要说明的问题 ---------------------------------------------------------------------------
def other_matters(result: Any) -> list[str]:
    """八: the evaluator's adjustments, indicators the rules could not score, the weight scheme, data responsibility."""
    ctx = _context(result)
    params = result.params or {}
    ctx["overrides"] = [
        {"name": o.get("indicator", ""), "score": o.get("score"), "reason": plain(o.get("reason", ""))}
        for o in params.get("overrides") or []
    ]
    ctx["unscored"] = indicator_states(result.self_eval.scored)["unscored"] if result.self_eval is not None else []
    scheme = params.get("weight_scheme", "table")
    ctx["scheme"] = (
        "" if scheme == "table" else (WEIGHT_SCHEMES.get(scheme, "") if isinstance(scheme, str) else "自定义")
    )
    ctx["input_kinds"] = [INPUT_KINDS[k] for k in (params.get("inputs") or {})]
    return render_paragraphs("other.j2", **ctx)
