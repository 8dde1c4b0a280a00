"""D08: money left unspent while every output indicator claims full marks (DOMAIN §4.2 group D).

When the 预算执行率 is below the threshold without a reason (D04) and yet every 产出 indicator
(数量, 质量, 时效, 成本) is self-scored at its full weight, either the outputs are overstated or
the budget was set too high: the unit must say which. One finding for the table.
"""

from __future__ import annotations

from jixiao.read.headers import canonical_level1
from jixiao.review.catalogue import make_finding
from jixiao.review.helpers import EPS, fmt2, num, records

__all__ = ["check_unspent_outputs"]

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


def check_unspent_outputs(scored, rows: list[dict]) -> list[dict]:
    """D08 beside an unexplained low execution (D04) when all output indicators score full marks."""
    low = next((r for r in rows if r["code"] == "D04"), None)
    if low is None or scored is None or scored.empty:
        return []
    outputs = _full_outputs(scored)
    if outputs is None:
        return []
    points = sum(num(r["weight"]) or 0.0 for r in outputs)
    return [
        make_finding(
            "D08",
            low["where"],
            f"预算执行率仅 {low['reported']}，而 {len(outputs)} 项产出指标全部自评满分（共 {fmt2(points)} 分），"
            "结余资金未说明：请说明结余原因，并核实产出是否如实、预算是否编制过高。",
            scope="budget",
            expected="结余原因说明及产出佐证",
            reported=f"执行率 {low['reported']}，产出满分 {len(outputs)} 项",
        )
    ]
