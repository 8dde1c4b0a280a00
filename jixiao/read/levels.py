"""The indicator levels' vocabulary: standard 一级指标 names and the 二级指标 that belong to each.

Headers, structure repair and the category checks ask the same questions of a cell: is it
a 一级/二级 name, what is its canonical 一级 name, to which 一级 does a 二级 belong.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jixiao.core.textnorm import normalize_text

__all__ = ["canonical_level1", "is_input_level1", "is_level1_word", "is_level2_word", "level1_of_level2"]

_LEVEL1_KEYS = {
    "投入管理": "投入管理指标",
    "投入": "投入指标",
    "决策": "决策指标",
    "过程": "过程指标",
    "产出": "产出指标",
    "效益": "效益指标",
    "效果": "效果指标",
    "满意度": "满意度指标",
    "成本": "成本指标",
    "预算执行率": "预算执行率",
    "预算执行": "预算执行率",
    "履职效能": "履职效能",
    "管理效率": "管理效率",
}

_LEVEL2_TO_LEVEL1 = {
    "数量": "产出指标",
    "质量": "产出指标",
    "时效": "产出指标",
    "成本": "产出指标",
    "经济效益": "效益指标",
    "社会效益": "效益指标",
    "生态效益": "效益指标",
    "可持续影响": "效益指标",
    "服务对象满意度": "满意度指标",
    "满意度": "满意度指标",
    "经济成本": "成本指标",
    "社会成本": "成本指标",
    "生态环境成本": "成本指标",
}

_LEVEL2_INPUT = (
    "预算编审管理",
    "预算编制管理",
    "预算执行管理",
    "部门结转结余资金管理",
    "结转结余",
    "结转结余资金管理",
    "国库管理",
    "预算绩效管理",
    "预决算信息公开管理",
    "信息公开",
    "财政监督管理",
    "财政监督",
    "政府采购管理",
    "政府采购",
    "资产管理",
    "预算透明度",
    "内部控制管理",
    "预算信息化",
    "项目立项",
    "绩效目标",
    "资金投入",
    "资金管理",
    "组织实施",
    "业务管理",
    "财务管理",
    "预算执行",
    "预算配置",
    "目标设定",
)


_POINTS_SUFFIX_RE = re.compile(r"[（(]\s*\d+(\.\d+)?\s*分?\s*[)）]$")  # "产出指标(50分)"


@lru_cache(maxsize=4096)
def _stem(text: str) -> str:
    t = normalize_text(text).replace(" ", "")
    t = _POINTS_SUFFIX_RE.sub("", t)
    for suffix in ("指标", "类指标"):
        if t.endswith(suffix) and len(t) > len(suffix):
            t = t[: -len(suffix)]
    return t


def is_level1_word(text: object) -> bool:
    """True if the text names a standard 一级指标 (产出指标, 效益, 投入管理指标 …)."""
    return _stem(str(text)) in _LEVEL1_KEYS


def canonical_level1(text: object) -> str:
    """Canonical name of a 一级指标 ("产出" -> "产出指标"); unknown names are returned cleaned."""
    stem = _stem(str(text))
    return _LEVEL1_KEYS.get(stem, normalize_text(text))


def is_input_level1(text: object) -> bool:
    """True for the 投入管理 一级指标 (投入管理指标, 投入管理)."""
    return canonical_level1(text) == "投入管理指标"


def is_level2_word(text: object) -> bool:
    """True if the text names a standard or 投入管理 二级指标."""
    stem = _stem(str(text))
    return stem in _LEVEL2_TO_LEVEL1 or stem in _LEVEL2_INPUT or normalize_text(text) in _LEVEL2_INPUT


def level1_of_level2(text: object) -> str | None:
    """The standard 一级指标 of a 二级指标 (数量指标 -> 产出指标), or None if not standard."""
    return _LEVEL2_TO_LEVEL1.get(_stem(str(text)))
