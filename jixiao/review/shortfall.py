"""S01: a qualitative indicator filled in as achieved while the unit's own note admits a shortfall.

Scoring gives such an indicator the 部分达成 tier by default and never more than the unit's own
score without evidence (:mod:`jixiao.score.status`); this finding quotes the sentence. It is the
one finding on that indicator: 自评偏高 (A20), 定性得分不在档次区间 (A22) and 说明了偏差但未扣分 (D02)
on the same indicator say the same thing and give way to it (:func:`supersede`).
"""

from __future__ import annotations

import pandas as pd

from jixiao.core.status import PENDING
from jixiao.parse.shortfall import admitted_shortfall
from jixiao.review.helpers import fmt2, indicator_finding, num, records, text

__all__ = ["check_admitted_shortfall", "supersede", "SUPERSEDED"]

#: Codes that S01 replaces on the same indicator.
SUPERSEDED = ("A20", "A22", "D02")


def check_admitted_shortfall(scored: pd.DataFrame) -> list[dict]:
    """S01 for each pending qualitative claim whose own 偏差说明 admits a shortfall (the sentence quoted)."""
    out = []
    if scored is None or "status_reason" not in scored.columns:
        return out
    for r in records(scored):
        if r.get("status") != PENDING or r.get("status_reason") != "qualitative_self_declared":
            continue
        quote = admitted_shortfall(r.get("deviation_note"))
        if not quote:
            continue
        own, high = num(r.get("self_score")), num(r.get("review_high"))
        claimed = f"自评 {fmt2(own)} 分，" if own is not None else ""
        out.append(
            indicator_finding(
                "S01",
                r,
                f"指标「{r['name']}」完成值填报为「{text(r.get('actual'))}」，{claimed}但单位自己的说明写明“{quote}”，"
                f"表明未完全达成；复核默认按“部分达成”档计，且不高于单位自评分，"
                f"复核分暂按 {fmt2(num(r.get('review_low')) or 0.0)}–{fmt2(high or 0.0)} 分计，待补充佐证材料后确定。",
                expected="部分达成",
                reported=text(r.get("actual")),
            )
        )
    return out


def supersede(rows: list[dict]) -> list[dict]:
    """The findings without A20/A22/D02 on an indicator that has S01."""
    ids = {r.get("indicator_id") for r in rows if r.get("code") == "S01"}
    return [r for r in rows if not (r.get("code") in SUPERSEDED and r.get("indicator_id") in ids)]
