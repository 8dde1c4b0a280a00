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


def test_goal_block_blank_or_a_bare_number():
    ev = clean_evaluation()
    ev.texts = {"年度目标": "建成智慧停车管理平台", "完成情况": "已建成并投入使用"}
    assert "C36" not in _codes(ev)
    ev.texts = {}  # no goal block read: nothing to judge
    assert "C36" not in _codes(ev)
    ev.texts = {"完成情况": "已完成费用结算"}
    assert "预期目标空白" in review(ev).set_index("code").at["C36", "message"]
    ev.texts = {"年度目标": "43.2", "完成情况": "37.24"}
    assert "只填了「43.2」" in review(ev).set_index("code").at["C36", "message"]
    # a goal covered by an indicator, its completion blank: C36
    ev.texts = {"年度目标": "完成培训场次任务"}
    assert "C36" in _codes(ev) and "C12" not in _codes(ev)
    # goal items without indicator: C12 names them and says the completion is missing, C36 does not repeat it
    ev.texts = {"年度目标": "一是建成智慧停车管理平台；二是完成老旧小区加装电梯。"}
    assert "C12" in _codes(ev) and "C36" not in _codes(ev)


def test_goal_block_read_below_its_labels():
    ev = load_evaluation(CORPUS / "sh_putuo_2022_tiyu.csv")  # 年度总体目标 | 预期目标 | 实际完成情况, values below
    assert "年度目标" not in ev.texts and ev.texts["完成情况"].startswith("已完成")
    ev = load_evaluation(CORPUS / "ah_xiaoxian_2023_zhongyang.csv")  # 年初设定目标 | 年度总体目标完成情况综述
    assert ev.texts["年度目标"].startswith("落实39户") and ev.texts["完成情况"].startswith("落实39户")


def _low_execution(ev):
    ev.budget.loc[ev.budget["name"] == "合计", ["spent", "reported_rate"]] = [800.0, 80.0]
    ev.budget.loc[ev.budget["name"] == "项目支出", ["spent", "reported_rate"]] = [510.0, 72.86]
    return ev


def test_unspent_money_with_full_output_scores():
    found = review(_low_execution(clean_evaluation()))
    assert (found["code"] == "D08").sum() == 1 and "3 项产出指标全部自评满分" in found.set_index("code").at[
        "D08", "message"
    ]
    ev = _low_execution(clean_evaluation())
    ev.indicators.loc[ev.indicators["indicator_id"] == "I01", ["actual", "self_score", "deviation_note"]] = [
        "10",
        16.67,
        "场地改造推迟，少办2场",
    ]
    assert "D08" not in _codes(ev)  # an output marked down: the shortfall shows
    ev = _low_execution(clean_evaluation())
    ev.texts = {"完成情况": "执行率偏低的原因是政府采购结余120万元。"}
    assert not _codes(ev) & {"D04", "D08"}  # the reason is given
    assert "D08" in _codes(load_evaluation(CORPUS / "sh_putuo_2022_tiyu.csv"))


def test_budget_cut_below_plan_with_full_output_scores():
    ev = clean_evaluation()
    ev.budget.loc[ev.budget["name"] == "合计", ["budget", "spent", "reported_rate"]] = [650.0, 650.0, 100.0]
    ev.budget.loc[ev.budget["name"] == "项目支出", ["budget", "spent", "reported_rate"]] = [350.0, 350.0, 100.0]
    found = review(ev)  # 年初 1000 → 全年 650, all spent: D05 (cut unexplained) and D08
    assert {"D05", "D08"} <= set(found["code"])
    assert "年初预算数的 65.00%" in found.set_index("code").at["D08", "message"]
    ev.texts = {"完成情况": "因项目调整，预算调减350万元。"}
    assert "D08" not in _codes(ev)  # the cut is explained
    assert "D08" in _codes(load_evaluation(CORPUS / "ah_tangxi_2022_cunji.csv"))
