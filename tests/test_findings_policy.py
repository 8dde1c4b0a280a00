"""Findings worth reading: tolerances from params and jixiao.toml, materiality, one per problem, new checks."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import pandas as pd

from jixiao.core.model import UnitInfo
from jixiao.core.vocab import DEFAULT_TOLERANCES, Tolerances
from jixiao.read.files import load_evaluation
from jixiao.review.catalogue import catalogue
from jixiao.review.review import ReviewSettings, review
from jixiao.run.evaluate import evaluate_unit
from jixiao.run.params import load_params
from jixiao.run.project import load_project
from tests.conftest import ROOT, SAMPLES
from tests.test_checks import _attr, _budget, _note, _set, clean_evaluation

SELF_EVAL = SAMPLES / "xinhong_2023_self_evaluation.xlsx"


def _codes(found: pd.DataFrame, code: str) -> pd.DataFrame:
    return found[found["code"] == code]


def _unit_params(folder, tolerances: str | None):
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "unit_id: u1",
        "display_name: 测试单位",
        "year: 2023",
        "inputs:",
        f"  self_evaluation: {SELF_EVAL.resolve()}",
    ]
    if tolerances:
        lines.append(f"tolerances: {tolerances}")
    path = folder / "u1.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _a15_names(found: pd.DataFrame) -> set[str]:
    return {w.split("「", 1)[1].split("」", 1)[0] for w in _codes(found, "A15")["where"]}


# --- tolerances ------------------------------------------------------------------------------------


def test_review_defaults_are_the_vocab_tolerances():
    s = ReviewSettings()
    assert (s.score_tolerance, s.money_tolerance, s.rate_tolerance) == (
        DEFAULT_TOLERANCES.score,
        DEFAULT_TOLERANCES.money,
        DEFAULT_TOLERANCES.rate,
    )
    assert s.indicator_tolerance == DEFAULT_TOLERANCES.score
    assert ReviewSettings.from_tolerances(Tolerances(score=0.5)).indicator_tolerance == 0.5


def test_tolerances_in_unit_params_change_the_findings(tmp_path):
    default = evaluate_unit(load_params(_unit_params(tmp_path / "a", None))).findings
    assert len(_codes(default, "A06")) == 1  # Σ 103 against 总分 98.5
    assert _a15_names(default) == {"基本支出预算执行率", "项目支出预算执行率"}  # 99 vs 99.42, 100 vs 99.98
    loose = evaluate_unit(load_params(_unit_params(tmp_path / "b", "{score: 5, money: 0.01, rate: 0.1}"))).findings
    assert _codes(loose, "A06").empty
    assert _a15_names(loose) == {"基本支出预算执行率"}  # 0.02 points is now within tolerance, 0.42 is not


def test_tolerances_in_jixiao_toml_change_the_findings(tmp_path):
    project = tmp_path / "proj"
    (project / "params").mkdir(parents=True)
    (project / "jixiao.toml").write_text(
        '[project]\nname = "测试"\n\n[defaults]\ntolerances = { score = 5, money = 0.01, rate = 0.5 }\n',
        encoding="utf-8",
    )
    settings = load_project(project).settings
    assert settings.tolerances == Tolerances(score=5, money=0.01, rate=0.5)
    params = load_params(_unit_params(project / "params", None), settings)
    found = evaluate_unit(params).findings
    assert _codes(found, "A06").empty and _codes(found, "A15").empty
    # the unit's own params win over the project's defaults
    own = load_params(_unit_params(project / "params", "{score: 0.1, money: 0.01, rate: 0.01}"), settings)
    assert len(_codes(evaluate_unit(own).findings, "A06")) == 1


def test_no_finding_below_the_score_tolerance():
    # rule 20 × 94.95/95 = 19.99 against a claimed 20: 0.01 point is below the 0.1-point tolerance
    ev = _set(clean_evaluation(), "I02", actual="94.95", deviation_note="个别项目整改后验收")
    assert review(ev)[lambda f: f["code"].isin(["A20", "A21"])].empty
    strict = review(ev, settings=ReviewSettings(indicator_tolerance=0.001))
    assert len(_codes(strict, "A20")) == 1


# --- materiality and one finding per problem ----------------------------------------------------------


def test_rounding_gap_is_a_hint_and_a_wrong_amount_an_error():
    gap = review(_budget(clean_evaluation(), "基本支出", budget=300.2, initial_budget=300.2, reported_rate=96.6))
    a13 = _codes(gap, "A13")  # 年初 and 全年 预算数 both 0.2 over 1000: rounding, not a wrong amount
    assert len(a13) == 2 and set(a13["severity"]) == {"提示"} and a13["message"].str.contains("舍入差异").all()
    wrong = review(_budget(clean_evaluation(), "基本支出", budget=310.0, initial_budget=310.0, reported_rate=93.55))
    assert set(_codes(wrong, "A13")["severity"]) == {"错误"}


def test_low_execution_is_one_finding_for_the_unit():
    ev = _budget(clean_evaluation(), "合计", spent=800.0, reported_rate=80.0)
    ev = _budget(ev, "项目支出", spent=510.0, reported_rate=72.86)
    found = review(ev)
    assert len(_codes(found, "D04")) == 1 and "合计" in _codes(found, "D04").iloc[0]["where"]


def test_one_finding_per_indicator_and_code():
    found = review(load_evaluation(SELF_EVAL))
    per_indicator = found[found["scope"] == "indicator"]
    assert not per_indicator.duplicated(["code", "indicator_id"]).any()
    c04 = _codes(found, "C04").iloc[0]
    assert "预算编制规范性" not in c04["message"]  # the summary refers to the list, it does not repeat it


# --- new checks ---------------------------------------------------------------------------------------


def test_goal_without_indicator_and_completion():
    ev = clean_evaluation()
    ev.texts = {
        "年度目标": "一是组织培训场次不少于12场；二是建成智慧停车管理平台。",
        "完成情况": "对照年度目标，说明相关任务目标的完成情况（100字以内）",
    }
    found = _codes(review(ev), "C12")
    assert len(found) == 1 and "智慧停车" in found.iloc[0]["message"]  # 培训场次 has its indicator
    ev.texts["完成情况"] = "全年组织培训12场，智慧停车管理平台已上线运行。"
    assert _codes(review(ev), "C12").empty


def test_declaration_without_cost_indicator():
    ev = clean_evaluation()
    ev.unit = UnitInfo(name="测试单位", year=2024, table_type="declaration")
    assert len(_codes(review(ev), "C13")) == 1
    ev.indicators.loc[ev.indicators["indicator_id"] == "I03", ["level2", "name"]] = ["成本指标", "培训成本"]
    assert _codes(review(ev), "C13").empty


def test_satisfaction_written_as_equal_or_ceiling():
    for direction, target in (("=", "90"), ("", "≤90%"), ("", "=90%")):
        ev = _set(clean_evaluation(), "I05", direction=direction, target=target, unit="" if "%" in target else "%")
        c14 = _codes(review(ev), "C14")
        assert len(c14) == 1 and c14.iloc[0]["indicator_id"] == "I05", (direction, target)
    assert _codes(review(clean_evaluation()), "C14").empty  # ≥90% is right


def test_met_on_part_year_data_is_met_so_far():
    ev = _set(clean_evaluation(), "I02", deviation_note="数据截至9月30日")
    d06 = _codes(review(ev), "D06")
    assert len(d06) == 1 and "目前达成" in d06.iloc[0]["message"]
    full_year = _set(clean_evaluation(), "I02", deviation_note="数据截至12月31日")
    assert _codes(review(full_year), "D06").empty
    partial_score = _set(clean_evaluation(), "I02", deviation_note="数据截至9月30日", self_score=18.0)
    assert _codes(review(partial_score), "D06").empty
    assert not math.isnan(partial_score.indicators["self_score"].iloc[1])


def test_an_empty_zero_budget_line_is_not_broken_data():
    ev = clean_evaluation()
    zero = {c: math.nan for c in ev.budget.columns} | {
        "name": "上年结转",
        "group": "资金来源",
        "budget": 0.0,
        "spent": 0.0,
        "reported_rate": 0.0,
        "money_unit": "万元",
    }
    ev.budget = pd.concat([ev.budget, pd.DataFrame([zero])], ignore_index=True)
    assert _codes(review(ev), "A12").empty
    ev = _budget(clean_evaluation(), "合计", budget=0.0, initial_budget=0.0, spent=0.0, reported_rate=0.0)
    assert len(_codes(review(ev), "A12")) == 1  # a total of 0 beside lines with money is broken


def test_a_part_equal_to_the_total_is_not_reported_twice():
    ev = _budget(clean_evaluation(), "合计", spent=1010.0, reported_rate=101.0)
    same = ev.budget[ev.budget["name"] == "合计"].assign(name="财政拨款", group="资金来源")
    ev.budget = pd.concat([ev.budget, same], ignore_index=True)
    a11 = _codes(review(ev), "A11")
    assert len(a11) == 1 and "合计" in a11.iloc[0]["where"]


def test_money_tolerance_in_params_changes_the_findings():
    ev = _budget(clean_evaluation(), "基本支出", budget=300.2, initial_budget=300.2, reported_rate=96.6)
    assert len(_codes(review(ev), "A13")) == 2  # 0.2 万元 over the 1000 of the total, above 0.01
    loose = review(ev, settings=ReviewSettings.from_tolerances(Tolerances(money=0.5)))
    assert _codes(loose, "A13").empty


# --- reader notes and the catalogue ---------------------------------------------------------------


def test_reader_notes_are_marked_in_the_findings_and_the_json(tmp_path):
    found = review(load_evaluation(SELF_EVAL))
    notes = found[found["reader_note"]]
    assert set(notes["code"]) == {"A30"}  # 42 rows read out of line with the header: how the table was read
    assert not found.loc[~found["reader_note"], "code"].str.match(r"A3\d").any()  # A30-A39: reader notes
    result = evaluate_unit(load_params(_unit_params(tmp_path, None))).to_dict()
    marked = {f["code"] for f in result["findings"] if f["reader_note"]}
    assert marked == {"A30"} and all(isinstance(f["reader_note"], bool) for f in result["findings"])


_CODE_LITERAL = re.compile(r"""["']([A-EHR]\d{2})["']""")


def test_the_catalogue_is_complete_in_a_fresh_interpreter():
    """No code is registered by an import side effect: the catalogue module alone knows every code."""
    script = "import json; from jixiao.review.catalogue import catalogue; print(json.dumps(list(catalogue()['code'])))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    fresh = set(json.loads(done.stdout))
    used = {
        code
        for path in (ROOT / "jixiao" / "review").glob("*.py")
        for code in _CODE_LITERAL.findall(path.read_text(encoding="utf-8"))
    }
    assert used <= fresh, sorted(used - fresh)
    assert {"A50", "A51", "C20", "C21", "C22", "C23"} <= fresh
    assert fresh == set(catalogue()["code"])  # what this process sees after importing every check module


def test_a_qualitative_score_within_the_tolerance_of_its_band_is_not_a_finding():
    def qualitative(score: float):
        target = "年度培训计划全部落实"
        ev = _set(clean_evaluation(), "I01", nature="定性", target=target, actual=target, self_score=score)
        return _codes(review(_set(ev, "I01", deviation_note="部分课程延期")), "A22")

    assert qualitative(15.95).empty  # 达成 band [16, 20]: 0.05 below it is within the 0.1-point tolerance
    assert len(qualitative(15.8)) == 1


def test_a_score_over_its_weight_by_less_than_the_tolerance_is_not_a_finding():
    assert _codes(review(_set(clean_evaluation(), "I01", self_score=20.05)), "A04").empty
    assert len(_codes(review(_set(clean_evaluation(), "I01", self_score=20.5)), "A04")) == 1


def test_sums_are_not_judged_when_indicator_rows_were_not_read():
    ev = _attr(clean_evaluation(), reported_total=95.0)
    assert len(_codes(review(ev), "A06")) == 1
    _note(ev, "unreadable_row", 9, "该行无法识别为指标行，已跳过：培训课时 | 5 | …")
    found = review(ev)
    assert (
        _codes(found, "A06").empty and len(_codes(found, "A31")) == 1
    )  # Σ lacks the row not read: A06 would be an artefact
