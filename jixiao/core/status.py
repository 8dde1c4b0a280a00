"""Review status of an indicator's score, and why a score is still pending (DOMAIN §4.4, docs/STATUS.md).

Defined once: every stage (scoring, aggregation, the reports, the working papers) reads the
statuses, the reason codes and their Chinese wording from here.

- 确定: a rule applied to a measured value.
- 待核实: the data or the evidence the rule needs is missing; the score is a range
  [low, high] (low: what it scores if the evidence fails; high: what the unit claimed,
  capped at the weight), never a silent 0.
- 评价人判定: the evaluator's override in params, with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CONFIRMED",
    "PENDING",
    "JUDGED",
    "STATUSES",
    "GRADE_PENDING",
    "DRAFT_MARK",
    "FINAL_MARK",
    "PendingReason",
    "PENDING_REASONS",
    "LOW_ZERO",
    "LOW_UNMET_TIER",
    "reason_label",
    "SATISFACTION_RE",
    "SURVEY_RE",
    "SURVEY_TEXT_RE",
]

CONFIRMED = "确定"
PENDING = "待核实"
JUDGED = "评价人判定"
STATUSES = (CONFIRMED, PENDING, JUDGED)

#: The grade while the total's range spans more than one band.
GRADE_PENDING = "待定"
#: Report marks: a draft for the unit's feedback while anything is pending, else the final report.
DRAFT_MARK = "征求意见稿"
FINAL_MARK = "终稿"

#: How the low end of a pending range is set.
LOW_ZERO = "zero"  # 0: the evidence fails, the indicator scores nothing
LOW_UNMET_TIER = "unmet_tier"  # the 未达成 tier's default share of the weight (qualitative indicators)


@dataclass(frozen=True)
class PendingReason:
    """One reason an indicator is 待核实: code, Chinese label, the evidence that resolves it, its low end."""

    code: str
    label: str
    evidence: str
    low: str = LOW_ZERO


_REASONS = (
    PendingReason(
        "direction_no_baseline",
        "方向性指标缺少基期数据",
        "上年（基期）数据和本年实际数据，用以判断是否实现所述变化",
    ),
    PendingReason("actual_missing", "未填写完成值", "全年完成值及其统计台账、记录等佐证材料"),
    PendingReason(
        "actual_repeats_target",
        "完成值只是重复指标值，不是实际测得的数值",
        "实际测得的完成值及其统计台账、记录等佐证材料",
    ),
    PendingReason(
        "satisfaction_no_survey",
        "满意度没有调查依据",
        "满意度调查资料（调查方式、对象、有效样本数和结果）",
    ),
    PendingReason(
        "qualitative_self_declared",
        "定性指标的达成仅有单位自述",
        "制度文件、检查记录、会议纪要等能证明达成的佐证材料",
        LOW_UNMET_TIER,
    ),
    PendingReason("target_actual_empty", "指标值和完成值均未填写", "年度指标值、全年完成值及其佐证材料"),
    PendingReason("not_scorable", "完成值无法按评分规则计分", "可按评分规则计分的完成值及其佐证材料"),
)
#: Reason codes of a 待核实 status, in the order they are tested.
PENDING_REASONS: dict[str, PendingReason] = {r.code: r for r in _REASONS}


def reason_label(code: object) -> str:
    """The Chinese label of a reason code ("" for none or an unknown code)."""
    reason = PENDING_REASONS.get(str(code or ""))
    return reason.label if reason else ""


#: A satisfaction indicator (by its name).
SATISFACTION_RE = re.compile(r"满意度|满意率")
#: Survey words in an indicator's 完成值 or 偏差说明.
SURVEY_RE = re.compile(r"样本|问卷|调查|抽样|测评|访谈|受访|有效.{0,4}份")
#: A survey on satisfaction described in the unit's texts.
SURVEY_TEXT_RE = re.compile(r"满意.{0,60}(问卷|样本|调查|抽样|测评)|(问卷|样本|调查|抽样|测评).{0,60}满意")
