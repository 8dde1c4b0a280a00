"""Scoring rules: boundaries of every rule, rounding, the registry, and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.errors import RuleError
from jixiao.core.numbers import round_half_up
from jixiao.core.parsed_value import ParsedValue
from jixiao.parse.words import judge_word
from jixiao.score.rules.base import DEFAULT_TIER_SCORES, finalize_score, quantity
from jixiao.score.rules.qualitative import judge_met
from jixiao.score.rules.registry import get_rule, list_rules

W = 10.0


def num(x, unit="%", op=">="):
    return quantity(x, unit, op)


def word(text, kind="qualitative"):
    return ParsedValue(raw=text, kind=kind, word=text)


EMPTY = ParsedValue(raw="", kind="empty")


def date(y, m, d):
    return ParsedValue(raw=f"{y}年{m}月{d}日", kind="deadline", date=dt.date(y, m, d))


def score(rule_id, target, actual, weight=W, **params):
    res = get_rule(rule_id)(weight, target, actual, **params)
    return finalize_score(res.score_raw, weight), res


# --- boundary tables -------------------------------------------------------------------------------

CASES = [
    # rule, target, actual, params, expected final score, expected met
    ("proportional", num(100), num(100), {}, 10.0, True),
    ("proportional", num(100), num(99), {}, 9.9, False),
    ("proportional", num(100), num(200), {}, 10.0, True),
    ("proportional", num(100, op="="), num(50), {}, 5.0, False),
    ("proportional", num(100), num(-5), {}, 0.0, False),
    ("proportional", num(0, op="="), num(0), {}, 10.0, True),
    ("proportional", num(0, op="="), num(1), {}, 0.0, False),
    ("proportional", num(100), EMPTY, {}, None, None),
    ("reverse_linear", num(2, op="<="), num(2), {}, 10.0, True),
    ("reverse_linear", num(2, op="<="), num(2.5), {}, 7.5, False),
    ("reverse_linear", num(2, op="<="), num(3.9), {}, 0.5, False),
    ("reverse_linear", num(2, op="<="), num(4), {}, 0.0, False),
    ("reverse_linear", num(2, op="<="), num(0), {}, 10.0, True),
    ("reverse_linear", num(0, op="<="), num(1), {}, 0.0, False),
    ("reverse_linear", num(2, op="<="), EMPTY, {}, None, None),
    ("reverse_ratio", num(2, op="<="), num(2), {}, 10.0, True),
    ("reverse_ratio", num(2, op="<="), num(2.5), {}, 8.0, False),
    ("reverse_ratio", num(2, op="<="), num(4), {}, 5.0, False),
    ("reverse_ratio", num(0, op="<="), num(0), {}, 10.0, True),
    ("reverse_ratio", num(2, op="<="), EMPTY, {}, None, None),
    ("zero_target", num(0, "起", "="), num(0, "起"), {}, 10.0, True),
    ("zero_target", num(0, "起", "="), num(1, "起"), {}, 0.0, False),
    ("zero_target", num(0, "起", "="), word("无"), {}, 10.0, True),
    ("zero_target", num(0, "起", "="), word("未发生"), {}, 10.0, True),
    ("zero_target", num(0, "起", "="), word("无重特大事故"), {}, 10.0, True),
    ("zero_target", num(0, "起", "="), word("无法统计"), {}, None, None),
    ("zero_target", num(0, "起", "="), EMPTY, {}, None, None),
    ("all_or_nothing", num(100), num(100), {}, 10.0, True),
    ("all_or_nothing", num(100), num(99.99), {}, 0.0, False),
    ("all_or_nothing", num(100), num(200), {}, 10.0, True),
    ("all_or_nothing", num(0, op="="), num(0), {}, 10.0, True),
    ("all_or_nothing", num(0, op="="), num(0.01), {}, 0.0, False),
    ("all_or_nothing", word("按计划有序推进"), word("按计划有序推进"), {}, 10.0, True),
    ("all_or_nothing", word("及时"), word("未完成"), {}, 0.0, False),
    ("all_or_nothing", num(100), word("完成"), {}, None, None),
    ("all_or_nothing", word("及时"), EMPTY, {}, None, None),
    ("deviation_tiers", num(100), num(100), {}, 10.0, True),
    ("deviation_tiers", num(100), num(95), {}, 8.0, False),
    ("deviation_tiers", num(100), num(90), {}, 8.0, False),
    ("deviation_tiers", num(100), num(89.99), {}, 6.0, False),
    ("deviation_tiers", num(100), num(70), {}, 4.0, False),
    ("deviation_tiers", num(100), num(69), {}, 0.0, False),
    ("deviation_tiers", num(100), num(200), {}, 10.0, True),
    ("deviation_tiers", num(5, op="<="), num(5.5), {}, 8.0, False),
    ("deviation_tiers", num(0, op="="), num(0), {}, 10.0, True),
    ("deviation_tiers", num(100), num(95), {"tiers": [(0.05, 0.9), (0.5, 0.5)]}, 9.0, False),
    ("deviation_tiers", word("及时"), word("及时"), {}, 10.0, True),
    ("deviation_tiers", word("及时"), word("基本及时"), {}, 7.0, False),
    ("deviation_tiers", word("及时"), word("不及时"), {}, 3.0, False),
    ("deviation_tiers", word("及时"), num(85), {}, 6.0, False),
    ("deviation_tiers", num(100), EMPTY, {}, None, None),
    ("per_point", num(100), num(100), {"x": 1}, 10.0, True),
    ("per_point", num(100), num(99.5), {"x": 1}, 9.0, False),
    ("per_point", num(100), num(99.5), {"x": 1, "round_up": False}, 9.5, False),
    ("per_point", num(100), num(95), {"x": 0.5}, 7.5, False),
    ("per_point", num(100), num(50), {"x": 1}, 0.0, False),
    ("per_point", num(100, op="<="), num(103), {"x": 2}, 4.0, False),
    ("per_point", num(200, "个"), num(190, "个"), {"x": 1}, 5.0, False),
    ("per_point", num(100), EMPTY, {"x": 1}, None, None),
    ("step_tiers", num(90), num(90), {"tiers": [(90, 5), (80, 4), (70, 3), (60, 2)]}, 5.0, True),
    ("step_tiers", num(90), num(89.99), {"tiers": [(90, 5), (80, 4), (70, 3), (60, 2)]}, 4.0, False),
    ("step_tiers", num(90), num(60), {"tiers": [(90, 5), (80, 4), (70, 3), (60, 2)]}, 2.0, False),
    ("step_tiers", num(90), num(59.9), {"tiers": [(90, 5), (80, 4), (70, 3), (60, 2)]}, 0.0, False),
    ("step_tiers", num(0, op="="), num(10), {"tiers": [(0, 3), (10, 2), (20, 1)], "reverse": True}, 2.0, False),
    ("step_tiers", num(90), EMPTY, {"tiers": [(90, 5)]}, None, None),
    ("qualitative_bands", word("规范"), word("规范"), {}, 10.0, True),
    ("qualitative_bands", word("规范"), word("基本规范"), {}, 7.0, False),
    ("qualitative_bands", word("规范"), word("不规范"), {}, 3.0, False),
    ("qualitative_bands", word("规范"), word("详见附件"), {}, None, None),
    ("qualitative_bands", word("规范"), word("规范"), {"tier": "部分达成"}, 7.0, False),
    ("qualitative_bands", word("规范"), word("规范"), {"tier": "达成", "score": 8}, 8.0, True),
    ("qualitative_bands", word("规范"), word("规范"), {"score": 5.9}, 5.9, False),
    ("qualitative_bands", word("规范"), EMPTY, {}, None, None),
    ("deadline", date(2023, 9, 30), date(2023, 9, 30), {}, 10.0, True),
    ("deadline", date(2023, 9, 30), date(2023, 9, 1), {}, 10.0, True),
    ("deadline", date(2023, 9, 30), date(2023, 10, 30), {}, 8.0, False),
    ("deadline", date(2023, 9, 30), date(2023, 10, 31), {}, 6.0, False),
    ("deadline", date(2023, 9, 30), date(2024, 3, 1), {}, 0.0, False),
    ("deadline", date(2023, 9, 30), word("按时完成"), {}, 10.0, True),
    ("deadline", date(2023, 9, 30), word("延期"), {}, 3.0, False),
    ("deadline", date(2023, 9, 30), EMPTY, {}, None, None),
    ("approximate", num(150, "平方米", "≈"), num(150, "平方米"), {}, 10.0, True),
    ("approximate", num(150, "平方米", "≈"), num(135, "平方米"), {}, 10.0, True),
    ("approximate", num(150, "平方米", "≈"), num(120, "平方米"), {}, 8.0, False),
    ("approximate", num(150, "平方米", "≈"), num(300, "平方米"), {}, 5.0, False),
    ("approximate", num(150, "平方米", "≈"), num(160, "平方米"), {"tolerance": 0.05}, 9.38, False),
    ("approximate", num(150, "平方米", "≈"), EMPTY, {}, None, None),
    ("budget_execution", num(100, "万元"), num(100, "万元"), {}, 10.0, True),
    ("budget_execution", num(100, "万元"), num(95, "万元"), {}, 9.5, False),
    ("budget_execution", num(100, "万元"), num(120, "万元"), {}, 10.0, True),
    ("budget_execution", num(0, "万元"), num(5, "万元"), {}, None, None),
    ("budget_execution", num(100, "万元"), EMPTY, {}, None, None),
    ("budget_execution_tiers", num(100, "元"), num(95, "元"), {}, 10.0, True),
    ("budget_execution_tiers", num(100, "元"), num(94.99, "元"), {}, 8.0, False),
    ("budget_execution_tiers", num(100, "元"), num(69, "元"), {}, 0.0, False),
    ("budget_execution_tiers", num(100, "元"), num(85, "元"), {"tiers": [(90, 1), (80, 0.5)]}, 5.0, False),
]


def _case_id(case) -> str:
    rule, target, actual, params, expected, _ = case
    extra = ",".join(f"{k}={v}" for k, v in params.items() if k != "tiers")
    return f"{rule}:{target.raw or '空'}<-{actual.raw or '空'}{'(' + extra + ')' if extra else ''}={expected}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule_boundaries(case):
    rule_id, target, actual, params, expected, met = case
    final, res = score(rule_id, target, actual, **params)
    assert final == expected
    assert res.met is met
    assert res.explanation and res.explanation.isascii() is False  # one Chinese line
    assert "\n" not in res.explanation


def test_every_rule_has_a_boundary_case():
    covered = {c[0] for c in CASES} | {"compound", "range_target", "direction_baseline"}
    assert set(list_rules()["rule_id"]) == covered


# --- rules that need richer values -----------------------------------------------------------------


def compound_value(*parts):
    return ParsedValue(raw=" ".join(p.raw for p in parts), kind="compound", parts=tuple(parts))


@pytest.mark.parametrize(
    "actual, params, expected",
    [
        (compound_value(num(100, "人次"), num(50, "次")), {}, 10.0),
        (compound_value(num(100, "人次"), num(25, "次")), {}, 7.5),
        (compound_value(num(100, "人次"), num(25, "次")), {"combine": "min"}, 5.0),
        (compound_value(num(100, "人次")), {}, 5.0),
        (EMPTY, {}, None),
    ],
    ids=["all-met", "half-second-mean", "half-second-min", "missing-part", "missing-actual"],
)
def test_compound_parts_matched_by_unit(actual, params, expected):
    target = compound_value(num(100, "人次", None), num(50, "次", None))
    final, res = score("compound", target, actual, **params)
    assert final == expected
    if expected == 5.0 and not params:
        assert "缺少" in res.explanation


RANGE = ParsedValue(raw="90%-95%", kind="range", low=90.0, high=95.0, unit="%")


@pytest.mark.parametrize(
    "a, expected, met",
    [(92, 10.0, True), (90, 10.0, True), (95, 10.0, True), (81, 9.0, False), (104.5, 9.0, False), (0, 0.0, False)],
    ids=["inside", "low-edge", "high-edge", "below-10pct", "above-10pct", "zero"],
)
def test_range_target_distance_to_nearest_edge(a, expected, met):
    final, res = score("range_target", RANGE, num(a))
    assert (final, res.met) == (expected, met)


DOWN = ParsedValue(raw="降低", kind="direction", trend="down", word="降低")


@pytest.mark.parametrize(
    "actual, params, expected, met",
    [
        (num(8, "件"), {"baseline": 10}, 10.0, True),
        (num(10, "件"), {"baseline": 10}, 0.0, False),
        (num(12, "件"), {"baseline": 10}, 0.0, False),
        (num(0, "件"), {"baseline": 0}, 0.0, False),
        (word("降低", "direction"), {}, None, None),
        (ParsedValue(raw="同比下降12%", kind="direction", trend="down", number=12.0, unit="%"), {}, 10.0, True),
        (EMPTY, {"baseline": 10}, None, None),
    ],
    ids=[
        "moved-down",
        "unchanged",
        "moved-up",
        "zero-baseline-unchanged",
        "no-baseline",
        "self-reported-change",
        "missing",
    ],
)
def test_direction_baseline(actual, params, expected, met):
    final, res = score("direction_baseline", DOWN, actual, **params)
    assert (final, res.met) == (expected, met)
    if not params and expected is None:
        assert "缺少基期数据" in res.explanation


def test_direction_with_magnitude_needs_the_size():
    target = ParsedValue(raw="同比下降10%", kind="direction", trend="down", number=10.0, unit="%")
    assert score("direction_baseline", target, num(95, "件"), baseline=100)[0] == 0.0  # only 5% down
    assert score("direction_baseline", target, num(90, "件"), baseline=100)[0] == 10.0


def test_periodic_deadline_share_of_periods():
    monthly = ParsedValue(raw="每月", kind="periodic", period="月", periods_per_year=12)
    assert score("deadline", monthly, num(11, "次", None), weight=12)[0] == 11.0
    assert score("deadline", monthly, num(12, "次", None), weight=12)[1].met is True
    assert (
        score("deadline", monthly, ParsedValue(raw="每月", kind="periodic", period="月", periods_per_year=12))[0]
        == 10.0
    )


def test_reverse_linear_converts_units():
    target = num(2, "小时", "<=")
    assert score("reverse_linear", target, num(90, "分钟"))[0] == 10.0
    assert score("reverse_linear", target, num(3, "小时"))[0] == 5.0
    final, res = score("reverse_linear", target, num(3, "个"))
    assert final is None and "单位" in res.explanation


# --- explanations ------------------------------------------------------------------------------------


def test_proportional_explanation_shows_the_computation():
    _, res = score("proportional", num(100), num(98))
    assert res.explanation == "完成值98% / 指标值100% × 10分 = 9.80分"
    _, over = score("proportional", num(100), num(130))
    assert "30%" in over.explanation


def test_qualitative_award_says_it_rests_on_the_units_word():
    _, res = score("qualitative_bands", word("规范"), word("规范"))
    assert "达成" in res.explanation and "佐证" in res.explanation


def test_numeric_target_with_word_actual_is_not_awarded():
    final, res = score("proportional", num(100), word("完成"))
    assert final is None and "未量化" in res.explanation


# --- parameter errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule_id, params, fragment",
    [
        ("per_point", {}, "需要参数 x"),
        ("per_point", {"x": -1}, "需要参数 x"),
        ("step_tiers", {}, "需要参数 tiers"),
        ("step_tiers", {"tiers": [(80, 4), (90, 5)]}, "从大到小"),
        ("deviation_tiers", {"tiers": [(0.2, 0.6), (0.1, 0.8)]}, "从小到大"),
        ("deviation_tiers", {"tiers": "十分"}, "列表"),
        ("deviation_tiers", {"tiers": [(0.1, 8)]}, "得分率应在 0 到 1 之间"),
        ("compound", {"combine": "max"}, "combine"),
        ("approximate", {"tolerance": 2}, "tolerance"),
        ("qualitative_bands", {"tier": "优秀"}, "未知的定性档次"),
        ("qualitative_bands", {"tier": "达成", "score": 5}, "不在档次"),
        ("direction_baseline", {"baseline": "去年"}, "baseline"),
        ("proportional", {"x": 1}, "不接受参数"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_parameters_raise_rule_error_in_chinese(rule_id, params, fragment):
    target = DOWN if rule_id == "direction_baseline" else num(100)
    with pytest.raises(RuleError, match=fragment):
        get_rule(rule_id)(W, target, num(90), **params)


def test_unknown_rule_lists_valid_ids():
    with pytest.raises(RuleError) as info:
        get_rule("linear")
    message = str(info.value)
    assert "未知的计分规则「linear」" in message and "proportional" in message and "deviation_tiers" in message


def test_list_rules_is_a_chinese_table_of_all_rules():
    table = list_rules()
    assert list(table.columns) == ["rule_id", "label", "description", "params"]
    assert len(table) == 16 and table["rule_id"].is_unique
    assert all(not label.isascii() for label in table["label"])


# --- finalize and rounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, weight, expected",
    [
        (2.675, 10, 2.68),
        (1.005, 10, 1.01),
        (0.125, 10, 0.13),
        (2.6749999999999998, 10, 2.68),  # binary noise of a computed 2.675
        (2.674, 10, 2.67),
        (9.999, 10, 10.0),
        (10.004, 10, 10.0),
        (12.5, 10, 10.0),
        (-0.5, 10, 0.0),
        (None, 10, None),
        (5.0, float("nan"), None),
        (float("nan"), 10, None),
    ],
    ids=[
        "2.675-half-up",
        "1.005",
        "0.125",
        "noise",
        "2.674",
        "9.999-capped",
        "10.004",
        "above-weight",
        "negative",
        "none",
        "no-weight",
        "nan",
    ],
)
def test_finalize_score(raw, weight, expected):
    assert finalize_score(raw, weight) == expected


def test_round_half_up_of_a_computed_product():
    raw = 10 * 0.2675  # 2.6750000000000003 or 2.675 in binary: both are 2.675 in decimal
    assert round_half_up(raw) == 2.68
    assert round_half_up(0.1 + 0.2) == 0.3


# --- word judgements -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actual, target, expected",
    [
        ("规范", "规范", "达成"),
        ("基本持平", "与去年同期基本持平", "达成"),
        ("按时完成", "及时", "达成"),
        ("已完成", "规范", "达成"),
        ("基本完成", "完成", "部分达成"),
        ("部分完成", "完成", "部分达成"),
        ("未完成", "完成", "未达成"),
        ("不及时", "及时", "未达成"),
        ("滞后", "及时", "未达成"),
        ("否", "是", "未达成"),
        ("详见附件", "规范", None),
    ],
    ids=lambda v: v or "None",
)
def test_judge_word(actual, target, expected):
    assert judge_word(word(actual), word(target)) == expected


@pytest.mark.parametrize(
    "actual, expected",
    [("已下降", "达成"), ("下降", "达成"), ("提升", "未达成"), ("持平", "未达成")],
    ids=["already-down", "down", "up", "flat"],
)
def test_judge_word_on_trends_compares_directions(actual, expected):
    target = ParsedValue(raw="降低", kind="direction", trend="down", word="降低")
    trend = {"已下降": "down", "下降": "down", "提升": "up", "持平": "flat"}[actual]
    assert judge_word(ParsedValue(raw=actual, kind="direction", trend=trend, word=actual), target) == expected


def test_judge_met_by_dates_and_numbers():
    assert judge_met(date(2023, 9, 30), date(2023, 10, 1))[0] is False
    assert judge_met(num(95), num(95))[0] is True
    assert judge_met(num(2, op="<="), num(2.01))[0] is False
    assert judge_met(num(150, op="≈"), num(160), tolerance=0.1)[0] is True


# --- properties --------------------------------------------------------------------------------------------

weights = st.sampled_from([0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 30.0])
targets = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)
actuals = st.floats(min_value=-100.0, max_value=5000.0, allow_nan=False)
ops = st.sampled_from([">=", "<=", "=", None])
NUMERIC_RULES = [
    "proportional",
    "reverse_linear",
    "reverse_ratio",
    "zero_target",
    "all_or_nothing",
    "deviation_tiers",
    "approximate",
    "budget_execution",
    "budget_execution_tiers",
]


@settings(max_examples=300, deadline=None)
@given(rule_id=st.sampled_from(NUMERIC_RULES + ["per_point", "step_tiers"]), w=weights, t=targets, a=actuals, op=ops)
def test_finalized_scores_stay_within_zero_and_weight(rule_id, w, t, a, op):
    params = {"per_point": {"x": 0.5}, "step_tiers": {"tiers": [(90, 5), (80, 4), (0, 1)]}}.get(rule_id, {})
    final, _ = score(rule_id, num(t, "%", op), num(a, "%"), weight=w, **params)
    assert final is None or 0.0 <= final <= w


@settings(max_examples=200, deadline=None)
@given(w=weights, a=actuals, tier=st.sampled_from(list(DEFAULT_TIER_SCORES)), text=st.text(max_size=6))
def test_qualitative_scores_stay_within_zero_and_weight(w, a, tier, text):
    for actual in (word(text), num(a)):
        final, _ = score("qualitative_bands", word("规范"), actual, weight=w)
        assert final is None or 0.0 <= final <= w
    final, res = score("qualitative_bands", word("规范"), EMPTY, weight=w, tier=tier)
    assert 0.0 <= final <= w and res.met is (tier == "达成")


@settings(max_examples=300, deadline=None)
@given(
    rule_id=st.sampled_from(["proportional", "deviation_tiers", "per_point", "all_or_nothing", "budget_execution"]),
    w=weights,
    t=st.floats(min_value=0.01, max_value=1000.0),
    a=actuals,
    step=st.floats(min_value=0.0, max_value=500.0),
)
def test_positive_rules_never_decrease_as_the_actual_improves(rule_id, w, t, a, step):
    params = {"x": 0.5} if rule_id == "per_point" else {}
    low, _ = score(rule_id, num(t, "%", ">="), num(a, "%"), weight=w, **params)
    high, _ = score(rule_id, num(t, "%", ">="), num(a + step, "%"), weight=w, **params)
    assert high >= low


@settings(max_examples=300, deadline=None)
@given(
    rule_id=st.sampled_from(["reverse_linear", "reverse_ratio", "deviation_tiers", "per_point", "zero_target"]),
    w=weights,
    t=targets,
    a=st.floats(min_value=0.0, max_value=5000.0),
    step=st.floats(min_value=0.0, max_value=500.0),
)
def test_reverse_rules_never_increase_as_the_actual_grows(rule_id, w, t, a, step):
    params = {"x": 0.5} if rule_id == "per_point" else {}
    low, _ = score(rule_id, num(t, "%", "<="), num(a, "%"), weight=w, **params)
    high, _ = score(rule_id, num(t, "%", "<="), num(a + step, "%"), weight=w, **params)
    assert high <= low
