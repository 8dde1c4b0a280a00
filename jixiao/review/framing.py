"""Review checks on how an indicator is framed in the standard framework (DOMAIN §4.4), beyond
the category checks of :mod:`jixiao.review.categories`:

- C30: a fund-management measure (预算执行率, 拨款率, 资金金额, 科目调整次数 …) listed as an output
  quantity (数量指标): it measures the money, not what the money produced;
- C31: a 成本指标 that is no cost: a rate (达标率, 覆盖率 …) or a percentage, where the framework asks
  for an amount (元, 万元, 元/亩 …);
- C32: an output or operation measure (运行正常率, 合同完成率, 完工率, 验收合格率 …) listed as an
  economic or social benefit, or a 安全率 as an economic benefit;
- C33: a target whose direction contradicts its category: an upper bound (≤) on an output
  quantity, or a declared cost target without its ceiling (≤);
- C37: a rate that cannot exceed 100 % (合格率, 及时率 …) with the target 「≥100%」;
- C38: a 完成值 written as a bound (「88.32%及以上」) instead of the value reached;
- C08 (extended): a head count (…人数) measured in 人次 or in 个/户/次.

The category rules are one table (``CATEGORY_RULES``): each names the placement it applies to,
the name pattern that measures something else, the names it spares and the wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from jixiao.core.parsed_value import ParsedValue
from jixiao.parse.direction import implied_direction
from jixiao.read.headers import canonical_level1
from jixiao.review.helpers import indicator_finding, no_spaces, placed_under, records

__all__ = ["CATEGORY_RULES", "CategoryRule", "check_framing"]

_MONEY_UNITS = ("元", "万元", "亿元", "千元")


@dataclass(frozen=True)
class CategoryRule:
    """One misplacement the framework makes checkable.

    ``level2`` / ``level1`` are patterns on the printed level 2 and the canonical level 1 (either
    matching places the row under the rule; empty patterns never match); ``name`` the measure
    that does not belong there, ``spare`` names that do belong; ``percent`` makes a percentage
    target enough (with a name not spared); ``money`` makes a money target enough.
    """

    code: str
    level2: str
    level1: str
    name: str
    spare: str
    message: str
    expected: str
    percent: bool = False
    money: bool = False


CATEGORY_RULES: tuple[CategoryRule, ...] = (
    CategoryRule(
        code="C30",
        level2=r"数量",
        level1=r"^$a",  # level 2 only
        name=r"执行率|拨款率|拨付率|支付率|资金到位率|科目调整|(?:资金|支出|安排|拨款|预算)金额|资金额|资金规模",
        spare=r"$^",
        message="考核的是资金管理（预算执行、拨付、金额或科目调整），不是项目产出的数量，却列在{under}下；"
        "资金管理应在预算执行率或投入管理中考核，数量指标应写产出的实物量（个、人、亩等）",
        expected="产出实物量（或移入预算执行/投入管理）",
        money=True,
    ),
    CategoryRule(
        code="C31",
        level2=r"成本",
        level1=r"^成本指标$",
        name=r"(?:达标|合格|覆盖|完成|到位|发放|保障|知晓|使用)率",
        spare=r"节约|节省|超支|控制",
        message="列在{under}下，却是比率而不是成本；成本指标应写单位成本或总成本的金额上限（如 ≤1600元/亩、≤250万元）",
        expected="成本金额（元、万元、元/单位）",
        percent=True,
    ),
    CategoryRule(
        code="C32",
        level2=r"经济效益|社会效益",  # 设施正常运行率 under 可持续影响 is the framework's own example
        level1=r"^$a",
        name=r"正常率|运行率|(?:合同|结算|工程|项目|建设).{0,3}完成.?率|完工率|验收.{0,4}率",
        spare=r"$^",
        message="考核的是项目产出或运行本身（完成、运行、合格），不是项目带来的效益，却列在{under}下；"
        "应归入产出指标（数量、质量指标），效益指标写项目对服务对象、社会或经济的影响",
        expected="产出指标",
    ),
    CategoryRule(
        code="C32",
        level2=r"经济效益",
        level1=r"^$a",
        name=r"安全率",
        spare=r"$^",
        message="是安全或质量指标，不是经济效益，却列在{under}下；应归入产出指标—质量指标，"
        "经济效益指标写收入、产值或节约的资金",
        expected="产出指标—质量指标",
    ),
)


@dataclass(frozen=True)
class _RulePatterns:
    level2: re.Pattern
    level1: re.Pattern
    name: re.Pattern
    spare: re.Pattern


@cache
def _patterns(rule: CategoryRule) -> _RulePatterns:
    """A rule's patterns, compiled (those of :data:`CATEGORY_RULES` when this module is imported)."""
    return _RulePatterns(*(re.compile(p) for p in (rule.level2, rule.level1, rule.name, rule.spare)))


for _rule in CATEGORY_RULES:
    _patterns(_rule)

_TEN_THOUSAND = re.compile(r"\d\s*万$")
_WRITTEN_FLOOR = re.compile(r"[≥>＞]|不低于|大于|以上")


def _places(rule: CategoryRule, level1: str, level2: str) -> bool:
    pat = _patterns(rule)
    return bool(pat.level2.search(level2) or pat.level1.search(level1))


def _target_unit(row, target: ParsedValue) -> str:
    unit = target.unit if target.kind in ("number", "range") else None
    return unit or no_spaces(row.get("unit"))


def _matches(rule: CategoryRule, name: str, row, target: ParsedValue) -> bool:
    pat = _patterns(rule)
    if pat.spare.search(name):
        return False
    if pat.name.search(name):
        return True
    unit = _target_unit(row, target)
    if rule.percent and unit == "%":
        return True
    return rule.money and (unit in _MONEY_UNITS or bool(_TEN_THOUSAND.search(target.raw or "")))


def _category_findings(row, name: str, level1: str, level2: str, target: ParsedValue) -> list[dict]:
    for rule in CATEGORY_RULES:
        if _places(rule, level1, level2) and _matches(rule, name, row, target):
            under = placed_under(level1, level2)
            return [
                indicator_finding(
                    rule.code,
                    row,
                    f"指标「{row['name']}」{rule.message.format(under=under)}。",
                    expected=rule.expected,
                    reported=under.strip("「」"),
                )
            ]
    return []


def _direction_findings(row, level1: str, level2: str, target: ParsedValue, *, declaration: bool) -> list[dict]:
    if target.kind != "number" or target.number is None:
        return []
    raw = str(target.raw or "")
    lower_better = implied_direction(row.get("name")) == "<=" or _BAD_EVENT.search(no_spaces(row.get("name")))
    if "数量" in level2 and target.op in ("<=", "<") and _UPPER.search(raw) and not lower_better:
        return [
            indicator_finding(
                "C33",
                row,
                f"数量指标「{row['name']}」的指标值「{target.raw}」是上限；数量指标考核应完成的产出，"
                f"应写下限或确数（如 ≥{target.number:g}）。",
                expected=f"≥{target.number:g}",
                reported=target.raw,
            )
        ]
    if _capped_rate(row, target):
        return [
            indicator_finding(
                "C37",
                row,
                f"比率指标「{row['name']}」的指标值写成「{target.raw}」；该比率最高为 100%，"
                f"“≥100%”只能是 100%，应写作「=100%」或设定可达的下限。",
                expected="=100%",
                reported=target.raw,
            )
        ]
    cost = "成本" in level2 or level1 == "成本指标"
    money = _target_unit(row, target).startswith(_MONEY_UNITS) or bool(_TEN_THOUSAND.search(target.raw or ""))
    if declaration and cost and money and not _BOUND.search(raw):
        return [
            indicator_finding(
                "C33",
                row,
                f"成本指标「{row['name']}」的指标值「{target.raw}」没有方向；成本指标是控制上限，应写作"
                f"「≤{target.raw}」，否则节约或超支都无法判断。",
                expected=f"≤{target.raw}",
                reported=target.raw,
            )
        ]
    return []


#: Rates that can exceed 100 % (growth, change) are not capped.
_UNCAPPED = re.compile(r"增长|增幅|增速|增加|提高|提升|同比|环比|变动|变化|倍|回报|收益|利润|产出率|周转")


def _capped_rate(row, target: ParsedValue) -> bool:
    """A rate that cannot exceed 100 % (合格率, 及时率 …) with a target of ≥100 % or >100 %."""
    name = no_spaces(row.get("name"))
    if not name.endswith("率") or _UNCAPPED.search(name) or target.unit != "%":
        return False
    written = _WRITTEN_FLOOR.search(str(target.raw or ""))  # not an operator the name implies
    return bool(written) and target.op in (">=", ">") and (target.number or 0) >= 100


#: Counts of things to avoid (案件, 返工, 投诉 …): a ceiling on them is the right direction.
_BAD_EVENT = re.compile(r"事故|案件|投诉|返工|违[法规章停纪]|差错|失误|超支|整改|隐患|损失|死亡|伤|发生|调整")

#: An upper bound written in the target, and any bound (operator or words) at all.
_UPPER = re.compile(r"[≤<＜]|不超过|不高于|以内|以下")
_BOUND = re.compile(r"[≤≥<>=＜＞]|不超过|不高于|不低于|以内|以下|以上|控制在|至少|最多")

_HEAD_COUNT = re.compile(r"(?:人数|人员数|人口数)$")
_NOT_PERSONS = ("人次", "个", "户", "次", "件")


def _unit_findings(row, name: str, target: ParsedValue) -> list[dict]:
    unit = _target_unit(row, target)
    if _HEAD_COUNT.search(name) and unit in _NOT_PERSONS:
        return [
            indicator_finding(
                "C08",
                row,
                f"指标「{row['name']}」统计的是人数，指标值「{target.raw}」却以“{unit}”计量；"
                f"{'人次会重复计算同一人，' if unit == '人次' else ''}人数应以“人”计量。",
                expected="人",
                reported=f"{target.raw}（{unit}）" if unit not in (target.raw or "") else target.raw,
            )
        ]
    return []


def check_framing(indicators, parsed: dict, *, declaration: bool = False) -> list[dict]:
    """C30-C33, C37, C38 and the head-count C08 on every indicator (one finding per indicator and code)."""
    out = []
    for r in records(indicators):
        target = parsed[str(r["indicator_id"])][0]
        name = no_spaces(r.get("name"))
        level1, level2 = canonical_level1(r.get("level1") or ""), no_spaces(r.get("level2"))
        out += _category_findings(r, name, level1, level2, target)
        out += _direction_findings(r, level1, level2, target, declaration=declaration)
        out += _unit_findings(r, name, target)
        out += _bound_actual(r, target, parsed[str(r["indicator_id"])][1])
    return out


def _bound_actual(row, target: ParsedValue, actual: ParsedValue) -> list[dict]:
    """C38: a 完成值 written as a bound (「88.32%及以上」) that is not the target copied (C05 says that)."""
    if actual.kind != "number" or actual.op not in (">=", "<=", ">", "<") or getattr(actual, "op_implicit", False):
        return []
    if no_spaces(actual.raw) == no_spaces(target.raw):
        return []
    return [
        indicator_finding(
            "C38",
            row,
            f"指标「{row['name']}」的完成值写作「{actual.raw}」，是目标式的表述，不是实测值；完成值应写实际达到的数值。",
            expected="实测完成值",
            reported=actual.raw,
        )
    ]
