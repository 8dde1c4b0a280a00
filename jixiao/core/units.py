"""Units of 计量单位 cells and values: canonical names, aliases and exact conversions.

- :func:`canonical_unit` maps the spellings met in real tables to one name
  ("百分比" → "%", "个工作日" → "工作日", "km²" → "平方公里"); compound units keep
  their pieces ("(件/人/年)" → "件/人/年").
- :func:`convert` converts only within a family with an exact factor: a 工作日 counts
  as one calendar day; 月 and 天 do not convert (no exact factor), nor do 人 and 人次.
- :data:`UNIT_ALIASES` and :data:`UNIT_RE` are what :mod:`jixiao.parse.values` uses to find a
  unit after a number.
"""

from __future__ import annotations

import re

from jixiao.core.textnorm import BLANKS, normalize_text

__all__ = [
    "UNITS",
    "UNIT_ALIASES",
    "UNIT_RE",
    "canonical_unit",
    "convert",
    "units_compatible",
    "NAME_UNITS",
    "compact_spaces",
]

#: Canonical unit strings: the one complete list of units of measure (长度、面积、体积、重量、
#: counts, time, money). Readers, value parsing and the review's checks all use it.
UNITS = (
    "%",
    "‰",
    "人次",
    "人",
    "个",
    "次",
    "条",
    "项",
    "户",
    "台",
    "部",
    "辆",
    "件",
    "起",
    "家",
    "所",
    "场",
    "期",
    "篇",
    "份",
    "册",
    "本",
    "套",
    "座",
    "处",
    "只",
    "名",
    "位",
    "批",
    "课时",
    "学时",
    "栋",
    "幢",
    "间",
    "张",
    "块",
    "根",
    "盏",
    "棵",
    "株",
    "支",
    "组",
    "类",
    "种",
    "轮",
    "宗",
    "例",
    "枚",
    "段",
    "辆次",
    "车次",
    "架次",
    "班次",
    "户次",
    "件次",
    "场次",
    "家次",
    "批次",
    "个次",
    "人天",
    "人日",
    "头",
    "尾",
    "羽",
    "匹",
    "口",
    "眼",
    "孔",
    "台次",
    "人月",
    "亩",
    "平方米",
    "平方公里",
    "公顷",
    "立方米",
    "公里",
    "米",
    "厘米",
    "毫米",
    "延米",
    "吨",
    "千克",
    "克",
    "升",
    "千瓦",
    "千瓦时",
    "小时",
    "分钟",
    "天",
    "日",
    "工作日",
    "周",
    "月",
    "年",
    "元",
    "千元",
    "万元",
    "百万元",
    "亿元",
    "分",
    "M",
    "G",
)
#: Units that, ending an indicator's name ("…≥20平方米"), mean a value was typed into the name.
#: Time units and single letters are left out: "…2023年", "…时间(月)" are names.
NAME_UNITS = tuple(u for u in UNITS if u not in ("年", "月", "日", "周", "分", "M", "G"))
#: Every spelling of a unit (canonical names included) → its canonical name.
UNIT_ALIASES = {u: u for u in UNITS} | {
    "百分比": "%",
    "百分点": "%",
    "个百分点": "%",
    "千分比": "‰",
    "平米": "平方米",
    "㎡": "平方米",
    "m2": "平方米",
    "m²": "平方米",
    "平方千米": "平方公里",
    "km2": "平方公里",
    "km²": "平方公里",
    "千米": "公里",
    "km": "公里",
    "m": "米",
    "公斤": "千克",
    "cm": "厘米",
    "mm": "毫米",
    "立方": "立方米",
    "m3": "立方米",
    "m³": "立方米",
    "kW": "千瓦",
    "kWh": "千瓦时",
    "kg": "千克",
    "个工作日": "工作日",
    "个月": "月",
    "个小时": "小时",
    "h": "小时",
    "min": "分钟",
    "星期": "周",
    "个星期": "周",
    "Mb": "M",
    "Mbps": "M",
    "MB": "M",
    "兆": "M",
    "Gb": "G",
    "Gbps": "G",
    "GB": "G",
}
#: Any alias, longest first (so "人次" wins over "人").
UNIT_RE = re.compile("|".join(re.escape(a) for a in sorted(UNIT_ALIASES, key=len, reverse=True)))

#: Exact conversion factors within one family (to the family's first unit).
_FAMILIES = (
    {"小时": 1.0, "分钟": 1 / 60, "天": 24.0, "日": 24.0, "工作日": 24.0, "周": 168.0},
    {"月": 1.0, "年": 12.0},
    {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8},
    {"%": 1.0, "‰": 0.1},
    {"平方米": 1.0, "亩": 10000 / 15, "公顷": 1e4, "平方公里": 1e6},
    {"米": 1.0, "公里": 1000.0, "厘米": 0.01, "毫米": 0.001},
    {"吨": 1.0, "千克": 1e-3, "克": 1e-6},
    {"M": 1.0, "G": 1000.0},
    {"人": 1.0, "名": 1.0, "位": 1.0},
)


_NAMED_UNIT = re.compile(r"(.+?)\s*[(（]([^()（）]+)[)）]?")
_SHORT_CJK = re.compile(r"[\u4e00-\u9fff]{1,3}")


def canonical_unit(text: object) -> str | None:
    """Canonical form of a unit text ("百分比" → "%", "个工作日" → "工作日", "(件/人/年)" → "件/人/年").

    Returns None for blanks and for texts that are not a unit.
    """
    t = compact_spaces(normalize_text(text)).strip("()（）")
    if not t or t in BLANKS:
        return None
    if t in UNIT_ALIASES:
        return UNIT_ALIASES[t]
    named = _NAMED_UNIT.fullmatch(t)
    if named:  # a unit with its name in brackets: "%(百分比)", "个（数量）"
        return canonical_unit(named[1]) or canonical_unit(named[2])
    pieces = t.split("/")
    if len(pieces) > 1 and all(p in UNIT_ALIASES or _SHORT_CJK.fullmatch(p) for p in pieces):
        return "/".join(UNIT_ALIASES.get(p, p) for p in pieces)
    return None


def convert(number: float | None, unit: str | None, to_unit: str | None) -> float | None:
    """Convert ``number`` from ``unit`` to ``to_unit``; None when there is no exact factor.

    Families: 分钟/小时/天/日/工作日/周 (a 工作日 counts as one day), 月/年, 元/千元/万元/亿元,
    %/‰, 平方米/亩/公顷/平方公里, 米/公里, 吨/千克, M/G (bandwidth), 人/名/位.
    """
    if number is None:
        return None
    src, dst = canonical_unit(unit) or unit, canonical_unit(to_unit) or to_unit
    if src == dst:
        return float(number)
    for fam in _FAMILIES:
        if src in fam and dst in fam:
            return float(number) * fam[src] / fam[dst]
    return None


def units_compatible(a: str | None, b: str | None) -> bool:
    """True when a value in unit ``a`` can be compared with one in unit ``b``."""
    return convert(1.0, a, b) is not None


_SPARE_SPACE = re.compile(r"(?<![0-9A-Za-z]) | (?![0-9A-Za-z])|(?<=[0-9]) (?=[A-Za-z])|(?<=[A-Za-z]) (?=[0-9])")


def compact_spaces(text: str) -> str:
    """Drop spaces except between two ASCII digits or two ASCII letters."""
    return _SPARE_SPACE.sub("", text)
