"""Layouts of other provinces read exactly (issue 10 §3), on small tables written for these tests.

Each fixture in tests/data/reading/ has the shape of a published layout the reader once got
wrong (a two-row header with sub-columns, a level-1 name and weight on the first indicator row,
a table of targets only, the Beijing 2016 project table, a budget line whose numbers sit on the
row under its label); the corpus pins (tests/test_corpus.py) check the real tables.
"""

from __future__ import annotations

import csv
import math
import re

import openpyxl
import pytest

from jixiao.core.units import canonical_unit
from jixiao.read.files import load_evaluation
from jixiao.read.readcheck import read_check
from jixiao.review.review import review
from jixiao.run.evaluate import score_file
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "reading"
TOL = 0.01

#: file -> (rows, Σ 分值 with the budget line, Σ 自评分 with the budget line)
EXPECTED = {
    "two_row_header.csv": (4, 90.0, 88.0),
    "level1_weight_first_row.csv": (7, 100.0, 99.0),
    "targets_only.csv": (4, None, None),
    "beijing_2016.csv": (4, 100.0, 98.97),
    "budget_next_row.csv": (5, 100.0, 99.5),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_layout_read_exactly(name):
    rows, weight, score = EXPECTED[name]
    ev = load_evaluation(DATA / name)
    check = read_check(ev)
    assert check["rows_read"] == rows
    assert check["rows_not_read"] == []
    assert not (review(ev)["code"].isin(["A31", "A33", "A36"])).any()
    for read, true in ((check["weight_total"], weight), (check["self_score_total"], score)):
        assert (read is None) if true is None else abs(read - true) <= TOL
    if check["printed_total"] is not None:
        assert check["total_agrees"] is True and check["weight_agrees"] is True


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_layout_reads_the_same_from_excel(name, tmp_path):
    with (DATA / name).open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append([float(c) if re.fullmatch(r"-?\d+(\.\d+)?", c) else (c if c.strip() else None) for c in row])
    xlsx = tmp_path / "table.xlsx"
    wb.save(xlsx)
    keys = ["rows_read", "weight_total", "self_score_total", "printed_total", "rows_not_read"]
    a, b = read_check(load_evaluation(DATA / name)), read_check(load_evaluation(xlsx))
    assert [a[k] for k in keys] == [b[k] for k in keys]


def test_two_row_header_sub_columns_take_their_fields():
    ev = load_evaluation(DATA / "two_row_header.csv")
    ind = ev.indicators.set_index("name")
    row = ind.loc["补贴资金兑付准确率"]
    # 预期指标值 over 符号 | ␣ | 单位: the blank sub-column is the value itself
    assert (row["direction"], row["target"], row["unit"], row["actual"]) == ("=", "100", "%(百分比)", "99")
    # 自评得分 over 单项指标得分 | 权重占比 | 折算得分: the weight and the weighted score count
    assert (row["weight"], row["self_score"]) == (20, 18)
    # the 指标分值 column holding text, 单项指标完成情况 and the raw 单项指标得分 are not read, and said so
    note = ev.notes[ev.notes["code"] == "column_not_read"]
    assert len(note) == 1
    for header in ("指标分值", "单项指标完成情况", "单项指标得分"):
        assert header in note["message"].iloc[0]
    assert ev.reported_total == 88 and ev.declared_weight_total == 90


def test_budget_amounts_each_right_of_their_label():
    # 预算数 | 120 | 到位数 | 120 | 执行数 | 114 | 95.00, and 其中:财政资金 | 120 | … under it
    ev = load_evaluation(DATA / "two_row_header.csv")
    budget = ev.budget.set_index("name")
    assert list(budget.index) == ["合计", "财政拨款", "其他资金"]
    total = budget.loc["合计"]
    assert (total["budget"], total["spent"], total["reported_rate"], total["rate"]) == (120, 114, 95, 95)
    assert total["money_unit"] == "万元"  # from 金额单位: | 万元 above the block
    assert (budget.loc["财政拨款", "budget"], budget.loc["财政拨款", "spent"]) == (120, 114)
    assert not (ev.notes["code"] == "budget_unreadable").any()


def test_a_unit_with_its_name_in_brackets_is_that_unit():
    assert canonical_unit("%(百分比)") == "%"
    assert canonical_unit("个（数量）") == "个"
    assert canonical_unit("(件/人/年)") == "件/人/年"
    assert canonical_unit("（说明文字）") is None
    ev = load_evaluation(DATA / "two_row_header.csv")
    assert "C08" not in set(review(ev)["code"])  # 100 with %(百分比) is a percentage


def test_level1_name_and_weight_share_the_first_indicator_row():
    ev = load_evaluation(DATA / "level1_weight_first_row.csv")
    ind = ev.indicators
    assert list(ind["name"])[:3] == ["预算编制准确率", "资产盘点完成率", "门诊人次"]
    by_l1 = ind.groupby("level1", sort=False).agg(weight=("weight", "sum"), declared=("level1_weight", "first"))
    assert list(by_l1.index) == ["管理指标", "产出指标", "效益指标", "满意度指标"]
    assert list(by_l1["declared"]) == [20, 40, 30, 10]
    assert list(by_l1["weight"]) == [20, 40, 30, 10]  # every declared 自评权重 agrees
    # the row under a block's first row carries that block's 二级指标, not the previous block's
    assert ind.set_index("name").loc["家庭医生签约人数", "level2"] == "数量指标"


def test_a_table_of_targets_only_is_a_declaration():
    ev = load_evaluation(DATA / "targets_only.csv")
    assert ev.unit.table_type == "declaration"
    ind = ev.indicators
    assert list(ind["level1"]) == ["科普服务", "科普服务", "学会管理", "人才举荐"]
    assert list(ind["target"]) == ["≥120场", "≥250天", "100%", "≥20人"]
    codes = set(review(ev)["code"])
    assert not codes & {"A07", "A08", "A09"}  # no actual, self score or weight is expected of targets


def test_beijing_2016_project_table():
    ev = load_evaluation(DATA / "beijing_2016.csv")
    ind = ev.indicators.set_index("name")
    assert ind.loc["绿地养护检查合格率", "rule_text"].startswith("完成值达到指标值")
    assert ind.loc["绿地养护检查合格率", "self_score"] == 24.47
    assert ind.loc["绿地养护检查合格率", "deviation_note"] == "检查中两处补植不及时"
    line = ev.budget.set_index("name").loc["合计"]
    assert (line["initial_budget"], line["spent"], line["weight"], line["reported_score"]) == (200, 190, 10, 9.5)
    assert list(ev.budget["name"]) == ["合计", "财政拨款"]  # 其中:本年一般公共预算拨款
    assert (ev.notes["code"] == "rate_on_initial").sum() == 1  # only 年初预算数 in the block: said once
    assert ev.reported_total == 98.97


def test_budget_line_whose_numbers_sit_on_the_next_row():
    ev = load_evaluation(DATA / "budget_next_row.csv")
    assert len(ev.budget) == 1
    line = ev.budget.iloc[0]
    assert (line["budget"], line["spent"]) == (2400, 2280)  # 下达额度, 实际支出金额
    assert line["reported_rate"] == 95 and line["rate"] == 95  # 实际完成值 of the 支出进度 line
    assert (line["weight"], line["reported_score"]) == (10, 9.5)
    assert math.isnan(line["initial_budget"])


def test_level1_weight_column_named_weight_left_of_the_tree(tmp_path):
    """一级指标 | 权重 | 二级指标 | 三级指标 | … | 分值: the 权重 left of the tree is the level-1 weight."""
    table = "\n".join(
        [
            "一级指标,权重,二级指标,三级指标,指标值,完成值,分值,得分",
            "产出指标,60,数量指标,培训人次,≥200人次,230人次,30,30",
            ",,质量指标,培训合格率,≥90%,95%,30,30",
            "效益指标,40,社会效益指标,就业率,≥60%,58%,40,38",
        ]
    )
    path = tmp_path / "weights.csv"
    path.write_text(table, encoding="utf-8")
    ind = load_evaluation(path).indicators
    assert list(ind["level1_weight"]) == [60, 60, 40]
    assert list(ind["weight"]) == [30, 30, 40] and list(ind["self_score"]) == [30, 30, 38]


def test_a_spanning_target_over_sign_value_unit_with_numeric_weights(tmp_path):
    """预期指标值 over 符号 | ␣ | 单位 with the 指标分值 column holding the points: all read."""
    table = "\n".join(
        [
            "一级指标,二级指标,三级指标,指标分值,预期指标值,,,实际完成值,自评得分",
            ",,,,符号,,单位,,",
            "产出指标,数量指标,新建道路长度,40,>=,5,公里,5.2,40",
            ",时效指标,按期完工率,30,=,100,%,100,30",
            "满意度指标,服务对象满意度指标,群众满意度,30,>=,90,%,86,27",
        ]
    )
    path = tmp_path / "spanning.csv"
    path.write_text(table, encoding="utf-8")
    ev = load_evaluation(path)
    ind = ev.indicators
    assert list(ind["target"]) == ["5", "100", "90"] and list(ind["unit"]) == ["公里", "%", "%"]
    assert list(ind["direction"]) == [">=", "=", ">="]
    assert list(ind["weight"]) == [40, 30, 30] and list(ind["self_score"]) == [40, 30, 27]
    assert not (ev.notes["code"] == "column_not_read").any()


def test_level1_points_in_a_blank_headed_column_beside_its_name(tmp_path):
    """一级指标 | ␣ | 二级指标 …: the block's points beside its name on its first row are its weight,
    and that first row is read as an indicator, not lost."""
    table = "\n".join(
        [
            "一级指标,,二级指标,三级指标,指标值,完成值,分值,得分",
            "产出指标,60,数量指标,培训人次,≥200人次,230人次,30,30",
            ",,质量指标,培训合格率,≥90%,95%,30,30",
            "效益指标,40,社会效益指标,就业率,≥60%,58%,40,38",
        ]
    )
    path = tmp_path / "blank_weight.csv"
    path.write_text(table, encoding="utf-8")
    ev = load_evaluation(path)
    ind = ev.indicators
    assert list(ind["name"]) == ["培训人次", "培训合格率", "就业率"]
    assert list(ind["level1_weight"]) == [60, 60, 40]
    assert list(ind["level2"]) == ["数量指标", "质量指标", "社会效益指标"]
    assert not ev.notes["code"].isin(["unreadable_row", "shifted_row"]).any()


def test_a_sub_header_with_a_column_read_as_no_field(tmp_path):
    """自评得分 over 得分系数 | 得分: the multiplier column is not read, the 得分 is."""
    table = "\n".join(
        [
            "一级指标,二级指标,三级指标,分值,指标值,完成值,自评得分,",
            ",,,,,,得分系数,得分",
            "产出指标,数量指标,培训人次,50,≥200人次,230人次,1,50",
            "效益指标,社会效益指标,就业率,50,≥60%,58%,0.9,45",
        ]
    )
    path = tmp_path / "coefficient.csv"
    path.write_text(table, encoding="utf-8")
    ev = load_evaluation(path)
    assert list(ev.indicators["self_score"]) == [50, 45]
    assert read_check(ev)["rows_not_read"] == []


def test_a_budget_line_with_only_the_initial_budget_counts_in_the_total():
    """Beijing 2016: 年初预算数 (A) and 全年执行数 (B) only; the 10-point line is scored on 年初 (10 + 90)."""
    unit = score_file(DATA / "beijing_2016.csv")
    assert abs(unit.totals["weight_sum"] - 100) <= TOL
    assert abs(unit.totals["self_score_sum"] - 98.97) <= TOL  # = the printed 总分
    level1 = unit.level1.set_index("name")
    assert level1.loc["预算执行率", "weight_sum"] == 10
