"""Review checks on the quality of 指标值 / 完成值 (DOMAIN §4.2 group C).

Targets that cannot be measured, lack a unit or do not fit the indicator's name; 完成值
copied from the targets, generic claims, satisfaction without a survey. Group D (explanations)
is in :mod:`jixiao.review.explanations`. Conventions as in :mod:`jixiao.review.table`
(tolerances are strict, numbers rounded only for display).
"""

from __future__ import annotations

import re

import pandas as pd

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.units import NAME_UNITS
from jixiao.parse.values import describe_value
from jixiao.parse.wordlists import cites_regulation, is_generic_actual, is_vague
from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import (
    fmt2,
    indicator_finding,
    join_names,
    num,
    records,
    text,
)

__all__ = ["check_targets", "check_actuals"]


# --- C: quality of targets and actuals --------------------------------------------------------------

_MEASURABLE = ("number", "range", "compound", "deadline", "periodic")
_QUANT_NAME = re.compile(r"(率|数|数量|次数|人数|面积|金额|时长|天数)$")
_COUNT_NAME = re.compile(r"(数|数量|次数|起数|人数|个数|件数|户数|宗数)$")
_NOT_COUNT = re.compile(r"(指数|系数|倍数|分数|基数|函数)$")
_RATE_NAME = re.compile(r"率$")
_NOT_RATE = re.compile(r"(频率|效率)$")
_NAME_VALUE = re.compile(
    r"(?:[：:]\s*[约≥≤<>=]?\s*\d+(?:\.\d+)?\s*\S{0,4}"
    r"|[≥≤<>=]?\d+(?:\.\d+)?\s*(?:" + "|".join(map(re.escape, sorted(NAME_UNITS, key=len, reverse=True))) + r"))$"
)


def _compact_name(row) -> str:
    return re.sub(r"\s+", "", str(row["name"]))


def _quantitative(row) -> bool:
    if row.get("nature") in ("定量", "定性"):
        return row["nature"] == "定量"
    return bool(_QUANT_NAME.search(_compact_name(row)))


#: 一级指标 of process indicators (项目决策, 项目管理, 过程, 投入管理): scored by their 评分标准,
#: they often have no 指标值 by design ("—"), unlike 产出 / 效益 / 满意度 targets.
_PROCESS_LEVEL1 = re.compile(r"决策|过程|管理")


#: Names (or 二级指标) of amounts of money: "250万" there means 250万元.
_MONEY_NAME = re.compile(r"成本|费|资金|金额|经费|投资|预算|补助|补贴|奖励|奖补|支出|收入|款|元|价")
#: Names of people or households counted: "5万" there means 5万人 / 5万户.
_PEOPLE_NAME = re.compile(r"人数|人口|人次|户数|群众")
_MAGNITUDE = re.compile(r"\d\s*(?:万|亿)")


def _unit_implied(row, target: ParsedValue) -> bool:
    """A 万 / 亿 figure whose unit the indicator names: money (成本, 经费, 资金, 金额 … → 元) or
    people and households (人数, 人口, 户数 → 人, 户). "250万" under 运行维护费 has its unit."""
    if not _MAGNITUDE.search(target.raw):
        return False
    label = re.sub(r"\s+", "", f"{row.get('name') or ''}{row.get('level2') or ''}")
    return bool(_MONEY_NAME.search(label) or _PEOPLE_NAME.search(label))


#: "已完成100%": a share of the task declared done, not the measured value of the indicator.
_COMPLETION_WORDS = ("完成", "已完成", "全部完成", "已全部完成", "均已完成")


def _completion_share(row, actual: ParsedValue) -> bool:
    """A 完成值 such as "已完成100%" on an indicator that is not itself a 完成率: a claim, no data."""
    if actual.kind != "number" or actual.unit != "%" or (actual.word or "") not in _COMPLETION_WORDS:
        return False
    return not re.sub(r"\s+", "", str(row.get("name") or "")).endswith("完成率")


def _no_target_needed(row, asks_target: bool) -> bool:
    """A blank 指标值 that is no omission: the table has no 指标值 column, the row cites the
    regulation that sets it, or it is a process indicator (决策 / 过程 / 管理) scored by standard."""
    if not asks_target or cites_regulation(text(row.get("definition"))):
        return True
    return bool(_PROCESS_LEVEL1.search(re.sub(r"\s+", "", str(row.get("level1") or ""))))


def check_targets(indicators: pd.DataFrame, parsed: dict, *, asks_target: bool = True) -> list[dict]:
    """C01-C04, C08-C11 on the 年度指标值: measurable, unit present and fitting the name, not vague.

    ``asks_target`` is False when the table has no 指标值 column (a 评分表): blank targets are then
    no finding.
    """
    out, vague = [], []
    for r in records(indicators):
        t = parsed[str(r["indicator_id"])][0]
        name = _compact_name(r)
        if t.kind == "time_artifact":
            out.append(
                indicator_finding(
                    "C11",
                    r,
                    f"指标「{r['name']}」指标值「{t.raw}」是时间格式，不是有效的指标值。",
                    expected="数值或文字指标值",
                    reported=t.raw,
                )
            )
        elif is_vague(t):
            vague.append(r)
            kind = "定量指标的" if r.get("nature") == "定量" else ""
            out.append(
                indicator_finding(
                    "C03",
                    r,
                    f"指标「{r['name']}」{kind}指标值「{t.raw}」不可衡量，未细化量化。",
                    expected="可衡量的指标值（数量、比率、时限或标准）",
                    reported=t.raw,
                )
            )
        elif t.kind == "empty":
            if not _no_target_needed(r, asks_target):
                out.append(
                    indicator_finding(
                        "C01", r, f"指标「{r['name']}」未填写年度指标值。", expected="年度指标值", reported="（空）"
                    )
                )
        elif _quantitative(r) and t.kind not in _MEASURABLE and not (t.kind == "direction" and t.number is not None):
            out.append(
                indicator_finding(
                    "C01",
                    r,
                    f"定量指标「{r['name']}」的指标值「{t.raw}」不是可计量的数值。",
                    expected="数值型指标值",
                    reported=t.raw,
                )
            )
        if t.kind == "number" and t.number is not None and not t.unit and not _unit_implied(r, t):
            out.append(
                indicator_finding(
                    "C02", r, f"指标「{r['name']}」指标值「{t.raw}」没有计量单位。", expected="计量单位", reported=t.raw
                )
            )
        if t.kind == "compound":
            out.append(
                indicator_finding(
                    "C10",
                    r,
                    f"指标「{r['name']}」的指标值「{t.raw}」包含 {len(t.parts)} 项数量（{describe_value(t)}）。",
                    expected="每个指标一个指标值",
                    reported=t.raw,
                )
            )
        unit = t.unit if t.kind in ("number", "range") else None
        if unit in ("%", "‰") and _COUNT_NAME.search(name) and not _NOT_COUNT.search(name):
            out.append(
                indicator_finding(
                    "C08",
                    r,
                    f"指标「{r['name']}」是数量类指标，指标值「{t.raw}」却以 {unit} 计量。",
                    expected="计数单位（个、起、次等）",
                    reported=t.raw,
                )
            )
        elif unit and unit not in ("%", "‰") and _RATE_NAME.search(name) and not _NOT_RATE.search(name):
            out.append(
                indicator_finding(
                    "C08",
                    r,
                    f"指标「{r['name']}」是比率类指标，指标值「{t.raw}」却以“{unit}”计量。",
                    expected="百分比（%）",
                    reported=t.raw,
                )
            )
        if _NAME_VALUE.search(name):
            out.append(
                indicator_finding(
                    "C09", r, f"指标名称「{r['name']}」中写入了指标值。", expected="名称不含指标值", reported=r["name"]
                )
            )
    if vague:
        total = len(indicators)
        out.append(
            make_finding(
                "C04",
                "全表",
                f"全表 {total} 项指标中有 {len(vague)} 项指标值不可衡量（未细化量化），"
                "逐项见“指标值不可衡量/未细化量化”。",
                expected="0 项",
                reported=f"{len(vague)} 项",
            )
        )
    return out


def _same_text(a: object, b: object) -> bool:
    x, y = re.sub(r"\s+", "", text(a)), re.sub(r"\s+", "", text(b))
    return bool(x) and x == y


def _target_wording(t: ParsedValue) -> bool:
    """True when a value reads as a target ("≥95%", "约150", "规范", "降低"), never as a measurement."""
    if t.kind == "number":
        return t.approx or (t.op is not None and not t.op_implicit)
    return t.kind in ("qualitative", "direction", "range", "periodic")


_SATISFACTION = re.compile(r"满意度|满意率")
_SURVEY = re.compile(r"样本|问卷|调查|抽样|测评|访谈|受访|有效.{0,4}份")
_SURVEY_TEXT = re.compile(r"满意.{0,60}(问卷|样本|调查|抽样|测评)|(问卷|样本|调查|抽样|测评).{0,60}满意")


def check_actuals(evaluation, parsed: dict, *, copy_share: float = 0.8, copy_min: int = 5) -> list[dict]:
    """C05-C07, C11 on the 全年完成值: copied targets, generic claims, satisfaction without a survey.

    Copies are reported once for the unit: every 完成值 that restates a target wording ("≥95%",
    "约150平方米", "规范"), and — when at least ``copy_share`` of the filled 完成值 (and at least
    ``copy_min``) equal their target word for word — every identical one.
    """
    ind, out = evaluation.indicators, []
    rows = records(ind)
    identical = [r for r in rows if _same_text(r.get("actual"), r.get("target"))]
    evident = [r for r in identical if _target_wording(parsed[str(r["indicator_id"])][0])]
    filled = sum(1 for r in rows if text(r.get("actual")))
    pattern = len(identical) >= copy_min and len(identical) >= copy_share * filled
    for r in evident:  # one finding per indicator whose 完成值 is a target wording
        out.append(
            indicator_finding(
                "C05",
                r,
                f"指标「{r['name']}」全年完成值「{text(r.get('actual'))}」照抄了指标值，是“≥”“约”或定性词等"
                "目标表述，不是实测值，需补充实测完成值及佐证材料。",
                expected="实测完成值及佐证材料",
                reported=text(r.get("actual")),
            )
        )
    if pattern:  # the copying pattern once for the unit; the indicators already listed are not repeated
        rest = [r for r in identical if r not in evident]
        others = f"，另有 {len(rest)} 项数值型完成值同样照抄：{join_names(rest)}" if rest else ""
        out.append(
            make_finding(
                "C05",
                "全表",
                f"全表已填完成值 {filled} 项中 {len(identical)} 项与指标值逐字相同，"
                f"照抄成风，不是实测结果（其中 {len(evident)} 项为目标表述，已逐项列出{others}）。",
                expected="实测完成值及佐证材料",
                reported=f"{len(identical)} / {filled} 项",
            )
        )
    texts = " ".join(str(v) for v in evaluation.texts.values())
    survey_in_texts = bool(_SURVEY_TEXT.search(texts))
    for r in rows:
        t, a = parsed[str(r["indicator_id"])]
        if a.kind == "time_artifact":
            out.append(
                indicator_finding(
                    "C11",
                    r,
                    f"指标「{r['name']}」完成值「{a.raw}」是时间格式，不是有效的完成值。",
                    expected="实际完成值",
                    reported=a.raw,
                )
            )
        generic = is_generic_actual(a) or _completion_share(r, a)
        if generic and not _same_text(r.get("actual"), r.get("target")):
            out.append(
                indicator_finding(
                    "C06",
                    r,
                    f"指标「{r['name']}」指标值为「{t.raw}」，完成值仅写「{a.raw}」，没有实际完成数据。",
                    expected="实际完成数值及佐证",
                    reported=a.raw,
                )
            )
        evidence = _SURVEY.search(text(r.get("actual")) + text(r.get("deviation_note")))
        scored = num(r["self_score"]) is not None
        if _SATISFACTION.search(str(r["name"])) and scored and not evidence and not survey_in_texts:
            out.append(
                indicator_finding(
                    "C07",
                    r,
                    f"满意度指标「{r['name']}」自评 {fmt2(num(r['self_score']))} 分，未说明调查方式、样本量等依据"
                    f"（完成值「{r['actual'] or '（空）'}」）。",
                    expected="调查方式、样本量、有效问卷数",
                    reported=r["actual"] or "（空）",
                )
            )
    return out
