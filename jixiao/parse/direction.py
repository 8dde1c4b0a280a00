"""Which way an indicator is better when its row does not say: "lower is better" names.

A bare number target ("3%", "100%") has no operator; the row's 方向 / 指标性质 cell normally
gives it (:func:`jixiao.parse.operators.direction_to_op`). Many tables leave that cell out. For
indicators whose name says that less is better — 预算调整率, 结转结余率, 投诉率, 差错率,
事故发生率, a 经费/人员 控制率 (actual ÷ budget or quota, DOMAIN §1.3) — the target is a
ceiling: "3%" means "≤3%", and an actual of 0 meets it. :func:`implied_direction` gives that
operator from the name; an operator written in the value itself always wins.
"""

from __future__ import annotations

import re
from dataclasses import replace

from jixiao.core.parsed_value import ParsedValue
from jixiao.core.textnorm import BLANKS, normalize_text

__all__ = ["LOWER_IS_BETTER_RATES", "implied_direction", "with_implied_direction"]

#: Rates (…率) where a lower value is better: the target is a ceiling.
LOWER_IS_BETTER_RATES = (
    "调整率",
    "结转结余率",
    "结余率",
    "节余率",
    "结转率",
    "变动率",
    "投诉率",
    "差错率",
    "错误率",
    "出错率",
    "失误率",
    "事故率",
    "发生率",
    "发病率",
    "患病率",
    "死亡率",
    "病死率",
    "复发率",
    "流失率",
    "辍学率",
    "失业率",
    "空置率",
    "闲置率",
    "损耗率",
    "损失率",
    "不合格率",
    "不良率",
    "超标率",
    "超支率",
    "逾期率",
    "超期率",
    "延误率",
    "延期率",
    "积压率",
    "返贫率",
    "致贫率",
    "违约率",
    "违规率",
    "违法率",
    "返工率",
    "返修率",
    "故障率",
    "误差率",
    "误报率",
    "漏报率",
    "漏检率",
    "犯罪率",
    "发案率",
)
#: Counts of bad events (投诉件数, 安全事故次数): fewer is better.
_BAD_EVENTS = r"(?:投诉|事故|差错|失误|故障|违规|违纪|违法|上访|安全责任事故|案件发生)"
_COUNT = r"(?:发生)?(?:次数|件数|起数|数量|数|量)"
#: Work done on bad events (受理投诉件数, 事故调查处理数): an output, more is better.
_HANDLED = re.compile(r"受理|处理|办理|办结|调处|查处|化解|回复|答复|处置|调解|核查|整改|督办|侦破|破获|接听")
#: A 控制率 of money or staff (实际 ÷ 预算, 在职人数 ÷ 编制数): at most the target.
_SPENDING_CONTROL = re.compile(r"(?:经费|费用|支出|成本|开支|资金|预算|人员|编制|人数|三公)\W{0,2}控制率")
#: "控制在预算成本内", "成本控制在…以内": the name itself sets a ceiling.
_CEILING_NAME = re.compile(r"^控制在|控制在.*(?:以内|之内|内)$|不超过|不超出|不高于")
#: A cost (项目总成本, 办公所需成本, 成本控制数): spending at most the amount planned (财预〔2021〕101号).
_COST_NAME = re.compile(r"成本(?:控制数|控制额|总额|金额)?$")
#: "降低运营成本 10%" is a saving: more is better.
_SAVING = re.compile(r"降低|下降|减少|节约|节省|压缩|压减")
#: A negation before the word turns it round: 无差错率, 零投诉率, 无事故发生率 are "higher is better".
_NEGATED = re.compile("[无零未]")
_TRAILING = re.compile(r"[（(][^（）()]*[)）]$|[\s:：%％]+$")


_NAME_NOISE = re.compile(r"[\s\"'“”‘’「」]")


def _core_name(name: object) -> str:
    """The name without spaces, quotes and trailing remarks ("结余率（计算方法为…）" → "结余率")."""
    s = _NAME_NOISE.sub("", normalize_text(name))
    for _ in range(3):
        stripped = _TRAILING.sub("", s)
        if stripped == s:
            break
        s = stripped
    return s


_BAD_EVENT_COUNT = re.compile(f"{_BAD_EVENTS}{_COUNT}$")


def implied_direction(name: object) -> str | None:
    """The operator "<=" when the indicator's name says lower is better, else None.

    >>> implied_direction("预算调整率"), implied_direction("“三公”经费控制率"), implied_direction("无差错率")
    ('<=', '<=', None)
    """
    s = _core_name(name)
    if not s:
        return None
    for word in LOWER_IS_BETTER_RATES:
        if s.endswith(word):
            return None if _NEGATED.search(s[: -len(word)][-3:]) else "<="
    if _BAD_EVENT_COUNT.search(s) and not _NEGATED.search(s) and not _HANDLED.search(s):
        return "<="
    if _COST_NAME.search(s) and not _SAVING.search(s):
        return "<="
    if _SPENDING_CONTROL.search(s) or _CEILING_NAME.search(s):
        return "<="
    return None


def with_implied_direction(target: ParsedValue, name: object, direction: object = "") -> ParsedValue:
    """The target with operator "<=" when it is a bare number (no operator written, no 方向 cell)
    and the name says lower is better; otherwise unchanged.

    Only a missing operator is filled: "≥5%" stays "≥", and a 方向 cell, when present, has
    already given the operator (``parse_value(direction_hint=...)``).
    """
    if target.kind != "number" or target.op is not None or normalize_text(direction).strip() not in BLANKS:
        return target
    if implied_direction(name) != "<=":
        return target
    return replace(target, op="<=", notes=target.notes + ("指标名称表明数值越低越好，指标值按上限（≤）理解",))
