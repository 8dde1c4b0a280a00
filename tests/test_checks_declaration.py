"""Group B: the self-evaluation table against the target declaration (seed 001)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from jixiao.read.files import load_evaluation
from jixiao.review.catalogue import findings_frame
from jixiao.review.declaration import check_direction_rule, compare_declaration, match_indicators
from jixiao.review.review import review


@pytest.fixture(scope="module")
def declaration(seed_001_path):
    return load_evaluation(seed_001_path)


def _edited(declaration):
    """A self-evaluation built from seed 001: one of each kind of change."""
    ind = declaration.indicators.copy()
    ind = ind[ind["name"] != "平安建设工作验收通过率"]  # dropped
    ind.loc[ind["name"] == "城市管理工作完成率", "name"] = "城市管理工作任务完成率"  # renamed
    ind.loc[ind["name"] == "企业服务保障完成率", "target"] = "95"  # 指标值 100 -> 95
    ind.loc[ind["name"] == "政府投资项目完成率", "direction"] = "≥"  # = -> ≥
    ind.loc[ind["name"] == "社区居民满意度", "unit"] = "分"  # % -> 分
    added = ind.iloc[[0]].assign(
        indicator_id="I99",
        name="垃圾分类宣传场次",
        level2="数量指标",
        nature="定量",
        direction="≥",
        target="12",
        unit="场",
    )
    ind = pd.concat([ind, added], ignore_index=True)
    return dataclasses.replace(declaration, indicators=ind)


@pytest.fixture(scope="module")
def changes(declaration):
    return findings_frame(compare_declaration(declaration, _edited(declaration)))


def _only(findings, code):
    rows = findings[findings["code"] == code]
    assert len(rows) == 1, f"{code}\n{findings.to_string()}"
    return rows.iloc[0]


def test_identical_tables_agree(declaration):
    assert compare_declaration(declaration, declaration) == []


def test_each_kind_of_change_is_reported_once(changes):
    assert sorted(changes["code"]) == ["B01", "B02", "B03", "B04", "B05", "B06"]


@pytest.mark.parametrize(
    ("code", "names", "expected", "reported"),
    [
        ("B01", "垃圾分类宣传场次", "申报表中的指标", "垃圾分类宣传场次"),
        ("B02", "平安建设工作验收通过率", "平安建设工作验收通过率", "（缺失）"),
        ("B03", "城市管理工作任务完成率", "城市管理工作完成率", "城市管理工作任务完成率"),
        ("B04", "企业服务保障完成率", "=100%", "=95%"),
        ("B05", "政府投资项目完成率", "=", "≥"),
        ("B06", "社区居民满意度", "%", "分"),
    ],
    ids=["added", "dropped", "renamed", "value", "direction", "unit"],
)
def test_change_names_the_indicator(changes, code, names, expected, reported):
    row = _only(changes, code)
    assert f"「{names}」" in row["where"]
    assert (row["expected"], row["reported"]) == (expected, reported)


def test_added_and_changed_rows_carry_the_evaluation_id(changes, declaration):
    ids = dict(zip(changes["code"], changes["indicator_id"]))
    assert ids["B01"] == "I99"
    assert ids["B05"] == declaration.indicators.set_index("name").loc["政府投资项目完成率", "indicator_id"]
    assert ids["B02"] == ""  # a dropped row has no row in the evaluation


def _one_row(name="系统可用率", level2="质量指标", target="95", unit="%", direction="≥", nature="定量", rule_text=""):
    row = {
        "indicator_id": "I01",
        "level1": "产出指标",
        "level2": level2,
        "name": name,
        "target": target,
        "unit": unit,
        "direction": direction,
        "nature": nature,
        "rule_text": rule_text,
        "source_row": 5,
    }
    return pd.DataFrame([row])


def _eval_of(frame, year=2024):
    from jixiao.core.model import Evaluation, UnitInfo, empty_budget

    return Evaluation(unit=UnitInfo(year=year), indicators=frame, budget=empty_budget())


@pytest.mark.parametrize(
    ("declared", "evaluated", "codes"),
    [
        (dict(target="95", unit="%", direction="≥"), dict(target="≥95%", unit="", direction=""), []),
        (dict(target="95", unit="%", direction="≥"), dict(target="95 %", unit="", direction="≥"), []),
        (dict(target="≥95%"), dict(target="不低于95%", unit="", direction=""), []),
        (dict(target="≥95%"), dict(target="≥90%"), ["B04"]),
        (dict(target="≥95%"), dict(target="≤95%"), ["B05"]),
        (dict(target="1", unit="万元"), dict(target="10000", unit="元"), ["B06"]),
        (dict(target="2024年9月", unit="", direction=""), dict(target="2024年10月", unit="", direction=""), ["B04"]),
        (dict(nature="定量"), dict(nature="定性"), ["B08"]),
        (dict(level2="质量指标"), dict(level2="时效指标"), ["B07"]),
    ],
    ids=[
        "op-in-direction-column",
        "spaces",
        "wording",
        "value",
        "direction",
        "unit-same-amount",
        "deadline",
        "nature",
        "regrouped",
    ],
)
def test_values_are_compared_parsed(declared, evaluated, codes):
    found = compare_declaration(_eval_of(_one_row(**declared)), _eval_of(_one_row(**evaluated)))
    assert sorted(f["code"] for f in found) == codes


def test_rename_needs_similar_name_in_same_level2():
    dec = _one_row(name="城市管理工作完成率", level2="数量指标")
    moved = _one_row(name="城市管理工作任务完成率", level2="质量指标")
    pairs, dropped, added = match_indicators(dec, moved)
    assert (pairs, dropped, added) == ([], [0], [0])
    unrelated = _one_row(name="垃圾分类宣传场次", level2="数量指标")
    assert match_indicators(dec, unrelated)[0] == []


def test_rename_prefers_the_closest_name():
    dec = pd.concat([_one_row(name="城市管理工作完成率"), _one_row(name="城市环境优化工作完成率")], ignore_index=True)
    ev = pd.concat(
        [_one_row(name="城市环境优化工作任务完成率"), _one_row(name="城市管理工作任务完成率")], ignore_index=True
    )
    pairs, dropped, added = match_indicators(dec, ev)
    assert sorted((i, j) for i, j, _ in pairs) == [(0, 1), (1, 0)] and not dropped and not added


@pytest.mark.parametrize(
    ("direction", "target", "rule_text", "rule", "flagged"),
    [
        ("≤", "2", "达到指标值得满分，否则按比例得分", None, True),
        ("≥", "95", "不超过指标值得满分，否则按比例扣分", None, True),
        ("≥", "95", "每低1个百分点扣0.5分", None, False),
        ("≤", "8", "不超过指标值得满分，否则按比例扣分", None, False),
        ("≤", "8", "", "proportional", True),
        ("≥", "95", "", "reverse_linear", True),
        ("=", "0", "达到指标值得满分，否则按比例得分", None, False),
    ],
    ids=[
        "le-scored-up",
        "ge-scored-down",
        "ge-per-point-low",
        "le-consistent",
        "le-rule-id-up",
        "ge-rule-id-down",
        "equality",
    ],
)
def test_direction_against_scoring_method(direction, target, rule_text, rule, flagged):
    frame = _one_row(direction=direction, target=target, rule_text=rule_text).assign(rule=rule)
    found = check_direction_rule(frame, year=2024)
    assert [f["code"] for f in found] == (["B09"] if flagged else [])


def test_review_runs_group_b(declaration):
    found = review(_edited(declaration), declaration=declaration)
    assert {"B01", "B02", "B03", "B04", "B05", "B06"} <= set(found["code"])
