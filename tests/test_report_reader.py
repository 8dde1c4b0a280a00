"""Reading narrative self-evaluation reports: seed 003 and synthetic variants."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from jixiao.core.errors import InputFileError
from jixiao.core.model import BUDGET_COLUMNS
from jixiao.read.narrative_extract import names_match
from jixiao.read.narrative_report import read_report, read_report_text

# A clean report: every section present, figures consistent, goals met, full-year data.
CLEAN_REPORT = """\
闵行区示例街道城市运行管理中心2025年度部门整体支出预算绩效自评报告

一、部门（单位）概况
（一）部门主要职能
经区委编委批准，设立闵行区示例街道城市运行管理中心，为街道所属事业单位，主要负责辖区城市运行管理、网格化管理和应急值守等工作，现有编制人员12人。
（二）年度绩效目标
力争全年热线按时办结率达到98%，市民满意率达到90%。数量指标包括网格巡查案件上报量 1,200(件)；应急值守到岗率 100%；质量指标包括：案件处置合格率 ≥95%；时效指标包括：突发事件响应及时率 100%；社会效益指标包括辖区安全事故发生数 0(起)；满意度指标包括：居民满意率 ≥90%。
（三）绩效管理开展情况
中心制定了预算绩效管理办法、内部控制制度和资产管理制度，按月开展绩效运行监控，对12个项目开展了绩效自评。
（四）预算及执行情况
2025年部门年初预算 1,000.00 万元，全年预算 1,000.00 万元，执行金额 950.00 万元，预算执行率 95.00%。其中基本支出预算 300.00 万元，执行金额 290.00 万元，执行率 96.67%；项目支出预算 700.00 万元，执行金额 660.00 万元，执行率 94.29%。
二、绩效实现情况
截至2025年12月31日，全年受理热线工单3,200件，按时办结率99.10%，市民满意率92.50%，网格巡查上报案件1,350件。
三、存在问题及改进措施
（一）存在问题
部分老旧小区网格巡查频次不足，夜间案件发现率偏低，个别工单重复投诉。
（二）改进措施
2026年增加夜间巡查班次2个，对重复投诉工单实行专人跟踪，每月通报处置情况。
四、绩效自评结果应用和公开情况
自评结果将作为2026年预算安排的重要依据，问题整改情况纳入年度考核，并于2026年6月前在区政府网站公开自评报告。
"""

_FULLWIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")


def _in_yuan(text: str) -> str:
    for wan, yuan in [
        ("1,000.00 万元", "10,000,000.00 元"),
        ("950.00 万元", "9,500,000.00 元"),
        ("300.00 万元", "3,000,000.00 元"),
        ("290.00 万元", "2,900,000.00 元"),
        ("700.00 万元", "7,000,000.00 元"),
        ("660.00 万元", "6,600,000.00 元"),
    ]:
        text = text.replace(wan, yuan)
    return text


def _parts(text: str) -> str:
    for old, new in [("一、", "第一部分 "), ("二、", "第二部分 "), ("三、", "第三部分 "), ("四、", "第四部分 ")]:
        text = text.replace(f"\n{old}", f"\n{new}")
    return text


def _fullwidth_budget(text: str) -> str:
    head, _, tail = text.partition("（四）预算及执行情况\n")
    body, _, rest = tail.partition("\n")
    return f"{head}（四）预算及执行情况\n{body.translate(_FULLWIDTH)}\n{rest}"


def _broken_lines(text: str) -> str:
    """Break every long line mid-sentence with a blank line, as PDF exports do."""
    first, *lines = text.splitlines()
    out = [first, ""]
    for line in lines:
        while len(line) > 30:
            out += [line[:30], ""]
            line = line[30:]
        out += [line, ""]
    return "\n".join(out)


VARIANTS = {
    "万元": (lambda t: t, "万元", 1.0),
    "元": (_in_yuan, "元", 1e4),
    "第一部分": (_parts, "万元", 1.0),
    "全角数字": (_fullwidth_budget, "万元", 1.0),
    "断行": (_broken_lines, "万元", 1.0),
}


@pytest.fixture(scope="module")
def seed(seed_003_path):
    return read_report(seed_003_path)


# --- seed 003 ---------------------------------------------------------------------------


def test_seed_head(seed):
    assert seed.title == "部门整体支出预算绩效自评报告"
    assert seed.year == 2024
    assert seed.unit_name == "上海市闵行区虹桥镇城运中心"
    assert seed.unit_short_name == "虹桥镇城运中心"
    assert "设置上海市闵行区虹桥镇城运中心" in seed.unit_name_source


def test_seed_sections(seed):
    top = seed.sections[seed.sections["level"] == 1]
    assert list(top["number"]) == ["一", "二", "三", "四"]
    assert list(top["line"]) == [7, 117, 133, 143]
    assert top.iloc[1]["title"].startswith("部门（单位）整体支出工作完成及绩效实现情况")
    second = seed.sections[seed.sections["level"] == 2]
    # 一 has （一）…（五）, 二 has （一）…（三）, 三 has （一）（二）; "(四)" is written half-width.
    assert list(second["number"]) == [
        "（一）",
        "（二）",
        "（三）",
        "（四）",
        "（五）",
        "（一）",
        "（二）",
        "（三）",
        "（一）",
        "（二）",
    ]
    budget_sec = second[second["number"] == "（五）"].iloc[0]
    assert budget_sec["title"] == "当年部门（单位）预算及执行情况" and budget_sec["line"] == 113
    third = seed.sections[seed.sections["level"] == 3]
    assert third.iloc[0][["number", "title", "line"]].tolist() == ["1.", "部门职能", 11]
    # "1.下半年…。市民满意率…" keeps the first sentence as title, the rest as text.
    row = seed.sections[seed.sections["line"] == 137].iloc[0]
    assert row["title"] == "下半年热线办理效能略有下降" and row["text"].startswith("市民满意率连续3个月低于80%")


@pytest.mark.parametrize(
    "name, initial, budget, spent, reported, rate",
    [
        ("合计", 6833.68, 5650.61, 5587.07, 98.88, 98.88),
        ("基本支出", None, 711.68, 690.65, 97.05, 97.05),
        ("项目支出", None, 4938.91, 4896.42, 99.14, 99.14),
    ],
    ids=["合计", "基本支出", "项目支出"],
)
def test_seed_budget_lines(seed, name, initial, budget, spent, reported, rate):
    assert list(seed.budget.columns) == BUDGET_COLUMNS
    assert list(seed.budget["name"]) == ["合计", "基本支出", "项目支出"]
    row = seed.budget.set_index("name").loc[name]
    assert pd.isna(row["initial_budget"]) if initial is None else row["initial_budget"] == pytest.approx(initial)
    assert row["budget"] == pytest.approx(budget)
    assert row["spent"] == pytest.approx(spent)
    assert row["reported_rate"] == pytest.approx(reported)
    assert row["rate"] == pytest.approx(rate)  # recomputed spent / budget * 100, 2 decimals
    assert row["money_unit"] == "万元" and row["source_row"] == 115


def test_seed_target_counts(seed):
    counts = seed.targets["level2"].value_counts().to_dict()
    assert counts == {"数量指标": 20, "质量指标": 10, "时效指标": 9, "社会效益指标": 14}
    assert list(seed.targets["target_id"][:3]) == ["RT01", "RT02", "RT03"]


@pytest.mark.parametrize(
    "name, target, line, kind",
    [
        ("社区保安培训考核数", "125.00(人)", 67, "number"),
        ("整治拆违项目数", "300.00(个)", 67, "number"),  # name and value on lines 67 and 69
        ("宣传制作品合格率", "100%", 71, "number"),  # "宣传制作品合格率; 100%"
        ("鹰眼系统公安派出所接入维护", "5.00(个)", 69, "number"),  # quoted name, value glued on
        ("智慧电梯项目普及率", "100%", 69, "number"),  # the whole item quoted
        ("黑恶势力回潮事件发生数", "0.00(起)", 75, "number"),
        ("社会前端管理绩效水平", "15:01:00", 75, "time_artifact"),
        ("设备事故率", "<0.10(%)", 71, "number"),
        ("安全隐患消除率", "0 起", 75, "number"),
        ("拆违工作完成及时", "", 73, "empty"),
        ("各项补贴、奖励发放及时", "", 73, "empty"),
    ],
    ids=lambda v: str(v),
)
def test_seed_target_items(seed, name, target, line, kind):
    rows = seed.targets[seed.targets["name"] == name]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["target"], row["line"], row["target_kind"]) == (target, line, kind)


def test_seed_target_direction_and_notes(seed):
    t = seed.targets.set_index("name")
    assert t.loc["辖区发案数", "target"] == "同比下降 10%"
    assert t.loc["破案绝对数提升率", "target"] == "同比上升 20%"
    assert t.loc["拆违工作完成及时", "nature"] == "定性"
    assert "分号隔开" in t.loc["宣传制作品合格率", "note"]
    merged = seed.notes[seed.notes["code"] == "target_merged"]
    assert set(merged["value"]) == {"100%", "0.00(起)", "80.00(分)", "15:01:00"}


def test_seed_achievements(seed):
    ach = seed.achievements.set_index("name")
    expected = {
        "按时办结率": ("达到99%", 99.0, 100.0),
        "实际解决率": ("达到80%", 80.0, 87.3),
        "市民满意率": ("达到80%", 80.0, 81.84),
    }
    for name, (target, t_num, a_num) in expected.items():
        row = ach.loc[name]
        assert (row["target"], row["target_number"], row["actual_number"]) == (target, t_num, a_num)
        assert row["target_line"] == 51 and row["line"] == 121
        assert row["as_of"] == dt.date(2024, 9, 30)
    assert ach.loc["实际解决率", "target_name"].endswith("诉求解决率")
    # 办结率 (grid cases, line 127) is not the hotline's 按时办结率.
    assert ach.loc["办结率", "target"] == "" and ach.loc["办结率", "line"] == 127


def test_seed_as_of_dates(seed):
    assert [(d.date.isoformat(), d.line) for d in seed.as_of_dates] == [
        ("2024-12-31", 115),
        ("2024-09-30", 121),
        ("2024-09-30", 127),
        ("2024-09-30", 131),
    ]


@pytest.mark.parametrize(
    "a, b, matches",
    [
        ("实际解决率", "诉求解决率", True),
        ("市民满意率", "满意率", True),
        ("按时办结率", "按时办结率", True),
        ("办结率", "按时办结率", False),
        ("高效处置率", "处置率", False),
        ("满意率", "解决率", False),
        ("上报量", "报量", False),
    ],
    ids=lambda v: str(v),
)
def test_names_match(a, b, matches):
    assert bool(names_match(a, b)) is matches


# --- synthetic reports ------------------------------------------------------------------


@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_variants_read_the_same(variant):
    transform, unit, factor = VARIANTS[variant]
    rep = read_report_text(transform(CLEAN_REPORT))
    assert rep.year == 2025
    assert rep.unit_name == "闵行区示例街道城市运行管理中心"
    b = rep.budget.set_index("name")
    assert list(b.index) == ["合计", "基本支出", "项目支出"]
    assert (b["money_unit"] == unit).all()
    money = ["initial_budget", "budget", "spent"]
    assert b.loc["合计", money].tolist() == pytest.approx([1000 * factor, 1000 * factor, 950 * factor])
    cols = ["budget", "spent", "reported_rate", "rate"]
    assert b.loc["基本支出", cols].tolist() == pytest.approx([300 * factor, 290 * factor, 96.67, 96.67])
    assert b.loc["项目支出", cols].tolist() == pytest.approx([700 * factor, 660 * factor, 94.29, 94.29])
    titles = list(rep.sections.loc[rep.sections["level"] == 1, "title"])
    assert titles == ["部门（单位）概况", "绩效实现情况", "存在问题及改进措施", "绩效自评结果应用和公开情况"]
    counts = rep.targets["level2"].value_counts().to_dict()
    assert counts == {"数量指标": 2, "质量指标": 1, "时效指标": 1, "社会效益指标": 1, "满意度指标": 1}
    assert set(rep.achievements["name"]) == {"按时办结率", "市民满意率"}


def test_part_numbering_ranks_levels():
    rep = read_report_text(_parts(CLEAN_REPORT))
    top = rep.sections[rep.sections["level"] == 1]
    assert list(top["number"]) == ["第一部分", "第二部分", "第三部分", "第四部分"]
    assert (rep.sections.loc[rep.sections["number"].str.startswith("（"), "level"] == 2).all()


def test_money_units_mixed_in_one_line_are_converted_and_noted():
    text = CLEAN_REPORT.replace("执行金额 290.00 万元", "执行金额 2,900,000.00 元")
    rep = read_report_text(text)
    assert rep.budget.set_index("name").loc["基本支出", "spent"] == pytest.approx(290.0)
    assert (rep.notes["code"] == "money_unit").any()


def test_other_amounts_do_not_overwrite_budget_lines():
    text = CLEAN_REPORT.replace("执行率 96.67%；", "执行率 96.67%，其中人员经费 250.00 万元，公用经费 40.00 万元；")
    b = read_report_text(text).budget.set_index("name")
    assert b.loc["基本支出", ["budget", "spent"]].tolist() == [300.0, 290.0]


OTHER_STYLE = """\
某区教育局2023年度部门整体支出绩效自评报告
1. 部门基本情况
1.1 主要职能
本局负责全区教育事业管理。
2. 绩效目标
数量指标包括：培训教师人数≥500人，新建校舍面积约3000平方米。质量指标有：培训合格率≥95%、校舍验收合格率100%。
3. 预算执行情况
年初预算数为12,345,678.00元，调整后预算数为13,000,000.00元，实际支出12,870,000.00元，预算执行率为99.00%。预算调增主要因追加校舍维修资金。
基本支出：全年预算5,000,000.00元，实际支出4,950,000.00元，执行率99%。
项目支出：全年预算8,000,000.00元，实际支出7,920,000.00元，执行率99%。
4. 绩效目标完成情况
截至2023年12月31日，教师培训合格率为96.5%，家长满意率达92%。
5. 结果应用和公开
自评结果已在局网站公开。自评得分95.5分，等级为优。
"""


def test_other_wording_and_numbering():
    rep = read_report_text(OTHER_STYLE)
    assert (rep.year, rep.unit_name, rep.reported_total, rep.reported_grade) == (2023, "某区教育局", 95.5, "优")
    assert rep.unit_name_source.startswith("标题")
    numbering = rep.sections[["level", "number"]].values.tolist()
    assert numbering == [[1, "1."], [2, "1.1"], [1, "2."], [1, "3."], [1, "4."], [1, "5."]]
    b = rep.budget.set_index("name")
    total = b.loc["合计", ["initial_budget", "budget", "spent", "reported_rate"]].tolist()
    assert total == [12345678.0, 13e6, 12.87e6, 99.0]
    assert b.loc["项目支出", ["budget", "spent"]].tolist() == [8e6, 7.92e6] and (b["money_unit"] == "元").all()
    t = rep.targets.set_index("name")
    assert t["target"].to_dict() == {
        "培训教师人数": "≥500人",
        "新建校舍面积": "约3000平方米",
        "培训合格率": "≥95%",
        "校舍验收合格率": "100%",
    }
    assert t.loc["培训教师人数", "target_op"] == ">=" and t.loc["新建校舍面积", "target_op"] == "≈"
    ach = rep.achievements.set_index("name")
    assert ach.loc["教师培训合格率", ["target_name", "target_source"]].tolist() == ["培训合格率", "目标段落"]
    assert ach.loc["家长满意率", "target"] == ""


# --- files and bad input ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"], ids=["utf-8", "utf-8-sig", "gb18030"])
def test_read_report_encodings(tmp_path, encoding):
    path = tmp_path / "自评报告.txt"
    path.write_bytes(CLEAN_REPORT.encode(encoding))
    rep = read_report(path)
    assert rep.path == str(path)
    assert rep.budget.set_index("name").loc["合计", "spent"] == 950.0


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("empty.txt", b"", "为空"),
        ("blank.txt", b"\n\n   \n", "为空"),
        ("garbage.txt", bytes(range(256)) * 8, "文本"),
        ("garbage_no_nul.txt", bytes(range(1, 256)) * 8, "编码"),
        ("controls.txt", "预算\x01\x02\x1b\x7f执行".encode() * 50, "不是可读的文本"),
        ("report.docx", b"PK\x03\x04 not really", ".docx"),
        ("notes.txt", "会议纪要\n今天天气很好。\n".encode(), "未识别到自评报告内容"),
    ],
    ids=["empty", "blank", "binary", "binary-no-nul", "control-chars", "docx", "not-a-report"],
)
def test_bad_files_raise_with_file_name(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        read_report(path)
    assert name in str(err.value) and words in str(err.value)


def test_missing_file_raises(tmp_path):
    with pytest.raises(InputFileError, match="不存在") as err:
        read_report(tmp_path / "没有这个文件.txt")
    assert "没有这个文件.txt" in str(err.value)
