"""Review checks on the indicator tree: the level-1 structure repair (A50, A51) and each
indicator's category against its name (C20-C23), DOMAIN §4.4.

- A50: the printed level-1 labels disagreed with the declared 一级权重 and exactly one
  explanation made every level-1 sum exact; the review aggregates by it (before/after sums);
- A51: several explanations fit, so the printed structure is kept (A02 reports the sums);
- C20: a 及时性/及时率 (时效) indicator under 质量 or 效益;
- C21: a 合格率/达标率 (质量) indicator under 时效;
- C22: an indicator under 满意度 that measures no satisfaction (办结率, 案件数 …);
- C23: staff satisfaction (执法人员满意度, 职工满意度 …) counted as 服务对象满意度;
- C24: a satisfaction indicator outside 满意度 (under 效益, 产出 …);
- A52: a standard 二级指标 under another 一级指标 than the framework's (数量指标 under 项目决策,
  社会效益指标 under 产出 …), one finding per pair, when the structure was not repaired by it.

The category checks read the repaired structure: a row the repair moved is judged where it
belongs, and the A50 finding names it.
"""

from __future__ import annotations

import re

from jixiao.core.vocab import LEVEL1_NAMES
from jixiao.read.headers import canonical_level1, level1_of_level2
from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import indicator_finding, no_spaces, placed_under, records
from jixiao.score.structure import STRUCTURE_KEY

__all__ = ["check_structure_repair", "check_categories", "check_level2_placement"]


def _pts(value) -> str:
    return f"{float(value):g}"


def _sums(sums: dict) -> str:
    return "、".join(f"{name} {_pts(v)}" for name, v in sums.items())


def check_structure_repair(evaluation) -> list[dict]:
    """A50/A51 from the structure check recorded by ``score.structure.repair_structure``."""
    record = (evaluation.extras or {}).get(STRUCTURE_KEY) or {}
    status = record.get("status")
    if status == "repaired":
        before, after = record["before"], record["after"]
        changes = "，".join(f"{name} {_pts(before.get(name, 0))}→{_pts(v)}" for name, v in after.items())
        moved: dict[str, list[str]] = {}
        for m in record.get("moved", []):
            moved.setdefault(m["repaired"], []).append(f"「{m['name']}」")
        moves = "；".join(f"{'、'.join(names)}归入{target}" for target, names in moved.items())
        return [
            make_finding(
                "A50",
                "一级指标",
                f"{record['explanation']}。按原表标签，各一级指标分值合计与一级权重不符；按此还原后，"
                f"每个一级指标的分值合计都恰好等于其一级权重（{changes}），复核按还原后的结构汇总"
                f"（{moves}）。请单位核对并更正原表。",
                expected=_sums(record["declared"]),
                reported=_sums(before),
            )
        ]
    if status == "ambiguous":
        options = "；".join(record.get("candidates", []))
        return [
            make_finding(
                "A51",
                "一级指标",
                f"原表各一级指标下分值合计与一级权重不符（{_sums(record['before'])}），有 {len(record['candidates'])} "
                f"种归类都能使每个一级指标的分值合计等于其权重（{options}），无法确定，复核按原表结构汇总。",
                expected=_sums(record["declared"]),
                reported=_sums(record["before"]),
            )
        ]
    return []


_TIMELY = re.compile(r"及时性|及时率")
_QUALITY = re.compile(r"合格率|达标率")
_SATISFIED = re.compile(r"满意|好评|认可度")
_SATISFACTION_NAME = re.compile(r"满意度|满意率|满意程度")
#: The unit's own staff (not a unit's service objects anywhere: 职工 of a 总工会, 教师 of a 教育局 are served by it).
_STAFF = re.compile(r"(执法人员|工作人员|内部人员|本单位(?:人员|职工|干部)|干部职工|机关干部|执法队员)满意")


def _place(row) -> tuple[str, str]:
    """(canonical level 1, level 2 as printed) of a row."""
    return canonical_level1(row.get("level1") or ""), no_spaces(row.get("level2"))


def check_categories(indicators) -> list[dict]:
    """C20-C23: each indicator's category (level 1 / level 2) against what its name measures."""
    out = []
    for r in records(indicators):
        name = no_spaces(r.get("name"))
        level1, level2 = _place(r)
        under = placed_under(level1, level2)
        satisfaction = level1 == "满意度指标" or "满意" in level2
        placed = under.strip("「」")
        checks = (  # the first that applies: one category finding per indicator
            (
                "C20",
                _TIMELY.search(name) and ("质量" in level2 or level1 == "效益指标" or "效益" in level2),
                f"指标「{r['name']}」考核的是时效（及时性），却列在{under}下；按框架应归入产出指标—时效指标。",
                "产出指标—时效指标",
                placed,
            ),
            (
                "C21",
                _QUALITY.search(name) and "时效" in level2,
                f"指标「{r['name']}」考核的是质量（合格率/达标率），却列在{under}下；按框架应归入产出指标—质量指标。",
                "产出指标—质量指标",
                placed,
            ),
            (
                "C23",
                satisfaction and _STAFF.search(name),
                f"指标「{r['name']}」调查的是本单位工作人员的满意度，不是服务对象满意度，"
                f"却列在{under}下计分；满意度指标应调查服务对象（群众、企业等）。",
                "服务对象满意度",
                r["name"],
            ),
            (
                "C24",
                not satisfaction and _SATISFACTION_NAME.search(name),
                f"指标「{r['name']}」是满意度指标，却列在{under}下；按框架应归入满意度指标。",
                "满意度指标",
                placed,
            ),
            (
                "C22",
                satisfaction and not _SATISFIED.search(name),
                f"指标「{r['name']}」不是满意度（如办结率、案件数），却列在{under}下；"
                f"应归入产出或效益指标，满意度下只列服务对象满意度。",
                "产出或效益指标",
                placed,
            ),
        )
        for code, applies, message, expected, reported in checks:
            if applies:
                out.append(indicator_finding(code, r, message, expected=expected, reported=reported))
                break
    return out


def _compatible(level2: str, level1: str) -> bool:
    """True when the framework allows ``level2`` under ``level1`` (or says nothing about it)."""
    derived = level1_of_level2(level2) if level2 else None
    if derived is None or level1 not in LEVEL1_NAMES:
        return True
    if "成本" in level2:  # 成本 is a level 2 of 产出 (财预〔2020〕10号) or a level 1 of its own (财预〔2021〕101号)
        return level1 in ("产出指标", "成本指标")
    return derived == level1


def _regrouped_by_reader(indicators, notes) -> dict[tuple[str, str], list[str]]:
    """(printed level 1, level 2) → names of the rows the reader regrouped by their level 2 (A32 notes)."""
    out: dict[tuple[str, str], list[str]] = {}
    if notes is None or notes.empty:
        return out
    rows = records(indicators)
    for note in records(notes[notes["code"] == "level1_from_level2"]):
        start = next((i for i, r in enumerate(rows) if r.get("source_row") == note.get("row")), None)
        if start is None:
            continue
        level2, level1 = str(rows[start].get("level2") or ""), str(rows[start].get("level1") or "")
        names = out.setdefault((str(note.get("value") or ""), level2), [])
        for r in rows[start:]:
            if str(r.get("level2") or "") != level2 or str(r.get("level1") or "") != level1:
                break
            names.append(f"「{r['name']}」")
    return out


def check_level2_placement(indicators, notes=None) -> list[dict]:
    """A52: standard level-2 labels under a level 1 the framework does not put them under, per pair.

    Rows the reader already regrouped by their level 2 (reader note ``level1_from_level2``, A32)
    are reported too: the unit's table still prints them under the wrong level 1.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for r in records(indicators):
        level1, level2 = str(r.get("level1") or ""), str(r.get("level2") or "")
        if level2 and not _compatible(no_spaces(level2), canonical_level1(level1)):
            groups.setdefault((level1, level2), []).append(f"「{r['name']}」")
    for key, names in _regrouped_by_reader(indicators, notes).items():
        groups.setdefault(key, []).extend(n for n in names if n not in groups.get(key, []))
    out = []
    for (shown1, shown2), names in groups.items():
        derived = level1_of_level2(shown2)
        out.append(
            make_finding(
                "A52",
                f"二级指标「{shown2}」",
                f"二级指标「{shown2}」按评价框架属于「{derived}」，却列在一级指标「{shown1}」下"
                f"（{len(names)} 项：{'、'.join(names[:8])}{' 等' if len(names) > 8 else ''}）。",
                expected=derived,
                reported=shown1,
            )
        )
    return out
