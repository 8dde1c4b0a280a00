"""Review checks on a unit's self-evaluation table (DOMAIN §4.2 groups A, C and D).

Every public ``check_*`` function takes tables and explicit tolerances and returns a
list of finding rows (``findings.make_finding``); ``review.review`` runs them all and
builds one findings table. A finding reports a problem only: what was checked and
found consistent is not listed.

Tolerances: a difference counts when it is strictly larger than the tolerance.
Sums are compared unrounded; numbers are rounded to 2 decimals only for display.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from .findings import make_finding, register_code
from .params import TIERS
from .parse import convert, describe_value, is_generic_actual, is_vague, parse_value
from .rules import judge_word
from .scoring import score_budget
from .textnorm import clean_cell
from .values import ParsedValue

__all__ = [
    "check_weights",
    "check_scores",
    "check_budget",
    "check_budget_indicators",
    "check_rescoring",
    "check_reader_notes",
    "check_targets",
    "check_actuals",
    "check_explanations",
    "parse_targets",
]

_C = [  # code, severity, title, meaning, fix, group
    ("A01", "错误", "一级权重合计不等于100", "各一级指标权重（含计入总分的预算执行率分值）合计不等于 100。",
     "按评价方案核对各一级指标权重，使其合计为 100。", "A"),
    ("A02", "错误", "三级分值之和与一级权重不符", "某一级指标下各三级指标分值之和不等于该一级指标的权重。",
     "核对三级指标分值或一级权重，使分值逐级汇总一致。", "A"),
    ("A03", "错误", "分值合计与总分值不符", "全部三级指标分值（含预算执行率分值）之和不等于表列总分值。",
     "核对各指标分值，使其合计等于总分值（通常为 100）。", "A"),
    ("A04", "错误", "自评分超过分值", "指标自评分高于该指标的分值（权重）。",
     "自评分不得超过分值；按评分标准重新评分。", "A"),
    ("A05", "错误", "自评分为负数", "指标自评分小于 0。", "自评分最低为 0（扣完为止），请更正。", "A"),
    ("A06", "错误", "总分与自评分合计不符", "表列总分与各指标自评分之和（含预算执行率得分）不一致。",
     "重新汇总各指标自评分；超过分值的自评分应先按分值封顶并更正。", "A"),
    ("A07", "警告", "完成值缺失", "指标未填写全年完成值，无法判断是否达标。",
     "填写实际完成值并提供佐证材料；确未开展的应说明原因并相应扣分。", "A"),
    ("A08", "警告", "自评分缺失", "指标未填写自评分，总分无法复核。", "按评分标准补填自评分。", "A"),
    ("A09", "警告", "分值缺失", "指标未填写分值（权重）。", "按评价方案补填分值，并核对分值合计。", "A"),
    ("A10", "错误", "执行率计算不符", "表列执行率与“全年执行数 ÷ 全年预算数 × 100%”重算结果不一致。",
     "按全年执行数 ÷ 全年预算数重新计算执行率并更正。", "A"),
    ("A11", "错误", "执行数超过预算数", "全年执行数大于全年预算数。",
     "核对执行数与预算数；如确有超支，说明资金来源和审批情况。", "A"),
    ("A12", "错误", "预算数为零或缺失", "预算行有执行数或执行率，但全年预算数为空或为 0，执行率无法计算。",
     "补填全年预算数（调整后预算）。", "A"),
    ("A13", "错误", "分项之和与合计不符", "基本支出与项目支出之和（或各资金来源之和）与合计数不一致。",
     "核对各分项与合计金额，更正录入或四舍五入错误。", "A"),
    ("A14", "警告", "预算执行率得分不符", "预算执行率得分与“分值 × min(执行率, 100%)”重算结果不一致。",
     "按执行率重新计算得分；如采用地方分档办法，请注明依据。", "A"),
    ("A15", "警告", "执行率指标与预算表不符", "预算执行率类指标的完成值与表内预算执行数据重算的执行率不一致。",
     "以预算执行数据重算的执行率为准，更正完成值并重新评分。", "A"),
    ("A20", "警告", "自评偏高", "自评分高于按评分规则重算的得分（或未达到指标值却自评满分）。",
     "按评分标准和实际完成值重新评分，或补充证明已达标的佐证材料。", "A"),
    ("A21", "提示", "自评偏低", "自评分低于按评分规则重算的得分。",
     "核实扣分依据；如扣分有据，请在偏差原因中写明。", "A"),
    ("A22", "警告", "定性指标得分不在档次区间", "定性指标的自评分不在其完成情况对应档次的分数区间内"
     "（达成 [80%,100%]，部分达成 [60%,80%)，未达成 [0,60%)）。",
     "按完成情况确定档次，并在该档分数区间内评分；或更正完成情况的表述。", "A"),
    ("A30", "提示", "读取时行错位", "原表部分行的单元格与表头错位（常见于导出或合并单元格），已按内容形状识别。",
     "对照原表核对这些行的分值、指标值、完成值与自评分；提交时请使用列对齐的表格。", "A"),
    ("A31", "警告", "无法识别的行", "原表中有行无法识别为指标行，已跳过，其分值和得分未计入复核。",
     "对照原表核对该行内容，必要时手工补录。", "A"),
    ("A32", "提示", "一级指标按二级指标归类", "表中一级指标与二级指标的标准归属不一致，复核按二级指标归类。",
     "按评价框架核对一级、二级指标的对应关系。", "A"),
    ("A33", "警告", "预算行无法识别", "预算执行情况中有行的数字无法对应到表头，已跳过。",
     "对照原表核对预算执行数据，必要时手工补录。", "A"),
    ("A39", "提示", "读取说明", "读取原表时对格式问题作了推断。", "对照原表核对相应单元格。", "A"),
    ("C01", "警告", "指标值缺失或不可计量", "年度指标值为空，或定量指标的指标值不是可计量的数值。",
     "填写数值型指标值（如 ≥95%、300 个），并注明计量单位。", "C"),
    ("C02", "警告", "指标值缺少计量单位", "数值型指标值没有计量单位，无法判断口径。",
     "补填计量单位（个、人、%、万元等）。", "C"),
    ("C03", "警告", "指标值不可衡量/未细化量化", "年度指标值使用“规范”“合理”“有效”“建立健全”“降低”等"
     "无法衡量的表述，没有量化标准。", "将指标值细化量化（数量、比率、时限或可核验的标准），定性指标应写明达成标准。", "C"),
    ("C04", "提示", "模糊指标值汇总", "全表指标值不可衡量的指标数量。",
     "按财预〔2021〕101号要求细化量化绩效目标，逐项修改不可衡量的指标值。", "C"),
    ("C05", "警告", "完成值照抄指标值", "全年完成值与年度指标值逐字相同，且多为“≥”“约”或定性词等目标表述，"
     "不是实测结果。", "填写实际测得的完成值（具体数量、比率、日期），并提供佐证材料。", "C"),
    ("C06", "警告", "完成值为笼统表述", "全年完成值为“完成”“达成预期指标”等笼统表述，没有实际数值。",
     "填写实际完成的数量、比率或日期，并提供佐证材料。", "C"),
    ("C07", "提示", "满意度缺少调查依据", "满意度指标已评分，但完成值和说明中没有调查方式、样本量等依据。",
     "说明满意度调查的方式、对象、样本量和有效问卷数，并提供调查结果。", "C"),
    ("C08", "警告", "计量单位与指标不符", "指标值的计量单位与指标名称不匹配（如“…数”用 %，“…率”用 M、个等）。",
     "数量类指标用个、起、次等计数单位，比率类指标用 %；必要时修改指标名称。", "C"),
    ("C09", "警告", "指标名称中含指标值", "指标名称中写入了指标值（如“…人员数：6人”）。",
     "指标名称只写考核内容，指标值填入年度指标值栏。", "C"),
    ("C10", "提示", "一个指标含多个指标值", "一个指标的指标值包含多项数量，评分口径不清。",
     "拆分为多个指标，或写明各部分的评分方法。", "C"),
    ("C11", "错误", "指标值为时间格式错误值", "指标值或完成值显示为时间（如 15:01:00），是单元格格式错误造成的无效值。",
     "将单元格格式改为文本，按申报表重新填写正确的值。", "C"),
    ("D01", "警告", "偏差未说明原因", "指标未达到指标值或有扣分，但偏差及原因分析为空。",
     "在偏差及原因分析中说明未完成的原因和改进措施。", "D"),
    ("D02", "警告", "说明了偏差但未扣分", "偏差及原因分析中说明了问题或未完成情况，但自评给了满分。",
     "按偏差情况扣分，或说明为何不影响得分。", "D"),
    ("D03", "警告", "超额完成未说明", "完成值达到或超过指标值的 130%，但未说明原因。",
     "说明超额完成的原因；如属目标设定偏低，应按偏离度适度调减得分，并在下年度合理设定目标。", "D"),
    ("D04", "警告", "执行率偏低未说明原因", "预算执行率低于 90%，表中未说明原因。",
     "说明执行率偏低的原因（如项目延期、采购结余）及整改措施。", "D"),
    ("D05", "警告", "预算调整未说明", "全年预算数与年初预算数不一致（年中预算调整），表中未说明原因。",
     "说明预算调整（调增/调减）的金额、原因和审批依据。", "D"),
]
for _code in _C:
    register_code(*_code)

_EPS = 1e-9


# --- small helpers ---------------------------------------------------------------------------


def _f(x: float) -> str:
    """A number for display: 2 decimals."""
    return f"{x:.2f}"


def _num(value: object) -> float | None:
    """A float cell as float, or None for NaN/None."""
    if value is None or isinstance(value, str):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _over(diff: float, tol: float) -> bool:
    """True when |diff| is strictly above the tolerance (float noise ignored)."""
    return abs(diff) > tol + _EPS


def _text(value: object) -> str:
    """A cell's normalised text; "" for blanks and placeholders ("—", "/", "无")."""
    return clean_cell(value)


def _where(row) -> str:
    src = row.get("source_row")
    line = f"(第{int(src)}行)" if src is not None and not pd.isna(src) else ""
    return f"指标「{row['name']}」{line}"


def _ind(code: str, row, message: str, *, expected: object = "", reported: object = "") -> dict:
    return make_finding(code, _where(row), message, scope="indicator", indicator_id=str(row["indicator_id"]),
                        expected=expected, reported=reported)


def _rows(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def _names(rows: list[dict], limit: int = 60) -> str:
    names = [str(r["name"]) for r in rows]
    more = f" 等{len(names)}项" if len(names) > limit else ""
    return "、".join(names[:limit]) + more


def parse_targets(indicators: pd.DataFrame, year: int | None = None) -> dict[str, tuple[ParsedValue, ParsedValue]]:
    """Parsed (target, actual) per indicator_id, with the row's unit and direction as hints."""
    out = {}
    for r in _rows(indicators):
        unit, direction = r.get("unit") or None, r.get("direction") or None
        out[str(r["indicator_id"])] = (
            parse_value(r.get("target"), unit_hint=unit, direction_hint=direction, year=year),
            parse_value(r.get("actual"), unit_hint=unit, year=year),
        )
    return out


# --- A: weights and scores -------------------------------------------------------------------------


def _budget_weight(budget: pd.DataFrame) -> tuple[float, float | None]:
    """(Σ 分值, Σ 得分 or None) of the budget lines the table scores."""
    scored = budget[budget["weight"].notna()] if "weight" in budget else budget.iloc[:0]
    if scored.empty:
        return 0.0, None
    score = scored["reported_score"].dropna()
    return float(scored["weight"].sum()), (float(score.sum()) if len(score) else None)


def check_weights(evaluation, *, total_points: float = 100.0, tolerance: float = 0.01) -> list[dict]:
    """A01-A03, A09: level-1 weights sum to 100, roll-ups per level 1, Σ 分值 = 总分值, blank weights."""
    ind, out = evaluation.indicators, []
    if ind.empty:
        return out
    budget_w, _ = _budget_weight(evaluation.budget)
    declared = evaluation.level1_declared
    extra = f"（含预算执行率 {_f(budget_w)} 分）" if budget_w else ""
    if len(declared) and declared["declared_weight"].notna().all():
        total = float(declared["declared_weight"].sum()) + budget_w
        if _over(total - total_points, tolerance):
            parts = "、".join(f"{n} {_f(w)}" for n, w in zip(declared["name"], declared["declared_weight"]))
            out.append(make_finding("A01", "一级指标", f"一级指标权重合计 {_f(total)}{extra}，不等于 {_f(total_points)}（{parts}）。",
                                    expected=total_points, reported=total))
    found = ind.groupby("level1", sort=False)["weight"].sum(min_count=1)
    for name, w in zip(declared["name"], declared["declared_weight"]):
        s = found.get(name)
        if pd.isna(w) or s is None or pd.isna(s) or not _over(s - w, tolerance):
            continue
        out.append(make_finding("A02", f"一级指标「{name}」",
                                f"一级指标「{name}」下三级指标分值合计 {_f(s)}，与一级权重 {_f(w)} 不符（相差 {_f(s - w)}）。",
                                expected=w, reported=s))
    weights = ind["weight"].dropna()
    goal = evaluation.declared_weight_total if evaluation.declared_weight_total is not None else total_points
    if len(weights) and _over(float(weights.sum()) + budget_w - goal, tolerance):
        total = float(weights.sum()) + budget_w
        out.append(make_finding("A03", "全表", f"全部三级指标分值合计 {_f(total)}{extra}，与总分值 {_f(goal)} 不符。",
                                expected=goal, reported=total))
    missing = ind[ind["weight"].isna()]
    if len(missing) == len(ind):
        out.append(make_finding("A09", "全表", "全部指标均未填写分值（权重），无法复核得分。", expected="各指标分值", reported="（空）"))
    else:
        out += [_ind("A09", r, f"指标「{r['name']}」未填写分值。", expected="分值", reported="（空）") for r in _rows(missing)]
    return out


def check_scores(evaluation, *, tolerance_total: float = 0.1) -> list[dict]:
    """A04-A08: 0 ≤ 自评分 ≤ 分值, Σ 自评分 vs 总分 (as given and capped), blank actual or score."""
    ind, out = evaluation.indicators, []
    for r in _rows(ind):
        s, w = _num(r["self_score"]), _num(r["weight"])
        if s is not None and w is not None and s > w + _EPS:
            out.append(_ind("A04", r, f"指标「{r['name']}」自评分 {_f(s)} 超过分值 {_f(w)}（超出 {_f(s - w)} 分）。",
                            expected=f"≤{_f(w)}", reported=s))
        if s is not None and s < -_EPS:
            out.append(_ind("A05", r, f"指标「{r['name']}」自评分 {_f(s)} 为负数。", expected="≥0", reported=s))
        if parse_value(r.get("actual")).kind == "empty":  # "无" is an answer (no accident), "—" is not
            out.append(_ind("A07", r, f"指标「{r['name']}」未填写全年完成值（指标值 {r['target'] or '（空）'}）。",
                            expected="全年完成值", reported="（空）"))
        if s is None:
            out.append(_ind("A08", r, f"指标「{r['name']}」未填写自评分。", expected="自评分", reported="（空）"))
    reported = evaluation.reported_total
    if reported is None or ind.empty:
        return out
    scores, weights = ind["self_score"], ind["weight"]
    given = float(scores.sum())
    capped = float(scores.where(scores.isna() | weights.isna(), scores.clip(upper=weights)).sum())
    budget_w, budget_s = _budget_weight(evaluation.budget)
    if budget_s is not None:
        given, capped = given + budget_s, capped + min(budget_s, budget_w)
    if _over(given - reported, tolerance_total):
        note = f"（含预算执行率得分 {_f(budget_s)}）" if budget_s is not None else ""
        blank = int(scores.isna().sum())
        blank_note = f"；另有 {blank} 项指标未填自评分" if blank else ""
        out.append(make_finding(
            "A06", "总分",
            f"各指标自评分合计 {_f(given)}{note}，按分值封顶后为 {_f(capped)}，与表列总分 {_f(reported)} 不符"
            f"（相差 {_f(given - reported)}，容差 ±{tolerance_total:g}）{blank_note}。",
            expected=f"{_f(given)}（按分值封顶 {_f(capped)}）", reported=reported))
    return out


# --- A: budget block ----------------------------------------------------------------------------


def _line(code: str, name: str, message: str, expected: object, reported: object) -> dict:
    return make_finding(code, f"预算「{name}」", message, scope="budget", expected=expected, reported=reported)


_FIELDS = {"budget": "全年预算数", "spent": "全年执行数", "initial_budget": "年初预算数"}


def _total_line(budget: pd.DataFrame) -> dict | None:
    """The budget total: the 合计 row, else Σ 资金来源, else Σ 资金结构 (None if nothing to sum)."""
    for group in ("合计", "资金来源", "资金结构"):
        part = budget[(budget["group"] == group) & budget["budget"].notna()]
        if len(part):
            return {k: float(part[k].sum()) if part[k].notna().any() else None for k in _FIELDS}
    return None


def check_budget(budget: pd.DataFrame, *, tolerance_money: float = 0.01, tolerance_rate: float = 0.01,
                 tolerance_score: float = 0.01) -> list[dict]:
    """A10-A14: recomputed rates, 执行 > 预算, blank budgets, parts vs totals, execution-rate score."""
    out = []
    for r in _rows(budget):
        name, unit = r["name"], r.get("money_unit") or ""
        b, s, rate = _num(r["budget"]), _num(r["spent"]), _num(r["reported_rate"])
        if (b is None or b == 0) and (s is not None or rate is not None):
            shown = "为 0" if b == 0 else "为空"
            out.append(_line("A12", name, f"预算「{name}」全年预算数{shown}，执行率无法计算。", "全年预算数",
                             "0" if b == 0 else "（空）"))
            continue
        if b is None or s is None:
            continue
        if s > b + tolerance_money:
            out.append(_line("A11", name, f"预算「{name}」全年执行数 {_f(s)}{unit} 超过全年预算数 {_f(b)}{unit}"
                                          f"（超出 {_f(s - b)}{unit}）。", f"≤{_f(b)}", s))
        recomputed = round(s / b * 100, 2)  # display rounding of the recomputed rate, as tables print it
        if rate is not None and _over(rate - recomputed, tolerance_rate):
            out.append(_line("A10", name, f"预算「{name}」表列执行率 {_f(rate)}%，按 {_f(s)} ÷ {_f(b)} 重算为 {_f(recomputed)}%。",
                             f"{_f(recomputed)}%", f"{_f(rate)}%"))
    for r in _rows(score_budget(budget, weight=None)):
        score, expected = _num(r.get("reported_score")), _num(r.get("rule_score"))
        if score is not None and expected is not None and _over(score - expected, tolerance_score):
            out.append(_line("A14", r["name"], f"预算「{r['name']}」执行率得分 {_f(score)}，按规则重算为 {_f(expected)}"
                                               f"（{r['explanation']}）。", expected, score))
    return out + _check_parts(budget, tolerance_money)


def _check_parts(budget: pd.DataFrame, tol: float) -> list[dict]:
    """A13: 基本 + 项目 = 合计, Σ 资金来源 = 合计; without a 合计 row, Σ 资金结构 = Σ 资金来源."""
    budget = budget.dropna(subset=list(_FIELDS), how="all")  # blank lines (其他资金 with nothing) are absent
    total = budget[budget["group"] == "合计"]
    structure = budget[budget["group"] == "资金结构"]
    sources = budget[budget["group"] == "资金来源"]
    if len(total):
        whole = total.iloc[0]
        pairs = [("基本支出与项目支出之和", structure, "合计", whole), ("各资金来源之和", sources, "合计", whole)]
    elif len(sources) and len(structure) >= 2:
        whole = {k: sources[k].sum() if sources[k].notna().all() else math.nan for k in _FIELDS}
        pairs = [("基本支出与项目支出之和", structure, "各资金来源之和", whole)]
    else:
        return []
    out = []
    for label, parts, whole_label, whole in pairs:
        if len(parts) < 2:
            continue  # one line equal to the total says nothing
        for key, field_label in _FIELDS.items():
            w = _num(whole[key])
            if w is None or parts[key].isna().any():
                continue
            s = float(parts[key].sum())
            if _over(s - w, tol):
                out.append(_line("A13", whole_label, f"{field_label}：{label} {_f(s)} 与{whole_label} {_f(w)} 不符"
                                                     f"（相差 {_f(s - w)}）。", w, s))
    return out


_RATE_PREFIXES = re.compile(r"部门|单位|整体|年度|全年|财政拨款|财政|基本支出|项目支出|预算|支出|资金")


def check_budget_indicators(evaluation, parsed: dict | None = None, *, tolerance_rate: float = 0.01) -> list[dict]:
    """A15: an indicator-level 预算执行率 row (完成值) against the rate recomputed from the budget block."""
    budget, out = evaluation.budget, []
    parsed = parsed or parse_targets(evaluation.indicators, evaluation.unit.year)
    for r in _rows(evaluation.indicators):
        name = re.sub(r"\s+", "", str(r["name"]))
        if _RATE_PREFIXES.sub("", name) != "执行率" or name == "执行率":
            continue  # only 预算执行率 / 基本支出预算执行率 / 项目支出执行率 …, not 三公经费预算执行率
        line = None
        for part in ("基本支出", "项目支出"):
            if part in name:
                match = budget[budget["name"].astype(str).str.contains(part)]
                line = _total_line(match.assign(group="合计")) if len(match) else None
                break
        else:
            line, part = _total_line(budget), "预算合计"
        if not line or not line["budget"] or line["spent"] is None:
            continue
        actual = parsed[str(r["indicator_id"])][1]
        if actual.kind != "number" or actual.number is None or actual.unit not in ("%", None):
            continue
        rate = round(line["spent"] / line["budget"] * 100, 2)
        if _over(actual.number - rate, tolerance_rate):
            out.append(_ind("A15", r, f"指标「{r['name']}」完成值 {actual.raw}，按预算表{part}执行数 ÷ 预算数重算的执行率为 "
                                      f"{_f(rate)}%。", expected=f"{_f(rate)}%", reported=actual.raw))
    return out


# --- A: re-scoring --------------------------------------------------------------------------------

def _qualitative(row, target: ParsedValue) -> bool:
    if row.get("nature") == "定性" or target.kind == "qualitative":
        return True
    return target.kind == "direction" and target.number is None


def check_rescoring(scored: pd.DataFrame, parsed: dict, *, tolerance: float = 0.01) -> list[dict]:
    """A20-A22: self score vs rule score (自评偏高/偏低), qualitative scores outside their tier band."""
    out = []
    for r in _rows(scored):
        s, w, rule = _num(r["self_score"]), _num(r["weight"]), _num(r.get("rule_score"))
        if s is None or w is None or s > w + _EPS or s < 0:
            continue  # A04/A05/A08 report these rows
        target, actual = parsed[str(r["indicator_id"])]
        if _qualitative(r, target):
            tier = judge_word(actual, target)
            if tier is not None:
                lo, hi = TIERS[tier]
                inside = lo * w - _EPS <= s and (s <= hi * w + _EPS if tier == "达成" else s < hi * w - _EPS)
                if not inside:
                    band = f"[{_f(lo * w)}, {_f(hi * w)}{']' if tier == '达成' else ')'}"
                    out.append(_ind("A22", r, f"指标「{r['name']}」完成值「{r['actual']}」属“{tier}”档，得分区间 {band}，"
                                              f"自评分 {_f(s)} 不在区间内。", expected=band, reported=s))
                    continue
        if rule is None:
            continue
        explanation = _text(r.get("explanation"))
        why = f"（{explanation}）" if explanation else ""
        full_but_missed = r.get("met") is False and s >= w - _EPS and rule < w - _EPS
        if _over(s - rule, tolerance) and s > rule or full_but_missed:
            lead = "未达到指标值却自评满分，" if full_but_missed else ""
            out.append(_ind("A20", r, f"指标「{r['name']}」{lead}按评分规则应得 {_f(rule)} 分{why}，自评 {_f(s)} 分，"
                                      f"偏高 {_f(s - rule)} 分。", expected=rule, reported=s))
        elif _over(rule - s, tolerance) and rule > s:
            out.append(_ind("A21", r, f"指标「{r['name']}」按评分规则应得 {_f(rule)} 分{why}，自评 {_f(s)} 分，"
                                      f"偏低 {_f(rule - s)} 分。", expected=rule, reported=s))
    return out


# --- A: what the reader had to guess ---------------------------------------------------------------

_NOTE_CODES = {"unreadable_row": "A31", "level1_from_level2": "A32", "budget_unreadable": "A33"}
_QUIET_NOTES = {"one_value", "nature_filled"}  # covered by A07, or routine merged cells


def check_reader_notes(notes: pd.DataFrame) -> list[dict]:
    """A30-A39: reader notes that a reviewer must know about (shifted rows summarised in one line)."""
    out = []
    shifted = notes[notes["code"] == "shifted_row"]
    if len(shifted):
        rows = sorted({int(x) for x in shifted["row"] if x is not None and not pd.isna(x)})
        out.append(make_finding("A30", "全表", f"原表有 {len(rows)} 行单元格与表头错位（第 {'、'.join(map(str, rows))} 行），"
                                f"已按内容形状识别，请对照原表核对。", expected="各列与表头对齐", reported=f"{len(rows)} 行错位"))
    for r in _rows(notes):
        code = r["code"]
        if code == "shifted_row" or code in _QUIET_NOTES:
            continue
        row = r.get("row")
        where = f"第{int(row)}行" if row is not None and not pd.isna(row) else "全表"
        out.append(make_finding(_NOTE_CODES.get(code, "A39"), where, str(r["message"]), reported=r.get("value") or ""))
    return out


# --- C: quality of targets and actuals --------------------------------------------------------------

_MEASURABLE = ("number", "range", "compound", "deadline", "periodic")
_QUANT_NAME = re.compile(r"(率|数|数量|次数|人数|面积|金额|时长|天数)$")
_COUNT_NAME = re.compile(r"(数|数量|次数|起数|人数|个数|件数|户数|宗数)$")
_NOT_COUNT = re.compile(r"(指数|系数|倍数|分数|基数|函数)$")
_RATE_NAME = re.compile(r"率$")
_NOT_RATE = re.compile(r"(频率|效率)$")
_NAME_UNITS = ("%", "‰", "人次", "人", "个", "次", "条", "项", "户", "台", "部", "辆", "件", "起", "家", "所", "场",
               "万元", "元", "平方米", "平方公里", "亩", "公里", "米", "吨", "小时", "分钟", "天", "课时", "名", "处")
_NAME_VALUE = re.compile(r"(?:[：:]\s*[约≥≤<>=]?\s*\d+(?:\.\d+)?\s*\S{0,4}"
                         r"|[≥≤<>=]?\d+(?:\.\d+)?\s*(?:" + "|".join(map(re.escape, _NAME_UNITS)) + r"))$")


def _compact_name(row) -> str:
    return re.sub(r"\s+", "", str(row["name"]))


def _quantitative(row) -> bool:
    if row.get("nature") in ("定量", "定性"):
        return row["nature"] == "定量"
    return bool(_QUANT_NAME.search(_compact_name(row)))


def check_targets(indicators: pd.DataFrame, parsed: dict) -> list[dict]:
    """C01-C04, C08-C11 on the 年度指标值: measurable, unit present and fitting the name, not vague."""
    out, vague = [], []
    for r in _rows(indicators):
        t = parsed[str(r["indicator_id"])][0]
        name = _compact_name(r)
        if t.kind == "time_artifact":
            out.append(_ind("C11", r, f"指标「{r['name']}」指标值「{t.raw}」是时间格式，不是有效的指标值。",
                            expected="数值或文字指标值", reported=t.raw))
        elif is_vague(t):
            vague.append(r)
            kind = "定量指标的" if r.get("nature") == "定量" else ""
            out.append(_ind("C03", r, f"指标「{r['name']}」{kind}指标值「{t.raw}」不可衡量，未细化量化。",
                            expected="可衡量的指标值（数量、比率、时限或标准）", reported=t.raw))
        elif t.kind == "empty":
            out.append(_ind("C01", r, f"指标「{r['name']}」未填写年度指标值。", expected="年度指标值", reported="（空）"))
        elif _quantitative(r) and t.kind not in _MEASURABLE and not (t.kind == "direction" and t.number is not None):
            out.append(_ind("C01", r, f"定量指标「{r['name']}」的指标值「{t.raw}」不是可计量的数值。",
                            expected="数值型指标值", reported=t.raw))
        if t.kind == "number" and t.number is not None and not t.unit:
            out.append(_ind("C02", r, f"指标「{r['name']}」指标值「{t.raw}」没有计量单位。", expected="计量单位", reported=t.raw))
        if t.kind == "compound":
            out.append(_ind("C10", r, f"指标「{r['name']}」的指标值「{t.raw}」包含 {len(t.parts)} 项数量（{describe_value(t)}）。",
                            expected="每个指标一个指标值", reported=t.raw))
        unit = t.unit if t.kind in ("number", "range") else None
        if unit in ("%", "‰") and _COUNT_NAME.search(name) and not _NOT_COUNT.search(name):
            out.append(_ind("C08", r, f"指标「{r['name']}」是数量类指标，指标值「{t.raw}」却以 {unit} 计量。",
                            expected="计数单位（个、起、次等）", reported=t.raw))
        elif unit and unit not in ("%", "‰") and _RATE_NAME.search(name) and not _NOT_RATE.search(name):
            out.append(_ind("C08", r, f"指标「{r['name']}」是比率类指标，指标值「{t.raw}」却以“{unit}”计量。",
                            expected="百分比（%）", reported=t.raw))
        if _NAME_VALUE.search(name):
            out.append(_ind("C09", r, f"指标名称「{r['name']}」中写入了指标值。", expected="名称不含指标值", reported=r["name"]))
    if vague:
        total = len(indicators)
        out.append(make_finding("C04", "全表", f"全表 {total} 项指标中有 {len(vague)} 项指标值不可衡量（未细化量化）："
                                f"{_names(vague)}。", expected="0 项", reported=f"{len(vague)} 项"))
    return out


def _same_text(a: object, b: object) -> bool:
    x, y = re.sub(r"\s+", "", _text(a)), re.sub(r"\s+", "", _text(b))
    return bool(x) and x == y


def _target_wording(t: ParsedValue) -> bool:
    """True when a value reads as a target ("≥95%", "约150", "规范", "降低"), never as a measurement."""
    if t.kind == "number":
        return t.approx or (t.op is not None and not t.op_implicit)
    return t.kind in ("qualitative", "direction", "range", "periodic")


_SATISFACTION = re.compile(r"满意度|满意率")
_SURVEY = re.compile(r"样本|问卷|调查|抽样|测评|访谈|受访|有效.{0,4}份")
_SURVEY_TEXT = re.compile(r"满意.{0,60}(问卷|样本|调查|抽样|测评)|(问卷|样本|调查|抽样|测评).{0,60}满意")


def check_actuals(evaluation, parsed: dict, *, copy_share: float = 0.8, copy_min: int = 5) -> list[dict]:
    """C05-C07, C11 on the 全年完成值: copied targets, generic claims, satisfaction without a survey.

    Copies are reported once for the unit: every 完成值 that restates a target wording ("≥95%",
    "约150平方米", "规范"), and — when at least ``copy_share`` of the filled 完成值 (and at least
    ``copy_min``) equal their target word for word — every identical one.
    """
    ind, out = evaluation.indicators, []
    rows = _rows(ind)
    identical = [r for r in rows if _same_text(r.get("actual"), r.get("target"))]
    evident = [r for r in identical if _target_wording(parsed[str(r["indicator_id"])][0])]
    filled = sum(1 for r in rows if _text(r.get("actual")))
    pattern = len(identical) >= copy_min and len(identical) >= copy_share * filled
    listed = identical if pattern else evident
    if listed:
        if pattern:
            of = f"，其中 {len(evident)} 项为“≥”“约”或定性词等目标表述，不可能是实测值" if evident else ""
            what = f"全年完成值与年度指标值逐字相同（已填完成值 {filled} 项）{of}"
        else:
            what = "全年完成值照抄了年度指标值的目标表述（“≥”“约”或定性词等），不是实测值"
        out.append(make_finding("C05", "全表", f"共 {len(listed)} 项指标的{what}，缺少实测依据，需补充佐证材料。",
                                expected="实测完成值及佐证材料", reported=f"{len(listed)} 项：{_names(listed)}"))
    texts = " ".join(str(v) for v in evaluation.texts.values())
    survey_in_texts = bool(_SURVEY_TEXT.search(texts))
    for r in rows:
        t, a = parsed[str(r["indicator_id"])]
        if a.kind == "time_artifact":
            out.append(_ind("C11", r, f"指标「{r['name']}」完成值「{a.raw}」是时间格式，不是有效的完成值。",
                            expected="实际完成值", reported=a.raw))
        if is_generic_actual(a) and not _same_text(r.get("actual"), r.get("target")):
            out.append(_ind("C06", r, f"指标「{r['name']}」指标值为「{t.raw}」，完成值仅写「{a.raw}」，没有实际完成数据。",
                            expected="实际完成数值及佐证", reported=a.raw))
        evidence = _SURVEY.search(_text(r.get("actual")) + _text(r.get("deviation_note")))
        scored = _num(r["self_score"]) is not None
        if _SATISFACTION.search(str(r["name"])) and scored and not evidence and not survey_in_texts:
            out.append(_ind("C07", r, f"满意度指标「{r['name']}」自评 {_f(_num(r['self_score']))} 分，未说明调查方式、样本量等依据"
                                      f"（完成值「{r['actual'] or '（空）'}」）。", expected="调查方式、样本量、有效问卷数",
                            reported=r["actual"] or "（空）"))
    return out


# --- D: explanations ------------------------------------------------------------------------------------

_NO_DEVIATION = re.compile(r"^(无|无偏差|没有偏差|未发生偏差|不存在偏差|无明显偏差|未发现问题|无问题|无异常|不适用|已完成|完成|达标|"
                           r"达到预期|按计划完成)[。.]?$")
_POSITIVE_NOTE = re.compile(r"超额|超过|提前|高于|多于|优于|好于")
_SHORTFALL = re.compile(r"不够|不足|不到位|不完善|不规范|不及时|未|没有|欠缺|缺|偏差|偏低|滞后|延期|延迟|推迟|问题|较差|低于|少于|差距|有待|影响")
_REASON = re.compile(r"原因|由于|因为|主要是|系因|受.{0,10}影响")
_ADJUST = re.compile(r"调整|调剂|追加|追减|调增|调减|核减")


def _note(row) -> str:
    note = re.sub(r"\s+", "", _text(row.get("deviation_note")))
    return "" if _NO_DEVIATION.match(note) else note


def _over_completion(t: ParsedValue, a: ParsedValue, op: str | None, ratio: float) -> float | None:
    """a / t when a positive target (≥, >, = with t > 0) is exceeded by ``ratio`` or more, else None."""
    if op not in (">=", ">", "=") or t.kind != "number" or a.kind != "number" or not t.number or a.number is None:
        return None
    if t.unit and a.unit and t.unit != a.unit:
        value = convert(a.number, a.unit, t.unit)
    else:
        value = a.number
    if value is None or t.number <= 0:
        return None
    return value / t.number if value >= ratio * t.number - _EPS else None


def check_explanations(evaluation, scored: pd.DataFrame, parsed: dict, *, tolerance: float = 0.01,
                       over_ratio: float = 1.3, execution_threshold: float = 90.0,
                       tolerance_money: float = 0.01) -> list[dict]:
    """D01-D05: deviations explained, notes matched by deductions, over-completion, low execution, adjustments."""
    out = []
    for r in _rows(scored):
        t, a = parsed[str(r["indicator_id"])]
        s, w, note = _num(r["self_score"]), _num(r["weight"]), _note(r)
        missed = r.get("met") is False
        deducted = s is not None and w is not None and w - s > tolerance + _EPS
        op = r.get("target_op") if isinstance(r.get("target_op"), str) else t.op
        if op is None and r.get("met") is True:
            op = ">="  # a bare number the rule found met: more is better
        over = _over_completion(t, a, op, over_ratio)
        if (missed or deducted) and not note:
            if missed:
                why = f"未达到指标值（指标值 {describe_value(t)}，完成值 {describe_value(a)}）"
            else:
                why = f"自评扣 {_f(w - s)} 分"
            out.append(_ind("D01", r, f"指标「{r['name']}」{why}，但未填写偏差原因。", expected="偏差及原因分析", reported="（空）"))
        elif note and s is not None and w is not None and s >= w - _EPS and not over and _SHORTFALL.search(note):
            if not (r.get("met") is True and _POSITIVE_NOTE.search(note)):
                out.append(_ind("D02", r, f"指标「{r['name']}」偏差原因写明“{note}”，但自评满分 {_f(s)} 分，未扣分。",
                                expected=f"<{_f(w)}", reported=s))
        if over is not None and not note:
            out.append(_ind("D03", r, f"指标「{r['name']}」完成值 {a.raw} 为指标值 {t.raw} 的 {over * 100:.0f}%"
                                      f"（≥{over_ratio * 100:.0f}%），未说明超额原因；请核实目标是否设定偏低。",
                            expected="超额原因说明", reported=f"{over * 100:.0f}%"))
    out += _check_budget_reasons(evaluation, execution_threshold, tolerance_money)
    return out


def _check_budget_reasons(evaluation, threshold: float, tol: float) -> list[dict]:
    """D04, D05: a low execution rate or a budget adjustment explained in a note or in the texts."""
    budget, out = evaluation.budget, []
    sentences = [x for v in evaluation.texts.values() for x in re.split(r"[。；;\n]", str(v))]
    notes = {re.sub(r"\s+", "", str(r["name"])): _note(r) for r in _rows(evaluation.indicators)}
    rate_reason = any(n and "执行" in k for k, n in notes.items()) or any(
        "执行" in x and _REASON.search(x) for x in sentences)
    adjust_reason = any(n and _ADJUST.search(k) for k, n in notes.items()) or any(_ADJUST.search(x) for x in sentences)
    adjusted = []
    for r in _rows(budget):
        b, s, i = _num(r["budget"]), _num(r["spent"]), _num(r["initial_budget"])
        if b and s is not None and s / b * 100 < threshold - _EPS and not rate_reason:
            rate = f"{_f(s / b * 100)}%"
            out.append(_line("D04", r["name"], f"预算「{r['name']}」执行率 {rate}，低于 {threshold:g}%，表中未说明原因。",
                             f"≥{threshold:g}% 或说明原因", rate))
        if b is not None and i is not None and _over(b - i, tol):
            adjusted.append(f"{r['name']} {_f(i)}→{_f(b)}")
    if adjusted:
        changes = "；".join(adjusted)
        if not adjust_reason:
            out.append(make_finding("D05", "预算执行情况", f"全年预算数与年初预算数不一致（{changes}），表中未说明预算调整原因。",
                                    scope="budget", expected="预算调整原因说明", reported=changes))
    return out
