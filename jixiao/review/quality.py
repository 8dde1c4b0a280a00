"""Review checks on the quality of 指标值 / 完成值 and on explanations (DOMAIN §4.2 groups C and D).

Group C: targets that cannot be measured, lack a unit or do not fit the indicator's name;
完成值 copied from the targets, generic claims, satisfaction without a survey. Group D:
deviations and deductions without a reason, over-completion, low execution and budget
adjustments left unexplained. Conventions as in :mod:`jixiao.review.table` (tolerances are
strict, numbers rounded only for display), whose helpers these checks share.
"""

from __future__ import annotations

import re

import pandas as pd

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.units import convert
from jixiao.core.vocab import DEFAULT_TOLERANCES
from jixiao.parse.values import describe_value
from jixiao.parse.wordlists import is_generic_actual, is_vague
from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import (
    EPS,
    budget_finding,
    fmt2,
    indicator_finding,
    join_names,
    num,
    over,
    records,
    text,
)

__all__ = ["check_targets", "check_actuals", "check_explanations"]


# --- C: quality of targets and actuals --------------------------------------------------------------

_MEASURABLE = ("number", "range", "compound", "deadline", "periodic")
_QUANT_NAME = re.compile(r"(率|数|数量|次数|人数|面积|金额|时长|天数)$")
_COUNT_NAME = re.compile(r"(数|数量|次数|起数|人数|个数|件数|户数|宗数)$")
_NOT_COUNT = re.compile(r"(指数|系数|倍数|分数|基数|函数)$")
_RATE_NAME = re.compile(r"率$")
_NOT_RATE = re.compile(r"(频率|效率)$")
_NAME_UNITS = (
    "%",
    "‰",
    "人次",
    "人",
    "个",
    "次",
    "条",
    "项",
    "户",
    "台",
    "部",
    "辆",
    "件",
    "起",
    "家",
    "所",
    "场",
    "万元",
    "元",
    "平方米",
    "平方公里",
    "亩",
    "公里",
    "米",
    "吨",
    "小时",
    "分钟",
    "天",
    "课时",
    "名",
    "处",
)
_NAME_VALUE = re.compile(
    r"(?:[：:]\s*[约≥≤<>=]?\s*\d+(?:\.\d+)?\s*\S{0,4}"
    r"|[≥≤<>=]?\d+(?:\.\d+)?\s*(?:" + "|".join(map(re.escape, _NAME_UNITS)) + r"))$"
)


def _compact_name(row) -> str:
    return re.sub(r"\s+", "", str(row["name"]))


def _quantitative(row) -> bool:
    if row.get("nature") in ("定量", "定性"):
        return row["nature"] == "定量"
    return bool(_QUANT_NAME.search(_compact_name(row)))


def check_targets(indicators: pd.DataFrame, parsed: dict) -> list[dict]:
    """C01-C04, C08-C11 on the 年度指标值: measurable, unit present and fitting the name, not vague."""
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
        if t.kind == "number" and t.number is not None and not t.unit:
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
        if is_generic_actual(a) and not _same_text(r.get("actual"), r.get("target")):
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


# --- D: explanations ------------------------------------------------------------------------------------

_NO_DEVIATION = re.compile(
    r"^(无|无偏差|没有偏差|未发生偏差|不存在偏差|无明显偏差|未发现问题|无问题|无异常|不适用|已完成|完成|达标|"
    r"达到预期|按计划完成)[。.]?$"
)
_POSITIVE_NOTE = re.compile(r"超额|超过|提前|高于|多于|优于|好于")
_SHORTFALL = re.compile(
    r"不够|不足|不到位|不完善|不规范|不及时|未|没有|欠缺|缺|偏差|偏低|滞后|延期|延迟|推迟|问题|较差|低于|少于|差距|有待|影响"
)
_REASON = re.compile(r"原因|由于|因为|主要是|系因|受.{0,10}影响")
_ADJUST = re.compile(r"调整|调剂|追加|追减|调增|调减|核减")


def _note(row) -> str:
    note = re.sub(r"\s+", "", text(row.get("deviation_note")))
    return "" if _NO_DEVIATION.match(note) else note


def _over_completion(t: ParsedValue, a: ParsedValue, op: str | None, ratio: float) -> float | None:
    """a / t when a positive target (≥, >, = with t > 0) is exceeded by ``ratio`` or more, else None."""
    if op not in (">=", ">", "=") or t.kind != "number" or a.kind != "number" or not t.number or a.number is None:
        return None
    if t.unit and a.unit and t.unit != a.unit:
        value = convert(a.number, a.unit, t.unit)
    else:
        value = a.number
    if value is None or t.number <= 0:
        return None
    return value / t.number if value >= ratio * t.number - EPS else None


def check_explanations(
    evaluation,
    scored: pd.DataFrame,
    parsed: dict,
    *,
    tolerance: float = DEFAULT_TOLERANCES.score,
    over_ratio: float = 1.3,
    execution_threshold: float = 90.0,
    tolerance_money: float = DEFAULT_TOLERANCES.money,
) -> list[dict]:
    """D01-D05: deviations explained, notes matched by deductions, over-completion, low execution, adjustments."""
    out = []
    for r in records(scored):
        t, a = parsed[str(r["indicator_id"])]
        s, w, note = num(r["self_score"]), num(r["weight"]), _note(r)
        missed = r.get("met") is False
        deducted = s is not None and w is not None and w - s > tolerance + EPS
        op = r.get("target_op") if isinstance(r.get("target_op"), str) else t.op
        if op is None and r.get("met") is True:
            op = ">="  # a bare number the rule found met: more is better
        over_done = _over_completion(t, a, op, over_ratio)
        if (missed or deducted) and not note:
            if missed:
                why = f"未达到指标值（指标值 {describe_value(t)}，完成值 {describe_value(a)}）"
            else:
                why = f"自评扣 {fmt2(w - s)} 分"
            out.append(
                indicator_finding(
                    "D01",
                    r,
                    f"指标「{r['name']}」{why}，但未填写偏差原因。",
                    expected="偏差及原因分析",
                    reported="（空）",
                )
            )
        elif note and s is not None and w is not None and s >= w - EPS and not over_done and _SHORTFALL.search(note):
            if not (r.get("met") is True and _POSITIVE_NOTE.search(note)):
                out.append(
                    indicator_finding(
                        "D02",
                        r,
                        f"指标「{r['name']}」偏差原因写明“{note}”，但自评满分 {fmt2(s)} 分，未扣分。",
                        expected=f"<{fmt2(w)}",
                        reported=s,
                    )
                )
        if over_done is not None and not note:
            out.append(
                indicator_finding(
                    "D03",
                    r,
                    f"指标「{r['name']}」完成值 {a.raw} 为指标值 {t.raw} 的 {over_done * 100:.0f}%"
                    f"（≥{over_ratio * 100:.0f}%），未说明超额原因；请核实目标是否设定偏低。",
                    expected="超额原因说明",
                    reported=f"{over_done * 100:.0f}%",
                )
            )
    out += _check_budget_reasons(evaluation, execution_threshold, tolerance_money)
    return out


def _check_budget_reasons(evaluation, threshold: float, tol: float) -> list[dict]:
    """D04, D05: a low execution rate or a budget adjustment explained in a note or in the texts."""
    budget, out = evaluation.budget, []
    sentences = [x for v in evaluation.texts.values() for x in re.split(r"[。；;\n]", str(v))]
    notes = {re.sub(r"\s+", "", str(r["name"])): _note(r) for r in records(evaluation.indicators)}
    rate_reason = any(n and "执行" in k for k, n in notes.items()) or any(
        "执行" in x and _REASON.search(x) for x in sentences
    )
    adjust_reason = any(n and _ADJUST.search(k) for k, n in notes.items()) or any(_ADJUST.search(x) for x in sentences)
    adjusted, low_rate = [], False
    for r in records(budget):
        b, s, i = num(r["budget"]), num(r["spent"]), num(r["initial_budget"])
        if b and s is not None and s / b * 100 < threshold - EPS and not rate_reason and not low_rate:
            low_rate = True  # one finding for the unit: the first line (the total when there is one)
            rate = f"{fmt2(s / b * 100)}%"
            out.append(
                budget_finding(
                    "D04",
                    r["name"],
                    f"预算「{r['name']}」执行率 {rate}，低于 {threshold:g}%，表中未说明原因。",
                    f"≥{threshold:g}% 或说明原因",
                    rate,
                )
            )
        if b is not None and i is not None and over(b - i, tol):
            adjusted.append(f"{r['name']} {fmt2(i)}→{fmt2(b)}")
    if adjusted:
        changes = "；".join(adjusted)
        if not adjust_reason:
            out.append(
                make_finding(
                    "D05",
                    "预算执行情况",
                    f"全年预算数与年初预算数不一致（{changes}），表中未说明预算调整原因。",
                    scope="budget",
                    expected="预算调整原因说明",
                    reported=changes,
                )
            )
    return out
