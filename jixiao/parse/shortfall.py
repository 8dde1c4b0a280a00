"""A unit's own words admitting a shortfall (偏差原因, 存在问题): "预算的匹配性不够", "绩效目标不够完善".

Where a unit fills a qualitative indicator in as achieved (完成值「合理」) but its own note on
that indicator admits a shortfall, the default tier is 部分达成 (DOMAIN §4.4); the review quotes
the sentence. Defined once here: scoring and the review both ask :func:`admitted_shortfall`.
"""

from __future__ import annotations

import re

from jixiao.core.textnorm import normalize_text

__all__ = ["admitted_shortfall", "SHORTFALL_WORDS"]

#: Words with which a unit admits that something fell short.
SHORTFALL_WORDS = (
    "不够",
    "不足",
    "不完善",
    "不到位",
    "不充分",
    "不规范",
    "不及时",
    "不全面",
    "不明确",
    "不合理",
    "未细化",
    "未完全",
    "未能",
    "未达到",
    "未达",
    "尚未",
    "有待",
    "欠缺",
    "缺乏",
    "偏低",
    "滞后",
    "较差",
    "存在差距",
)
_SHORTFALL = re.compile("|".join(SHORTFALL_WORDS))
#: Statements that nothing fell short ("无偏差", "不存在问题") are not admissions.
_NOTHING = re.compile(r"无偏差|没有偏差|不存在(?:偏差|问题|差距)|无问题|未发现问题|无明显偏差|未发生")
_SENTENCES = re.compile(r"[^。；;！!\n]+")


def admitted_shortfall(text: object) -> str:
    """The first sentence of ``text`` that admits a shortfall, as written (trimmed); "" when none."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    for sentence in _SENTENCES.findall(str(text)):
        plain = normalize_text(sentence).replace(" ", "")
        if len(plain) >= 3 and _SHORTFALL.search(plain) and not _NOTHING.search(plain):
            return sentence.strip(" ，,、\t")
    return ""
