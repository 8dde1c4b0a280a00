"""``jixiao run`` checks the client text of every unit it produces and flags, never blocks.

The check blames the tool only for its own words (run/textcheck.py): the unit's words — an
indicator named 「App使用率」 or 「绩效绩效管理」 in its own table — are quoted or printed as the
unit wrote them and pass; an English word or a doubled word the report itself writes (here: the
display name the analyst typed in params, which the report prints unquoted on its cover and in
every paragraph) is flagged on a warning line of the run summary, in the analyst HTML's
客户报告文字检查, in result.json's ``text_check``, the working papers and 汇总.xlsx, and in the index page's 文字检查 column — and
the client report is still produced, without any of it.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from jixiao.report import textlint
from jixiao.run.project import load_project
from jixiao.run.runner import SUMMARY_BOOK, run_units, unit_output_paths
from jixiao.run.textcheck import CHECK_HEADING, client_text_problems
from tests.conftest import ROOT, SAMPLES

ENGLISH_NAME, DOUBLED_NAME = "App使用率", "绩效绩效管理"


def _table_with_odd_names(path):
    text = (SAMPLES / "xinhong_2023_self_evaluation.txt").read_text(encoding="utf-8")
    assert "资产投入使用率" in text and "单位年度绩效管理工 作" in text
    text = text.replace("资产投入使用率", ENGLISH_NAME).replace("单位年度绩效管理工 作", DOUBLED_NAME)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_units_quoted_words_are_not_blamed_on_the_tool():
    html = (
        "<main><p>指标「App使用率」自评 2.00 分。</p><p>指标「绩效绩效管理」完成值填报为「规范」。</p>"
        "<table><caption>指标计分</caption><tr><th>三级指标</th></tr><tr><td>App使用率</td></tr></table>"
        "<p>数量指标App 9 项。</p></main>"
    )
    assert textlint.lint_client_html(html)  # the strict check sees the unit's words
    assert textlint.lint_tool_text(html, inputs=["数量指标App"]) == []  # … which are not the tool's
    assert textlint.lint_tool_text("<main><p>本报告由 demo 生成，指标指标计分。</p></main>") == [
        "英文单词：demo",
        "重复的词：demo 生成，指标指标计分。",
    ]
    # two sentences that differ only in what they quote are not a repeated sentence
    same_frame = "<main><p>指标「甲」指标值「及时」不可衡量，未细化量化。</p><p>指标「乙」指标值「及时」不可衡量，未细化量化。</p></main>"
    assert textlint.lint_tool_text(same_frame) == []
    doc = {"indicators": [{"name": ENGLISH_NAME, "level2": "数量指标App"}], "findings": []}
    assert client_text_problems(html, None, doc) == []


@pytest.fixture(scope="module")
def checked_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("textcheck")
    params, outputs = root / "params", root / "outputs"
    params.mkdir()
    table = _table_with_odd_names(root / "odd_names_2023.txt")
    for unit, name in (("odd-names", "上海市闵行区新虹街道城市运行管理中心"), ("typed-name", "新虹城运中心Demo")):
        (params / f"{unit}.yaml").write_text(
            f"unit_id: {unit}\ndisplay_name: {name}\nyear: 2023\nreport:\n  number: 测试〔2024〕1号\n"
            f"inputs:\n  self_evaluation: {table}\n",
            encoding="utf-8",
        )
    summary = run_units(
        None, project=load_project(ROOT), params_dir=params, outputs_dir=outputs, progress=False, jobs=2
    )
    assert summary.exit_code == 0, summary.format()
    return outputs, summary


@pytest.mark.slow
def test_input_words_pass_and_the_reports_own_words_are_flagged(checked_run):
    outputs, summary = checked_run
    lines = summary.lines()
    odd = unit_output_paths(outputs, "odd-names")
    client = odd["client_html"].read_text(encoding="utf-8")
    assert f"「{ENGLISH_NAME}」" in client and f"「{DOUBLED_NAME}」" in client  # printed as the unit wrote them
    assert json.loads(odd["result"].read_text(encoding="utf-8"))["text_check"] == []
    assert not any(line.startswith("  ⚠ odd-names") for line in lines)
    assert CHECK_HEADING not in odd["analyst_html"].read_text(encoding="utf-8")

    typed = unit_output_paths(outputs, "typed-name")
    problems = json.loads(typed["result"].read_text(encoding="utf-8"))["text_check"]
    assert "客户 HTML 与 Word：英文单词：Demo" in problems, problems
    [warning] = [line for line in lines if line.startswith("  ⚠ typed-name")]
    assert f"发现 {len(problems)} 处问题" in warning and "英文单词：Demo" in warning
    assert "1 个单位的客户报告文字有问题" in lines[-1]
    assert typed["client_html"].is_file() and typed["word"].is_file()  # produced all the same
    client = typed["client_html"].read_text(encoding="utf-8")
    assert CHECK_HEADING not in client and "英文单词" not in client
    analyst = typed["analyst_html"].read_text(encoding="utf-8")
    assert CHECK_HEADING in analyst and "英文单词：Demo" in analyst

    book = openpyxl.load_workbook(typed["workpapers"])
    info = {r[0]: r[1] for r in book["运行信息"].iter_rows(values_only=True) if r and r[0]}
    assert "英文单词：Demo" in info["客户报告文字检查"]
    units = openpyxl.load_workbook(outputs / SUMMARY_BOOK)["单位汇总"]
    head = [c.value for c in units[1]]
    checks = {r[0]: dict(zip(head, r))["文字检查"] for r in units.iter_rows(min_row=2, values_only=True) if r[0]}
    assert checks["odd-names"] == "通过" and "英文单词：Demo" in checks["typed-name"]

    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert "<th>文字检查</th>" in index
    rows = {u: next(r for r in index.split("</tr>") if f"{u}/" in r) for u in ("odd-names", "typed-name")}
    assert "<td>通过</td>" in rows["odd-names"]
    assert f"{len(problems)} 处问题" in rows["typed-name"] and "英文单词" in rows["typed-name"]
