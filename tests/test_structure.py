"""Structure repaired with evidence (DOMAIN §4.4): the level-1 labels regrouped only when exactly one
explanation makes every level-1 sum equal its declared weight, and indicator categories checked."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jixiao.read.files import load_evaluation
from jixiao.review.categories import check_level2_placement
from jixiao.review.review import review
from jixiao.run.evaluate import score_evaluation
from jixiao.score.structure import (
    STRUCTURE_KEY,
    apply_structure_repair,
    check_structure,
    find_structure_repairs,
    repair_structure,
)
from tests.conftest import SAMPLES
from tests.test_checks import _set, clean_evaluation

XINHONG = {"xlsx": SAMPLES / "xinhong_2023_self_evaluation.xlsx", "txt": SAMPLES / "xinhong_2023_self_evaluation.txt"}
DECLARED = {"投入管理指标": 30.0, "产出指标": 25.0, "效益指标": 35.0, "满意度指标": 10.0}


def _table(rows: list[tuple[str, float, str, str, float]]) -> pd.DataFrame:
    """(level1, level1_weight, level2, name, weight) rows as an indicator table."""
    return pd.DataFrame(
        [
            {"indicator_id": f"I{i + 1:02d}", "level1": a, "level1_weight": b, "level2": c, "name": d, "weight": e}
            for i, (a, b, c, d, e) in enumerate(rows)
        ]
    )


@pytest.fixture(scope="module", params=list(XINHONG))
def xinhong(request):
    return load_evaluation(XINHONG[request.param])


def test_seed000_labels_two_rows_off_are_repaired_to_the_declared_weights(xinhong):
    check = check_structure(xinhong.indicators)
    assert check.status == "repaired" and check.repair.method == "boundaries"
    assert check.before == {"投入管理指标": 32.0, "产出指标": 22.0, "效益指标": 26.0, "满意度指标": 20.0}
    assert check.after == check.declared == DECLARED
    assert {abs(o) for o in check.repair.offsets} == {2}  # every boundary two rows off
    moved = {name: (a, b) for _, name, a, b in check.repair.moved}
    assert moved["招募辅警人数"] == ("投入管理指标", "产出指标")
    assert moved["设施、设备维护及时性"] == ("效益指标", "产出指标")
    assert moved["按时办结率"] == ("满意度指标", "效益指标")
    assert len(moved) == 6


def test_the_repaired_level1_is_what_aggregation_uses(xinhong):
    unit = score_evaluation(xinhong)
    level1 = unit.level1.set_index("name")
    assert level1["weight_sum"].to_dict() == DECLARED
    assert (level1["declared_weight"] == level1["weight_sum"]).all()
    assert unit.evaluation.extras[STRUCTURE_KEY]["status"] == "repaired"
    rows = unit.scored.set_index("name")
    assert (rows.loc["招募辅警人数", "level1"], rows.loc["招募辅警人数", "level2"]) == ("产出指标", "数量指标")
    assert rows.loc["投诉响应及时性", "level2"] == "时效指标"  # its level-2 label moved with the level-1 label
    assert rows.loc["按时办结率", "level2"] == "社会效益指标"


def test_review_reports_the_repair_once_and_drops_the_artefacts(xinhong):
    found = review(xinhong)
    assert found[found["code"] == "A02"].empty
    a50 = found[found["code"] == "A50"]
    assert len(a50) == 1
    assert "错位两行" in a50.iloc[0]["message"] and "投入管理指标 32→30" in a50.iloc[0]["message"]
    # the review of an evaluation already repaired by scoring reports the same
    again = review(score_evaluation(xinhong).evaluation)
    assert list(again["code"]) == list(found["code"])


def test_a_constant_shift_is_found():
    table = _table(
        [
            ("产出指标", 60, "数量指标", "培训场次", 20),
            ("产出指标", 60, "质量指标", "验收合格率", 20),
            ("效益指标", 30, "时效指标", "完成及时率", 20),  # every label one row high
            ("效益指标", 30, "社会效益指标", "事故数", 25),
            ("满意度指标", 10, "满意度指标", "投诉处理率", 5),
            ("满意度指标", 10, "满意度指标", "居民满意度", 10),
        ]
    )
    repairs = find_structure_repairs(table)
    assert len(repairs) == 1 and repairs[0].shift == -1
    assert repairs[0].describe() == "一级指标标签在每个分界处都上移一行"
    fixed = apply_structure_repair(table, repairs[0])
    sums = fixed.groupby("level1", sort=False)["weight"].sum().to_dict()
    assert sums == {"产出指标": 60, "效益指标": 30, "满意度指标": 10}
    assert fixed.loc[2, "level2"] == "时效指标"  # 时效 may sit under 产出: kept
    assert fixed.loc[4, "level2"] == "社会效益指标"  # 满意度 may not sit under 效益: the block's level 2
    assert (fixed["level1_weight"] == fixed["level1"].map({"产出指标": 60, "效益指标": 30, "满意度指标": 10})).all()


def test_level1_following_level2_is_found_when_it_alone_fits():
    table = _table(
        [
            ("产出指标", 50, "数量指标", "培训场次", 30),
            ("产出指标", 50, "社会效益指标", "事故数", 10),  # 效益 by its level 2, printed under 产出
            ("产出指标", 50, "时效指标", "完成及时率", 20),
            ("效益指标", 40, "社会效益指标", "受益人数", 30),
            ("满意度指标", 10, "服务对象满意度指标", "居民满意度", 10),
        ]
    )
    check = check_structure(table)
    assert check.status == "repaired" and check.repair.method == "level2"
    assert check.after == {"产出指标": 50, "效益指标": 40, "满意度指标": 10}


def test_no_explanation_keeps_the_printed_structure():
    ev = _set(clean_evaluation(), "I04", weight=25.0, self_score=25.0)  # Σ 分值 95: no regrouping fits
    check = check_structure(ev.indicators)
    assert check.status == "unexplained" and check.after == check.before
    repaired = repair_structure(ev)
    assert repaired.indicators["level1"].tolist() == ev.indicators["level1"].tolist()
    codes = set(review(ev)["code"])
    assert "A02" in codes and not {"A50", "A51"} & codes


def test_several_explanations_keep_the_printed_structure_and_say_so():
    ev = clean_evaluation()
    _set(ev, "I01", weight=40.0, self_score=40.0, target="24", actual="24")
    _set(ev, "I03", weight=0.0, self_score=0.0)
    for ident in ("I02", "I03"):
        _set(ev, ident, level1="效益指标", level1_weight=30.0)
    check = check_structure(ev.indicators)
    assert check.status == "ambiguous" and len(check.candidates) == 2
    assert repair_structure(ev).indicators["level1"].tolist() == ev.indicators["level1"].tolist()
    found = review(ev)
    assert len(found[found["code"] == "A51"]) == 1 and not found[found["code"] == "A02"].empty


def test_agreeing_and_unjudgeable_tables_are_left_alone():
    ev = clean_evaluation()
    assert check_structure(ev.indicators).status == "agrees"
    _set(ev, "I02", weight=math.nan)
    assert check_structure(ev.indicators) is None  # a blank 分值: the sums cannot be exact
    assert repair_structure(ev).extras[STRUCTURE_KEY] == {"status": "not_judged"}
    declaration = load_evaluation(SAMPLES / "xinhong_2024_declaration.xlsx")  # no weights at all
    assert check_structure(declaration.indicators) is None


# --- categories -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ident", "values", "code"),
    [
        ("I02", {"name": "整改及时率"}, "C20"),
        ("I04", {"name": "投诉处理及时性"}, "C20"),
        ("I03", {"name": "竣工验收合格率"}, "C21"),
        ("I05", {"name": "按时办结率"}, "C22"),
        ("I05", {"name": "违停案件数"}, "C22"),
        ("I05", {"name": "执法人员满意度"}, "C23"),
        ("I04", {"name": "群众满意度"}, "C24"),
    ],
    ids=[
        "timely-under-quality",
        "timely-under-benefit",
        "pass-rate-under-time",
        "closing-rate",
        "cases",
        "staff",
        "satisfaction-under-benefit",
    ],
)
def test_indicator_category_against_its_name(ident, values, code):
    found = review(_set(clean_evaluation(), ident, **values))
    hits = found[found["code"] == code]
    assert len(hits) == 1 and hits.iloc[0]["indicator_id"] == ident, found.to_string()


def test_categories_are_judged_after_the_repair(xinhong):
    found = review(xinhong)
    named = {(c, w.split("「")[1].split("」")[0]) for c, w in zip(found["code"], found["where"]) if "「" in w}
    assert ("C23", "执法人员满意度") in named and ("C21", "验收合格率") in named
    # moved by the repair: no longer under 效益 / 满意度, so no category finding of their own
    assert not {("C20", "设施、设备维护及时性"), ("C22", "按时办结率")} & named


def test_a_level2_under_another_level1_is_one_finding_per_pair_unless_the_weights_repaired_it():
    ev = clean_evaluation()
    for ident in ("I02", "I03"):
        _set(ev, ident, level2="社会效益指标")  # the weights still agree with the printed level 1
    a52 = review(ev)[lambda f: f["code"] == "A52"]
    assert len(a52) == 1 and "验收合格率" in a52.iloc[0]["message"] and a52.iloc[0]["expected"] == "效益指标"
    table = _table(
        [
            ("产出指标", 50, "数量指标", "培训场次", 30),
            ("产出指标", 50, "社会效益指标", "事故数", 10),
            ("产出指标", 50, "时效指标", "完成及时率", 20),
            ("效益指标", 40, "社会效益指标", "受益人数", 30),
            ("满意度指标", 10, "服务对象满意度指标", "居民满意度", 10),
        ]
    )
    repaired = apply_structure_repair(table, find_structure_repairs(table)[0])
    assert check_level2_placement(repaired) == [] and len(check_level2_placement(table)) == 1


def test_a_cost_level2_may_sit_under_output_or_cost():
    for level1 in ("产出指标", "成本指标"):
        table = _table([(level1, 90, "经济成本指标", "成本控制数", 90), ("满意度指标", 10, "满意度指标", "满意度", 10)])
        assert check_level2_placement(table) == []
    table = _table([("效益指标", 90, "经济成本指标", "成本控制数", 90), ("满意度指标", 10, "满意度指标", "满意度", 10)])
    assert len(check_level2_placement(table)) == 1
