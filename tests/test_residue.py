"""C34, C35, D07 and the budget line's A08 (review/residue.py): what the form left behind."""

from __future__ import annotations

import math

from jixiao.read.files import load_evaluation
from jixiao.review.review import review
from tests.conftest import ROOT
from tests.test_checks import clean_evaluation

CORPUS = ROOT / "tests" / "data" / "corpus"


def _codes(ev) -> set[str]:
    return set(review(ev)["code"])


def test_placeholders_in_names_one_finding_listing_them():
    ev = clean_evaluation()
    ev.indicators.loc[0, "name"] = "培训场次(≥**场)"
    ev.indicators.loc[1, "name"] = "验收合格率（XX%）"
    found = review(ev)
    c34 = found[found["code"] == "C34"]
    assert len(c34) == 1 and "2 项" in c34.iloc[0]["message"]
    ev.indicators.loc[[0, 1], "name"] = ["培训场次", "XXL码服装发放合格率"]  # a word, not a placeholder
    assert "C34" not in _codes(ev)


def test_instructions_only_in_the_units_own_cells():
    ev = clean_evaluation()
    ev.texts = {"说明": "注：请根据实际情况填写（200字以内）"}  # the form's note under the table
    assert "C35" not in _codes(ev)
    ev.texts = {"改进措施": "针对项目自评中发现的问题，提出下一步改进完善的意见及有关政策性建议。(200字以内)"}
    found = review(ev)
    assert found[found["code"] == "C35"]["where"].tolist() == ["改进措施"]
    ev.texts = {"改进措施": "加强预算编制，细化到数量和单价。"}
    assert "C35" not in _codes(ev)


def test_zero_in_the_reason_column():
    ev = clean_evaluation()
    ev.indicators["deviation_note"] = ["0", "0", "", "无", ""]
    found = review(ev)
    assert found[found["code"] == "D07"]["message"].str.contains("2 项").tolist() == [True]
    ev.indicators["deviation_note"] = ["10场改为12场，按计划增加", "", "", "", ""]
    assert "D07" not in _codes(ev)


def test_budget_line_with_points_but_no_score():
    ev = clean_evaluation()
    ev.budget.loc[ev.budget["name"] == "合计", "weight"] = 10.0
    ev.budget.loc[ev.budget["name"] == "合计", "reported_score"] = math.nan
    found = review(ev)
    a08 = found[(found["code"] == "A08") & (found["scope"] == "budget")]
    assert len(a08) == 1 and "预算执行率" in a08.iloc[0]["message"]
    ev.budget.loc[ev.budget["name"] == "合计", "reported_score"] = 9.6
    assert not (review(ev)["code"] == "A08").any()


def test_real_tables():
    assert "C35" in _codes(load_evaluation(CORPUS / "sc_qingshen_2023_gongzi.csv"))
    assert "C34" in _codes(load_evaluation(CORPUS / "hn_nanyue_2018_fupin_decl.csv"))
    assert "D07" in _codes(load_evaluation(CORPUS / "hb_langfang_2019_nuantong.csv"))
    for sample in ("xinhong_2023_self_evaluation.xlsx", "xinhong_2024_declaration.xlsx"):
        assert not _codes(load_evaluation(ROOT / "samples" / sample)) & {"C34", "C35", "D07"}, sample
