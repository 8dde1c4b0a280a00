"""The review facade on the seeds: every acceptance item of seed 000, in both input forms."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jixiao.core.vocab import SEVERITIES, Tolerances
from jixiao.read.files import load_evaluation
from jixiao.read.narrative_report import read_report
from jixiao.review.catalogue import FINDING_COLUMNS, catalogue
from jixiao.review.review import ReviewSettings, catalogue_markdown, review, summarize_findings
from jixiao.score.structure import repair_structure

from .conftest import DATA, ROOT, SAMPLES, SEED_000

SEED_000_FORMS = {"text-export": SEED_000, "xlsx-merged": SAMPLES / "xinhong_2023_self_evaluation.xlsx"}

OVER_WEIGHT = {
    "考核合格率",
    "窞井盖覆盖率",
    "验收合格率",
    "考核及时性",
    "租赁及时性",
    "招标及时性",
    "项目完工及时性",
    "非机动车日常管理及时性",
    "设施、设备维护及时性",
    "投诉响应及时性",
}
VAGUE = {
    "预算编制规范性",
    "预算编制合理性",
    "预算调整合理性",
    "资金使用规范性",
    "结转结余资金管理情况",
    "国库单一账户管理有效性",
    "单位年度绩效管理工作",
    "信息公开规范性",
    "财政监管有效性",
    "政府采购规范性",
    "资产管理健全性",
    "资产处置合规性",
    "群众投诉案件率降低",
    "长效管理机制",
    "应急响应及投诉处理机制",
    "降低非机动车违停案件数",
}


@pytest.fixture(scope="module", params=list(SEED_000_FORMS), ids=list(SEED_000_FORMS))
def seed000(request):
    evaluation = load_evaluation(SEED_000_FORMS[request.param])
    return evaluation, review(evaluation)


def _code(findings, code):
    return findings[findings["code"] == code]


def _one(findings, code, name=None):
    rows = _code(findings, code)
    if name is not None:
        rows = rows[rows["where"].str.replace(" ", "").str.contains(f"「{name}」", regex=False)]
    assert len(rows) == 1, f"{code} {name}: {len(rows)}\n{findings.to_string()}"
    return rows.iloc[0]


def _names(rows):
    return {w.split("「", 1)[1].split("」", 1)[0].replace(" ", "") for w in rows["where"]}


def test_total_reported_as_given_and_capped(seed000):
    _, found = seed000
    total = _one(found, "A06")
    assert total["severity"] == "错误"
    assert total["reported"] == "98.50"
    assert total["expected"] == "103.00（按分值封顶 98.00）"
    assert "103.00" in total["message"] and "98.00" in total["message"] and "98.50" in total["message"]


def test_ten_scores_above_their_weight_each_by_name(seed000):
    _, found = seed000
    over = _code(found, "A04")
    assert len(over) == 10 and _names(over) == OVER_WEIGHT
    assert set(over["severity"]) == {"错误"}
    assert set(zip(over["expected"], over["reported"])) == {("≤0.50", "1.00")}
    assert set(over["scope"]) == {"indicator"} and over["indicator_id"].str.match(r"^I\d+$").all()


def test_missing_actual_and_score(seed000):
    _, found = seed000
    assert _one(found, "A07", "辅警人员出勤率")["reported"] == "（空）"
    assert _one(found, "A08", "辅警人员出勤率")["reported"] == "（空）"


def test_level1_labels_repaired_by_the_declared_weights(seed000):
    evaluation, found = seed000
    assert _code(found, "A02").empty  # the four sum errors were artefacts of the misprinted labels
    repair = _one(found, "A50")
    assert repair["reported"] == "投入管理指标 32、产出指标 22、效益指标 26、满意度指标 20"
    assert repair["expected"] == "投入管理指标 30、产出指标 25、效益指标 35、满意度指标 10"
    assert "错位两行" in repair["message"] and "招募辅警人数" in repair["message"]
    sums = repair_structure(evaluation).indicators.groupby("level1", sort=False)["weight"].sum().to_dict()
    assert sums == {"投入管理指标": 30, "产出指标": 25, "效益指标": 35, "满意度指标": 10}
    assert "A01" not in set(found["code"])  # 30 + 25 + 35 + 10 = 100: the declared weights themselves add up


def test_basic_expenditure_rate(seed000):
    evaluation, found = seed000
    assert _code(found, "A20").empty  # 1.00 claimed against 0.99: within the 0.1-point score tolerance
    strict = review(evaluation, settings=ReviewSettings(indicator_tolerance=0.001))
    high = _one(strict, "A20", "基本支出预算执行率")
    assert (high["expected"], high["reported"]) == ("0.99", "1.00")
    assert "未达到指标值却自评满分" in high["message"]
    block = _one(found, "A15", "基本支出预算执行率")
    assert (block["expected"], block["reported"]) == ("99.42%", "99%")
    assert "99.42%" in block["message"]
    _one(found, "D01", "基本支出预算执行率")


def test_note_without_deduction(seed000):
    # the unit's own note admits a shortfall on a qualitative claim: one S01 quoting it (no D02/A20/A22 beside it)
    _, found = seed000
    row = _one(found, "S01", "单位年度绩效管理工作")
    assert "“绩效目标不够完善”" in row["message"] and "部分达成" in row["message"] and "0.30–0.70" in row["message"]
    row = _one(found, "S01", "预算编制合理性")
    assert "“预算的匹配性不够”" in row["message"] and "0.60–1.00" in row["message"]
    assert len(_code(found, "S01")) == 2 and _code(found, "D02").empty and _code(found, "A22").empty


def test_vague_targets_one_per_indicator_and_one_summary(seed000):
    _, found = seed000
    assert _names(_code(found, "C03")) == VAGUE and len(_code(found, "C03")) == len(VAGUE)
    summary = _one(found, "C04")
    assert summary["scope"] == "unit" and summary["reported"] == f"{len(VAGUE)} 项"


def test_copied_actuals_one_per_indicator_and_the_pattern_once(seed000):
    _, found = seed000
    copied = _code(found, "C05")
    pattern = copied[copied["scope"] == "unit"]
    assert len(pattern) == 1 and pattern.iloc[0]["reported"] == "54 / 55 项"
    each = copied[copied["scope"] == "indicator"]
    assert {"系统友好度", "公众满意度", "预算编制规范性"} <= _names(each)
    assert "基本支出预算执行率" not in _names(each)  # 99% against 100% is a measurement
    assert each["indicator_id"].is_unique
    assert "系统友好度" not in pattern.iloc[0]["message"]  # the summary does not repeat the listed ones


@pytest.mark.parametrize(
    ("code", "name", "reported"),
    [
        ("C08", "交通安全事故数", "0%"),
        ("C08", "政务外网网络租赁质量达标率", "200M"),
        ("C09", "防疫外围秩序维护人员数：6人", "防疫外围秩序维护人员数：6人"),
    ],
    ids=["count-in-percent", "rate-in-megabits", "target-in-name"],
)
def test_units_that_do_not_fit(seed000, code, name, reported):
    _, found = seed000
    assert _one(found, code, name)["reported"] == reported


def test_shifted_rows_summarised_once(seed000):
    evaluation, found = seed000
    shifted = _one(found, "A30")
    assert shifted["severity"] == "提示"
    notes = evaluation.notes
    assert shifted["reported"] == f"{notes.loc[notes['code'] == 'shifted_row', 'row'].nunique()} 行错位"


def test_seed000_codes_are_exactly_the_known_problems(seed000):
    _, found = seed000
    assert list(found.columns) == FINDING_COLUMNS
    assert sorted(set(found["code"])) == [
        "A04",
        "A06",
        "A07",
        "A08",
        "A15",
        "A30",
        "A50",
        "C02",
        "C03",
        "C04",
        "C05",
        "C07",
        "C08",
        "C09",
        "C10",
        "C21",
        "C23",
        "D01",
        "S01",
    ]
    order = [SEVERITIES.index(s) for s in found["severity"]]
    assert order == sorted(order)


# --- the clean table, other layouts, report and settings ---------------------------------------


def test_clean_unit_has_no_findings():
    found = review(load_evaluation(DATA / "clean_unit.xlsx"))
    assert found.empty, found.to_string()


def test_report_alone_gets_report_checks(seed_003_path):
    from jixiao.read.narrative_report import read_report

    found = review(None, report=read_report(seed_003_path))
    assert set(found["code"]) == {"R02", "R03", "R20", "R30", "R31", "R33"}


def test_project_layout_budget_score_counts_in_total_and_weights():
    found = review(load_evaluation(DATA / "project_layout.xlsx"))
    codes = set(found["code"])
    assert not codes & {"A01", "A03", "A06", "A14"}  # 50 + 30 + 10 + budget 10; Σ 87 + 9.5 = 96.5
    assert _one(found, "A20", "完工时间")["reported"] == "8.00"
    assert "D05" in codes  # 年初 500 → 全年 480 without a word on the adjustment


def test_declaration_alone_gets_only_target_checks(seed_001_path):
    found = review(load_evaluation(seed_001_path))
    assert set(found["code"]) <= {
        "A30",
        "A32",
        "A52",
        "C01",
        "C02",
        "C03",
        "C04",
        "C08",
        "C09",
        "C10",
        "C11",
        "C13",
        "C14",
    }
    assert "C03" in set(found["code"])


def test_report_findings_are_merged(seed_003_path):
    evaluation = load_evaluation(SEED_000)
    found = review(evaluation, report=read_report(seed_003_path))
    assert any(c.startswith("R") for c in found["code"])
    assert "A06" in set(found["code"])


def test_settings_change_what_is_reported():
    evaluation = load_evaluation(SEED_000)
    assert "A06" not in set(review(evaluation, settings=ReviewSettings(score_tolerance=5.0))["code"])
    loose = review(evaluation, settings=ReviewSettings(rate_tolerance=0.1))
    assert _names(_code(loose, "A15")) == {"基本支出预算执行率"}  # 99.98 vs 100 is within 0.1 pp, 99.42 vs 99 is not


def test_settings_from_params_tolerances():
    s = ReviewSettings.from_tolerances(Tolerances(score=0.5, money=1.0, rate=0.1), over_ratio=1.5)
    assert (s.score_tolerance, s.money_tolerance, s.rate_tolerance, s.over_ratio) == (0.5, 1.0, 0.1, 1.5)


def test_summarize_counts_per_severity():
    found = review(load_evaluation(SEED_000))
    counts = summarize_findings(found)
    assert list(counts) == [*SEVERITIES, "合计"]
    assert counts["错误"] == len(found[found["severity"] == "错误"]) == 11  # 10 × A04, A06
    assert sum(counts[s] for s in SEVERITIES) == counts["合计"] == len(found)
    assert summarize_findings(review(load_evaluation(SEED_000)).iloc[0:0]) == {
        "错误": 0,
        "警告": 0,
        "提示": 0,
        "合计": 0,
    }


# --- the catalogue -----------------------------------------------------------------------------


def test_committed_catalogue_equals_generated():
    generated = subprocess.run(
        [sys.executable, "-m", "jixiao.review.review"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert (ROOT / "docs" / "CHECKS.md").read_text(encoding="utf-8") == generated
    assert generated == catalogue_markdown()


def test_every_code_is_unique_and_documented():
    cat = catalogue()
    assert cat["code"].is_unique
    doc = (ROOT / "docs" / "CHECKS.md").read_text(encoding="utf-8")
    reviewed = cat[cat["group"].isin(list("ABCDE"))]
    assert len(reviewed) >= 60
    for row in reviewed.itertuples():
        assert f"| {row.code} | {row.severity} | {row.title} |" in doc


def test_review_reuses_the_values_parsed_by_scoring(monkeypatch):
    """Parse once: given the scored table, the review never parses a target or actual again."""
    from jixiao.read.files import load_evaluation
    from jixiao.review import table
    from jixiao.review.review import review
    from jixiao.score.scoring import score_indicators
    from tests.conftest import SAMPLES

    evaluation = load_evaluation(SAMPLES / "xinhong_2023_self_evaluation.xlsx")
    scored = score_indicators(evaluation.indicators, year=evaluation.unit.year)
    expected = review(evaluation, scored=scored)
    assert {"target_value", "actual_value"} <= set(scored.columns)

    def forbidden(*args, **kwargs):
        raise AssertionError("the review parsed a value again")

    monkeypatch.setattr(table, "parse_value", forbidden)
    again = review(evaluation, scored=scored)
    assert again.to_dict("records") == expected.to_dict("records")
