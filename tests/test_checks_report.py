"""Checks on narrative reports: seed 003, a clean report, and one mutation per code."""

from __future__ import annotations

import pandas as pd
import pytest

from jixiao.core.model import BUDGET_COLUMNS, Evaluation, UnitInfo, empty_indicators
from jixiao.read.narrative_report import read_report, read_report_text
from jixiao.review.catalogue import FINDING_COLUMNS, catalogue
from jixiao.review.narrative_report import check_report, report_confirmations
from tests.test_report_reader import CLEAN_REPORT, OTHER_STYLE, VARIANTS


@pytest.fixture(scope="module")
def seed(seed_003_path):
    return read_report(seed_003_path)


@pytest.fixture(scope="module")
def seed_findings(seed):
    return check_report(seed)


def _one(findings: pd.DataFrame, code: str) -> pd.Series:
    rows = findings[findings["code"] == code]
    assert len(rows) == 1, f"{code}: {len(rows)} findings\n{findings.to_string()}"
    return rows.iloc[0]


# --- seed 003 ---------------------------------------------------------------------------


def test_seed_finds_exactly_the_known_problems(seed_findings):
    assert list(seed_findings.columns) == FINDING_COLUMNS
    assert sorted(seed_findings["code"]) == ["R02", "R03", "R20", "R30", "R31", "R33"]


def test_seed_parts_gap(seed_findings):
    f = _one(seed_findings, "R02")
    assert f["severity"] == "错误" and f["scope"] == "budget"
    assert (f["expected"], f["reported"]) == ("5,650.59万元", "5,650.61万元")
    assert "相差 0.02万元" in f["message"] and "第115行" in f["where"]


def test_seed_budget_adjustment(seed_findings):
    f = _one(seed_findings, "R03")
    assert f["severity"] == "警告"
    assert "6,833.68万元" in f["message"] and "5,650.61万元" in f["message"]
    assert "调减 1,183.07万元（-17.31%）" in f["message"]


def test_seed_time_artefact(seed_findings):
    f = _one(seed_findings, "R30")
    assert f["severity"] == "错误" and f["reported"] == "15:01:00"
    assert "社会前端管理绩效水平" in f["where"] and f["indicator_id"] == "RT53"


def test_seed_rate_in_count_unit(seed_findings):
    f = _one(seed_findings, "R31")
    assert "安全隐患消除率" in f["message"] and f["reported"] == "0 起"


def test_seed_duplicate_indicator(seed_findings):
    f = _one(seed_findings, "R33")
    assert "机动执法队人员到岗数" in f["message"] and "第67、69行" in f["message"]


def test_seed_period_coverage(seed_findings):
    f = _one(seed_findings, "R20")
    assert (f["expected"], f["reported"]) == ("2024-12-31", "2024-09-30")
    assert "第121、127、131行" in f["where"]  # not line 115: the budget is as of 2024-12-31


def test_seed_confirmations(seed):
    conf = report_confirmations(seed)
    rates = conf[conf["code"] == "R01"]
    assert list(rates["reported"]) == ["98.88%", "97.05%", "99.14%"]
    assert (rates["expected"] == rates["reported"]).all()
    met = conf[conf["code"] == "R21"].set_index(conf.loc[conf["code"] == "R21", "where"].str.extract(r"「(.+?)」")[0])
    assert met.loc["按时办结率", ["expected", "reported"]].tolist() == ["≥ 99%", "100%"]
    assert met.loc["实际解决率", ["expected", "reported"]].tolist() == ["≥ 80%", "87.3%"]
    assert met.loc["市民满意率", ["expected", "reported"]].tolist() == ["≥ 80%", "81.84%"]
    spent = conf[(conf["code"] == "R02") & conf["item"].str.startswith("执行金额")]
    assert spent["reported"].tolist() == ["5,587.07万元"]


# --- clean report and its variants ----------------------------------------------------------


@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_clean_report_has_no_findings(variant):
    transform, _, _ = VARIANTS[variant]
    rep = read_report_text(transform(CLEAN_REPORT))
    findings = check_report(rep)
    assert findings.empty, findings.to_string()
    conf = report_confirmations(rep)
    assert conf.loc[conf["code"] == "R01", "reported"].tolist() == ["95.00%", "96.67%", "94.29%"]
    assert (conf["code"] == "R21").sum() == 2


MUTATIONS = [
    ("R01", "预算执行率 95.00%", "预算执行率 95.50%"),
    ("R02", "其中基本支出预算 300.00 万元", "其中基本支出预算 310.00 万元"),
    ("R03", "年初预算 1,000.00 万元", "年初预算 1,200.00 万元"),
    ("R04", "执行金额 660.00 万元，执行率 94.29%", "执行金额 710.00 万元，执行率 101.43%"),
    (
        "R05",
        "2025年部门年初预算 1,000.00 万元，全年预算 1,000.00 万元，执行金额 950.00 万元，预算执行率 95.00%。其中基本支出预算 300.00 万元，执行金额 290.00 万元，执行率 96.67%；项目支出预算 700.00 万元，执行金额 660.00 万元，执行率 94.29%。",
        "本年度预算资金按计划使用，全部用于城市运行管理、网格化管理和应急值守等各项工作。",
    ),
    ("R06", "执行金额 660.00 万元，执行率 94.29%", "执行金额 560.00 万元，执行率 80.00%"),
    ("R10", "四、绩效自评结果应用和公开情况\n", "（五）其他情况\n"),
    (
        "R11",
        "三、存在问题及改进措施\n（一）存在问题\n部分老旧小区网格巡查频次不足，夜间案件发现率偏低，个别工单重复投诉。\n（二）改进措施\n2026年增加夜间巡查班次2个，对重复投诉工单实行专人跟踪，每月通报处置情况。",
        "三、存在问题及改进措施\n暂无。",
    ),
    ("R20", "截至2025年12月31日", "截至2025年9月30日"),
    ("R20", "2025年部门年初预算", "截至2025年11月30日，2025年部门年初预算"),
    ("R21", "市民满意率92.50%", "市民满意率85.50%"),
    ("R30", "应急值守到岗率 100%", "应急值守到岗率 12:00:00"),
    ("R31", "辖区安全事故发生数 0(起)", "辖区安全隐患整改率 0(起)"),
    ("R32", "应急值守到岗率 100%", "应急值守到岗率"),
    ("R33", "应急值守到岗率 100%", "应急值守到岗率 100%；网格巡查案件上报量 1,200(件)"),
]


@pytest.mark.parametrize("code, old, new", MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_each_problem_is_found(code, old, new):
    assert old in CLEAN_REPORT
    findings = check_report(read_report_text(CLEAN_REPORT.replace(old, new)))
    assert code in set(findings["code"]), findings.to_string()
    f = _one(findings, code)
    assert f["message"] and f["where"] and f["severity"] in ("错误", "警告", "提示")


def test_explained_adjustment_is_a_confirmation():
    text = CLEAN_REPORT.replace("全年预算 1,000.00 万元", "因项目调减，全年预算 900.00 万元").replace(
        "执行金额 950.00 万元，预算执行率 95.00%", "执行金额 855.00 万元，预算执行率 95.00%"
    )
    text = text.replace(
        "项目支出预算 700.00 万元，执行金额 660.00 万元，执行率 94.29%",
        "项目支出预算 600.00 万元，执行金额 565.00 万元，执行率 94.17%",
    )
    rep = read_report_text(text)
    assert check_report(rep).empty
    conf = report_confirmations(rep)
    row = conf[conf["code"] == "R03"].iloc[0]
    assert row["reported"] == "调减 100.00万元（-10.00%）"


def test_other_style_report():
    rep = read_report_text(OTHER_STYLE)
    findings = check_report(rep)
    missing = findings.loc[findings["code"] == "R10", "expected"]
    assert sorted(missing) == ["存在问题及改进措施", "绩效管理开展情况"]
    assert set(findings["code"]) == {"R10", "R11"}  # and short sections; the 调增 is explained
    conf = report_confirmations(rep)
    assert conf.loc[conf["code"] == "R03", "reported"].tolist() == ["调增 654,322.00元（+5.30%）"]


def test_low_rate_with_reason_is_not_flagged():
    text = CLEAN_REPORT.replace(
        "执行金额 660.00 万元，执行率 94.29%", "执行金额 560.00 万元，执行率 80.00%，主要原因是部分项目延期至次年实施"
    )
    codes = set(check_report(read_report_text(text))["code"])
    assert "R06" not in codes and "R02" in codes  # 290 + 560 ≠ 950 is still found


# --- against the self-evaluation table -----------------------------------------------------------


def _evaluation(total: float | None, scale: float = 1e4, unit: str = "元", basic_spent: float = 290.0) -> Evaluation:
    rows = [("合计", 1000.0, 950.0, 95.0), ("基本支出", 300.0, basic_spent, 96.67), ("项目支出", 700.0, 660.0, 94.29)]
    budget = pd.DataFrame(
        [
            {
                "name": n,
                "group": "",
                "initial_budget": float("nan"),
                "budget": b * scale,
                "spent": s * scale,
                "reported_rate": r,
                "rate": r,
                "weight": float("nan"),
                "reported_score": float("nan"),
                "money_unit": unit,
                "source_row": 1,
            }
            for n, b, s, r in rows
        ],
        columns=BUDGET_COLUMNS,
    )
    return Evaluation(unit=UnitInfo(name="示例"), indicators=empty_indicators(), budget=budget, reported_total=total)


SCORED_REPORT = CLEAN_REPORT.replace(
    "自评结果将作为", "本年度部门整体支出绩效自评得分 92.50 分，自评等级为“优”。自评结果将作为"
)


def test_report_matches_table_in_yuan():
    rep = read_report_text(SCORED_REPORT)
    assert (rep.reported_total, rep.reported_grade) == (92.5, "优")
    ev = _evaluation(92.5)
    assert check_report(rep, evaluation=ev).empty
    conf = report_confirmations(rep, evaluation=ev)
    assert (conf["code"] == "R22").sum() == 9  # 3 lines × (全年预算, 执行金额, 执行率)
    assert (conf["code"] == "R23").sum() == 2


def test_report_differs_from_table():
    rep = read_report_text(SCORED_REPORT)
    findings = check_report(rep, evaluation=_evaluation(85.0, scale=1.0, unit="万元", basic_spent=291.0))
    r22 = _one(findings, "R22")
    assert "执行金额" in r22["message"] and (r22["expected"], r22["reported"]) == ("291.00万元", "290.00万元")
    r23 = findings[findings["code"] == "R23"]
    assert sorted(r23["expected"]) == ["85.00", "良"]


# --- catalogue ------------------------------------------------------------------------------


def test_codes_are_documented():
    cat = catalogue()
    codes = "R01 R02 R03 R04 R05 R06 R10 R11 R20 R21 R22 R23 R30 R31 R32 R33".split()
    mine = cat[cat["code"].isin(codes)]
    assert len(mine) == len(codes)
    assert mine.set_index("code")["group"].to_dict() == {c: "C" if c.startswith("R3") else "E" for c in codes}
    for col in ("title", "meaning", "fix"):
        assert mine[col].str.contains(r"[\u4e00-\u9fff]").all()
