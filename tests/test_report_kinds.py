"""A declaration alone is a 绩效目标审核意见, a self-evaluation report alone a 自评报告审核意见 — never a 复核报告.

The slow test runs the two samples through ``jixiao run`` (papermill, as a project does) and
scans every user-facing output of theirs — client HTML (title, cover, headings, captions), Word
(body, tables, headers, footers), analyst HTML title and headings, outputs/index.html,
汇总.xlsx, the working papers and the run summary — for 复核 / 复核报告 / 复核分 / 不计分.

The one legitimate 复核 in these outputs: the project team's roles as the firm configured them
in ``jixiao.toml`` ``[report] team`` (「财务复核」「指标复核」 in the sample project). They name a
person's job in the firm, are printed as configured, and say nothing about what the report is;
the scan removes exactly those configured strings and nothing else.
"""

from __future__ import annotations

import io
import json
import re

import nbformat
import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from jixiao.cli import main
from jixiao.core.vocab import REPORT_WORDING, kind_of_inputs, report_wording
from jixiao.report import textlint
from jixiao.report.text import format_score
from jixiao.run.engine import load_template
from jixiao.run.evaluate import score_file
from jixiao.run.headings import retitle
from jixiao.run.portfolio import load_portfolio, render_portfolio_table
from jixiao.run.project import load_project, resource_path
from jixiao.run.runner import SUMMARY_BOOK, run_units, unit_output_paths
from tests.conftest import ROOT, SAMPLES

UNSCORED = {"xinhong-2024-declaration": "declaration", "hongqiao-2024": "report"}
FORBIDDEN = re.compile(r"复核|不计分")


def test_wording_is_defined_once_per_kind():
    assert kind_of_inputs(["declaration"]) == "declaration" and kind_of_inputs(["report"]) == "report"
    assert kind_of_inputs(["report", "self_evaluation", "declaration"]) == "self"
    decl, report, scored = REPORT_WORDING["declaration"], REPORT_WORDING["report"], REPORT_WORDING["self"]
    assert (decl.title, decl.conclusion, decl.work, decl.findings) == (
        "绩效目标审核意见",
        "审核意见",
        "审核",
        "审核发现",
    )
    assert report.title == "自评报告审核意见" and report.findings_annex == "附件一审核发现清单"
    assert scored.findings_annex == "附件二复核发现清单" and scored.annexes["scores"] == "附件四　指标评分表"
    assert "完整性、相关性、可衡量性、合理性" in decl.verdict
    for wording in (decl, report):
        texts = [wording.kicker, wording.subtitle, wording.title, wording.verdict, *wording.annexes.values()]
        texts += [new for _, new in wording.headings]
        assert not any(FORBIDDEN.search(t) for t in texts), texts


def test_retitle_renames_only_the_templates_own_headings():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## 二、绩效评价（复核）工作开展情况"),
        nbformat.v4.new_markdown_cell("## 三、综合评价情况及评价结论\n说明文字"),
        nbformat.v4.new_markdown_cell("## 二、本所自定义的标题"),
        nbformat.v4.new_code_cell("# ## 二、绩效评价（复核）工作开展情况"),
    ]
    assert retitle(nb, "declaration") == 2
    assert [c.source for c in nb.cells] == [
        "## 二、绩效目标审核工作开展情况",
        "## 三、审核意见\n说明文字",
        "## 二、本所自定义的标题",
        "# ## 二、绩效评价（复核）工作开展情况",
    ]
    assert retitle(nb, "self") == 0
    template = load_template(resource_path("notebooks", "unit_report.py"))
    assert retitle(template, "report") == 3  # every renamed heading is in the shipped template


def test_score_prints_every_target_group_of_a_declaration_and_no_score():
    text = format_score(score_file(SAMPLES / "xinhong_2024_declaration.xlsx"))
    assert "一级指标：投入管理指标 7 项、产出指标 27 项、效益指标 9 项、满意度指标 2 项（共 45 项）。" in text
    assert "预算编审管理" in text and "绩效目标审核意见（完整性、相关性、可衡量性、合理性）" in text
    assert text.count("根据沪财绩【2022】1") == 7  # the 投入管理 rows that only cite a regulation show it
    assert not FORBIDDEN.search(text) and "总分" not in text


def test_check_names_the_work_by_the_material():
    runner = CliRunner()
    declaration = runner.invoke(main, ["check", str(SAMPLES / "xinhong_2024_declaration.xlsx")])
    report = runner.invoke(main, ["check", "--report", str(SAMPLES / "hongqiao_2024_report.txt")])
    table = runner.invoke(main, ["check", str(SAMPLES / "xinhong_2023_self_evaluation.xlsx")])
    assert declaration.output.startswith("审核发现：") and report.output.startswith("审核发现：")
    assert table.output.startswith("复核发现：")


def test_score_on_a_report_alone_says_what_it_gets():
    result = CliRunner().invoke(main, ["score", str(SAMPLES / "hongqiao_2024_report.txt")])
    assert result.exit_code == 0, result.output
    assert "部门整体支出绩效自评报告（上海市闵行区虹桥镇城运中心，2024年度），没有指标计分表" in result.output
    assert "自评报告审核意见（完整性、数据准确性、目标实现情况、规范性）" in result.output
    assert not FORBIDDEN.search(result.output)


# --- the two samples, run as jixiao run does -----------------------------------------------------------
@pytest.fixture(scope="module")
def kinds_run(tmp_path_factory):
    outputs = tmp_path_factory.mktemp("outputs")
    summary = run_units(list(UNSCORED), project=load_project(ROOT), outputs_dir=outputs, progress=False, jobs=2)
    assert summary.exit_code == 0, summary.format()
    return outputs, summary


def _allowed(doc: dict) -> list[str]:
    """The firm's own role titles (jixiao.toml [report] team): the only legitimate 复核 (see module doc)."""
    team = doc["provenance"]["params"]["apparatus"].get("team") or []
    return [str(m.get("role", "")) for m in team if m.get("role")]


def _scan(text: str, allowed: list[str]) -> list[str]:
    for role in allowed:
        text = text.replace(role, "")
    return [text[max(0, m.start() - 15) : m.end() + 15] for m in FORBIDDEN.finditer(text)]


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            texts += [p.text for p in part.paragraphs]
    texts.append(doc.core_properties.title or "")
    return "\n".join(texts)


@pytest.mark.slow
@pytest.mark.parametrize("unit", list(UNSCORED))
def test_unscored_kinds_say_what_they_are_in_every_output(kinds_run, unit):
    outputs, summary = kinds_run
    kind = UNSCORED[unit]
    wording = report_wording(kind)
    paths = unit_output_paths(outputs, unit)
    doc = json.loads(paths["result"].read_text(encoding="utf-8"))
    allowed = _allowed(doc)
    assert doc["text_check"] == []  # jixiao run's own check of the client text passed

    client = paths["client_html"].read_text(encoding="utf-8")
    body = textlint.client_text(client)
    assert _scan(body.text, allowed) == [], "client HTML"
    title = re.search(r"<title>(.*?)</title>", client, re.S).group(1)
    assert not FORBIDDEN.search(title) and not FORBIDDEN.search(client.split("<body", 1)[0])
    for old, new in wording.headings:
        assert new in body.text and old not in client
    assert wording.kicker in body.text and wording.subtitle in body.text
    assert all(name in body.text for name in wording.annexes.values())

    if kind == "declaration":  # every level-1 group is reported, 投入管理 rows that only cite a regulation too
        groups = list(dict.fromkeys(i["level1"] for i in doc["indicators"]))
        assert groups == ["投入管理指标", "产出指标", "效益指标", "满意度指标"]
        heads = re.findall(r"<h3[^>]*>(.*?)</h3>", client, re.S)
        assert [h for h in heads if h.endswith(tuple(groups))] == [f"（{n}）{g}" for n, g in zip("一二三四", groups)]
        assert client.count("根据沪财绩【2022】13号文的规定要求设置三级指标和指标值") >= 7
        annex = client.split(wording.annexes["scores"], 1)[1]
        assert all(f">{i['id']}<" in annex for i in doc["indicators"]) and len(doc["indicators"]) == 45

    word = _docx_text(paths["word"].read_bytes())
    assert _scan(word, allowed) == [], "Word report"
    assert wording.kicker in word and all(new in word for _, new in wording.headings)

    analyst = paths["analyst_html"].read_text(encoding="utf-8")
    analyst_title = re.search(r"<title>(.*?)</title>", analyst, re.S).group(1)
    assert wording.title in analyst_title and not FORBIDDEN.search(analyst_title)
    analyst_heads = re.findall(r"<h2[^>]*>(.*?)</h2>", analyst, re.S)
    assert not any(FORBIDDEN.search(h) for h in analyst_heads), analyst_heads

    book = openpyxl.load_workbook(paths["workpapers"])
    assert wording.findings in book.sheetnames and not any(FORBIDDEN.search(n) for n in book.sheetnames)
    for sheet in book.worksheets:
        if sheet.title == "运行信息":
            continue  # the params JSON: the firm's settings as written
        heads = [str(c.value or "") for c in sheet[1]]
        assert not any(FORBIDDEN.search(h) for h in heads), (sheet.title, heads)
    info = {r[0]: r[1] for r in book["运行信息"].iter_rows(values_only=True) if r and r[0]}
    assert info["报告类型"] == wording.title and "复核总分" not in info

    [line] = [ln for ln in summary.lines() if ln.startswith(f"✔ {unit}")]
    assert wording.verdict in line and "未计分" not in line and not FORBIDDEN.search(line)

    index = (outputs / "index.html").read_text(encoding="utf-8")
    row = next(r for r in index.split("</tr>") if doc["unit"]["name"] in r and "查看报告" in r)
    assert wording.verdict in row and not FORBIDDEN.search(row)
    portfolio = load_portfolio(outputs)
    assert wording.verdict in render_portfolio_table(portfolio)

    summary_book = openpyxl.load_workbook(outputs / SUMMARY_BOOK)
    units = summary_book["单位汇总"]
    head = [c.value for c in units[1]]
    rows = [dict(zip(head, r)) for r in units.iter_rows(min_row=2, values_only=True)]
    assert next(r for r in rows if r["单位编号"] == unit)["报告类型"] == wording.title
