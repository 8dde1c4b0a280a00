"""Rule choice and scoring of whole indicator tables, on the seed documents."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jixiao.core.errors import ParamsError, RuleError
from jixiao.core.model import INDICATOR_COLUMNS, SCORED_COLUMNS, empty_indicators
from jixiao.parse.values import parse_value
from jixiao.read.files import load_evaluation
from jixiao.score.overrides import Override
from jixiao.score.rulechoice import choose_rule, rule_from_text, rule_from_value
from jixiao.score.scoring import ScoringSettings, score_budget, score_indicators


@pytest.fixture(scope="module")
def seed000(seed_000_path):
    return load_evaluation(seed_000_path)


@pytest.fixture(scope="module")
def seed001(seed_001_path):
    return load_evaluation(seed_001_path)


@pytest.fixture(scope="module")
def scored000(seed000):
    return score_indicators(seed000.indicators, year=2023)


def by_name(scored: pd.DataFrame, name: str) -> pd.Series:
    rows = scored[scored["name"] == name]
    assert len(rows) == 1, name
    return rows.iloc[0]


# --- choosing rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, target, expected",
    [
        ("2024年度政府实事项目完成率达到100%, 得满分, 否则按线性扣分", "=100%", ("proportional", {})),
        ("达到100%得满分，否则按线性扣分", "≤5%", ("reverse_linear", {})),
        ("按完成比例得分", "≥95%", ("proportional", {})),
        ("按计划有序推进重大项目, 得满分, 否则不得分", "按计划有序推进", ("all_or_nothing", {})),
        ("完成得满分", "100%", ("all_or_nothing", {})),
        ("未发生得满分，否则得0分", "0起", ("all_or_nothing", {})),
        ("部门按照工作计划时间节点及时完成，得满分，否则视偏差情况扣分", "及时", ("deviation_tiers", {})),
        ("根据完成情况酌情扣分", "规范", ("deviation_tiers", {})),
        ("每低1个百分点扣0.5分，扣完为止", "≥95%", ("per_point", {"x": 0.5, "side": "below"})),
        ("三公经费每超过1%扣1分", "≤100%", ("per_point", {"x": 1.0, "side": "above"})),
        (
            "≥90%得5分，80%-90%得4分，70%（含）-80%得3分，60%以下得0分",
            "≥90%",
            ("step_tiers", {"tiers": [(90.0, 5.0), (80.0, 4.0), (70.0, 3.0), (0.0, 0.0)]}),
        ),
        (
            "≥90%得5分；[80,90)得4分；[70,80)得3分；<60%得0分",
            "≥90%",
            ("step_tiers", {"tiers": [(90.0, 5.0), (80.0, 4.0), (70.0, 3.0), (0.0, 0.0)]}),
        ),
        ("", "≥90%", None),
        ("指标解释见附件", "≥90%", None),
    ],
    ids=[
        "linear",
        "linear-reverse",
        "ratio",
        "binary",
        "done-full",
        "else-zero",
        "deviation",
        "discretion",
        "per-point-low",
        "per-point-over",
        "tiers-range",
        "tiers-brackets",
        "blank",
        "no-rule",
    ],
)
def test_rule_from_text(text, target, expected):
    assert rule_from_text(text, parse_value(target)) == expected


@pytest.mark.parametrize(
    "target, unit, direction, nature, expected",
    [
        ("≥95%", "", "", "", "proportional"),
        ("100", "%", "=", "定量", "proportional"),
        ("4人", "", "", "", "proportional"),
        ("≤2小时", "", "", "", "reverse_linear"),
        ("0%", "", "", "", "zero_target"),
        ("0", "起", "=", "定量", "zero_target"),
        ("约150平方米", "", "", "", "approximate"),
        ("2023年9月", "", "", "", "deadline"),
        ("每月末", "", "", "", "deadline"),
        ("100人次 车辆50次", "", "", "", "compound"),
        ("90%-95%", "", "", "", "range_target"),
        ("降低", "", "", "", "direction_baseline"),
        ("规范", "", "", "定性", "qualitative_bands"),
        ("", "", "", "定性", "qualitative_bands"),
        ("", "", "", "定量", "proportional"),
    ],
    ids=lambda v: v if isinstance(v, str) and v else None,
)
def test_rule_from_value(target, unit, direction, nature, expected):
    parsed = parse_value(target, unit_hint=unit or None, direction_hint=direction or None, year=2023)
    assert rule_from_value(parsed, nature) == expected


def test_text_rule_needing_a_number_gives_way_to_the_value_kind():
    row = {"rule_text": "按比例得分", "target": "2023年9月", "unit": "", "direction": "", "nature": "定性"}
    assert choose_rule(row, year=2023) == ("deadline", {}, "方向与值")
    row = {"rule_text": "视偏差情况扣分", "target": "及时", "unit": "", "direction": "", "nature": "定性"}
    assert choose_rule(row) == ("deviation_tiers", {}, "评分标准")


def test_seed001_rule_texts_give_19_proportional_10_binary_9_deviation(seed001):
    ind = seed001.indicators
    ind = ind[ind["rule_text"] != ""]  # the 投入管理 rows only cite 沪财绩〔2022〕13号
    assert len(ind) == 38
    chosen = [choose_rule(row, year=2024) for row in ind.to_dict("records")]
    counts = pd.Series([c[0] for c in chosen]).value_counts().to_dict()
    assert counts == {"proportional": 19, "all_or_nothing": 10, "deviation_tiers": 9}
    assert {c[2] for c in chosen} == {"评分标准"}


# --- scoring the seed 000 self-evaluation ----------------------------------------------------------------


def test_scored_table_has_all_columns_in_order_and_leaves_input_alone(seed000, scored000):
    assert list(scored000.columns) == INDICATOR_COLUMNS + SCORED_COLUMNS
    assert len(scored000) == len(seed000.indicators) == 56
    assert "rule" not in seed000.indicators.columns
    assert scored000["rule_score"].dtype == "float64" and scored000["met"].dtype == object


def test_seed000_scores_never_exceed_weights_and_review_equals_rule(scored000):
    scores = scored000["rule_score"].dropna()
    assert ((scores >= 0) & (scores <= scored000.loc[scores.index, "weight"])).all()
    confirmed = scored000[scored000["status"] == "确定"]
    assert confirmed["review_score"].equals(confirmed["rule_score"])
    assert scored000.loc[scored000["status"] == "待核实", "review_score"].isna().all()
    assert (scored000["review_note"] == "").all()


@pytest.mark.parametrize(
    "name, rule, score, fragment",
    [
        ("基本支出预算执行率", "proportional", 0.99, "完成值99% / 指标值100% × 1分 = 0.99分"),
        ("考核合格率", "proportional", 0.5, "得满分0.50分"),  # self score 1 on a weight of 0.5
        ("辅警人员出勤率", "proportional", None, "未填写完成值"),
        ("群众投诉案件率降低", "direction_baseline", None, "缺少基期数据"),
        ("设施、设备维护及时性", "reverse_linear", 0.5, "未超过"),
        ("交通安全事故数", "zero_target", 4.0, "指标值为0"),
        ("辅助用房改造面积", "approximate", 1.0, "±10%"),
        ("市容环境与安全应急整治人员", "compound", 1.0, "取平均"),
        ("租赁及时性", "deadline", 0.5, "不晚于"),
        ("预算编制规范性", "qualitative_bands", 1.0, "佐证"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_seed000_selected_indicators(scored000, name, rule, score, fragment):
    row = by_name(scored000, name)
    assert row["rule"] == rule and row["rule_source"] == "方向与值"
    assert math.isnan(row["rule_score"]) if score is None else row["rule_score"] == score
    assert fragment in row["explanation"]


def test_seed000_admitted_shortfall_defaults_to_partial(scored000):
    # 完成值「合理」but the unit's own 偏差说明 says 预算的匹配性不够: 部分达成 (0.7 × 2), quoted
    row = by_name(scored000, "预算编制合理性")
    assert row["rule_score"] == 1.4 and row["met"] is False and "「预算的匹配性不够」" in row["explanation"]
    assert (row["status"], row["review_low"], row["review_high"]) == ("待核实", 0.6, 1.0)  # never above its own 1.00
    row = by_name(scored000, "单位年度绩效管理工 作")
    assert row["rule_score"] == 0.7 and "「绩效目标不够完善」" in row["explanation"]


def test_seed000_rule_total(scored000):
    assert round(scored000["rule_score"].sum(), 2) == 89.09
    assert scored000["rule_score"].isna().sum() == 3


# --- overrides and settings ---------------------------------------------------------------------------


def test_override_by_name_or_id_changes_only_the_review(seed000):
    overrides = {
        "预算编制合理性": Override("预算编制合理性", 1.5, "预算匹配性不足", "部分达成"),
        "I03": Override("I03", 1.0, "执行率差异可忽略"),
    }
    scored = score_indicators(seed000.indicators, overrides=overrides, year=2023)
    row = by_name(scored, "预算编制合理性")
    assert (row["rule_score"], row["review_score"]) == (1.4, 1.5)  # 部分达成 by the unit's own note
    assert row["review_note"] == "预算匹配性不足（档次：部分达成）"
    row = by_name(scored, "基本支出预算执行率")
    assert (row["rule_score"], row["review_score"], row["review_note"]) == (0.99, 1.0, "执行率差异可忽略")


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"预算编制合理性": Override("预算编制合理性", 2.5, "x")}, "不在 0 到分值 2"),
        ({"不存在的指标": Override("不存在的指标", 1, "x")}, "找不到"),
    ],
    ids=["above-weight", "unknown-indicator"],
)
def test_bad_overrides_raise(seed000, overrides, fragment):
    with pytest.raises(ParamsError, match=fragment):
        score_indicators(seed000.indicators, overrides=overrides, year=2023)


def test_indicator_params_force_a_rule_and_give_a_baseline(seed000):
    ind = seed000.indicators.copy()
    ind.loc[ind["name"] == "群众投诉案件率降低", "actual"] = "8"
    settings = ScoringSettings(
        indicator_params={
            "群众投诉案件率降低": {"baseline": 10},
            "I49": {"rule": "reverse_ratio"},
        }
    )
    scored = score_indicators(ind, settings=settings, year=2023)
    row = by_name(scored, "群众投诉案件率降低")
    assert (row["rule_score"], row["met"], row["rule_source"]) == (4.0, True, "方向与值")
    row = by_name(scored, "系统容错率")
    assert (row["rule"], row["rule_source"]) == ("reverse_ratio", "参数覆盖")


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"I49": {"rule": "linear"}}, "指标「系统容错率」（I49）：未知的计分规则"),
        ({"I49": {"base": 3}}, "不接受参数「base」"),
        ({"没有这个指标": {"baseline": 1}}, "找不到"),
    ],
    ids=["unknown-rule", "unknown-param", "unknown-indicator"],
)
def test_bad_indicator_params_raise_rule_error(seed000, params, fragment):
    with pytest.raises(RuleError, match=fragment):
        score_indicators(seed000.indicators, settings=ScoringSettings(indicator_params=params), year=2023)


def test_settings_change_the_defaults():
    table = pd.DataFrame(
        [
            {
                "indicator_id": "I01",
                "name": "完成率",
                "weight": 10.0,
                "target": "100%",
                "actual": "95%",
                "rule_text": "视偏差情况扣分",
            },
            {
                "indicator_id": "I02",
                "name": "面积",
                "weight": 10.0,
                "target": "约100平方米",
                "actual": "93平方米",
                "rule_text": "",
            },
        ]
    )
    default = score_indicators(table)
    assert default["rule_score"].tolist() == [8.0, 10.0]
    strict = score_indicators(table, settings=ScoringSettings(deviation_tiers=((0.05, 0.9),), approx_tolerance=0.05))
    assert strict["rule_score"].tolist() == [9.0, 9.3]


def test_declaration_without_weights_reports_met_but_no_score(seed001):
    ind = seed001.indicators.copy()
    ind["actual"] = ["100%" if t == "100" else "" for t in ind["target"]]
    scored = score_indicators(ind, year=2024)
    row = scored.set_index("name").loc["2024年度政府实事项目完成率"]
    assert math.isnan(row["rule_score"]) and row["met"] is True
    assert row["explanation"].startswith("未设分值")


# --- budget -----------------------------------------------------------------------------------------


def test_score_budget_scores_the_driving_line_with_the_scheme_weight(seed000):
    budget = score_budget(seed000.budget, weight=10)
    scored = budget[budget["rule_score"].notna()]
    assert scored["name"].tolist() == ["财政拨款"]
    assert scored["rule_score"].iloc[0] == 9.99  # 29060158.28 / 29098904.33 = 99.87 %
    assert scored["rule_weight"].iloc[0] == 10
    assert "99.87%" in scored["explanation"].iloc[0]


def test_score_budget_uses_the_tables_own_weight_and_tiers(seed000):
    budget = seed000.budget.copy()
    budget.loc[budget["name"] == "项目支出", "weight"] = 5.0
    assert score_budget(budget, weight=None)["rule_score"].dropna().tolist() == [5.0]
    low = budget.assign(spent=budget["budget"] * 0.85)
    tiers = score_budget(low, weight=None, rule="budget_execution_tiers", tiers=[(90, 1.0), (80, 0.5)])
    assert tiers["rule_score"].dropna().tolist() == [2.5]
    assert score_budget(seed000.budget, weight=None)["rule_score"].isna().all()


def test_empty_table_scores_to_an_empty_table_with_all_columns():
    scored = score_indicators(empty_indicators())
    assert scored.empty and list(scored.columns) == INDICATOR_COLUMNS + SCORED_COLUMNS
