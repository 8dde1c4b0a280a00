"""Checks of the indicators against the money spent (DOMAIN §4.2 groups C and D).

C39: the 成本指标 完成值 (money) add up to more than the table's 全年执行数: a cost reported
beyond what was spent is not a measured cost.

D08: money left unspent while every output indicator claims full marks: a low execution without
reason (D04), or a budget cut below the threshold of the 年初预算数 without reason (D05).

When the 预算执行率 is below the threshold without a reason (D04) and yet every 产出 indicator
(数量, 质量, 时效, 成本) is self-scored at its full weight, either the outputs are overstated or
the budget was set too high: the unit must say which. One finding for the table.
"""

from __future__ import annotations

import re

from jixiao.core.units import convert
from jixiao.core.vocab import DEFAULT_TOLERANCES
from jixiao.read.headers import canonical_level1
from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import EPS, fmt2, indicator_finding, num, over, records

__all__ = ["check_unspent_outputs", "check_cost_actuals"]

#: Fewest output indicators that make "all at full marks" a pattern worth a finding.
MIN_OUTPUTS = 2


def _full_outputs(scored) -> list[dict] | None:
    """The 产出 indicators when every one has a self score at its full weight, else None."""
    outputs = [r for r in records(scored) if canonical_level1(r.get("level1") or "") in ("产出指标", "成本指标")]
    if len(outputs) < MIN_OUTPUTS:
        return None
    for r in outputs:
        s, w = num(r.get("self_score")), num(r.get("weight"))
        if s is None or w is None or s < w - EPS:
            return None
    return outputs


def _cut_budget(evaluation, threshold: float) -> tuple[str, str] | None:
    """(line, "x%") of the first budget line whose 全年执行数 is below ``threshold`` % of its 年初预算数."""
    for r in records(evaluation.budget):
        initial, spent = num(r.get("initial_budget")), num(r.get("spent"))
        if initial and initial > 0 and spent is not None and spent / initial * 100 < threshold - EPS:
            return str(r["name"]), f"{fmt2(spent / initial * 100)}%"
    return None


def check_unspent_outputs(evaluation, scored, rows: list[dict], *, threshold: float = 90.0) -> list[dict]:
    """D08 when all output indicators score full marks beside money left unspent without a reason:
    a low execution (D04), or a budget cut below ``threshold`` % of the 年初预算数 left unexplained (D05)."""
    low = next((r for r in rows if r["code"] == "D04"), None)
    if scored is None or scored.empty:
        return []
    if low is not None:
        where, what = low["where"], f"预算执行率仅 {low['reported']}"
    elif any(r["code"] == "D05" for r in rows) and (cut := _cut_budget(evaluation, threshold)):
        where, what = f"预算「{cut[0]}」", f"预算调减后，全年执行数仅为年初预算数的 {cut[1]}"
    else:
        return []
    outputs = _full_outputs(scored)
    if outputs is None:
        return []
    points = sum(num(r["weight"]) or 0.0 for r in outputs)
    return [
        make_finding(
            "D08",
            where,
            f"{what}，而 {len(outputs)} 项产出指标全部自评满分（共 {fmt2(points)} 分），"
            "结余资金未说明：请说明结余原因，并核实产出是否如实、预算是否编制过高。",
            scope="budget",
            expected="结余原因说明及产出佐证",
            reported=f"{what}，产出满分 {len(outputs)} 项",
        )
    ]


def _money(value, to_unit: str) -> float | None:
    """A parsed 完成值 in the budget's money unit ("150万" is read as 1 500 000 元), or None."""
    if value.kind != "number" or value.number is None:
        return None
    unit = value.unit
    if unit is None and re.search(r"\d\s*万$", str(value.raw or "")):
        unit = "元"  # the parser multiplied 万 out
    if unit not in ("元", "千元", "万元", "亿元"):
        return None
    return convert(value.number, unit, to_unit)


def _spent_total(budget) -> tuple[float, str, str] | None:
    """(全年执行数, money unit, line name) of the total line, or of the only line."""
    lines = records(budget)
    total = [r for r in lines if str(r.get("group")) == "合计"] or (lines if len(lines) == 1 else [])
    if not total or num(total[0].get("spent")) is None:
        return None
    r = total[0]
    return num(r["spent"]), str(r.get("money_unit") or "万元"), str(r["name"])


def check_cost_actuals(evaluation, parsed: dict, *, tolerance_money: float = DEFAULT_TOLERANCES.money) -> list[dict]:
    """C39: the money 完成值 of the 成本指标 add up to more than the 全年执行数."""
    total = _spent_total(evaluation.budget)
    if total is None:
        return []
    spent, unit, line = total
    costs = []
    for r in records(evaluation.indicators):
        level2 = re.sub(r"\s+", "", str(r.get("level2") or ""))
        if "成本" not in level2 and canonical_level1(r.get("level1") or "") != "成本指标":
            continue
        amount = _money(parsed[str(r["indicator_id"])][1], unit)
        if amount is not None:
            costs.append((r, amount))
    claimed = sum(a for _, a in costs)
    if not costs or not over(claimed - spent, tolerance_money) or claimed < spent:
        return []
    first = costs[0][0]
    names = "、".join(f"「{r['name']}」{fmt2(a)}{unit}" for r, a in costs)
    return [
        indicator_finding(
            "C39",
            first,
            f"成本指标完成值（{names}）合计 {fmt2(claimed)}{unit}，超过预算「{line}」全年执行数 {fmt2(spent)}{unit}；"
            "成本完成值应按实际支出填写。",
            expected=f"≤{fmt2(spent)}{unit}",
            reported=f"{fmt2(claimed)}{unit}",
        )
    ]
