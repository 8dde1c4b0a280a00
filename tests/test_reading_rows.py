"""No row lost, no non-row read (issue 10 §3), on small tables written for these tests.

Each fixture in tests/data/reading/ is a table shaped like the published ones of another
province; each must be read with its exact row count, Σ 分值 and Σ 自评分 (the scored
预算执行率 line included) and agree with the table's printed totals.
"""

from __future__ import annotations

import csv
import math
import re

import opencc
import openpyxl
import pytest

from jixiao.core.errors import NoIndicatorTableError
from jixiao.core.textnorm import is_traditional, to_simplified
from jixiao.core.units import canonical_unit, convert
from jixiao.parse.values import parse_value
from jixiao.read.files import load_evaluation
from jixiao.read.narrative_report import read_report_text
from jixiao.read.readcheck import read_check, read_check_lines
from jixiao.review.review import review
from jixiao.run.evaluate import score_file
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "reading"
TOL = 0.01

#: file -> (rows, Σ 分值 with the budget line, Σ 自评分 with the budget line, printed 总分)
EXPECTED = {
    "placeholder_deviation.csv": (9, 100.0, 96.5, 96.5),
    "self_score_row.csv": (7, 100.0, 98.0, 98.0),
    "traditional.csv": (7, 100.0, 97.6, 97.6),
    "budget_initial_full.csv": (4, 100.0, 97.0, 97.0),
    "project_budget_ten.csv": (7, 100.0, 97.5, 97.5),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_read_exactly(name):
    rows, weight, score, printed = EXPECTED[name]
    check = read_check(load_evaluation(DATA / name))
    assert check["rows_read"] == rows
    assert check["rows_not_read"] == []
    assert abs(check["weight_total"] - weight) <= TOL
    assert abs(check["self_score_total"] - score) <= TOL
    assert abs(check["printed_total"] - printed) <= TOL
    assert check["total_agrees"] is True


def test_placeholder_in_deviation_column_never_drops_a_row():
    ev = load_evaluation(DATA / "placeholder_deviation.csv")
    ind = ev.indicators.set_index("name")
    # `0`, `/`, `无`, `——`, `-` in 偏差原因分析 are kept as written, the rows are all read
    assert list(
        ind.loc[["助餐服务人次", "上门照护户数", "服务合格率", "补贴发放及时率", "人均补贴标准"], "deviation_note"]
    ) == [
        "0",
        "/",
        "无",
        "——",
        "-",
    ]
    assert ind.loc["家属满意度", "deviation_note"].startswith("样本中")
    assert ind.loc["老年人生活质量改善", "self_score"] == 14
    assert not (ev.notes["code"] == "unreadable_row").any()
    assert not (review(ev)["code"] == "A31").any()


def test_self_score_row_is_the_printed_total_not_an_indicator():
    ev = load_evaluation(DATA / "self_score_row.csv")
    assert "自评得分" not in set(ev.indicators["name"])
    assert ev.reported_total == 98 and ev.declared_weight_total is None
    assert abs(ev.indicators["weight"].sum() - 100) <= TOL  # not 198
    kinds = [r["kind"] for r in ev.extras["non_indicator_rows"]]
    assert kinds == ["total"]
    assert "存在问题" in ev.texts


def test_traditional_script_is_read_in_simplified_with_the_raw_text_kept():
    ev = load_evaluation(DATA / "traditional.csv")
    assert ev.unit.table_type == "project_self_eval"
    assert ev.unit.name == "乡村道路养护经费"
    assert list(ev.indicators["name"])[:2] == ["养护农村公路里程", "养护工程验收合格率"]
    assert set(ev.indicators["level1"]) == {"产出指标", "效益指标", "满意度指标"}
    assert ev.extras["script"] == "traditional"
    raw = ev.extras["raw_rows"]
    first = int(ev.indicators["source_row"].iloc[0])
    assert "養護農村公路里程" in raw[first]
    assert "traditional_script" in set(ev.notes["code"])
    assert any("繁体" in line for line in read_check_lines(read_check(ev)))
    budget = ev.budget.set_index("name")
    assert budget.loc["合计", "budget"] == 300 and budget.loc["合计", "spent"] == 288


def test_simplified_tables_are_never_converted():
    for path in [*sorted((ROOT / "samples").glob("*.txt")), *sorted((ROOT / "tests/data/corpus").glob("*.csv"))]:
        text = path.read_text(encoding="utf-8")
        assert is_traditional(text) == path.stem.endswith("_trad"), path.name
    assert to_simplified("績效指標") == "绩效指标"


def test_budget_block_in_any_column_order_uses_the_full_year_budget():
    ev = load_evaluation(DATA / "budget_initial_full.csv")
    b = ev.budget.set_index("name")
    total = b.loc["合计"]
    assert (total["initial_budget"], total["budget"], total["spent"]) == (1200, 1500, 1350)
    assert total["rate"] == 90.0 and total["reported_rate"] == 90.0  # on 全年预算数, not 年初 (112.5 %)
    assert (total["weight"], total["reported_score"]) == (10, 9)
    assert math.isnan(b.loc["财政拨款", "weight"])
    other = b.loc["其他资金"]
    assert math.isnan(other["budget"]) and other["rate"] == 100.0  # only 年初 given: rate on 年初, said so
    notes = ev.notes[ev.notes["code"] == "rate_on_initial"]
    assert len(notes) == 1 and "年初预算数" in notes["message"].iloc[0]


def test_project_table_budget_line_is_ten_of_the_hundred_points():
    unit = score_file(DATA / "project_budget_ten.csv")
    totals = unit.totals
    assert abs(totals["weight_sum"] - 100) <= TOL  # 90 + 10
    assert abs(totals["self_score_sum"] - 97.5) <= TOL  # 88 + 9.5 = the printed 总分
    assert totals["reported_total"] == 97.5
    level1 = unit.level1.set_index("name")
    assert level1.loc["预算执行率", "weight_sum"] == 10
    assert abs(unit.evaluation.indicators["weight"].sum() - 90) <= TOL
    payload = unit.payload()
    assert payload["read_check"]["weight_total"] == 100 and payload["read_check"]["total_agrees"] is True


def test_repeated_budget_weight_on_a_sub_line_is_not_counted_twice():
    ev = load_evaluation(ROOT / "tests/data/corpus/ah_xiaoxian_2023_zhongyang.csv")
    check = read_check(ev)
    assert check["budget_weight"] == 10 and check["weight_total"] == 90
    assert [r["kind"] for r in check["non_indicator_rows"]].count("sub_item") == 7


def test_budget_line_with_the_table_total_is_read_as_the_total():
    ev = load_evaluation(ROOT / "tests/data/corpus/hb_ezhou_2021_shiminzhongxin.csv")
    assert ev.reported_total == 98 and ev.declared_weight_total == 100
    line = ev.budget.set_index("name").loc["合计"]
    assert math.isnan(line["weight"]) and (line["budget"], line["spent"]) == (150, 125.25)


@pytest.mark.parametrize(
    "text, unit",
    [("≥50厘米", "厘米"), ("5毫米", "毫米"), ("3千米", "公里"), ("12课时", "课时"), ("10株", "株"), ("12头", "头")],
)
def test_every_unit_of_measure_is_recognised(text, unit):
    assert parse_value(text).unit == unit
    assert canonical_unit(unit) == unit


def test_length_units_convert():
    assert convert(50, "厘米", "米") == pytest.approx(0.5)
    assert convert(2, "公里", "毫米") == pytest.approx(2_000_000)


def test_a_target_with_a_unit_is_never_reported_without_one():
    ev = load_evaluation(ROOT / "tests/data/corpus/sc_zhongjiang_2022_shuibiaochi.csv")
    found = review(ev)
    assert not ((found["code"] == "C02") & found["message"].str.contains("水标尺宽度")).any()


def test_read_check_lists_rows_not_read():
    ev = load_evaluation(ROOT / "samples" / "xinhong_2023_self_evaluation.xlsx")
    check = read_check(ev)
    assert check["rows_read"] == 56 and check["rows_not_read"] == []
    assert check["weight_total"] == 100 and check["printed_total"] == 98.5
    assert check["total_agrees"] is False  # Σ 自评分 103 against the printed 98.5
    lines = read_check_lines(check)
    assert lines[0] == "读取指标 56 行。" and any("相差 4.5" in line for line in lines)


def test_every_row_of_the_indicator_region_is_accounted_for(tmp_path):
    table = "\n".join(
        [
            "项目支出绩效自评表,,,,,,,",
            "一级指标,二级指标,三级指标,分值,年度指标值,实际完成值,得分,偏差原因",
            "产出指标,数量指标,培训人次,30,≥200人次,230人次,30,0",
            ",,指标2：,,,,,",
            ",,……,,,,,",
            ",质量指标,培训合格率,,,,,",
            ",,考核通过率,30,≥90%,92%,30,/",
            "效益指标,社会效益指标,技能提升,30,明显,明显,28,甲|乙|丙|丁|戊|己|庚|辛|壬",
            "满意度指标,服务对象满意度指标,学员满意度,10,≥90%,95%,10,无",
            "合计,,,100,,,98,",
            "注：分值按省定框架设置。,,,,,,,",
        ]
    ).replace("|", ",")
    path = tmp_path / "rows.csv"
    path.write_text(table, encoding="utf-8")
    ev = load_evaluation(path)
    check = read_check(ev)
    names = list(ev.indicators["name"])
    assert names == ["培训人次", "培训合格率", "考核通过率", "学员满意度"]  # a name alone is still an indicator
    assert [(r["row"], r["kind"]) for r in check["non_indicator_rows"]] == [
        (4, "placeholder"),
        (5, "placeholder"),
        (10, "total"),
    ]
    assert [r["row"] for r in check["rows_not_read"]] == [8]
    assert "技能提升" in check["rows_not_read"][0]["text"]
    found = review(ev)
    a31 = found[found["code"] == "A31"]
    assert len(a31) == 1 and "8" in a31["where"].iloc[0] and "技能提升" in a31["message"].iloc[0]
    assert (check["printed_weight_total"], check["printed_total"]) == (100, 98)
    assert "注" not in " ".join(names) and "说明" in ev.texts
    assert any("无法读取 1 行（第 8 行）" in line for line in read_check_lines(check))


def test_a_line_with_only_the_initial_budget_is_not_reported_as_unreadable():
    found = review(load_evaluation(DATA / "budget_initial_full.csv"))
    assert not (found["code"] == "A12").any()


def test_a_header_repeated_on_the_next_page_is_not_a_row(tmp_path):
    table = "\n".join(
        [
            "一级指标,二级指标,三级指标,分值,年度指标值,实际完成值,得分",
            "产出指标,数量指标,培训人次,50,≥200人次,230人次,50",
            "一级指标,二级指标,三级指标,分值,年度指标值,实际完成值,得分",
            "效益指标,社会效益指标,就业率,50,≥80%,85%,50",
            "合计,,,100,,,100",
        ]
    )
    path = tmp_path / "pages.csv"
    path.write_text(table, encoding="utf-8")
    check = read_check(load_evaluation(path))
    assert check["rows_read"] == 2 and check["rows_not_read"] == []
    assert [r["kind"] for r in check["non_indicator_rows"]] == ["header", "total"]
    assert check["weight_agrees"] and check["total_agrees"]


def test_a_row_with_values_but_no_name_is_reported_not_dropped(tmp_path):
    table = "\n".join(
        [
            "一级指标,二级指标,三级指标,分值,年度指标值,实际完成值,得分",
            "产出指标,数量指标,培训人次,50,≥200人次,230人次,50",
            ",,,20,≥5场,6场,20",
            "效益指标,社会效益指标,就业率,30,≥80%,85%,30",
        ]
    )
    path = tmp_path / "nameless.csv"
    path.write_text(table, encoding="utf-8")
    check = read_check(load_evaluation(path))
    assert check["rows_read"] == 2
    assert [r["row"] for r in check["rows_not_read"]] == [3]


def test_a_report_in_traditional_script_reads_like_the_simplified_one():
    text = (ROOT / "samples" / "hongqiao_2024_report.txt").read_text(encoding="utf-8")
    simplified = read_report_text(text)
    traditional = read_report_text(opencc.OpenCC("s2t").convert(text))
    assert len(traditional.targets) == len(simplified.targets)
    cols = ["name", "budget", "spent"]
    assert traditional.budget[cols].equals(simplified.budget[cols])
    assert "traditional_script" in set(traditional.notes["code"])


def test_corpus_tables_read_the_same_from_excel(tmp_path):
    """Each corpus table written to .xlsx (numbers as numbers) gives the same read check."""
    keys = ["rows_read", "weight_total", "self_score_total", "printed_total", "printed_weight_total"]
    for path in sorted((ROOT / "tests" / "data" / "corpus").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(
                [float(c) if re.fullmatch(r"-?\d+(\.\d+)?", c) else (c if c.strip() else None) for c in row]
            )
        xlsx = tmp_path / f"{path.stem}.xlsx"
        wb.save(xlsx)
        try:
            a = read_check(load_evaluation(path))
        except NoIndicatorTableError:  # a corpus table the reader refuses (tests/test_corpus.py pins it)
            with pytest.raises(NoIndicatorTableError):
                load_evaluation(xlsx)
            continue
        b = read_check(load_evaluation(xlsx))
        assert [a[k] for k in keys] == [b[k] for k in keys], path.name
        # rows not read are pinned per table in tests/test_corpus.py; here they only must be the same rows
        assert [r["row"] for r in b["rows_not_read"]] == [r["row"] for r in a["rows_not_read"]], path.name


def test_an_adjusted_target_replaces_the_initial_one(tmp_path):
    table = "\n".join(
        [
            "指标名称,计量单位,年初指标值,调整指标值,全年完成值,得分系数（%）,指标权重（分）,指标得分（分）",
            "培训人次,人次,≥200,≥150,160,100%,50,50",
            "就业率,%,≥80%,,85%,100%,50,50",
        ]
    )
    path = tmp_path / "adjusted.csv"
    path.write_text(table, encoding="utf-8")
    ev = load_evaluation(path)
    assert list(ev.indicators["target"]) == ["≥150", "≥80%"]
    assert list(ev.indicators["weight"]) == [50, 50] and list(ev.indicators["self_score"]) == [50, 50]
    note = ev.notes[ev.notes["code"] == "adjusted_target"]
    assert len(note) == 1 and "≥200" in note["message"].iloc[0]


def test_a_zero_score_shifted_into_the_deviation_column_stays_a_score(tmp_path):
    table = "\n".join(
        [
            "一级指标,二级指标,三级指标,分值,年度指标值,实际完成值,得分,偏差原因",
            "产出指标,数量指标,培训人次,50,≥200人次,230人次,50,0",
            ",,就业人数,,50,≥80人,0人,0",
        ]
    )
    path = tmp_path / "shifted_zero.csv"
    path.write_text(table, encoding="utf-8")
    ind = load_evaluation(path).indicators.set_index("name")
    assert ind.loc["培训人次", "deviation_note"] == "0" and ind.loc["培训人次", "self_score"] == 50
    assert (ind.loc["就业人数", "weight"], ind.loc["就业人数", "self_score"]) == (50, 0)


def test_a_long_budget_label_is_kept_and_a_long_explanation_is_not(tmp_path):
    table = "\n".join(
        [
            "项目支出绩效自评表,,,,,,,",
            "项目资金（万元）,,年初预算数,全年预算数,全年执行数,分值,执行率,得分,原因",
            ",年度资金总额,100,100,90,10,90%,9,预算执行率未达到95%的原因：部分合同款项按进度在次年支付",
            ",其中：当年财政拨款（含年中追加的专项转移支付资金）,100,100,90,,,,",
            ",其他资金,0,0,0,,,,",
            "一级指标,二级指标,三级指标,分值,年度指标值,实际完成值,得分,",
            "产出指标,数量指标,培训人次,90,≥200人次,230人次,90,",
        ]
    )
    path = tmp_path / "long_label.csv"
    path.write_text(table, encoding="utf-8")
    budget = load_evaluation(path).budget.set_index("name")
    assert list(budget.index) == ["合计", "财政拨款", "其他资金"]
    assert (budget.loc["合计", "weight"], budget.loc["合计", "reported_score"]) == (10, 9)
