"""Word lists on parsed values: targets nobody can measure, completions that only claim success, "none" answers.

Used by the rules (a "无" answer to an "事故数 = 0" indicator) and the review (DOMAIN §4.2 C-11, C-12).
"""

from __future__ import annotations

import re

from jixiao.core.parsed_value import ParsedValue

__all__ = [
    "VAGUE_WORDS",
    "GENERIC_ACTUALS",
    "NIL_WORDS",
    "is_vague",
    "is_generic_actual",
    "is_nil",
    "cites_regulation",
]

#: Words that make a target unmeasurable (DOMAIN §4.2 C-11).
VAGUE_WORDS = (
    "规范",
    "合理",
    "有效",
    "合规",
    "良好",
    "明显",
    "进一步",
    "提升",
    "加强",
    "建立健全",
    "健全",
    "确保",
    "改善",
    "提高",
    "降低",
    "及时",
    "有序推进",
    "完善",
    "优化",
    "增强",
    "稳步",
    "持续",
    "逐步",
    "显著",
    "较好",
    "严格执行",
    "符合相关规定",
    "落实",
    "到位",
    "定期",
    "控制在",  # "控制在预算内": a ceiling without its amount
)
#: Completion values that claim success without a measurement (DOMAIN §4.2 C-12).
GENERIC_ACTUALS = (
    "完成",
    "已完成",
    "全部完成",
    "均已完成",
    "按计划完成",
    "按时完成",
    "基本完成",
    "圆满完成",
    "完成目标",
    "完成任务",
    "完成年度目标",
    "达成",
    "已达成",
    "全部达成",
    "均已达成",
    "达成目标",
    "达成目标值",
    "达到目标",
    "达到目标值",
    "完成目标值",
    "按规定执行",
    "按要求执行",
    "严格执行",
    "已执行",
    "达成预期",
    "达成预期指标",
    "达成预期目标",
    "达成年度指标",
    "达成年度目标",
    "达到",
    "已达到",
    "达到预期",
    "达到预期目标",
    "达到预期效果",
    "达到要求",
    "达标",
    "已达标",
    "全部达标",
    "是",
    "符合",
    "符合要求",
    "符合规定",
    "符合相关规定",
    "符合标准",
    "满足要求",
    "实现",
    "已实现",
    "实现目标",
    "良好",
    "好",
)
#: Qualitative answers that mean "none" (count 0) for "事故数 = 0" style indicators.
NIL_WORDS = ("无", "没有", "未发生", "无发生", "未出现", "零")


def is_vague(v: ParsedValue) -> bool:
    """True for values nobody can measure: vague qualitative words, or a trend without magnitude."""
    if v.kind == "direction":
        return v.number is None
    if v.kind == "periodic":
        return v.period is None
    return v.kind == "qualitative" and bool(v.word) and any(w in v.word for w in VAGUE_WORDS)


def is_generic_actual(v: ParsedValue) -> bool:
    """True for a 完成值 such as "完成", "达成预期指标", "是" that states success without a figure."""
    return v.kind == "qualitative" and (v.word or "").rstrip("。.!！") in GENERIC_ACTUALS


def is_nil(v: ParsedValue) -> bool:
    """True for a qualitative "none" answer ("无", "未发生"); rules may read it as 0."""
    return v.kind == "qualitative" and (v.word or "") in NIL_WORDS


#: A document number: 沪财绩〔2022〕1号, 沪财绩【2022】13号, 财预[2020]10号.
_DOC_NUMBER = re.compile(r"[〔【\[(（]\s*\d{4}\s*[〕】\])）]\s*\d+\s*号")


def cites_regulation(text: str) -> bool:
    """True when the text cites a regulation by its document number (the 投入管理 rows of a
    declaration that only say their indicators are set by 沪财绩〔2022〕1号)."""
    return bool(_DOC_NUMBER.search(text or ""))
