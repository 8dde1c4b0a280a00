"""Known misses on real tables, fixed in general code: a decrease in a compound value, vague
completion wordings (C06), the completion text on the goal's row, low execution on 年初预算数."""

from __future__ import annotations

import math

import pytest

from jixiao.parse.values import parse_value
from jixiao.read.files import load_evaluation
from jixiao.review.review import review
from jixiao.score.rules.quantitative import compound
from tests.conftest import ROOT
from tests.test_checks import clean_evaluation

CORPUS = ROOT / "tests" / "data" / "corpus"


def test_decrease_in_a_compound_value_is_read_as_a_decrease():
    actual = parse_value("签约率提高1%体检率下降1%")
    assert [(p.number, p.unit, p.trend) for p in actual.parts] == [(1.0, "%", "up"), (1.0, "%", "down")]
    target = parse_value("签约率提高1%，体检率提高2%")
    res = compound(12.0, target, actual)
    assert math.isclose(res.score_raw, 6.0, abs_tol=0.01) and not res.met  # the fall scores 0, not 1/2
    same_way = compound(12.0, parse_value("投诉率降低10%，事故数下降5%"), parse_value("投诉率降低5%，事故数下降5%"))
    assert math.isclose(same_way.score_raw, 9.0, abs_tol=0.01)  # both falls: magnitudes compared (0.5, 1)


def test_words_and_quantities_still_split_as_before():
    assert [p.raw for p in parse_value("12场 300人次").parts] == ["12场", "300人次"]
    assert [p.number for p in parse_value("培训12场参训300人次").parts] == [12.0, 300.0]


@pytest.mark.parametrize("actual", ["按规定执行", "达成目标值", "全部达成", "达成目标"])
def test_vague_completion_wordings(actual):
    ev = clean_evaluation()
    ev.indicators.loc[ev.indicators["indicator_id"] == "I03", ["target", "actual"]] = ["按期完成", actual]
    found = review(ev)
    assert "C06" in set(found[found["indicator_id"] == "I03"]["code"])


def test_completion_on_the_goals_row_is_read():
    ev = load_evaluation(CORPUS / "bj_haidian_2016_baojie.csv")
    assert ev.texts["完成情况"].startswith("按照年初设定目标")
    assert ev.texts["年度目标"].startswith("通过规范地区自管道路")


def test_completion_on_the_goals_row_avoids_c12(tmp_path):
    rows = [
        "项目支出绩效自评表,,,,,,,",
        "项目名称,测试项目,,,,,,",
        "年度总体目标,一是建成智慧停车管理平台；二是完成老旧小区加装电梯,,,已建成智慧停车管理平台，加装电梯12台,,,",
        "一级指标,二级指标,三级指标,分值,年度指标值,实际完成值,得分,偏差原因分析",
        "产出指标,数量指标,培训场次,50,≥12场,12场,50,",
        "满意度指标,服务对象满意度指标,居民满意度,50,≥90%,93%（问卷300份）,50,",
    ]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ev = load_evaluation(path)
    assert ev.texts.get("完成情况", "").startswith("已建成")
    assert "C12" not in set(review(ev)["code"])


def test_low_execution_on_the_initial_budget_alone():
    ev = clean_evaluation()
    ev.budget = ev.budget[ev.budget["name"] == "合计"].copy()
    ev.budget[["budget", "reported_rate", "rate"]] = math.nan
    ev.budget["spent"] = 498.8
    found = review(ev)
    d04 = found[found["code"] == "D04"]["message"].tolist()
    assert d04 and "49.88%" in d04[0]
    assert "D04" in set(review(load_evaluation(CORPUS / "bj_haidian_2016_baojie.csv"))["code"])
