"""Level-1/level-2 sums, totals and grades."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jixiao.core.errors import ParamsError
from jixiao.core.model import LEVEL1_COLUMNS, TOTAL_KEYS
from jixiao.read.files import load_evaluation
from jixiao.score.aggregate import LEVEL2_COLUMNS, GradeBands, aggregate_scores
from jixiao.score.scoring import score_budget, score_indicators
from jixiao.score.weights import CAIYU_2020_10, WeightScheme


@pytest.fixture(scope="module")
def seed000(seed_000_path):
    return load_evaluation(seed_000_path)


@pytest.fixture(scope="module")
def agg000(seed000):
    scored = score_indicators(seed000.indicators, year=2023)
    return aggregate_scores(scored, reported_total=seed000.reported_total)


def frame(rows):
    cols = ["level1", "level1_weight", "level2", "name", "weight", "self_score", "rule_score", "review_score"]
    return pd.DataFrame(rows, columns=cols)


# --- seed 000 ------------------------------------------------------------------------------------


def test_seed000_totals(agg000):
    totals = agg000.totals
    assert set(TOTAL_KEYS) <= set(totals)
    assert totals["weight_sum"] == 100.0
    assert totals["self_score_sum"] == 103.0  # scores above their weight
    assert totals["self_score_capped_sum"] == 98.0
    assert totals["reported_total"] == 98.5
    assert (
        totals["rule_total"] == 89.09
    )  # 预算编制合理性 and 单位年度绩效管理工作 部分达成: the unit's own notes admit a shortfall
    # 26 indicators are 待核实 (claims without evidence): the total is a range, the grade 待定
    assert totals["pending_count"] == 26
    assert totals["review_total"] == totals["review_total_low"] == pytest.approx(45.89, abs=0.005)
    assert totals["review_total_high"] == pytest.approx(98.69, abs=0.005)
    assert (totals["grade"], totals["self_grade"]) == ("待定", "优")
    assert totals["unscored_count"] == 3


def test_seed000_level1_in_table_order_with_declared_and_found_weights(agg000):
    level1 = agg000.level1
    assert list(level1.columns) == LEVEL1_COLUMNS
    assert level1["name"].tolist() == ["投入管理指标", "产出指标", "效益指标", "满意度指标"]
    assert level1["declared_weight"].tolist() == [30.0, 25.0, 35.0, 10.0]
    assert level1["weight_sum"].tolist() == [32.0, 22.0, 26.0, 20.0]  # the table's weights do not add up
    assert level1["scheme_weight"].tolist() == [30.0, 25.0, 35.0, 10.0]
    assert level1["self_score_sum"].tolist() == [31.0, 25.0, 27.0, 20.0]
    assert level1["self_rate"].tolist() == [96.88, 113.64, 103.85, 100.0]
    assert math.isclose(level1["review_score_sum"].sum(), 45.89)
    assert math.isclose(level1["review_high_sum"].sum(), 98.69)
    assert level1["review_low_sum"].tolist() == level1["review_score_sum"].tolist()
    assert level1["pending_count"].sum() == 26


def test_seed000_level2_in_table_order(agg000):
    level2 = agg000.level2
    assert list(level2.columns) == LEVEL2_COLUMNS
    assert level2["name"].tolist()[:3] == ["预算编审管理", "预算执行管理", "部门结转结余资金管理"]
    row = level2[level2["name"] == "时效指标"].iloc[0]
    assert (row["level1"], row["weight_sum"], row["self_score_sum"]) == ("产出指标", 4.0, 7.0)


# --- sums and budget -------------------------------------------------------------------------------


def test_sums_are_decimal_exact():
    scored = frame(
        [("产出", 100, "数量", f"指标{i}", 33.33, 33.33, 33.33, 33.33) for i in range(3)]
        + [("产出", 100, "数量", "指标x", 0.01, 0.01, 0.01, 0.01)]
    )
    scored = pd.concat([scored, frame([("效益", 0, "社会", f"小{i}", 0.1, 0.1, 0.1, 0.1) for i in range(3)])])
    agg = aggregate_scores(scored)
    assert agg.level1["rule_score_sum"].tolist() == [100.0, 0.3]
    assert agg.totals["rule_total"] == 100.3


def test_budget_score_adds_a_level1_row_and_counts_in_the_totals(seed000):
    scored = score_indicators(seed000.indicators, year=2023)
    budget = score_budget(seed000.budget, weight=10)
    agg = aggregate_scores(scored, budget_score=budget)
    row = agg.level1.iloc[-1]
    assert (row["name"], row["weight_sum"], row["rule_score_sum"]) == ("预算执行率", 10.0, 9.99)
    assert agg.totals["rule_total"] == 99.08  # 89.09 + 9.99
    assert agg.totals["weight_sum"] == 110.0
    assert (row["review_low_sum"], row["review_high_sum"], row["pending_count"]) == (9.99, 9.99, 0)
    totals = aggregate_scores(scored, budget_score=5, budget_weight=10).totals
    assert (totals["review_total_low"], totals["review_total_high"]) == (50.89, 103.69)  # 45.89 + 5, 98.69 + 5


def test_scheme_rescales_each_level1_to_its_weight():
    scored = frame(
        [
            ("产出指标", 60, "数量", "a", 30, 30, 30, 30),
            ("产出指标", 60, "质量", "b", 30, 15, 15, 15),
            ("效益指标", 30, "社会", "c", 30, 30, 24, 24),
            ("服务对象满意度", 10, "满意度", "d", 10, 10, 10, 5),
        ]
    )
    agg = aggregate_scores(scored, scheme=CAIYU_2020_10, budget_score=10)
    level1 = agg.level1.set_index("name")
    assert level1["scheme_weight"].tolist() == [50.0, 30.0, 10.0, 10.0]
    assert level1.loc["产出指标", "rule_score_sum"] == 37.5  # (30 + 15) / 60 × 50
    assert level1.loc["效益指标", "rule_score_sum"] == 24.0
    assert level1.loc["产出指标", "weight_sum"] == 60.0  # as read
    assert level1.loc["产出指标", "self_rate"] == 75.0  # scale-free
    assert agg.totals["rule_total"] == 37.5 + 24 + 10 + 10
    assert agg.totals["review_total"] == 37.5 + 24 + 5 + 10
    assert agg.totals["weight_sum"] == 100.0 and agg.totals["weight_scheme"] == "caiyu_2020_10"


def test_scheme_that_misses_a_level1_is_an_error(seed000):
    scored = score_indicators(seed000.indicators, year=2023)
    with pytest.raises(ParamsError, match="投入管理指标"):
        aggregate_scores(scored, scheme=CAIYU_2020_10)
    scheme = WeightScheme.from_dict({"投入管理": 30, "产出": 30, "效益": 30, "满意度": 10})
    assert aggregate_scores(scored, scheme=scheme).level1["scheme_weight"].tolist() == [30.0, 30.0, 30.0, 10.0]


# --- grades ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score, grade",
    [
        (100, "优"),
        (90, "优"),
        (89.99, "良"),
        (89.9949, "良"),
        (89.995, "优"),  # shown as 90.00: the grade follows the displayed total
        (90 - 1e-12, "优"),  # float noise of a true 90
        (80, "良"),
        (79.99, "中"),
        (60, "中"),
        (59.995, "中"),  # shown as 60.00
        (59.99, "差"),
        (0, "差"),
        (None, ""),
        (float("nan"), ""),
    ],
    ids=lambda v: str(v),
)
def test_default_grade_band_edges(score, grade):
    assert GradeBands().grade(score) == grade


def test_custom_bands_from_params():
    bands = GradeBands.from_mapping({"优秀": 85, "合格": 60}, lowest="不合格")
    assert [bands.grade(s) for s in (85, 84.99, 60, 59.99)] == ["优秀", "合格", "合格", "不合格"]


@pytest.mark.parametrize(
    "bands",
    [(("优", 80.0), ("良", 90.0)), (("优", 90.0), ("良", 90.0)), (("优", 120.0),), (("优", "九十"),), ()],
    ids=["ascending", "duplicate", "above-100", "not-a-number", "empty"],
)
def test_bad_bands_raise(bands):
    with pytest.raises(ParamsError, match="等级下限"):
        GradeBands(bands)
