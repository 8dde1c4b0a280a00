"""The report narrative: golden sentences on the three sample units, formatting, and what may be said.

Golden sentences are exact: a change of wording or of a number shows up here. The rules
tested besides: problems come only from indicators that lost points and from error/warning
findings; suggestions are the catalogue's fix texts of the codes found; a unit without
findings gets no invented problems; no praise, and every paragraph cites something.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from jixiao.read.files import load_evaluation
from jixiao.report import narrative, wording
from jixiao.report.facts import budget_lines, finding_groups, findings_of, headline_line, indicator_states
from jixiao.review.catalogue import catalogue
from jixiao.review.review import review
from jixiao.run.evaluate import UnitResult, evaluate_unit, score_evaluation
from jixiao.run.params import load_params
from tests.conftest import PARAMS_DIR

SAMPLES = ["xinhong-2023", "xinhong-2024-declaration", "hongqiao-2024"]
SECTION_FUNCTIONS = [
    "summary",
    "basic_info",
    "budget_execution",
    "targets_overview",
    "method",
    "conclusion",
    "experience",
    "problems_intro",
    "other_matters",
]
# Statements of scope that cite no number: they say what the materials lack, which is itself the fact.
SCOPE_STATEMENTS = {
    "申报表未设分值、未填报完成值，本次不计分、不评定等级，复核内容为绩效目标本身的质量。",
    "申报表不含全年执行数，本次不复算执行率。",
    "本单位未提供整体支出绩效自评表，申报表不设分值和完成值，本次不计分、不形成总分和等级。",
    "本次未提供自评表，为自评报告审核，审核报告章节是否完整、数据是否自洽、目标实现情况是否有据，出具审核意见，不评定得分和等级。",
    "本单位仅提供自评报告，未提供自评表，本次不计分、不形成总分和等级。",
    "本次复核未形成复核发现。",
    "本次为绩效目标审核，审核绩效目标的完整性、相关性、可衡量性和合理性，出具审核意见，不评定得分和等级。",
    "本次审核对象为绩效目标申报表，相关工作尚未实施，不总结经验做法；年度执行结束后，可结合单位自评材料总结。",
    "本次复核未发现问题。",
    "本次审核未形成审核发现。",
    "本次审核未发现问题。",
}
PRAISE = ("良好", "显著", "较好", "圆满", "卓有成效", "成效明显", "稳步提升", "高度重视", "扎实推进", "效果明显")


@pytest.fixture(scope="module")
def results() -> dict[str, UnitResult]:
    return {unit: evaluate_unit(load_params(PARAMS_DIR / f"{unit}.yaml")) for unit in SAMPLES}


def sentences(paragraphs) -> list[str]:
    return [s for p in paragraphs for s in re.findall(r"[^。]+。?", p)]


def all_text(result: UnitResult) -> list[str]:
    """Every paragraph the narrative writes for a unit (problems and suggestions included)."""
    out = [p for name in SECTION_FUNCTIONS for p in getattr(narrative, name)(result)]
    out += [p for part in narrative.level1_analysis(result) for p in part.paragraphs]
    out += [t for pr in narrative.problems(result) for t in (pr.text, *pr.items)]
    out += [s.text + s.basis for s in narrative.suggestions(result)]
    return out


# --- golden sentences ----------------------------------------------------------------------------
GOLDEN = [
    (
        "xinhong-2023",
        "summary",
        "经逐项按评分规则重新计分，复核总分 45.89–97.69 分（25 项指标待核实，以区间计），等级待定。",
    ),
    ("xinhong-2023", "summary", "单位自评总分 98.50 分，等级为「优」。"),
    (
        "xinhong-2023",
        "summary",
        "2023年度财政拨款预算执行率 99.87%（全年执行 29,060,158.28 元，全年预算 29,098,904.33 元）。",
    ),
    (
        "xinhong-2023",
        "summary",
        "56 项指标中 29 项得满分，1 项未达到指标值，合计扣 0.01 分，25 项指标待核实（分值合计 63.00 分），"
        "按 9.90–61.70 分的区间计入复核总分，待单位补充佐证材料后确定，1 项经评价人调整扣 1.00 分。",
    ),
    ("xinhong-2023", "summary", "复核发现问题 73 条，其中错误 11 条、警告 58 条、提示 4 条。"),  # reader notes aside
    (
        "xinhong-2023",
        "conclusion",
        "其余指标较其分值合计少 1.01 分：1 项指标未达到指标值，扣 0.01 分；1 项指标经评价人调整，扣 1.00 分。",
    ),
    ("xinhong-2023", "conclusion", "自评分逐项合计 103.00 分（按分值封顶后 98.00 分），与填报总分不一致。"),
    ("xinhong-2023", "budget_execution", "3 行填报执行率按全年执行数 ÷ 全年预算数复算，结果一致。"),
    (
        "xinhong-2023",
        "targets_overview",
        "自评表设一级指标 4 个、二级指标 14 个、三级指标 56 项：投入管理指标 16 项（一级权重 30.00 分）、"
        "产出指标 30 项（一级权重 25.00 分）、效益指标 8 项（一级权重 35.00 分）、满意度指标 2 项（一级权重 10.00 分）。",
    ),
    (
        "xinhong-2023",
        "other_matters",
        "评价人调整复核分 1 项：「辅警人员出勤率」复核计 0.00 分，理由：全年完成值与自评分均为空，"
        "未提供出勤记录等佐证材料，复核按未达成计 0 分。",
    ),
    (
        "xinhong-2024-declaration",
        "summary",
        "申报表共 45 项三级指标，分属 4 个一级指标（投入管理指标 7 项、产出指标 27 项、效益指标 9 项、满意度指标 2 项）。",
    ),
    (
        "xinhong-2024-declaration",
        "summary",
        "本次为绩效目标审核，审核绩效目标的完整性、相关性、可衡量性和合理性，出具审核意见，不评定得分和等级。",
    ),
    (
        "xinhong-2024-declaration",
        "conclusion",
        "审核结论：绩效目标在完整性、可衡量性 2 个方面需按上述意见修改完善后重新报送。",
    ),
    (
        "xinhong-2023",
        "conclusion",
        "资金使用方面，2023年度财政拨款全年预算 29,098,904.33 元，全年执行 29,060,158.28 元，执行率 99.87%，"
        "预算资金基本按计划执行。",
    ),
    ("xinhong-2024-declaration", "summary", "2024年度申报预算合计 672,063,140.00 元。"),
    (
        "xinhong-2024-declaration",
        "summary",
        "45 项指标中定量指标 21 项、定性指标 17 项、只引用文件规定而未填指标值的 7 项；"
        "填有指标值的 38 项中，指标值可衡量的 21 项（55.26%），不可衡量或未细化量化的 17 项（44.74%）。",
    ),
    (
        "xinhong-2024-declaration",
        "budget_execution",
        "资金结构：基本支出申报预算 105,114,501.00 元；项目支出申报预算 566,948,639.00 元。",
    ),
    (
        "hongqiao-2024",
        "summary",
        "报告所列2024年度预算执行率 98.88%（全年执行 5,587.07 万元，全年预算 5,650.61 万元）。",
    ),
    (
        "hongqiao-2024",
        "summary",
        "报告列示绩效目标 53 项，给出实现值 6 项，其中 3 项可与目标对应，3 项经核对达到目标。",
    ),
    (
        "hongqiao-2024",
        "budget_execution",
        "报告所列2024年度全年预算 5,650.61 万元，全年执行 5,587.07 万元，执行率 98.88%。",
    ),
    (
        "hongqiao-2024",
        "conclusion",
        "审核结论：自评报告在数据准确性、目标实现情况、规范性 3 个方面需按上述意见修改完善；"
        "本次未提供自评表，审核意见不评定得分和等级。",
    ),
]


@pytest.mark.parametrize(
    ("unit", "section", "sentence"), GOLDEN, ids=[f"{u}-{s}-{i}" for i, (u, s, _) in enumerate(GOLDEN)]
)
def test_golden_sentence(results, unit, section, sentence):
    assert sentence in sentences(getattr(narrative, section)(results[unit]))


def test_level1_analysis_of_the_scored_sample_names_what_lost_points_and_why(results):
    parts = {p.name: p for p in narrative.level1_analysis(results["xinhong-2023"])}
    assert list(parts) == ["投入管理指标", "产出指标", "效益指标", "满意度指标"]
    inputs = sentences(parts["投入管理指标"].paragraphs)
    assert (
        "投入管理指标共 16 项三级指标（预算编审管理 2 项、预算执行管理 5 项、部门结转结余资金管理 1 项、国库管理 1 项、预算绩效管理 1 项、"
        "预决算信息公开管理 1 项、财政监督管理 1 项、政府采购管理 1 项、资产管理 3 项），分值合计 30.00 分；"
        "自评 29.00 分，复核 11.89–28.69 分，复核得分率 39.63%–95.63%。"
        in inputs  # level 1 as repaired by the declared weights
    )
    assert (
        "投入管理指标按评分规则判定达成 13 项、未达成 3 项，得满分 2 项。" in inputs
    )  # two 部分达成 by the unit's own notes
    # 预算编制合理性: the unit claims 1.00 of 2 without evidence; the review never goes above the claim
    assert any(
        s.startswith("待核实 13 项：「预算编制规范性」")
        and "「预算编制合理性」（分值 2.00 分）定性指标的达成仅有单位自述，按 0.60–1.00 分计" in s
        for s in inputs
    )
    assert (
        "扣分指标 1 项：「基本支出预算执行率」完成值99% / 指标值100% × 1分 = 0.99分，扣 0.01 分，未说明偏差原因。"
        in inputs
    )
    assert "自评分与复核分不一致 1 项：「基本支出预算执行率」自评 1.00 分、复核 0.99 分（-0.01）。" in inputs
    benefits = " ".join(parts["效益指标"].paragraphs)  # 效益 after the structure repair
    assert "「降低非机动车违停案件数」（分值 5.00 分）方向性指标缺少基期数据，按 0.00–5.00 分计" in benefits
    assert set(parts["满意度指标"].indicator_ids) == {"I55", "I56"}


def test_report_sample_lists_each_achievement_against_its_target(results):
    (part,) = narrative.level1_analysis(results["hongqiao-2024"])
    text = " ".join(part.paragraphs)
    assert "「按时办结率」100%，对应目标「按时办结率」（达到99%），达到目标" in text
    assert "「市级抽查先行联系率」92.42%，报告未列对应目标，无法判断是否达标" in text
    assert "其余 50 项绩效目标报告未给出可对应的实现值，无法核对完成情况。" in part.paragraphs[-1]


# --- formatting ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        (wording.fmt_money, (5650.61, "万元"), "5,650.61 万元"),
        (wording.fmt_money, (29098904.325, "元"), "29,098,904.33 元"),  # half-up on the decimal value
        (wording.fmt_money, (672063140.0, "元"), "672,063,140.00 元"),
        (wording.fmt_money, (float("nan"), "元"), "—"),
        (wording.fmt_rate, (98.875,), "98.88%"),
        (wording.fmt_rate, (100,), "100.00%"),
        (wording.fmt_score, (89.995,), "90.00"),
        (wording.fmt_score, (None,), "—"),
        (wording.fmt_signed, (-5.0,), "-5.00"),
        (wording.fmt_signed, (0.994,), "+0.99"),
        (wording.fmt_signed, (0.0,), "0.00"),
        (wording.quote, ("单位年度绩效管理工\n 作",), "「单位年度绩效管理工 作」"),
    ],
    ids=[
        "wan",
        "yuan-half-up",
        "yuan-integer",
        "nan",
        "rate-half-up",
        "rate-integer",
        "score-half-up",
        "score-none",
        "signed-negative",
        "signed-positive",
        "signed-zero",
        "quote-whitespace",
    ],
)
def test_formatting(func, args, expected):
    assert func(*args) == expected


def test_headline_budget_line_prefers_total_then_appropriation(results):
    assert headline_line(budget_lines(results["hongqiao-2024"]))["name"] == "合计"
    assert headline_line(budget_lines(results["xinhong-2023"]))["name"] == "财政拨款"
    lines = budget_lines(results["hongqiao-2024"])
    total = next(ln for ln in lines if ln["name"] == "合计")
    assert (
        total["unit"] == "万元"
        and total["adjust"] == pytest.approx(-1183.07)
        and total["adjust_pct"] == pytest.approx(-17.3118, abs=1e-3)
    )


# --- what may be said ------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", SAMPLES)
def test_problems_come_from_lost_points_and_error_or_warning_findings(results, unit):
    result = results[unit]
    found = findings_of(result)  # reader notes (A30–A39) are for analysts, not problems of the unit
    serious = set(found.loc[found["severity"] != "提示", "code"])
    problems = narrative.problems(result)
    assert {c for p in problems for c in p.codes} == serious
    assert all(p.severity in ("错误", "警告", "扣分") for p in problems)
    lost = [p for p in problems if p.severity == "扣分"]
    if result.self_eval is None:
        assert lost == []
    else:
        states = indicator_states(result.self_eval.scored)
        expected = {r["id"] for r in states["lost"] + states["overridden_lost"] + states["unscored"]}
        assert set(lost[0].indicator_ids) == expected


@pytest.mark.parametrize("unit", SAMPLES)
def test_suggestions_are_the_catalogue_fixes_of_the_codes_found(results, unit):
    result = results[unit]
    fixes = catalogue().set_index("code")["fix"]
    found = findings_of(result)
    serious = set(found.loc[found["severity"] != "提示", "code"])
    suggestions = narrative.suggestions(result)
    assert {c for s in suggestions for c in s.codes} == serious
    assert all(s.text == fixes[s.codes[0]] for s in suggestions)
    assert len({(s.group, s.text) for s in suggestions}) == len(suggestions)  # deduplicated
    assert all(s.group in narrative.GROUP_TITLES.values() for s in suggestions)


def test_shared_fix_texts_are_merged_into_one_suggestion():
    rows = pd.DataFrame(
        [
            {
                "code": "A13",
                "severity": "错误",
                "where": "预算「合计」",
                "scope": "budget",
                "indicator_id": "",
                "message": "m1",
                "expected": "",
                "reported": "",
            },
            {
                "code": "A07",
                "severity": "警告",
                "where": "指标「甲」",
                "scope": "indicator",
                "indicator_id": "I01",
                "message": "m2",
                "expected": "",
                "reported": "",
            },
        ]
    )
    result = UnitResult("u", "单位", 2024, "", findings=rows)
    suggestions = narrative.suggestions(result)
    assert [s.codes for s in suggestions] == [("A13",), ("A07",)]
    assert finding_groups(rows, catalogue())[0]["title"] == "分项之和与合计不符"


@pytest.mark.parametrize("unit", SAMPLES)
def test_no_praise_and_every_paragraph_cites_something(results, unit):
    catalogue_texts = set(catalogue()["meaning"]) | set(catalogue()["fix"])
    for paragraph in all_text(results[unit]):
        bare = re.sub(r"「[^」]*」", "", paragraph)  # the unit's own words may praise; ours may not
        assert not [w for w in PRAISE if w in bare], paragraph
        cites = re.search(r"\d|「|《", paragraph) or paragraph in SCOPE_STATEMENTS
        cites = cites or any(paragraph.startswith(t) for t in catalogue_texts)
        assert cites, f"paragraph without a number, a name or a finding: {paragraph}"


# --- a unit without findings ------------------------------------------------------------------------
def clean_result(data_dir, all_met: bool = False) -> UnitResult:
    evaluation = load_evaluation(data_dir / "clean_unit.xlsx")
    if all_met:  # 预算执行率 completed in full, in the indicator and in the budget table alike
        ind = evaluation.indicators.copy()
        ind.loc[ind["name"] == "预算执行率", ["actual", "self_score"]] = ["100", 10.0]
        budget = evaluation.budget.copy()
        budget["spent"], budget["reported_rate"] = budget["budget"], 100.0
        evaluation.indicators, evaluation.budget, evaluation.reported_total = ind, budget, 100.0
    scored = score_evaluation(evaluation)
    return UnitResult(
        "clean",
        "示例街道城市运行管理中心",
        2024,
        "第三方评价组",
        self_eval=scored,
        findings=review(evaluation, scored=scored.scored),
        params={"inputs": {"self_evaluation": "clean_unit.xlsx"}},
    )


def test_unit_without_findings_gets_no_invented_problems(data_dir):
    result = clean_result(data_dir)
    assert result.findings.empty
    (lost,) = narrative.problems(result)  # only the indicator that really lost points
    assert lost.severity == "扣分" and lost.codes == () and lost.indicator_ids == ("I01",)
    assert lost.items == (
        "「预算执行率」（预算执行率，分值 10.00 分）：完成值96.8% / 指标值100% × 10分 = 9.68分，扣 0.32 分，"
        "单位偏差说明「部分采购合同尾款次年支付」。",
    )
    assert narrative.suggestions(result) == []
    assert "本次复核未形成复核发现。" in narrative.summary(result)
    titles = set(catalogue()["title"])
    text = " ".join(all_text(result))
    assert not [t for t in titles if t in text]


def test_unit_with_everything_met_and_no_findings_has_no_problems(data_dir):
    result = clean_result(data_dir, all_met=True)
    assert result.findings.empty and result.total == 100.0
    assert narrative.problems(result) == []
    assert narrative.problems_intro(result) == ["本次复核未发现问题。"]
    assert narrative.suggestions(result) == []
    assert "9 项指标均得满分。" in sentences(narrative.conclusion(result))


def test_finding_groups_order_names_and_missing_codes():
    rows = pd.DataFrame(
        [
            ("A07", "提示", "指标「乙」(第3行)", "I02", "m1"),
            ("A13", "错误", "指标「甲」(第2行)", "I01", "m2"),
            ("A07", "警告", "指标「乙」(第5行)", "I03", "m3"),
            (None, "错误", "指标「丙」", "I04", "no code: no group, as groupby"),
            ("ZZ9", "提示", "预算「合计」", "", "not in the catalogue"),
        ],
        columns=["code", "severity", "where", "indicator_id", "message"],
    )
    groups = finding_groups(rows, catalogue())
    assert [(g["code"], g["severity"], g["count"]) for g in groups] == [
        ("A13", "错误", 1),
        ("A07", "警告", 2),
        ("ZZ9", "提示", 1),
    ]
    a07 = groups[1]
    assert a07["messages"] == ["m1", "m3"] and a07["indicator_ids"] == ["I02", "I03"]
    assert a07["names"] == ["乙"] and a07["title"] == catalogue().set_index("code").loc["A07", "title"]
    assert groups[2]["title"] == "ZZ9" and groups[2]["fix"] == ""
    assert finding_groups(rows, None)[0]["title"] == "A13"
