"""Domain vocabulary defined once: grade bands, qualitative tiers, tolerances, schemes, input kinds.

Every stage that needs one of these imports it from here (DOMAIN.md §3–§4).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_GRADE_BANDS",
    "LOWEST_GRADE",
    "UNGRADED",
    "TIERS",
    "TIER_ALIASES",
    "Tolerances",
    "DEFAULT_TOLERANCES",
    "WEIGHT_SCHEMES",
    "INPUT_KINDS",
    "SEVERITIES",
    "ROUNDING_SHARE",
    "DEFAULT_BASIS",
    "TARGETS_BASIS",
    "NATURES",
    "DIRECTIONS",
    "LEVEL1_NAMES",
    "LEVEL2_NAMES",
    "UNIT_HINTS",
]

#: Grade names and inclusive lower bounds, best first (DOMAIN §3.3); below the last is 差.
DEFAULT_GRADE_BANDS: dict[str, float] = {"优": 90.0, "良": 80.0, "中": 60.0}
LOWEST_GRADE = "差"
#: Shown where no grade can be given (no self-evaluation table, failed run).
UNGRADED = "未评级"

#: Qualitative tiers and their share of the weight [low, high) (DOMAIN §3.2).
TIERS: dict[str, tuple[float, float]] = {"达成": (0.8, 1.0), "部分达成": (0.6, 0.8), "未达成": (0.0, 0.6)}
TIER_ALIASES = {
    "达成年度指标": "达成",
    "部分达成年度指标并具有一定效果": "部分达成",
    "未达成年度指标且效果较差": "未达成",
}


@dataclass(frozen=True)
class Tolerances:
    """Tolerances of the arithmetic checks: a difference counts when strictly above them."""

    score: float = 0.1  # points
    money: float = 0.01  # 元 / 万元 as in the table
    rate: float = 0.01  # percentage points


DEFAULT_TOLERANCES = Tolerances()

#: A money difference up to this share of the amount (0.1 %) is rounding: reported as 提示, not 错误.
ROUNDING_SHARE = 0.001

#: Weight scheme keys (as written in params / jixiao.toml) and their Chinese labels.
WEIGHT_SCHEMES = {"table": "表内权重", "caiyu_2020_10": "财预〔2020〕10号 单位自评（10/50/30/10）"}

#: Input kinds of a unit and their Chinese names.
INPUT_KINDS = {"self_evaluation": "自评表", "declaration": "绩效目标申报表", "report": "自评报告"}

#: Finding severities, most serious first.
SEVERITIES = ("错误", "警告", "提示")

#: 评价依据 every report cites (DOMAIN §4.1, §4.3); a project adds local rules in jixiao.toml [report] basis.
DEFAULT_BASIS = (
    "《中华人民共和国预算法》",
    "《中共中央 国务院关于全面实施预算绩效管理的意见》（中发〔2018〕34号）",
    "《财政部关于印发〈项目支出绩效评价管理办法〉的通知》（财预〔2020〕10号）",
)
#: Cited where the report reviews performance targets (指标值, 目标申报).
TARGETS_BASIS = (
    "《财政部关于印发〈中央部门项目支出核心绩效目标和指标设置及取值指引（试行）〉的通知》（财预〔2021〕101号）"
)

#: 指标性质 and 指标方向 as a unit fills them in (template drop-downs).
NATURES = ("定量", "定性")
DIRECTIONS = ("≥", "≤", "=")

#: 一级指标 of the national frameworks (财预〔2020〕10号 单位自评, 财预〔2021〕101号, 部门整体 投入管理).
LEVEL1_NAMES = ("预算执行率", "成本指标", "产出指标", "效益指标", "满意度指标", "投入管理指标", "决策指标", "过程指标")
#: 二级指标 of the same frameworks (local tables add their own: the template warns but accepts them).
LEVEL2_NAMES = (
    "预算执行",
    "经济成本指标",
    "社会成本指标",
    "生态环境成本指标",
    "数量指标",
    "质量指标",
    "时效指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
    "预算编审管理",
    "预算执行管理",
    "资产管理",
    "绩效管理",
)
#: 计量单位 offered in the template (any other unit may be typed).
UNIT_HINTS = (
    "%",
    "个",
    "人",
    "人次",
    "户",
    "家",
    "次",
    "件",
    "项",
    "场",
    "天",
    "小时",
    "月",
    "万元",
    "元",
    "平方米",
    "公里",
)
