"""What a firm signs: the client report's text on every sample, its conclusion, its experience, its identity.

The slow tests run the sample project (papermill, as ``jixiao run`` does) and scan each client
HTML's body text and its Word report for English words (file names aside), analyst
instructions, reader notes, repeated sentences and doubled words (:mod:`jixiao.report.textlint`);
the reader notes must be in the analyst HTML's 读取说明 instead. The fast tests check the
checker itself and the narrative facts on the sample units in-process.
"""

from __future__ import annotations

import copy
import io
import json
import re

import nbformat
import pytest
from docx import Document

from jixiao.read.files import load_evaluation
from jixiao.read.headers import unit_identity
from jixiao.report import conclusion, experience, narrative, sections, textlint
from jixiao.report.facts import findings_of, reader_notes_of
from jixiao.run.evaluate import evaluate_unit
from jixiao.run.handoff import ANALYST_TAG
from jixiao.run.htmlexport import render_analyst_html, render_client_html
from jixiao.run.params import list_units, load_params
from jixiao.run.project import load_project
from jixiao.run.runner import run_units, unit_output_paths
from jixiao.run.wordexport import notebook_blocks
from tests.conftest import PARAMS_DIR, ROOT, SAMPLES, SEED_000

UNITS = [p.stem for p in list_units(PARAMS_DIR)]
READER_CODES = {f"A3{i}" for i in range(10)}


# --- the checker --------------------------------------------------------------------------------
def test_lint_finds_each_kind_of_problem_and_passes_clean_text():
    bad = (
        "<html><body><main><p>复核发现 2 条，需在参数中提供 baseline。</p>"
        "<p>原表有 42 行单元格与表头错位（第 33、34 行），已按内容形状识别。</p>"
        "<table><caption>投入管理指标指标计分</caption></table>"
        "<p>单位自评总分 98.50 分，等级为「优」，复核总分较自评低 8.51 分。</p>"
        "<p>单位自评总分 98.50 分，等级为「优」，复核总分较自评低 8.51 分。</p></main></body></html>"
    )
    found = textlint.lint_client_html(bad, ["原表有 42 行单元格与表头错位（第 33、34 行）"])
    kinds = {p.split("：")[0] for p in found}
    assert kinds == {"英文单词", "给分析人员的说明", "读取说明进入客户报告", "重复的句子", "重复的词"}
    assert "英文单词：baseline" in found
    clean = (
        "<html><body><main><p>复核材料为《自评表》（xinhong_2023_self_evaluation.xlsx），"
        "校验值 3f2b319c8904045a3f2b319c，SHA-256；长度 50km。</p>"
        "<nav><ol><li>摘要</li></ol></nav><h2>摘要</h2></main></body></html>"
    )
    assert textlint.lint_client_html(clean) == []


# --- the narrative on the samples, in-process -------------------------------------------------------
@pytest.fixture(scope="module")
def results():
    return {unit: evaluate_unit(load_params(PARAMS_DIR / f"{unit}.yaml")) for unit in UNITS}


def test_seed_000_names_the_unit_evaluated_and_its_supervising_department_as_printed(results):
    # The seed prints 街镇名称 上海市闵行区新虹街道办事处 and 所属部门 新虹街道城市运行管理中心:
    # the 所属部门 is the unit evaluated, the 街镇 its 主管部门.
    for path in (SEED_000, SAMPLES / "xinhong_2023_self_evaluation.xlsx"):
        unit = load_evaluation(path).unit
        assert (unit.name, unit.department) == ("新虹街道城市运行管理中心", "上海市闵行区新虹街道办事处")
    text = narrative.basic_info(results["xinhong-2023"])[0]
    assert "被评价单位为「新虹街道城市运行管理中心」，主管部门为「上海市闵行区新虹街道办事处」" in text


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"name": "某学校", "department": "某区教育局"}, ("某学校", "某区教育局")),
        ({"town": "某街道办事处", "belongs": "某街道城运中心"}, ("某街道城运中心", "某街道办事处")),
        ({"name": "某单位", "belongs": "某局"}, ("某单位", "某局")),
        ({"town": "某镇人民政府"}, ("某镇人民政府", "")),
    ],
    ids=["unit-and-department", "town-table", "unit-and-belongs", "town-only"],
)
def test_unit_identity_by_labels(labels, expected):
    assert unit_identity(dict(labels)) == expected


def test_conclusion_is_a_judgement_not_a_count_of_findings(results):
    result = results["xinhong-2023"]
    (verdict,) = [p for p in narrative.conclusion(result) if p.startswith("评价结论：")]
    assert "复核得分 89.99 分，评价等级为「良」" in verdict or "复核得分在" in verdict
    assert "资金使用方面" in verdict and "执行率 99.87%" in verdict
    assert "绩效目标方面" in verdict and "不足主要在" in verdict
    judged = conclusion.judgement(result)
    scored = result.self_eval.scored
    direction_only = scored[scored["name"].isin(["群众投诉案件率降低", "降低非机动车违停案件数"])]
    assert {r["name"] for r in judged["weak"]} >= set(direction_only["level1"])  # where they sit, repaired or not
    assert not re.search(r"复核发现.{0,4}\d+ 条|错误 \d+ 条|警告 \d+ 条", verdict)


def test_a_score_range_gives_a_range_and_an_undecided_grade(results):
    result = results["xinhong-2023"]
    totals = result.self_eval.totals
    saved = dict(totals)
    try:
        totals.update(review_total_low=85.0, review_total_high=94.0)
        judged = conclusion.judgement(result)
        assert (judged["low"], judged["high"], judged["grade"]) == (85.0, 94.0, "待定")
        (verdict,) = [p for p in narrative.conclusion(result) if p.startswith("评价结论：")]
        assert "复核得分在 85.00 至 94.00 分之间" in verdict and "评价等级为「待定」" in verdict
        totals["pending_count"] = judged["n_pending"]
        summary = "".join(narrative.summary(result))
        assert "85.00" in summary and "94.00" in summary and "待定" in summary
        cover = sections.show_cover(result).data
        assert "85.00–94.00" in cover and '<span class="value">待定</span>' in cover
        totals.update(review_total_low=91.0, review_total_high=94.0)
        assert conclusion.judgement(result)["grade"] == saved["grade"]  # the whole range within one band
    finally:
        totals.clear()
        totals.update(saved)


def test_experience_quotes_the_units_own_account(results):
    text = "".join(narrative.experience(results["xinhong-2023"]))
    assert text.startswith("单位自评称，2023年度主要做法有 6 方面：一是「“网格+固全”")
    assert "对履职情况，单位自述为「做好城市市容综合管理" in text and "复核未逐项核实" in text
    assert not re.search(r"得满分|得分率|\d+\.\d\d%", text)  # not from scores or arithmetic
    report = "".join(narrative.experience(results["hongqiao-2024"]))
    assert "单位自评报告称" in report and "「完善工作机制，热线办理水平稳中有升" in report


def test_practice_items_follow_the_units_numbering():
    text = "(一) 甲项工作，完成10处。补充说明。\n1. 子项\n(二) 乙项工作\n(三) 丙项工作，持续推进"
    assert experience.practice_items(text) == ["甲项工作，完成10处", "乙项工作", "丙项工作，持续推进"]
    assert experience.practice_items("全年完成以下工作：\n1. 甲\n2. 乙") == ["甲", "乙"]
    assert experience.practice_items("1.企服服务能级全力提升 2.城市建设进程增能提速") == [
        "企服服务能级全力提升",
        "城市建设进程增能提速",
    ]
    assert experience.practice_items("完成巡查120次。处置问题85件。") == ["完成巡查120次", "处置问题85件"]


def test_declaration_alone_is_a_target_review_of_every_group_read(results):
    result = results["xinhong-2024-declaration"]
    assert conclusion.review_kind(result)["subtitle"] == "绩效目标审核意见"
    aspects = [a["name"] for a in conclusion.aspect_opinions(result)]
    assert aspects == ["完整性", "相关性", "可衡量性", "合理性"]
    paragraphs = narrative.conclusion(result)
    assert paragraphs[0].startswith("审核意见：")
    for paragraph, head in zip(paragraphs[1:5], ("一是完整性。", "二是相关性。", "三是可衡量性。", "四是合理性。")):
        assert paragraph.startswith(head)
    groups = list(dict.fromkeys(result.declaration.evaluation.indicators["level1"]))
    assert [part.name for part in narrative.level1_analysis(result)] == groups
    assert "不计分" not in narrative.conclusion(result)[0]


def test_report_alone_is_a_report_review(results):
    result = results["hongqiao-2024"]
    assert conclusion.review_kind(result)["subtitle"] == "部门整体支出绩效自评报告审核意见"
    assert narrative.conclusion(result)[0].startswith("审核意见：")
    method = sections.show_method(result).data
    assert "逐项审核" in method and "逐项计分" not in method and "复核对象" not in method


# --- every sample, run as jixiao run does ----------------------------------------------------------
@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    outputs = tmp_path_factory.mktemp("outputs")
    summary = run_units(None, project=load_project(ROOT), outputs_dir=outputs, progress=False, jobs=2)
    assert summary.exit_code == 0, summary.format()
    return outputs


def _reader_messages(result: dict) -> list[str]:
    notes = [f["message"] for f in result["findings"] if f["code"] in READER_CODES]
    for part in ("self_evaluation", "declaration"):
        notes += [n["message"] for n in (result.get(part) or {}).get("reader_notes") or []]
    return notes


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS)
def test_client_html_text_is_fit_to_sign(sample_run, unit):
    paths = unit_output_paths(sample_run, unit)
    result = json.loads(paths["result"].read_text(encoding="utf-8"))
    html = paths["client_html"].read_text(encoding="utf-8")
    assert textlint.lint_client_html(html, _reader_messages(result)) == []
    assert "读取说明" not in html
    assert result["text_check"] == []  # the check jixiao run applies agrees


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS)
def test_reader_notes_are_in_the_analyst_html_and_the_json(sample_run, unit):
    paths = unit_output_paths(sample_run, unit)
    result = json.loads(paths["result"].read_text(encoding="utf-8"))
    analyst = paths["analyst_html"].read_text(encoding="utf-8")
    assert "读取说明" in analyst
    for finding in result["findings"]:
        if finding["code"] in READER_CODES:
            assert finding["message"][:20] in analyst


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS)
def test_word_report_text_is_fit_to_sign(sample_run, unit):
    paths = unit_output_paths(sample_run, unit)
    doc = Document(io.BytesIO(paths["word"].read_bytes()))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = "\n".join(texts)
    assert textlint.english_words(text) == [] and textlint.analyst_instructions(text) == []
    result = json.loads(paths["result"].read_text(encoding="utf-8"))
    assert textlint.reader_notes_shown(text, _reader_messages(result)) == []
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "读取说明" not in headings
    if result["totals"]["review_total"] is None:
        assert "审核意见" in text and "复核报告" not in text[:200]


def test_declaration_rows_that_only_cite_a_regulation_are_reported_with_their_group(results):
    result = results["xinhong-2024-declaration"]
    groups = list(dict.fromkeys(result.declaration.evaluation.indicators["level1"]))
    assert groups == ["投入管理指标", "产出指标", "效益指标", "满意度指标"]
    parts = {p.name: p for p in narrative.level1_analysis(result)}
    assert list(parts) == groups and len(parts["投入管理指标"].indicator_ids) == 7
    text = "".join(parts["投入管理指标"].paragraphs)
    assert "未填指标值、以指标解释所列文件规定为标准的 7 项：「预算编审管理」「预算执行管理」" in text
    assert "定量 0 项" not in text and "0 项填有指标值" not in text
    html = sections.show_indicator_analysis(result).data
    assert "投入管理指标绩效目标" in html and "指标解释" in html and "沪财绩【2022】13号" in html
    opinions = narrative.conclusion(result)
    assert "一级指标 4 个（投入管理指标、产出指标、效益指标、满意度指标）" in opinions[1]
    assert "7 项只引用文件规定、未填指标值；填有指标值的 38 项中可衡量的 21 项（55.26%）" in opinions[3]


def test_analyst_only_cells_are_dropped_from_the_client_html_and_the_word_blocks():
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("1", outputs=[_html_output("<p>客户可见的段落。</p>")])
    hidden = nbformat.v4.new_code_cell("2", outputs=[_html_output("<p>原表有 3 行单元格与表头错位。</p>")])
    heading = nbformat.v4.new_markdown_cell("## 读取说明")
    heading.metadata["tags"] = hidden.metadata["tags"] = [ANALYST_TAG]
    nb.cells = [shown, heading, hidden]
    client = render_client_html(nb, "单位")
    analyst = render_analyst_html(nb, "单位")
    assert "客户可见的段落" in client and "错位" not in client and "读取说明" not in client
    assert "错位" in analyst and "读取说明" in analyst
    blocks, _ = notebook_blocks(nb)
    assert "错位" not in repr(blocks) and "读取说明" not in repr(blocks)


def _html_output(html: str):
    return nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": ""})


def test_client_findings_leave_reader_notes_to_the_analyst(results):
    result = results["xinhong-2023"]
    assert "A30" in set(result.findings["code"])
    assert "A30" not in set(findings_of(result)["code"])
    assert set(reader_notes_of(result)["code"]) == {"A30"}
    assert len(findings_of(result)) + len(reader_notes_of(result)) == len(result.findings)


def test_a_level1_rate_range_is_shown_for_a_shortfall(results):
    result = copy.deepcopy(results["xinhong-2023"])
    level1, scored = result.self_eval.level1, result.self_eval.scored
    (group,) = scored.loc[scored["name"] == "降低非机动车违停案件数", "level1"]
    level1["review_rate_high"] = level1["review_rate"]
    level1.loc[level1["name"] == group, ["review_rate", "review_rate_high"]] = [75.0, 95.0]
    (verdict,) = [p for p in narrative.conclusion(result) if p.startswith("评价结论：")]
    assert f"{group}（复核得分率 75.00%至 95.00%：" in verdict and "「降低非机动车违停案件数」" in verdict
