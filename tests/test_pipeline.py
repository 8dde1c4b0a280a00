"""The pipeline facade on the three sample units (no notebook, no kernel)."""

from __future__ import annotations

import pytest

from jixiao.core.errors import ParamsError
from jixiao.read.files import load_evaluation
from jixiao.run.evaluate import evaluate_unit, score_evaluation, score_file
from jixiao.run.params import load_params
from tests.conftest import PARAMS_DIR


@pytest.fixture(scope="module")
def xinhong():
    return evaluate_unit(load_params(PARAMS_DIR / "xinhong-2023.yaml"))


def test_self_evaluation_unit(xinhong):
    # 25 indicators stay 待核实 after the one override: the total is a range and the grade 待定
    totals = xinhong.self_eval.totals
    assert (totals["review_total_low"], totals["review_total_high"]) == (45.89, 97.69)
    assert xinhong.total == 45.89 and xinhong.grade == "待定" and totals["pending_count"] == 25
    scored = xinhong.self_eval.scored.set_index("name")
    assert scored.loc["辅警人员出勤率", "status"] == "评价人判定"
    # the evaluator's override in params replaces the (missing) rule score, with its reason
    assert scored.loc["辅警人员出勤率", "review_score"] == 0
    assert "佐证材料" in scored.loc["辅警人员出勤率", "review_note"]
    assert scored.loc["基本支出预算执行率", "review_score"] == 0.99
    codes = set(xinhong.findings["code"])
    assert {"A50", "A04", "A06", "A07", "C05"} <= codes and "A02" not in codes  # level 1 repaired
    doc = xinhong.to_dict()
    assert doc["totals"]["review_total"] == 45.89 and doc["totals"]["review_total_high"] == 97.69
    assert len(doc["indicators"]) == 56
    assert sum(doc["finding_counts"].values()) == len(doc["findings"])


def test_declaration_only_unit():
    result = evaluate_unit(load_params(PARAMS_DIR / "xinhong-2024-declaration.yaml"))
    assert result.self_eval is None and result.declaration is not None
    assert len(result.declaration.scored) == 45  # 38 with targets and the 7 投入管理 rows citing 沪财绩〔2022〕13号
    assert result.total is None and result.grade == ""
    doc = result.to_dict()
    assert doc["totals"]["review_total"] is None and doc["totals"]["grade"] is None
    assert set(result.findings["code"]) <= {
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


def test_report_only_unit():
    result = evaluate_unit(load_params(PARAMS_DIR / "hongqiao-2024.yaml"))
    assert result.main is None and result.report is not None
    assert set(result.findings["code"]) == {"R02", "R03", "R20", "R30", "R31", "R33"}
    assert len(result.confirmations) >= 6


def test_weight_scheme_rescales_project_table(data_dir):
    ev = load_evaluation(data_dir / "project_layout.xlsx")
    unit = score_evaluation(ev, scheme="caiyu_2020_10")
    l1 = unit.level1.set_index("name")
    assert l1.loc["产出指标", "scheme_weight"] == 50 and l1.loc["满意度指标", "scheme_weight"] == 10
    assert unit.totals["weight_scheme"] == "caiyu_2020_10"


def test_scheme_that_does_not_fit_is_a_params_error(seed_000_path):
    with pytest.raises(ParamsError, match="投入管理"):
        score_file(seed_000_path, scheme="caiyu_2020_10")


def test_custom_grade_bands(seed_000_path):
    unit = score_file(seed_000_path, bands={"优": 85, "良": 75, "中": 60})
    assert unit.totals["rule_total"] == 89.09 and unit.totals["grade"] == "待定"  # 45.89–98.69 spans bands
    unit = score_file(seed_000_path, bands={"优": 40, "良": 30, "中": 20})
    assert unit.totals["grade"] == "优"  # the whole range sits in one band
