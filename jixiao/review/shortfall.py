"""S01: a qualitative indicator filled in as achieved while the unit's own words admit a shortfall on it.

The words are its 偏差原因, or a clause of the unit's 存在问题 / 完成情况 / 改进措施 (table or
accompanying self-evaluation report) that names the indicator; each is quoted with its source.

Scoring gives such an indicator the 部分达成 tier by default and never more than the unit's own
score without evidence (:mod:`jixiao.score.status`); this finding quotes the sentence. It is the
one finding on that indicator: 自评偏高 (A20), 定性得分不在档次区间 (A22) and 说明了偏差但未扣分 (D02)
on the same indicator say the same thing and give way to it (:func:`supersede`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from jixiao.core.status import PENDING
from jixiao.parse.shortfall import Admission, admitted_shortfall, text_admissions
from jixiao.review.helpers import fmt2, indicator_finding, num, records, text

__all__ = ["check_admitted_shortfall", "supersede", "SUPERSEDED"]

#: Codes that S01 replaces on the same indicator.
SUPERSEDED = ("A20", "A22", "D02")


def check_admitted_shortfall(scored: pd.DataFrame, texts: Sequence[tuple[str, str]] = ()) -> list[dict]:
    """S01 for each pending qualitative claim whose unit admits a shortfall on it, every admission quoted with its source.

    ``texts``: the unit's texts about shortfalls as (source, text) (:func:`jixiao.parse.shortfall.shortfall_texts`);
    a clause there counts for the indicator it names (:func:`jixiao.parse.shortfall.text_admissions`).
    """
    out = []
    if scored is None or "status_reason" not in scored.columns:
        return out
    admissions = text_admissions(texts, dict(zip(scored["indicator_id"], scored["name"])))
    for r in records(scored):
        if r.get("status") != PENDING or r.get("status_reason") != "qualitative_self_declared":
            continue
        quotes = []
        note = admitted_shortfall(r.get("deviation_note"))
        if note:
            quotes.append(Admission(note, "偏差说明"))
        quotes += [a for a in admissions.get(r.get("indicator_id"), []) if a.quote not in {q.quote for q in quotes}]
        if not quotes:
            continue
        said = "；".join(
            f"“{q.quote}”" + ("" if q.source == "偏差说明" and len(quotes) == 1 else f"（{q.source}）") for q in quotes
        )
        own, high = num(r.get("self_score")), num(r.get("review_high"))
        claimed = f"自评 {fmt2(own)} 分，" if own is not None else ""
        out.append(
            indicator_finding(
                "S01",
                r,
                f"指标「{r['name']}」完成值填报为「{text(r.get('actual'))}」，{claimed}但单位自己的说明写明{said}，"
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
