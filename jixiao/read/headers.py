"""Header synonyms and level vocabularies, mapped in one place.

Column names vary between provinces (分值/权重, 全年完成值/实际完成值, 自评分/得分,
计量单位/度量单位 …). Every variant the readers accept is listed here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jixiao.core.textnorm import normalize_text
from jixiao.read.levels import (  # re-exported: the level vocabulary is part of reading headers
    canonical_level1,
    is_input_level1,
    is_level1_word,
    is_level2_word,
    level1_of_level2,
)

__all__ = [
    "FIELD_SYNONYMS",
    "BUDGET_HEADER_SYNONYMS",
    "TEXT_LABELS",
    "INFO_LABELS",
    "UNIT_NAME_KEYS",
    "unit_identity",
    "header_field",
    "header_match",
    "budget_header_field",
    "budget_header_match",
    "IGNORED_HEADERS",
    "is_ignored_header",
    "clean_header",
    "level1_of_level2",
    "is_level1_word",
    "is_level2_word",
    "is_input_level1",
    "canonical_level1",
    "NATURE_WORDS",
    "DIRECTION_WORDS",
]

#: Canonical indicator-table field -> header texts (after clean_header), most specific first.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "level1_weight": ("一级权重", "一级指标权重", "一级指标分值", "一级分值", "权重(一级)"),
    "level1": ("一级指标", "一级指标名称", "分解目标", "指标分类", "指标类别"),
    "level2": ("二级指标", "二级指标名称"),
    "name": ("三级指标", "三级指标名称", "指标名称", "具体指标", "绩效指标", "指标"),
    "weight": (
        "分值",
        "权重",
        "指标分值",
        "标准分值",
        "指标权重",
        "满分",
        "分数",
        "三级指标分值",
        "权重分",
        "参考分值",
        "指标分数",
        "权重占比",
        "自评权重",
    ),
    "nature": ("指标性质", "指标类型", "性质", "定性/定量", "指标属性", "指标值类型"),
    "direction": ("方向", "指标方向", "运算符号", "符号", "比较方式"),
    "target": (
        "年度指标值",
        "指标值",
        "目标值",
        "年度目标值",
        "预期指标值",
        "计划值",
        "预期目标值",
        "年度目标",
        "绩效目标值",
        "目标值(指标值)",
        "年初指标值",
        "指标值及单位",
    ),
    "unit": ("计量单位", "度量单位", "单位", "指标单位"),
    "actual": (
        "全年完成值",
        "实际完成值",
        "完成值",
        "实际值",
        "全年实际值",
        "实际完成情况",
        "完成情况",
        "年度完成值",
        "全年实际完成值",
        "实施进度",
        "完成进度",
    ),
    # 折算得分 (the score weighted to the indicator's points) before a raw 单项指标得分 beside it
    "self_score": ("折算得分", "自评分", "得分", "自评得分", "评分", "实际得分", "自评分值", "指标得分"),
    "deviation_note": (
        "偏差及原因分析",
        "偏差原因分析及改进措施",
        "偏差原因分析",
        "偏差原因",
        "未完成原因",
        "原因分析",
        "偏差情况及原因",
        "偏差原因及改进措施",
        "未完成原因分析",
        "备注",
    ),
    "rule_text": (
        "评(扣)分标准",
        "指标说明及评分标准",
        "评分标准及说明",
        "评分标准",
        "扣分标准",
        "评分规则",
        "评分办法",
        "评(扣)分规则",
        "评分细则",
        "得分计算方法",
        "计分方法",
    ),
    "definition": ("指标解释", "指标说明", "指标定义", "指标内涵"),
}

#: Budget block header texts -> BUDGET_COLUMNS field.
BUDGET_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "initial_budget": ("年初预算数", "年初预算", "年初预算金额"),
    "budget": (
        "全年预算数",
        "全年预算",
        "调整后预算数",
        "调整后预算",
        "调整预算数",
        "全年调整预算数",
        "预算数",
        "全年预算金额",
        "预算金额",
        "下达额度",
        "当年下达额度",
        "项目当年下达额度",
    ),
    "spent": ("全年执行数", "全年执行", "执行数", "实际支出", "支出数", "执行金额", "实际执行数", "预算执行数"),
    "weight": ("分值", "权重", "执行率权重", "执行率分值"),
    # the 实际完成值 of a 支出进度 line (实际支出金额 | 下达额度 | 实际完成值) is its rate
    "reported_rate": ("执行率", "预算执行率", "预算执行进度", "执行进度", "实际完成值", "支出进度"),
    "reported_score": ("得分", "自评分", "执行率得分"),
}

#: Header texts that look like a field by their first characters but are not one
#: ("得分系数" is a multiplier, not the 得分; "年度预算数" spans 年初/调整后 columns).
IGNORED_HEADERS = (
    "得分系数",
    "是否核心指标",
    "序号",
    "绩效标准",
    "年度预算数",
    "年度资金总额",
    "调整指标值",  # read apart: when filled it replaces the 年初指标值 (indicator_rows.py)
    "调整后指标值",
)


def is_ignored_header(text: object) -> bool:
    """A header cell of a column that is read as no field (序号, 得分系数, 绩效标准 …)."""
    return clean_header(text).startswith(IGNORED_HEADERS)


#: Free-text labels -> canonical text keys.
TEXT_LABELS: dict[str, tuple[str, ...]] = {
    "职责": ("部门职责", "单位职责", "主要职责", "部门主要职责", "职能职责"),
    "年度目标": ("年度总体目标", "年度履职目标", "年度目标", "年初设定目标", "总体目标", "年度绩效目标", "预期目标"),
    "完成情况": (
        "全年完成情况",
        "全年实际完成情况",
        "实际完成情况",
        "总体目标完成情况",
        "年度总体目标完成情况",
        "年度总体目标完成情况综述",
    ),
    "重点任务": ("年度重点任务", "重点任务"),
    "履职情况": ("履职情况", "履职效能"),
    "存在问题": ("存在问题及原因分析", "存在问题", "主要问题", "问题及原因"),
    "改进措施": ("改进方向和具体措施", "改进措施", "改进方向", "整改措施", "下一步改进措施"),
    "结果应用": ("结果应用情况", "结果应用", "自评结果应用"),
    "说明": ("说明", "填表说明", "备注说明"),
}

#: Unit-info labels -> canonical keys. Who the table is about is decided by :func:`unit_identity`.
INFO_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "部门名称", "部门(单位)名称", "项目名称", "预算单位", "单位"),
    "town": ("街镇名称",),
    "belongs": ("所属部门",),
    "department": ("主管部门", "主管部门及代码", "上级主管部门"),
    "period": ("申报时段", "评价时段", "年度", "所属年度", "自评年度", "预算年度"),
    "subunits": ("下属单位个数",),
    "funding_mode": ("财政拨款方式", "经费形式", "经费性质"),
    "staff": ("年末在职人数", "在职人数", "编制人数"),
    "divisions": ("内设机构数",),
    "implementer": ("实施单位", "项目实施单位"),
    "total": ("总分", "自评总分", "综合得分", "自评得分合计", "自评得分", "自评总得分"),
}

NATURE_WORDS = {"定性": "定性", "定量": "定量", "定性指标": "定性", "定量指标": "定量"}
DIRECTION_WORDS = {"≥", "≤", "=", ">", "<", "正向", "反向", "≥(正向)", "≤(反向)"}

#: A prefix some provinces put before every value column ("单项指标得分", "单项指标实际完成值").
_ITEM_PREFIX = "单项指标"
_PAREN_RE = re.compile(r"[（(][^（）()]*[)）]")


def clean_header(text: object) -> str:
    """Header text without spaces, parenthetical remarks and trailing colons.

    "三级指标 (可参照说明…)" -> "三级指标"; "分 值" -> "分值"; "评(扣)分标准" is kept.
    """
    raw = normalize_text(text).replace(" ", "").lstrip("*★☆")
    raw = raw.replace("（", "(").replace("）", ")")
    if raw.startswith("评(扣)分"):
        return raw.split("(", 2)[0] + "(扣)" + _PAREN_RE.sub("", raw[len("评(扣)") :])
    cleaned = _PAREN_RE.sub("", raw).rstrip(":：")
    if cleaned.startswith(_ITEM_PREFIX) and len(cleaned) > len(_ITEM_PREFIX) + 1:
        cleaned = cleaned[len(_ITEM_PREFIX) :]  # "单项指标实际完成值" -> "实际完成值"
    return cleaned


_PREFIX_RANK = 100
#: Names matched only as the whole header text ("指标" must not claim 指标值, 指标性质 …).
_EXACT_ONLY = {"指标"}


class _Vocabulary:
    """A synonyms table arranged for matching: exact names first, then the names that may start a header."""

    def __init__(self, synonyms: dict[str, tuple[str, ...]]) -> None:
        self.exact: dict[str, tuple[str, int]] = {}  # name -> (field, rank) of the first field that lists it
        #: first character -> (name, field, rank) of the names that may start a header, in table order
        self.prefixes: dict[str, list[tuple[str, str, int]]] = {}
        for field, names in synonyms.items():
            for i, name in enumerate(names):
                self.exact.setdefault(name, (field, i))
                if len(name) >= 2 and name not in _EXACT_ONLY:
                    self.prefixes.setdefault(name[0], []).append((name, field, _PREFIX_RANK + i))


def _match(text: str, vocabulary: _Vocabulary) -> tuple[str, int] | None:
    """(field, rank) of a header text; a lower rank is a more specific name (exact before prefix)."""
    if not text or text.startswith(IGNORED_HEADERS):
        return None
    hit = vocabulary.exact.get(text)
    if hit is not None:
        return hit
    best: tuple[int, str, int] | None = None
    for name, field, rank in vocabulary.prefixes.get(text[0], ()):
        if text.startswith(name) and len(text) <= len(name) + 6 and (best is None or len(name) > best[0]):
            best = (len(name), field, rank)
    return (best[1], best[2]) if best else None


_FIELDS = _Vocabulary(FIELD_SYNONYMS)
_BUDGET_FIELDS = _Vocabulary(BUDGET_HEADER_SYNONYMS)


def header_match(text: object) -> tuple[str, int] | None:
    """(canonical indicator field, rank) for a header cell; when two cells of a header row name the
    same field ("绩效指标" as the block's label and "三级指标"), the lower rank wins."""
    return _field_match(clean_header(text))


@lru_cache(maxsize=4096)
def _field_match(cleaned: str) -> tuple[str, int] | None:
    """:func:`_match` against the indicator fields (kept per text: every cell of every row is asked)."""
    return _match(cleaned, _FIELDS)


def header_field(text: object) -> str | None:
    """Canonical indicator field for a header cell, or None."""
    hit = header_match(text)
    return hit[0] if hit else None


def budget_header_match(text: object) -> tuple[str, int] | None:
    """(canonical budget field, rank) for a header cell, or None."""
    return _budget_match(clean_header(text))


@lru_cache(maxsize=1024)
def _budget_match(cleaned: str) -> tuple[str, int] | None:
    return _match(cleaned, _BUDGET_FIELDS)


def budget_header_field(text: object) -> str | None:
    """Canonical budget field for a header cell, or None."""
    hit = budget_header_match(text)
    return hit[0] if hit else None


#: Info keys that name a unit (a row starting with one ends the indicator table).
UNIT_NAME_KEYS = ("name", "town", "belongs")


def unit_identity(info: dict) -> tuple[str, str]:
    """(the unit evaluated, its 主管部门 as printed), taking the name labels out of ``info``.

    The unit is the one named as 单位名称 (or 部门名称 …); in a 街镇 table (街镇名称 + 所属部门)
    it is the 所属部门, the 街镇 being its 主管. The 主管部门 is the one printed as such, else
    the 所属部门 of a named unit, else the 街镇.
    """
    name, town, belongs, department = (str(info.pop(k, "") or "") for k in ("name", "town", "belongs", "department"))
    if name:
        return name, department or belongs or town
    if belongs:
        return belongs, department or town
    return town, department
