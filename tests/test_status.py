"""Review status of every indicator (确定 / 待核实 / 评价人判定), ranges instead of silent zeros, 征求意见稿 vs 终稿."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from jixiao.core.model import empty_indicators
from jixiao.core.status import CONFIRMED, GRADE_PENDING, JUDGED, PENDING, PENDING_REASONS
from jixiao.parse.values import parse_value
from jixiao.report import charts, charts_portfolio
from jixiao.review.table import check_rescoring, parse_targets
from jixiao.run.evaluate import evaluate_unit, score_file
from jixiao.run.params import load_params
from jixiao.run.runner import RESULT_SCHEMA, run_units, unit_output_paths
from jixiao.score.aggregate import GradeBands
from jixiao.score.scoring import score_indicators
from jixiao.score.status import pending_reason, review_status

from .test_params_edit import copy_unit

TOL = 0.005


def reason(name: str, target: str, actual: str, rule_score: float | None = 1.0, met=True, **kw) -> str:
    return pending_reason(
        name=name, target=parse_value(target), actual=parse_value(actual), rule_score=rule_score, met=met, **kw
    )


# --- the reasons -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, target, actual, rule_score, met, extra, expected",
    [
        ("群众投诉案件率降低", "降低", "降低", None, None, {}, "direction_no_baseline"),
        ("群众投诉案件率降低", "降低", "9.8%", 4.0, True, {"has_baseline": True}, ""),
        ("辅警人员出勤率", "100%", "", None, None, {}, "actual_missing"),
        ("某指标", "", "", None, None, {}, "target_actual_empty"),
        ("公众满意度", "≥90%", "≥90%", 5.0, True, {}, "satisfaction_no_survey"),
        ("公众满意度", "≥90%", "93%", 5.0, True, {"texts": "93% 问卷调查有效样本200份"}, ""),
        ("公众满意度", "≥90%", "93%", 5.0, True, {"survey_basis": True}, ""),
        ("资产投入使用率", "≥95%", "≥95%", 2.0, True, {}, "actual_repeats_target"),
        ("预算编制合理性", "合理", "合理", 2.0, True, {}, "qualitative_self_declared"),
        ("群众反映问题解决情况", "有效解决", "部分解决", 0.7, False, {}, ""),  # the unit's own admission
        ("培训场次", "12场", "12场", 1.0, True, {}, ""),
        ("培训场次", "≥12场", "已完成", None, None, {}, "qualitative_self_declared"),
        ("培训场次", "12场", "10场", 0.83, False, {}, ""),
        ("完工时间", "2023年9月", "2023年8月", 1.0, True, {}, ""),
    ],
)
def test_reason_of_each_kind_of_missing_evidence(name, target, actual, rule_score, met, extra, expected):
    assert reason(name, target, actual, rule_score, met, **extra) == expected
    assert expected == "" or expected in PENDING_REASONS


def test_pending_range_low_end_fails_high_end_is_the_claim_capped_at_the_weight():
    # direction without baseline: 0 if the evidence fails, the unit's 4 points if it holds
    st = review_status("direction_no_baseline", weight=4.0, self_score=4.0, rule_score=None)
    assert (st.status, st.reason, st.low, st.high) == (PENDING, "direction_no_baseline", 0.0, 4.0)
    assert math.isnan(st.review), "a pending indicator has no review score yet, never a silent 0"
    # qualitative claim: the 未达成 tier's default share at worst; never above the unit's own 1.00 of 2
    st = review_status("qualitative_self_declared", weight=2.0, self_score=1.0, rule_score=2.0)
    assert (st.low, st.high) == (0.6, 1.0)
    # a self score above the weight is capped at the weight; a low claim caps the low end too
    assert review_status("actual_repeats_target", weight=2.0, self_score=3.0, rule_score=None).high == 2.0
    assert review_status("qualitative_self_declared", weight=2.0, self_score=0.4, rule_score=2.0)[3:] == (0.4, 0.4)
    # a word claim (「已完成」) against a numeric target: nothing to fall back on, 0 at worst
    st = review_status("qualitative_self_declared", weight=2.0, self_score=2.0, rule_score=None, numeric_target=True)
    assert (st.low, st.high) == (0.0, 2.0)
    # nothing claimed (no 自评分, no rule score): the weight is the ceiling
    assert review_status("actual_missing", weight=1.0, self_score=None, rule_score=None)[3:] == (0.0, 1.0)


def test_evidence_resolves_claims_the_rule_scored_and_an_override_is_the_evaluators_judgement():
    st = review_status("qualitative_self_declared", weight=2.0, self_score=1.0, rule_score=2.0, has_evidence=True)
    assert (st.status, st.review, st.low, st.high) == (CONFIRMED, 2.0, 2.0, 2.0)
    st = review_status("direction_no_baseline", weight=4.0, self_score=4.0, rule_score=None, has_evidence=True)
    assert st.status == PENDING, "evidence cannot give a number the rule needs (a baseline)"
    st = review_status("direction_no_baseline", weight=4.0, self_score=4.0, rule_score=None, override=3.0)
    assert (st.status, st.review, st.low, st.high) == (JUDGED, 3.0, 3.0, 3.0)
    st = review_status("", weight=1.0, self_score=1.0, rule_score=0.99)
    assert (st.status, st.review, st.low, st.high) == (CONFIRMED, 0.99, 0.99, 0.99)


def test_grade_only_when_the_whole_range_sits_in_one_band():
    bands = GradeBands()
    assert bands.grade_range(80.0, 89.99) == "良"
    assert bands.grade_range(89.0, 90.0) == GRADE_PENDING
    assert bands.grade_range(92.0, 92.0) == "优"


# --- seed 000 (xinhong-2023) -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed(seed_000_path):
    return score_file(seed_000_path)


def test_seed_direction_only_indicators_are_pending_ranges_not_zero(seed):
    rows = seed.scored.set_index("name")
    for name, weight in (("群众投诉案件率降低", 4.0), ("降低非机动车违停案件数", 5.0)):
        row = rows.loc[name]
        assert (row["status"], row["status_reason"]) == (PENDING, "direction_no_baseline")
        assert (row["review_low"], row["review_high"]) == (0.0, weight)
        assert "参数" not in row["explanation"] and "baseline" not in row["explanation"]


def test_seed_budget_reasonableness_not_above_the_units_own_score_without_evidence(seed):
    row = seed.scored.set_index("name").loc["预算编制合理性"]
    # the unit writes 合理 but its own note says 预算的匹配性不够: 部分达成 by default (1.40), capped at its own 1.00
    assert row["self_score"] == 1.0 and row["rule_score"] == 1.4
    assert row["status"] == PENDING and row["review_high"] <= 1.0 + TOL


def test_seed_totals_are_a_range_and_the_grade_waits(seed):
    t = seed.totals
    assert t["review_total_low"] < t["review_total_high"]
    assert t["grade"] == GRADE_PENDING or GradeBands().grade(t["review_total_low"]) == GradeBands().grade(
        t["review_total_high"]
    )
    level1 = seed.level1
    assert (level1["review_low_sum"] <= level1["review_high_sum"]).all()
    assert level1["pending_count"].sum() == t["pending_count"] == (seed.scored["status"] == PENDING).sum()
    # the totals are the sums of the two ends
    assert t["review_total_high"] == pytest.approx(seed.scored["review_high"].sum(), abs=TOL)
    assert t["review_total_low"] == pytest.approx(seed.scored["review_low"].sum(), abs=TOL)


def test_recorded_evidence_resolves_pending_unless_the_project_says_otherwise(tmp_path):
    path = copy_unit(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "evidence:\n  预算编制规范性: 预算编制说明已核对\n", "utf-8")
    rows = evaluate_unit(load_params(path)).self_eval.scored.set_index("name")
    assert rows.loc["预算编制规范性", "status"] == CONFIRMED and rows.loc["预算编制规范性", "review_score"] == 1.0
    assert rows.loc["预算编制合理性", "status"] == PENDING
    params = load_params(path)
    rows = evaluate_unit(replace(params, evidence_resolves_pending=False)).self_eval.scored.set_index("name")
    assert rows.loc["预算编制规范性", "status"] == PENDING


# --- the batch run: 征求意见稿 while pending, 终稿 once every pending indicator is resolved (slow) --------------
def _overrides_for_every_pending(scored) -> str:
    lines = ["overrides:"]
    for r in scored[scored["status"] == PENDING].itertuples():
        if r.name == "辅警人员出勤率":
            continue  # already overridden in the sample params
        lines += [
            f"  {r.indicator_id}:",
            f"    score: {r.review_high:g}",
            "    reason: 佐证材料已核对，按单位自评分确认",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def draft_then_final(tmp_path_factory):
    root = tmp_path_factory.mktemp("status_run")
    path = copy_unit(root / "params")
    run = dict(params_dir=path.parent, outputs_dir=root / "outputs", progress=False, portfolio_template=None)
    first = run_units(["xinhong-2023"], force=True, **run)
    paths = unit_output_paths(root / "outputs", "xinhong-2023")
    draft = paths["client_html"].read_text(encoding="utf-8"), json.loads(paths["result"].read_text("utf-8"))
    scored = evaluate_unit(load_params(path)).self_eval.scored
    text = path.read_text(encoding="utf-8")
    # the sample's own override stays; the others are added to the same mapping
    text = text.replace("overrides:\n", _overrides_for_every_pending(scored), 1)
    path.write_text(text, encoding="utf-8")
    second = run_units(["xinhong-2023"], force=True, **run)
    final = paths["client_html"].read_text(encoding="utf-8"), json.loads(paths["result"].read_text("utf-8"))
    return first, draft, second, final


@pytest.mark.slow
def test_pending_unit_is_a_draft_with_the_pending_table(draft_then_final):
    first, (html, result), _, _ = draft_then_final
    assert first.exit_code == 0, first.format()
    t = result["totals"]
    assert t["pending_count"] > 0 and t["grade"] == GRADE_PENDING
    assert f"{t['review_total_low']:.2f}–{t['review_total_high']:.2f}" in html
    assert '<p class="jx-draft-mark">征求意见稿</p>' in html and '@top-right { content: "征求意见稿"' in html
    table = html[html.index("待核实指标及需补充的材料") :]
    table = table[: table.index("</table>")]
    for name in ("群众投诉案件率降低", "降低非机动车违停案件数"):
        assert name in table and "方向性指标缺少基期数据" in table
    assert "上年（基期）数据" in table and "0.00–4.00" in table and "0.00–5.00" in table
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html[html.index("<main>") :], flags=re.S)
    assert "baseline" not in body and "需在参数中" not in body
    assert "待核实 25 项（征求意见稿）" in first.units[0].line()


@pytest.mark.slow
def test_resolved_unit_is_a_final_report_whose_total_is_the_sum_of_reviewed_scores(draft_then_final):
    _, _, second, (html, result) = draft_then_final
    assert second.exit_code == 0, second.format()
    t = result["totals"]
    assert t["pending_count"] == 0 and t["review_total_low"] == t["review_total_high"] == t["review_total"]
    reviewed = [i["review_score"] for i in result["indicators"]]
    assert None not in reviewed and {i["status"] for i in result["indicators"]} <= {CONFIRMED, JUDGED}
    assert t["review_total"] == pytest.approx(sum(reviewed), abs=TOL)
    assert t["grade"] in ("优", "良", "中", "差") and f"「{t['grade']}」" in html
    body = html[html.index("<main>") :]
    assert "征求意见稿" not in body and "待核实指标及需补充的材料" not in body
    assert "终稿" in second.units[0].line()


def test_level1_chart_draws_the_pending_part_of_each_review_bar(seed):
    fig = charts.plot_level1_rates(seed.level1)
    self_bars, review_bars, pending = fig.axes[0].containers
    assert pending.get_label() == "待核实区间"
    rates = charts.level1_rates(seed.level1)
    tops = [b.get_y() + b.get_height() for b in pending]
    assert tops == pytest.approx(rates["review_high"].tolist(), abs=0.01)
    assert [b.get_height() for b in review_bars] == pytest.approx(rates["review"].tolist(), abs=0.01)


def test_schema_lists_every_reason_code_and_status():
    score = json.loads((RESULT_SCHEMA.parent / "score.schema.json").read_text(encoding="utf-8"))
    item = score["properties"]["indicators"]["items"]["properties"]
    assert set(item["status_reason"]["enum"]) - {None} == set(PENDING_REASONS)
    assert set(item["status"]["enum"]) - {None} == {CONFIRMED, PENDING, JUDGED}
    assert score["properties"]["schema_version"]["const"] == 2
    assert GRADE_PENDING in score["properties"]["totals"]["properties"]["grade"]["enum"]


def test_no_self_score_too_low_finding_on_an_unverified_claim():
    rows = [
        ("I01", "制度建设", "建立健全", "建立健全", "定性"),  # the unit's word only: 待核实, no raise above its 8
        ("I02", "培训场次", "12场", "12场", "定量"),  # measured: the rule proves 10
    ]
    ind = pd.concat(
        [
            empty_indicators(),
            pd.DataFrame(
                [
                    {"indicator_id": i, "level1": "产出指标", "name": n, "weight": 10.0, "target": t, "actual": a}
                    | {"nature": k, "self_score": 8.0, "source_row": 3}
                    for i, n, t, a, k in rows
                ]
            ),
        ]
    )
    scored = score_indicators(ind, year=2024)
    assert scored["status"].tolist() == [PENDING, CONFIRMED]
    found = check_rescoring(scored, parse_targets(scored, 2024))
    assert [(f["code"], f["indicator_id"]) for f in found] == [("A21", "I02")]


def test_portfolio_charts_show_pending_units_as_ranges_and_their_grade_as_pending():
    portfolio = pd.DataFrame(
        {
            "unit": ["U01", "U02", "U03"],
            "name": ["甲单位", "乙单位", "丙单位"],
            "total": [92.5, 45.89, np.nan],
            "total_high": [92.5, 97.69, np.nan],
            "grade": ["优", GRADE_PENDING, ""],
        }
    )
    fig = charts_portfolio.plot_grade_distribution(portfolio)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["优", "良", "中", "差", GRADE_PENDING, "未评级"]
    fig = charts_portfolio.plot_unit_ranking(portfolio)
    pending = [p for p in fig.axes[0].patches if p.get_gid() == "pending"]
    ends = sorted(round(p.get_x() + p.get_width(), 2) for p in pending if p.get_width() > 0)
    assert ends == [97.69]
