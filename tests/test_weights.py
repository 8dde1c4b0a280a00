"""Weight schemes, rescaling and allocation."""

from __future__ import annotations

import pandas as pd
import pytest

from jixiao.core.errors import ParamsError
from jixiao.read.files import load_evaluation
from jixiao.score.scoring import score_indicators
from jixiao.score.weights import (
    CAIYU_2020_10,
    TABLE,
    WeightScheme,
    allocate_weights,
    apply_scheme,
    get_scheme,
    largest_remainder,
    level1_key,
    scheme_weights,
)


@pytest.fixture(scope="module")
def seed001(seed_001_path):
    return load_evaluation(seed_001_path)


@pytest.fixture(scope="module")
def scored000(seed_000_path):
    return score_indicators(load_evaluation(seed_000_path).indicators, year=2023)


@pytest.mark.parametrize(
    "name, key",
    [
        ("产出指标", "产出"),
        ("产出", "产出"),
        ("产出指标（50分）", "产出"),
        ("产出指标(50分)", "产出"),
        ("效益指标", "效益"),
        ("效果指标", "效益"),
        ("满意度指标", "满意度"),
        ("服务对象满意度指标", "满意度"),
        ("投入管理指标", "投入"),
        ("决策", "决策"),
        ("过程指标", "过程"),
        ("成本指标", "成本"),
        ("预算执行率", "预算执行"),
        ("预算执行情况", "预算执行"),
        ("履职效能", "履职效能"),
        (" 产 出 指 标 ", "产出"),
    ],
    ids=lambda v: v,
)
def test_level1_key(name, key):
    assert level1_key(name) == key


# --- schemes ----------------------------------------------------------------------------------------


def test_builtin_and_custom_schemes():
    assert get_scheme(None) is TABLE and get_scheme("table") is TABLE
    assert get_scheme("caiyu_2020_10") is CAIYU_2020_10
    custom = get_scheme({"产出指标": 40, "效益指标": 40, "满意度": 10, "预算执行率": 10})
    assert dict(custom.level1) == {"产出": 40.0, "效益": 40.0, "满意度": 10.0}
    assert custom.budget_weight == 10.0
    assert get_scheme({"产出": 33.33, "效益": 33.33, "满意度": 33.34}).level1["满意度"] == 33.34


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ({"产出": 50, "效益": 30}, "之和应为 100，这里是 80"),
        ({"产出": 50, "效益": 50.02}, "之和应为 100"),
        ({"产出": "五十", "效益": 50}, "应为数字"),
        ({"产出": True, "效益": 99}, "应为数字"),
        ({"产出": -10, "效益": 110}, "不能为负数"),
        ({"产出": 50, "产出指标": 50}, "两个一级指标"),
        ({}, "至少包含一项"),
        ("caiyu", "未知的权重方案「caiyu」"),
    ],
    ids=["sum-80", "sum-100.02", "text", "bool", "negative", "duplicate", "empty", "unknown-name"],
)
def test_scheme_validation(spec, fragment):
    with pytest.raises(ParamsError, match=fragment):
        get_scheme(spec)


def test_caiyu_moves_satisfaction_to_output_and_benefit_when_absent():
    table = pd.DataFrame({"level1": ["产出指标", "效益指标"], "weight": [1.0, 1.0]})
    weights, budget = scheme_weights(table, CAIYU_2020_10)
    assert weights == {"产出指标": 56.25, "效益指标": 33.75}
    assert budget == 10.0


def test_caiyu_gives_budget_weight_to_a_budget_level1_when_the_table_has_one():
    table = pd.DataFrame({"level1": ["预算执行率", "产出", "效益", "满意度"], "weight": [1.0] * 4})
    weights, budget = scheme_weights(table, CAIYU_2020_10)
    assert weights == {"预算执行率": 10.0, "产出": 50.0, "效益": 30.0, "满意度": 10.0} and budget == 0.0


def test_custom_scheme_with_a_level1_absent_from_the_table_is_an_error():
    table = pd.DataFrame({"level1": ["产出指标"], "weight": [1.0]})
    with pytest.raises(ParamsError, match="「效益」在指标表中不存在"):
        scheme_weights(table, WeightScheme.from_dict({"产出": 60, "效益": 40}))


# --- apply_scheme -------------------------------------------------------------------------------------


def test_apply_scheme_rescales_and_keeps_the_table_values(scored000):
    scheme = WeightScheme.from_dict({"投入管理": 20, "产出": 40, "效益": 30, "满意度": 10})
    out = apply_scheme(scored000, scheme)
    sums = out.groupby("level1", sort=False)["weight"].sum().round(2).tolist()
    assert sums == [20.0, 40.0, 30.0, 10.0]  # exact after largest-remainder rounding
    assert out["weight_table"].equals(scored000["weight"])
    assert out["rule_score_table"].equals(scored000["rule_score"])
    full = out[scored000["rule_score"] == scored000["weight"]]
    assert (full["rule_score"] == full["weight"]).all()  # full marks stay full marks
    assert out.loc[out["name"] == "公众满意度", "scheme_factor"].iloc[0] == 0.5


def test_apply_table_scheme_changes_nothing(scored000):
    out = apply_scheme(scored000, TABLE)
    assert out["weight"].equals(scored000["weight"]) and (out["scheme_factor"] == 1.0).all()


# --- allocation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shares, total, expected",
    [
        ([1, 1, 1], 10, [3.34, 3.33, 3.33]),
        ([1] * 6, 100, [16.67, 16.67, 16.67, 16.67, 16.66, 16.66]),
        ([1, 2], 1, [0.33, 0.67]),
        ([30, 30, 40], 50, [15.0, 15.0, 20.0]),
    ],
    ids=["thirds", "sixths", "one-two", "exact"],
)
def test_largest_remainder_sums_exactly(shares, total, expected):
    parts = largest_remainder(shares, total)
    assert parts == expected
    assert round(sum(parts), 2) == total


@pytest.mark.parametrize("by", ["equal", "level2"])
def test_allocate_caiyu_weights_to_seed001(seed001, by):
    ind = seed001.indicators
    with pytest.raises(ParamsError, match="投入管理指标"):  # the 财预〔2020〕10号 scheme has no 投入管理
        allocate_weights(ind, CAIYU_2020_10, by=by)
    out = allocate_weights(ind[ind["level1"] != "投入管理指标"], CAIYU_2020_10, by=by)
    sums = out.groupby("level1", sort=False)["weight"].sum().round(2).to_dict()
    assert sums == {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}
    assert out["weight"].notna().all() and out["weight_table"].isna().all()
    assert (out["weight"] * 100).round(6).mod(1).eq(0).all()  # two decimals
    if by == "level2":
        level2 = out.groupby(["level1", "level2"], sort=False)["weight"].sum().round(2)
        assert level2[("产出指标", "数量指标")] == 16.67 and level2[("效益指标", "生态效益指标")] == 10.0


def test_allocate_without_level1_weights_or_with_a_bad_method_is_an_error(seed001):
    with pytest.raises(ParamsError, match="没有一级权重"):
        allocate_weights(seed001.indicators, TABLE)
    with pytest.raises(ParamsError, match="分配方式"):
        allocate_weights(seed001.indicators, CAIYU_2020_10, by="random")
