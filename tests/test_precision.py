"""Findings worth reading (issue 10 §4): no finding where the table is right, on fixtures of our own.

Each test is one cause of false findings seen on real tables of other provinces: "lower is better"
indicators read as "higher is better", money written "250万" called unit-less, cells the table has
no column for called blank, process indicators without 指标值, the same problem reported twice,
and a 总分 row below the table's end read from the wrong column. Each also shows that the real
problem is still found.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jixiao.core.model import Evaluation
from jixiao.parse.direction import implied_direction, with_implied_direction
from jixiao.parse.values import parse_value
from jixiao.read.files import load_evaluation
from jixiao.review.review import review
from jixiao.score.scoring import score_indicators
from tests.conftest import ROOT
from tests.test_checks import clean_evaluation

DATA = ROOT / "tests" / "data" / "precision"
NAN = math.nan


def _set(ev: Evaluation, ident: str, **values) -> Evaluation:
    for key, value in values.items():
        ev.indicators.loc[ev.indicators["indicator_id"] == ident, key] = value
    return ev


def _codes_at(found: pd.DataFrame, name: str) -> set[str]:
    return set(found[found["where"].str.contains(f"「{name}」", regex=False)]["code"])


# --- lower is better ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "op"),
    [
        ("预算调整率", "<="),
        ("结转结余率", "<="),
        ("结余率（计算方法为：结余数/预算数）", "<="),
        ("“三公”经费变动率", "<="),
        ("财政供养人员控制率", "<="),
        ("公用经费控制率", "<="),
        ("群众投诉率", "<="),
        ("安全事故发生率", "<="),
        ("业务差错率", "<="),
        ("投诉件数", "<="),
        ("受理投诉件数", None),  # complaints handled: an output
        ("脱贫人口返贫率", "<="),
        ("控制在预算成本内", "<="),
        ("项目总成本", "<="),
        ("办公所需成本", "<="),
        ("降低运营成本", None),  # a saving: more is better
        ("无差错率", None),  # negated: higher is better
        ("零投诉率", None),
        ("投诉办结率", None),
        ("病虫害控制率", None),  # a 控制率 of a pest, not of money or staff
        ("政府采购执行率", None),
        ("验收合格率", None),
    ],
)
def test_names_that_say_lower_is_better(name, op):
    assert implied_direction(name) == op


def test_implied_direction_fills_only_a_missing_operator():
    bare = parse_value("3%")
    assert with_implied_direction(bare, "预算调整率").op == "<="
    assert with_implied_direction(parse_value("≥3%"), "预算调整率").op == ">="  # written in the value: kept
    assert with_implied_direction(bare, "预算调整率", "≥").op is None  # the 方向 cell decides (parse_value did)
    assert with_implied_direction(bare, "验收合格率").op is None


def test_lower_is_better_rate_met_below_its_ceiling():
    ev = _set(clean_evaluation(), "I02", name="预算调整率", direction="", target="3", unit="%", actual="0")
    scored = score_indicators(ev.indicators, year=2024).set_index("indicator_id")
    assert scored.loc["I02", "met"] is True
    assert scored.loc["I02", "rule_score"] == pytest.approx(20.0, abs=1e-9)
    assert not {"A20", "D01"} & _codes_at(review(ev), "预算调整率")


def test_lower_is_better_rate_above_its_ceiling_is_still_found():
    ev = _set(clean_evaluation(), "I02", name="预算调整率", direction="", target="3", unit="%", actual="8")
    assert {"A20", "D01"} <= _codes_at(review(ev), "预算调整率")


def test_unit_table_without_reason_column_and_ceiling_rates():
    """A Chongqing-style 部门整体 table: rates that are ceilings, no 偏差原因 column."""
    ev = load_evaluation(DATA / "overall_no_reason_column.csv")
    assert "deviation_note" not in ev.extras["indicator_columns"]
    found = review(ev)
    # the one shortfall (政府采购执行率 95% of 100%) still owes its reason; the ceilings met owe nothing
    assert found[["code", "where"]].values.tolist() == [["D01", "指标「政府采购执行率」(第12行)"]]
    assert "表中没有偏差原因栏" in found["message"].iloc[0]


# --- cells the table has no column for, process indicators -------------------------------------


def test_no_self_score_column_gives_no_blank_score_findings():
    ev = _set(clean_evaluation(), "I02", self_score=NAN)
    assert "A08" in set(review(ev)["code"])
    ev.extras = {"indicator_columns": ["level1", "level2", "name", "weight", "target", "unit", "actual"]}
    assert "A08" not in set(review(ev)["code"])


def test_no_reason_column_still_owes_the_reason():
    ev = _set(clean_evaluation(), "I02", actual="90", self_score=18.95)
    d01 = review(ev).query("code == 'D01'")["message"].tolist()
    assert len(d01) == 1 and "但未填写偏差原因" in d01[0]
    ev.extras = {"indicator_columns": ["level1", "level2", "name", "weight", "target", "actual", "self_score"]}
    d01 = review(ev).query("code == 'D01'")["message"].tolist()
    assert len(d01) == 1 and "表中没有偏差原因栏，也未说明原因" in d01[0]


def test_no_target_column_gives_no_blank_target_findings():
    ev = _set(clean_evaluation(), "I03", target="", nature="定性", actual="按期完成")
    assert "C01" in _codes_at(review(ev), "项目完成时间")
    ev.extras = {"indicator_columns": ["level1", "level2", "name", "weight", "actual", "self_score"]}
    assert "C01" not in _codes_at(review(ev), "项目完成时间")


@pytest.mark.parametrize(("level1", "found"), [("项目决策", False), ("项目管理", False), ("产出指标", True)])
def test_process_indicators_need_no_target(level1, found):
    ev = _set(clean_evaluation(), "I03", level1=level1, target="—", nature="", actual="目标明确、内容细化")
    assert ("C01" in _codes_at(review(ev), "项目完成时间")) is found


@pytest.mark.parametrize(
    ("name", "actual", "found"),
    [("培训场次", "已完成100%", True), ("培训场次", "12场", False), ("培训计划完成率", "已完成100%", False)],
)
def test_completion_share_is_no_measured_value(name, actual, found):
    """ "已完成100%" says the task is done, not how many 场 were held (a 完成率 is measured so)."""
    ev = _set(clean_evaluation(), "I01", name=name, actual=actual)
    assert ("C06" in _codes_at(review(ev), name)) is found


# --- units ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "level2", "target", "found"),
    [
        ("市民中心运行维护费", "成本指标", "150万", False),
        ("控制在预算成本内", "成本指标", "250万", False),
        ("项目资金", "经济效益指标", "1.2亿", False),
        ("受益人数", "社会效益指标", "5万", False),
        ("培训场次", "数量指标", "12", True),
        ("培训场次", "数量指标", "1.2万", True),  # 万 of what? the name gives no unit
    ],
)
def test_ten_thousand_figures_take_their_unit_from_the_name(name, level2, target, found):
    ev = _set(clean_evaluation(), "I01", name=name, level2=level2, target=target, unit="", actual=target)
    assert ("C02" in _codes_at(review(ev), name)) is found


# --- one finding per problem ---------------------------------------------------------------------


def _low_execution(ev: Evaluation) -> Evaluation:
    ev.budget.loc[ev.budget["name"] == "合计", ["spent", "reported_rate"]] = [800.0, 80.0]
    ev.budget.loc[ev.budget["name"] == "项目支出", ["spent", "reported_rate"]] = [510.0, 72.86]
    return ev


def test_execution_rate_indicator_not_reported_twice():
    ev = _low_execution(_set(clean_evaluation(), "I02", name="预算执行率", target="100", actual="80", self_score=16.0))
    found = review(ev)
    assert "D04" in set(found["code"])
    assert "D01" not in _codes_at(found, "预算执行率")
    # another shortfall on the same table still needs its own reason
    ev = _set(ev, "I01", actual="10", self_score=16.67)
    assert "D01" in _codes_at(review(ev), "培训场次")


def test_low_execution_from_the_printed_rate_when_amounts_are_missing():
    ev = clean_evaluation()
    ev.budget = ev.budget[ev.budget["name"] == "合计"].copy()
    ev.budget[["initial_budget", "budget", "spent", "rate"]] = NAN
    ev.budget["reported_rate"] = 76.0
    found = review(ev)
    assert "D04" in set(found["code"])
    a12 = found[found["code"] == "A12"]["message"].tolist()  # and the amounts are missing
    assert a12 == ["预算「合计」只填了执行率 76.00%，全年预算数和执行数为空，执行率无法复核。"]


def test_level1_sum_and_total_sum_reported_once():
    ev = clean_evaluation()
    ev.indicators["level1_weight"] = ev.indicators["level1"].map(
        {"产出指标": 70.0, "效益指标": 30.0, "满意度指标": 10.0}
    )
    ev = _set(ev, "I01", weight=30.0, self_score=30.0)  # 产出 30+20+20 = 70: the level-1 rolls up
    ev.reported_total = 110.0
    found = review(ev)
    assert "A01" in set(found["code"])
    assert "A03" not in set(found["code"])  # Σ 分值 110 vs 100 is the problem A01 reports
    ev.declared_weight_total = 120.0  # a printed 总分值 of its own: another comparison
    assert {"A01", "A03"} <= set(review(ev)["code"])


# --- totals ---------------------------------------------------------------------------------------


def test_total_row_below_the_notes_is_read_by_column():
    ev = load_evaluation(DATA / "total_below_notes.csv")
    assert ev.reported_total == pytest.approx(97.0, abs=0.01)  # the 得分 column, not the 分值 100
    assert ev.declared_weight_total == pytest.approx(100.0, abs=0.01)
    assert "A06" not in set(review(ev)["code"])


def test_sums_with_an_unread_budget_line_are_not_judged():
    """A budget line not read (A33) may be the scored 预算执行率 line: Σ with the budget points is unknown."""
    ev = clean_evaluation()
    ev.declared_weight_total = 90.0
    assert "A03" in set(review(ev)["code"])
    note = {
        "code": "budget_unreadable",
        "row": 7,
        "column": "",
        "value": "",
        "message": "预算行「」的数字无法对应到表头，已跳过。",
    }
    ev.notes = pd.DataFrame([note])
    found = set(review(ev)["code"])
    assert "A33" in found and "A03" not in found
    ev.budget.loc[ev.budget["name"] == "合计", ["weight", "reported_score"]] = [10.0, 9.6]
    assert "A03" in set(review(ev)["code"])  # the scored line was read: the sum stands


def test_goal_coverage_not_judged_when_rows_were_not_read():
    ev = clean_evaluation()
    ev.texts = {"年度目标": "一是建成智慧停车管理平台；二是完成老旧小区加装电梯。"}
    assert "C12" in set(review(ev)["code"])
    note = {"code": "unreadable_row", "row": 9, "column": "", "value": "", "message": "该行无法识别为指标行，已跳过：x"}
    ev.notes = pd.DataFrame([note])
    found = set(review(ev)["code"])
    assert "A31" in found and "C12" not in found  # the row not read may be the goal's indicator


@pytest.mark.parametrize(("printed", "severity"), [(96.0, "提示"), (95.0, "错误"), (96.1, "错误")])
def test_rate_printed_as_whole_number_is_display_rounding(printed, severity):
    """960.4 of 1000 is 96.04%: "96%" only rounds it; "95%" is wrong, and so is "96.1%" (one decimal)."""
    ev = clean_evaluation()
    ev.budget.loc[ev.budget["name"] == "合计", ["spent", "reported_rate"]] = [960.4, printed]
    a10 = review(ev).query("code == 'A10' and where == '预算「合计」'")
    assert a10["severity"].tolist() == [severity]


def test_bare_satisfaction_without_unit_is_one_finding():
    ev = _set(clean_evaluation(), "I05", direction="", target="100", unit="")
    found = review(ev).query("indicator_id == 'I05'")
    assert "C02" not in set(found["code"])
    (message,) = found.query("code == 'C25'")["message"]
    assert "没有写方向（≥）和计量单位（%）" in message
    ev = _set(clean_evaluation(), "I05", direction="", target="90%", unit="")
    (message,) = review(ev).query("code == 'C25'")["message"]
    assert "没有写方向（≥），" in message
