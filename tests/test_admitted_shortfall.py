"""The unit's own texts admitting a shortfall on an indicator: 部分达成 by default and S01 quoting the sentence.

Not only the 偏差原因 cell: a clause of 存在问题 / 完成情况 / 改进措施 (the table's, or an
accompanying self-evaluation report's problem chapters) that names a qualitative indicator claimed
as achieved counts too. Matching is conservative: a clause naming no indicator, or several, stays
general. Real data: samples/xinhong_2023 (its 存在问题 says 预算的匹配性不够 and 预算未细化到数量和单价,
both about 预算编制合理性); fixtures: the same table with another 存在问题, and a small report.
"""

from __future__ import annotations

import pytest

from jixiao.parse.shortfall import shortfall_texts, text_admissions
from jixiao.read.files import load_evaluation
from jixiao.read.narrative_report import read_report
from jixiao.review.review import review
from jixiao.run.evaluate import evaluate_unit, score_evaluation, score_file
from jixiao.run.params import load_params
from tests.conftest import SAMPLES

TOL = 1e-6
XINHONG_TXT = SAMPLES / "xinhong_2023_self_evaluation.txt"
OWN_PROBLEMS = "预算基本细化量化，绩效具体目标和预算的匹配性不够，预算未细化到数量和单价。"


def _row(scored, name):
    [row] = scored[scored["name"] == name].to_dict("records")
    return row


def _s01(found, name):
    rows = found[(found["code"] == "S01") & found["message"].str.contains(f"「{name}」")]
    return rows["message"].tolist()


@pytest.fixture(scope="module")
def xinhong():
    unit = score_file(SAMPLES / "xinhong_2023_self_evaluation.xlsx")
    return unit, review(unit.evaluation, scored=unit.scored)


def test_problems_text_is_matched_to_the_indicator_it_speaks_about(xinhong):
    unit, found = xinhong
    assert unit.evaluation.texts["存在问题"] == OWN_PROBLEMS.rstrip("。") + "。"
    admissions = text_admissions(
        shortfall_texts(unit.evaluation.texts), dict(zip(unit.scored["indicator_id"], unit.scored["name"]))
    )
    assert {k: [(a.quote, a.source) for a in v] for k, v in admissions.items()} == {
        "I02": [("绩效具体目标和预算的匹配性不够，预算未细化到数量和单价", "自评表「存在问题」")]
    }
    [message] = _s01(found, "预算编制合理性")
    assert "“预算的匹配性不够”（偏差说明）" in message
    assert "“绩效具体目标和预算的匹配性不够，预算未细化到数量和单价”（自评表「存在问题」）" in message
    row = _row(unit.scored, "预算编制合理性")
    assert row["status"] == "待核实" and row["review_high"] <= row["self_score"] + TOL  # never above the unit's 1.00
    assert abs(row["review_low"] - 0.6) < TOL and abs(row["review_high"] - 1.0) < TOL
    assert len(found[found["code"] == "S01"]) == 2  # the sentence is not blamed on any other indicator


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("政府采购程序不够规范", {"I13": "政府采购程序不够规范"}),  # the thing the name is about (政府采购)
        ("信息公开规范性有待提高", {"I11": "信息公开规范性有待提高"}),  # the full name
        ("部分资产未及时入账", {}),  # three 资产 indicators, none about timeliness: general
        ("满意度调查尚未开展", {}),  # two satisfaction indicators: general
        ("工作人员业务能力有待提升", {}),  # names no indicator
        ("预算编制合理", {}),  # names one, admits nothing
    ],
)
def test_matching_is_conservative(xinhong, clause, expected):
    unit, _ = xinhong
    names = dict(zip(unit.scored["indicator_id"], unit.scored["name"]))
    found = text_admissions([("自评表「存在问题」", clause + "。")], names)
    assert {k: v[0].quote for k, v in found.items()} == expected


def _with_problems(tmp_path, problems: str):
    lines = XINHONG_TXT.read_text(encoding="utf-8").splitlines()
    lines = [f"存在问题及原因分析\t{problems}" if ln.startswith("存在问题及原因分析\t") else ln for ln in lines]
    path = tmp_path / "xinhong_2023_other_problems.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_evaluation(path)


def test_a_problem_naming_another_indicator_gives_it_the_partial_tier_and_s01(tmp_path):
    evaluation = _with_problems(tmp_path, "政府采购程序不够规范，部分资产未及时入账。")
    unit = score_evaluation(evaluation)
    row = _row(unit.scored, "政府采购规范性")
    assert abs(row["rule_score"] - 0.7 * 3) < TOL  # 部分达成 of its 3 points, not the 3.00 it claimed
    assert "单位自评表「存在问题」写明「政府采购程序不够规范」" in row["explanation"]
    assert row["status"] == "待核实" and abs(row["review_high"] - 2.1) < TOL  # the range tops at 部分达成
    found = review(unit.evaluation, scored=unit.scored)
    [message] = _s01(found, "政府采购规范性")
    assert "“政府采购程序不够规范”（自评表「存在问题」）" in message
    for name in ("资产管理健全性", "资产投入使用率", "资产处置合规性"):  # the general clause blames none of them
        assert not _s01(found, name)
    assert abs(_row(unit.scored, "资产管理健全性")["rule_score"] - 2.0) < TOL
    # 预算编制合理性 keeps its own 偏差原因 (the new 存在问题 no longer speaks of it)
    [message] = _s01(found, "预算编制合理性")
    assert "“预算的匹配性不够”，" in message and "自评表「存在问题」" not in message


def test_an_accompanying_reports_problem_chapter_counts_too(tmp_path):
    evaluation = _with_problems(tmp_path, "无。")
    report_path = _report(tmp_path)
    report = read_report(report_path)
    unit = score_evaluation(evaluation, report=report)
    row = _row(unit.scored, "信息公开规范性")
    assert abs(row["rule_score"] - 0.7 * 2) < TOL
    assert "自评报告「主要问题及原因分析」写明「信息公开不够及时」" in row["explanation"]
    found = review(unit.evaluation, scored=unit.scored, report=report)
    [message] = _s01(found, "信息公开规范性")
    assert "“信息公开不够及时”（自评报告「主要问题及原因分析」）" in message
    alone = score_evaluation(evaluation)  # without the report, the table alone admits nothing on it
    assert abs(_row(alone.scored, "信息公开规范性")["rule_score"] - 2.0) < TOL
    # a unit whose params give both: evaluate_unit reads the report before scoring the table
    params = tmp_path / "both.yaml"
    params.write_text(
        "unit_id: both\ndisplay_name: 测试单位\nyear: 2023\ninputs:\n"
        f"  self_evaluation: {tmp_path / 'xinhong_2023_other_problems.txt'}\n  report: {report_path}\n",
        encoding="utf-8",
    )
    result = evaluate_unit(load_params(params))
    assert abs(_row(result.self_eval.scored, "信息公开规范性")["rule_score"] - 0.7 * 2) < TOL
    assert _s01(result.findings, "信息公开规范性")


def _report(tmp_path):
    report_path = tmp_path / "report.txt"
    report_path.write_text(
        "上海市闵行区新虹街道城市运行管理中心2023年度部门整体支出预算绩效自评报告\n\n"
        "一、部门（单位）概况\n新虹街道城市运行管理中心负责辖区城市运行管理。\n\n"
        "二、部门（单位）整体支出绩效中存在问题及改进措施\n"
        "（一）主要问题及原因分析\n信息公开不够及时，部分资产未及时入账。\n"
        "（二）改进的方向和具体措施\n加强管理。\n",
        encoding="utf-8",
    )
    return report_path
