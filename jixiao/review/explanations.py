"""Review checks on explanations (DOMAIN §4.2 group D): deviations and deductions without a
reason, notes that admit a shortfall on a full score, over-completion, low execution and budget
adjustments left unexplained. Conventions as in :mod:`jixiao.review.table`.
"""

from __future__ import annotations

import re

import pandas as pd

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.units import convert
from jixiao.core.vocab import DEFAULT_TOLERANCES
from jixiao.parse.values import describe_value
from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import EPS, budget_finding, fmt2, has_column, indicator_finding, num, over, records, text

__all__ = ["check_explanations"]


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


_SPACES = re.compile(r"\s+")


def _note(row) -> str:
    note = _SPACES.sub("", text(row.get("deviation_note")))
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
    tolerance_rate: float = DEFAULT_TOLERANCES.rate,
) -> list[dict]:
    """D01-D05: deviations explained, notes matched by deductions, over-completion, low execution, adjustments.

    An execution-rate indicator whose 完成值 is the low rate of the budget block gets no D01: the
    budget's D04 reports that problem once.
    """
    budget_rows, low_rates = _check_budget_reasons(evaluation, execution_threshold, tolerance_money)
    out = []
    # a table without a 偏差原因 column still owes the reason: the finding says where it is missing
    unexplained = "但未填写偏差原因" if has_column(evaluation, "deviation_note") else "表中没有偏差原因栏，也未说明原因"
    for r in records(scored):
        t, a = parsed[str(r["indicator_id"])]
        if _same_as_low_execution(r, a, low_rates, tolerance_rate):
            continue  # the budget block's D04 reports this very rate: one finding per problem
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
                    f"指标「{r['name']}」{why}，{unexplained}。",
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
    return out + budget_rows


def _same_as_low_execution(row, actual: ParsedValue, low_rates: list[float], tol: float) -> bool:
    """An execution-rate indicator (…执行率) whose 完成值 is the low rate D04 already reports."""
    if not low_rates or "执行率" not in str(row.get("name")) or actual.kind != "number" or actual.number is None:
        return False
    return actual.unit in ("%", None) and any(abs(actual.number - rate) <= tol + EPS for rate in low_rates)


_SENTENCE_BREAK = re.compile(r"[。；;\n]")
_SPACES = re.compile(r"\s+")


def _check_budget_reasons(evaluation, threshold: float, tol: float) -> tuple[list[dict], list[float]]:
    """D04, D05: a low execution rate or a budget adjustment explained in a note or in the texts;
    with the low rates (percent) D04 reports."""
    budget, out, low_rates = evaluation.budget, [], []
    sentences = [x for v in evaluation.texts.values() for x in _SENTENCE_BREAK.split(str(v))]
    notes = {_SPACES.sub("", str(r["name"])): _note(r) for r in records(evaluation.indicators)}
    rate_reason = any(n and "执行" in k for k, n in notes.items()) or any(
        "执行" in x and _REASON.search(x) for x in sentences
    )
    adjust_reason = any(n and _ADJUST.search(k) for k, n in notes.items()) or any(_ADJUST.search(x) for x in sentences)
    adjusted, low_rate = [], False
    for r in records(budget):
        b, s, i = num(r["budget"]), num(r["spent"]), num(r["initial_budget"])
        # the rate from the amounts (on 年初预算数 when it is all there is); the printed rate without amounts
        base = b if b is not None else i
        value = s / base * 100 if base and s is not None else (num(r.get("reported_rate")) if base is None else None)
        if value is not None and value < threshold - EPS and not rate_reason and not low_rate:
            low_rate = True  # one finding for the unit: the first line (the total when there is one)
            low_rates.append(value)
            rate = f"{fmt2(value)}%"
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
    return out, low_rates
