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
    "ReportWording",
    "REPORT_WORDING",
    "report_wording",
    "kind_of_inputs",
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


@dataclass(frozen=True)
class ReportWording:
    """How a unit's report names itself and its work, by the materials the unit gave (DOMAIN §4.3).

    A scored self-evaluation table gets a 复核报告; a target declaration alone a 绩效目标审核意见
    (目标审核: 完整性、相关性、可衡量性、合理性); a self-evaluation report alone a 自评报告审核意见.
    Every user-facing text that names the work (titles, headings, appendix names, the CLI's and the
    index page's lines) takes its words from here.
    """

    kind: str  # "self" | "declaration" | "report" | "none" (report.facts.unit_kind)
    work: str  # the work: 复核 / 审核
    kicker: str  # cover kicker
    subtitle: str  # cover subtitle, after the year
    title: str  # the document's name in page titles, after unit and year
    conclusion: str  # name of section 三's judgement: 评价结论 / 审核意见
    scored: bool  # whether the report gives a score and a grade
    #: section headings of the unit notebook that differ from the self-evaluation's (canonical -> this kind's)
    headings: tuple[tuple[str, str], ...] = ()
    #: what ``jixiao run`` and the index page say instead of a score
    verdict: str = ""

    @property
    def findings(self) -> str:
        """复核发现 / 审核发现."""
        return self.work + "发现"

    @property
    def annexes(self) -> dict[str, str]:
        """The appendix headings, keyed ``diffs`` / ``findings`` / ``materials`` / ``scores`` (only those this kind has)."""
        if self.kind in ("self", "none"):
            return {
                "diffs": "附件一　复核差异清单",
                "findings": "附件二　复核发现清单",
                "materials": "附件三　复核材料清单",
                "scores": "附件四　指标评分表",
            }
        out = {"findings": "附件一　审核发现清单", "materials": "附件二　审核材料清单"}
        if self.kind == "declaration":
            out["scores"] = "附件三　指标审核表"
        return out

    @property
    def findings_annex(self) -> str:
        """How the text refers to the findings appendix (附件二复核发现清单)."""
        return self.annexes["findings"].replace("　", "")


#: The notebook's section headings (as in ``unit_report.py``) that a review of targets or of a report renames.
_HEAD2, _HEAD3, _HEAD4 = "二、绩效评价（复核）工作开展情况", "三、综合评价情况及评价结论", "四、绩效评价指标分析"

REPORT_WORDING: dict[str, ReportWording] = {
    "self": ReportWording(
        "self", "复核", "预算绩效评价复核报告", "部门整体支出绩效自评复核报告", "绩效评价复核报告", "评价结论", True
    ),
    "declaration": ReportWording(
        "declaration",
        "审核",
        "预算绩效目标审核意见",
        "绩效目标审核意见",
        "绩效目标审核意见",
        "审核意见",
        False,
        headings=((_HEAD2, "二、绩效目标审核工作开展情况"), (_HEAD3, "三、审核意见"), (_HEAD4, "四、绩效目标分析")),
        verdict="绩效目标审核意见（完整性、相关性、可衡量性、合理性）",
    ),
    "report": ReportWording(
        "report",
        "审核",
        "预算绩效自评报告审核意见",
        "部门整体支出绩效自评报告审核意见",
        "自评报告审核意见",
        "审核意见",
        False,
        headings=(
            (_HEAD2, "二、自评报告审核工作开展情况"),
            (_HEAD3, "三、审核意见"),
            (_HEAD4, "四、绩效目标实现情况分析"),
        ),
        verdict="自评报告审核意见（完整性、数据准确性、目标实现情况、规范性）",
    ),
    "none": ReportWording(
        "none", "复核", "预算绩效评价复核报告", "部门整体支出绩效自评复核报告", "绩效评价复核报告", "评价结论", False
    ),
}


def report_wording(kind: str) -> ReportWording:
    """The wording of a report of ``kind`` ("self", "declaration", "report"; anything else: "none")."""
    return REPORT_WORDING.get(kind, REPORT_WORDING["none"])


def kind_of_inputs(inputs: object) -> str:
    """The report kind of a unit from the input kinds it has (``self_evaluation`` / ``declaration`` / ``report``)."""
    given = set(inputs or ())
    if "self_evaluation" in given:
        return "self"
    if "declaration" in given:
        return "declaration"
    return "report" if "report" in given else "none"
