"""Readers on the seeds and on the variety of layouts real units publish."""

from __future__ import annotations

import math

import openpyxl
import pytest

from jixiao.core.errors import InputFileError, NoIndicatorTableError
from jixiao.read.files import load_evaluation

from .conftest import SAMPLES, SEED_000

SEED_000_FORMS = {
    "text-export": SEED_000,
    "xlsx-merged": SAMPLES / "xinhong_2023_self_evaluation.xlsx",
}


@pytest.fixture(scope="module", params=list(SEED_000_FORMS), ids=list(SEED_000_FORMS))
def seed000(request):
    return load_evaluation(SEED_000_FORMS[request.param])


def test_seed000_indicator_count_and_weights(seed000):
    ind = seed000.indicators
    assert len(ind) == 56
    assert ind["weight"].sum() == pytest.approx(100.0, abs=1e-9)
    assert seed000.unit.table_type == "unit_self_eval"
    assert seed000.unit.year == 2023
    assert seed000.unit.name == "上海市闵行区新虹街道办事处"


def test_seed000_declared_level1_weights_and_found_sums(seed000):
    declared = seed000.level1_declared
    assert declared["name"].tolist() == ["投入管理指标", "产出指标", "效益指标", "满意度指标"]
    assert declared["declared_weight"].tolist() == [30, 25, 35, 10]
    # the export shifts rows: the sums found are reported as read, not forced to agree
    found = seed000.indicators.groupby("level1", sort=False)["weight"].sum().tolist()
    assert found == [32.0, 22.0, 26.0, 20.0]


def test_seed000_self_scores(seed000):
    ind = seed000.indicators
    assert round(ind["self_score"].sum(), 2) == 103.00
    over = ind[ind["self_score"] > ind["weight"]]
    assert len(over) == 10
    assert set(over["name"]) >= {"考核合格率", "设施、设备维护及时性", "投诉响应及时性", "非机动车日常管理及时性"}
    assert seed000.reported_total == 98.50


def test_seed000_missing_actual_and_score(seed000):
    row = seed000.indicators.set_index("name").loc["辅警人员出勤率"]
    assert row["target"] == "100%"
    assert row["actual"] == ""
    assert math.isnan(row["self_score"])
    assert row["level2"] == "质量指标"


def test_seed000_shifted_rows_are_recorded(seed000):
    row = seed000.indicators.set_index("name").loc["资产投入使用率"]
    assert (row["weight"], row["target"], row["actual"], row["self_score"]) == (2.0, "≥95%", "≥95%", 2.0)
    shifted = seed000.notes[seed000.notes["code"] == "shifted_row"]
    assert int(row["source_row"]) in set(shifted["row"])


def test_seed000_budget_lines(seed000):
    b = seed000.budget.set_index("name")
    assert b.loc["财政拨款", "budget"] == 29098904.33
    assert b.loc["基本支出", "spent"] == 5624524.98
    assert b["rate"].tolist() == [99.87, 99.42, 99.98]
    assert b["reported_rate"].tolist() == [99.87, 99.42, 99.98]
    assert set(b["money_unit"]) == {"元"}


def test_seed000_texts(seed000):
    texts = seed000.texts
    for key in ("履职情况", "存在问题", "改进措施", "结果应用"):
        assert texts.get(key), key
    assert texts["存在问题"].startswith("预算基本细化量化")
    assert "<p>" not in texts["职责"] and "巡查发现" in texts["职责"]
    assert texts["年度目标"].startswith("一是继续推进数字化转型工作")
    assert "网格+固全" in texts["完成情况"]


def test_seed000_text_and_xlsx_agree():
    a = load_evaluation(SEED_000_FORMS["text-export"]).indicators
    b = load_evaluation(SEED_000_FORMS["xlsx-merged"]).indicators
    cols = ["level1", "level1_weight", "level2", "name", "weight", "target", "actual", "deviation_note", "self_score"]
    assert a[cols].fillna(-1).equals(b[cols].fillna(-1))


@pytest.fixture(scope="module", params=["text", "xlsx"])
def seed001(request, seed_001_path):
    path = seed_001_path if request.param == "text" else SAMPLES / "xinhong_2024_declaration.xlsx"
    return load_evaluation(path)


def test_seed001_declaration(seed001):
    ind = seed001.indicators
    assert seed001.unit.table_type == "declaration"
    assert seed001.unit.year == 2024
    assert len(ind) == 45  # the 7 投入管理 rows that only cite 沪财绩〔2022〕13号 are indicator rows too
    assert ind["nature"].value_counts().to_dict() == {"定量": 21, "定性": 17, "": 7}
    assert ind.groupby("level1", sort=False).size().to_dict() == {
        "投入管理指标": 7,
        "产出指标": 27,
        "效益指标": 9,
        "满意度指标": 2,
    }
    assert ind["weight"].isna().all()
    row = ind.set_index("name").loc["公共服务供给工作达标率"]
    assert (row["level2"], row["nature"], row["direction"], row["target"], row["unit"]) == (
        "质量指标",
        "定量",
        "=",
        "100",
        "%",
    )


def test_seed001_budget_and_structure(seed001):
    b = seed001.budget.set_index("name")["budget"]
    assert b["合计"] == 672063140
    assert b["基本支出"] + b["项目支出"] == b["合计"]
    ind = seed001.indicators
    inputs = ind[ind["level1"] == "投入管理指标"]
    assert list(inputs["name"]) == list(inputs["level2"])
    assert set(inputs["name"]) >= {"预算编审管理", "预算执行管理", "预算绩效管理", "内部控制管理", "预算信息化"}
    assert inputs["definition"].str.contains("沪财绩").all() and (inputs["target"] == "").all()
    assert seed001.unit.extra["staff"] == "52"


def test_seed001_printed_level1_that_disagrees_is_noted(seed_001_path):
    e = load_evaluation(seed_001_path)
    row = e.indicators.set_index("name").loc["大气、水、土壤、固废和生态建设等领域的突出环境问题改善情况"]
    assert row["level1"] == "效益指标"
    notes = e.notes[e.notes["code"] == "level1_from_level2"]
    assert "满意度指标" in notes["message"].iloc[0]


def test_project_layout_with_variant_headers_and_symbols(data_dir):
    e = load_evaluation(data_dir / "project_layout.xlsx")
    ind = e.indicators
    assert e.unit.table_type == "project_self_eval"
    assert e.unit.name == "社区微更新项目"
    assert len(ind) == 6
    assert ind["level1"].tolist()[:2] == ["产出指标", "产出指标"]
    assert ind.groupby("level1", sort=False)["level1_weight"].first().tolist() == [50, 30, 10]
    lift = ind.set_index("name").loc["加装电梯数"]
    assert (lift["direction"], lift["target"], lift["unit"], lift["actual"], lift["weight"], lift["self_score"]) == (
        "≧",
        "30",
        "台",
        "27",
        10.0,
        9.0,
    )
    assert lift["deviation_note"].startswith("3台")
    assert ind.set_index("name").loc["竣工验收合格率", "direction"] == "═"
    assert ind.set_index("name").loc["居民出行便利度提升", "nature"] == "定性"
    assert e.reported_total == 96.5
    total = e.budget.set_index("name").loc["合计"]
    assert (total["initial_budget"], total["budget"], total["spent"], total["weight"], total["reported_score"]) == (
        500,
        480,
        456,
        10,
        9.5,
    )


@pytest.mark.parametrize("name", ["template_tidy.xlsx", "template_tidy.csv"])
def test_tidy_template(name):
    e = load_evaluation(SAMPLES / name)
    assert e.unit.table_type == "tidy"
    assert len(e.indicators) == 9
    assert e.indicators["weight"].sum() == 100
    assert e.indicators["level1"].iloc[0] == "预算执行率"
    assert e.notes.empty
    if name.endswith("xlsx"):
        assert e.unit.name == "示例街道城市运行管理中心"
        assert e.budget["rate"].tolist() == [96.8, 99.0, 95.86]


# --- bad input ------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError) as err:
        load_evaluation(tmp_path / "不存在.xlsx")
    assert "不存在.xlsx" in str(err.value) and "文件不存在" in str(err.value)


def test_empty_file(tmp_path):
    p = tmp_path / "空表.csv"
    p.write_text("", encoding="utf-8")
    with pytest.raises(InputFileError, match="文件为空") as err:
        load_evaluation(p)
    assert "空表.csv" in str(err.value)


def test_unreadable_xlsx(tmp_path):
    p = tmp_path / "坏文件.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    with pytest.raises(InputFileError, match="无法打开 Excel 文件") as err:
        load_evaluation(p)
    assert "坏文件.xlsx" in str(err.value)


def test_xlsx_without_indicator_table(tmp_path):
    p = tmp_path / "无指标.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active.append(["单位名称", "某街道"])
    wb.create_sheet("预算").append(["项目", "金额"])
    wb.save(p)
    with pytest.raises(NoIndicatorTableError) as err:
        load_evaluation(p)
    msg = str(err.value)
    assert "无指标.xlsx" in msg and "「封面」" in msg and "「预算」" in msg and "没有找到指标表" in msg


def test_weight_that_is_not_a_number(tmp_path):
    p = tmp_path / "权重错误.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年完成值", "自评分"])
    ws.append(["产出指标", "数量指标", "培训场次", 10, "12场", "12场", 10])
    ws.append(["产出指标", "数量指标", "宣传次数", "十分", "5次", "5次", 10])
    wb.save(p)
    with pytest.raises(InputFileError) as err:
        load_evaluation(p)
    e = err.value
    assert (e.sheet, e.row, e.column, e.value) == ("自评表", 3, "分值", "十分")
    for part in ("权重错误.xlsx", "自评表", "第 3 行", "分值", "十分", "应为数字"):
        assert part in str(e)


def test_unsupported_extension(tmp_path):
    p = tmp_path / "表.pdf"
    p.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputFileError, match="不支持的文件类型"):
        load_evaluation(p)


def test_binary_text_file(tmp_path):
    p = tmp_path / "乱码.txt"
    p.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(InputFileError, match="不是文本文件"):
        load_evaluation(p)


def test_gbk_csv_with_variant_headers(tmp_path):
    p = tmp_path / "gbk.csv"
    text = (
        "一级指标,二级指标,指标名称,权重,指标值,计量单位,实际完成值,得分,偏差原因分析\n"
        "产出指标,数量指标,培训人次,20,＞=100,人次,96,19.2,部分学员请假\n"
        "效益指标,社会效益指标,投诉率,20,≦2％,,1.5%,20,\n"
    )
    p.write_bytes(text.encode("gb18030"))
    e = load_evaluation(p)
    ind = e.indicators
    assert ind["name"].tolist() == ["培训人次", "投诉率"]
    assert ind["target"].tolist() == ["＞=100", "≦2％"]  # raw text kept as given
    assert ind["self_score"].tolist() == [19.2, 20.0]
    assert ind["deviation_note"].tolist() == ["部分学员请假", ""]
