"""Review checks on what the form left behind: cells the unit did not fill in for real.

- C34: template placeholders left in indicator names (「(≥**个)」, 「……」, 「XX」);
- C35: narrative cells (存在问题, 改进措施, 评价结论 …) that still hold the form's instructions
  (「结合自评情况，分析存在的问题及原因。(200字以内)」);
- D07: 偏差原因 cells holding a bare number placeholder (「0」) instead of a reason or nothing;
- C36: the 年度总体目标 block of a self-evaluation with its goal or its completion blank, or
  holding only a number (「43.2」 / 「37.24」); a blank completion is not reported again when C12
  already names the goal items without indicator and completion;
- A08 (budget line): the scored 预算执行率 line carries points but no 得分.

Each is one finding for the table (C34, C35, D07: the cells listed) or for the budget line.
"""

from __future__ import annotations

import re

from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import budget_finding, fmt2, has_column, num, records

__all__ = ["check_residue", "fold_goal_findings"]

#: A placeholder the form prints for the unit to replace: **, ＊＊, ……, XX, ××, □□.
_PLACEHOLDER = re.compile(r"\*{2,}|＊{2,}|…{1,}|\.{3,}|(?<![A-Za-z])(?:XX|xx|××|□□)(?![A-Za-z])")
#: Instructions a form prints in its narrative cells.
_INSTRUCTION = re.compile(
    r"[（(]\s*\d+\s*字以内\s*[）)]|结合自评情况|针对.{0,20}(?:发现的问题|存在的问题).{0,10}提出|"
    r"分析存在的问题及原因|请(?:填写|根据|结合|简要)|填表说明|此处填写"
)
#: The unit's own narrative cells (not the form's notes under the table).
_NARRATIVE_KEYS = re.compile(r"问题|措施|结论|完成情况|综述|经验|建议|结果应用|履职")
_DONE = "实际完成情况"
_DONE_BLANK = f"{_DONE}空白"
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
_NUMBER_PLACEHOLDER = re.compile(r"^[0０]+(?:\.0+)?$")


def _names_with_placeholders(indicators) -> list[str]:
    return [str(r["name"]) for r in records(indicators) if _PLACEHOLDER.search(str(r.get("name") or ""))]


def _instruction_cells(texts: dict) -> list[str]:
    return [
        str(key)
        for key, value in texts.items()
        if _NARRATIVE_KEYS.search(str(key)) and _INSTRUCTION.search(re.sub(r"\s+", "", str(value or "")))
    ]


def _placeholder_notes(indicators) -> list[str]:
    if "deviation_note" not in indicators:
        return []
    return [
        str(r["name"])
        for r in records(indicators)
        if _NUMBER_PLACEHOLDER.match(re.sub(r"\s+", "", str(r.get("deviation_note") or "")))
    ]


def _listed(names: list[str], limit: int = 8) -> str:
    shown = "、".join(f"「{n}」" for n in names[:limit])
    return f"{len(names)} 项：{shown}{' 等' if len(names) > limit else ''}"


def _blank_budget_scores(evaluation) -> list[dict]:
    budget = evaluation.budget
    if "weight" not in budget or "reported_score" not in budget:
        return []
    out = []
    for r in records(budget):
        w = num(r.get("weight"))
        if w and w > 0 and num(r.get("reported_score")) is None:
            out.append(
                budget_finding(
                    "A08",
                    r["name"],
                    f"预算「{r['name']}」的预算执行率计 {fmt2(w)} 分，却未填写得分，总分无法复核。",
                    f"0–{fmt2(w)} 分",
                    "（空）",
                )
            )
    return out


def _goal_block(texts: dict) -> list[dict]:
    """C36: one side of the 年度总体目标 block blank or a bare number (the other side filled)."""
    goal, done = (re.sub(r"\s+", "", str(texts.get(k) or "")) for k in ("年度目标", "完成情况"))
    if not goal and not done:
        return []  # no goal block read: nothing to judge

    def state(value: str, what: str) -> str | None:
        if not value:
            return f"{what}空白"
        return None if _CJK_WORD.search(value) else f"{what}只填了「{value[:20]}」，没有内容"

    problems = [p for p in (state(goal, "预期目标"), state(done, _DONE)) if p]
    if not problems:
        return []
    return [
        make_finding(
            "C36",
            "年度总体目标",
            f"年度总体目标一栏{'；'.join(problems)}，无法判断年度目标是否实现。",
            expected="年度总体目标及其实际完成情况",
            reported="；".join(problems),
        )
    ]


def fold_goal_findings(rows: list[dict]) -> list[dict]:
    """The findings less a C36 that only says the completion is blank when C12 already names the
    goal items that have neither an indicator nor a reported completion (one finding per problem)."""
    if any(r["code"] == "C12" for r in rows):
        return [r for r in rows if not (r["code"] == "C36" and r["reported"] == _DONE_BLANK)]
    return rows


def check_residue(evaluation, *, declaration: bool = False) -> list[dict]:
    """C34, C35, C36, D07 and the budget line's A08 on one table (a declaration: C34, C35)."""
    out = []
    names = _names_with_placeholders(evaluation.indicators)
    if names:
        out.append(
            make_finding(
                "C34",
                "全表",
                f"指标名称中留有模板占位符（{_listed(names)}），未替换为本项目的内容；"
                "指标值另列在指标值栏，名称中的占位应删去。",
                expected="不含占位符的指标名称",
                reported=f"{len(names)} 项",
            )
        )
    cells = _instruction_cells(evaluation.texts or {})
    if cells:
        out.append(
            make_finding(
                "C35",
                "、".join(cells),
                f"{'、'.join(cells)}栏仍是表格的填写说明，单位未填写实际内容"
                f"（如「{str(evaluation.texts[cells[0]]).strip()[:40]}」）。",
                expected="单位实际填写的内容",
                reported="填写说明",
            )
        )
    if declaration:
        return out
    out += _goal_block(evaluation.texts or {})
    notes = _placeholder_notes(evaluation.indicators)
    if notes and has_column(evaluation, "deviation_note"):
        out.append(
            make_finding(
                "D07",
                "偏差原因",
                f"偏差原因栏填的是「0」（{_listed(notes)}），不是说明；没有偏差的应留空或写“无偏差”，"
                "有偏差的应写明原因。",
                expected="偏差原因或留空",
                reported="0",
            )
        )
    return out + _blank_budget_scores(evaluation)
