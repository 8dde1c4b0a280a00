"""Deliverables a client files: report settings, the Word report, the working papers, the unit template.

Fast tests build each deliverable in-process from the sample units; the slow ones run the
sample project and read the .docx / .xlsx back (python-docx, openpyxl), and render the
.docx with LibreOffice to check the PDF (A4, unit name on page 1, every chart), saving
screenshots of the first pages.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from jixiao.core.errors import ParamsError, ProjectSettingsError
from jixiao.core.vocab import kind_of_inputs, report_wording
from jixiao.read.files import load_evaluation
from jixiao.report import sections
from jixiao.report.docblocks import Cell, Figure, Heading, Table, html_blocks
from jixiao.report.engagement import DRAFT_MARK, annex_rows, is_draft, show_annex, show_engagement
from jixiao.report.html import esc, paragraphs
from jixiao.report.word import BODY_MARKER, build_docx
from jixiao.run.apparatus import missing_settings
from jixiao.run.evaluate import evaluate_unit, score_evaluation
from jixiao.run.params import load_params
from jixiao.run.project import PROJECT_FILE, load_project
from jixiao.run.runner import SUMMARY_BOOK, run_units, unit_output_paths
from jixiao.run.scaffold import init_project
from jixiao.run.unit_template import SELF_COLUMNS, template_workbook
from jixiao.run.workpapers import safe_text, summary_workbook, unit_workpapers
from tests.conftest import ROOT

UNITS = ["hongqiao-2024", "xinhong-2023", "xinhong-2024-declaration"]
PLACEHOLDERS = ("第三方评价组", "（未填写）", "{{", "{%", BODY_MARKER, "TODO", "XXX")
TOL = 0.005


def _unit(unit_id: str):
    project = load_project(ROOT)
    return load_params(project.params_dir / f"{unit_id}.yaml", project.settings)


def _doc(result) -> dict:
    """A result.json document as the runner writes it (provenance carries the params)."""
    doc = result.to_dict()
    doc["provenance"] = {"params": result.params, "inputs": {}, "versions": {}}
    return doc


# --- settings ------------------------------------------------------------------------------------
def test_repo_project_sets_every_required_report_setting_marked_as_sample():
    params = _unit("xinhong-2023")
    app = params.apparatus
    assert missing_settings(app) == []
    assert "示例" in app["firm"] and "示例" in app["client"] and app["number"] == "明衡绩评〔2024〕1号（示例）"
    assert app["basis"][:3] == [
        "《中华人民共和国预算法》",
        "《中共中央 国务院关于全面实施预算绩效管理的意见》（中发〔2018〕34号）",
        "《财政部关于印发〈项目支出绩效评价管理办法〉的通知》（财预〔2020〕10号）",
    ]
    assert "财预〔2021〕101号" in app["targets_basis"]


def test_a_project_without_report_settings_stops_the_unit_with_a_clear_message(tmp_path):
    project = init_project(tmp_path / "p", samples=True)
    toml = project.root / PROJECT_FILE
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r'firm = "[^"]*"', 'firm = ""', text)
    text = re.sub(r"team = \[.*?\n\]\n", "", text, flags=re.S)
    toml.write_text(text, encoding="utf-8")
    project = load_project(project.root)
    summary = run_units(["xinhong-2023"], project=project, portfolio_template=None, progress=False)
    [unit] = summary.units
    assert unit.status == "failed"
    assert "缺少评价机构" in unit.error and "缺少项目组成员" in unit.error and "jixiao.toml" in unit.error
    assert "Traceback" not in unit.error


def test_params_override_the_project_and_add_local_basis_and_evidence(tmp_path):
    project = init_project(tmp_path / "p", samples=True)
    params = project.params_dir / "xinhong-2023.yaml"
    (project.inputs_dir / "出勤记录.pdf").write_bytes(b"%PDF-1.4 sample")
    text = params.read_text(encoding="utf-8").replace("明衡绩评〔2024〕1号（示例）", "沪评〔2024〕7号")
    params.write_text(
        text.replace("report:\n", "report:\n  basis: [《闵行区预算绩效管理实施细则》]\n")
        + "evidence:\n  辅警人员出勤率: {file: ../inputs/出勤记录.pdf, note: 2023年考勤表}\n",
        encoding="utf-8",
    )
    unit = load_params(params, load_project(project.root).settings)
    assert unit.apparatus["number"] == "沪评〔2024〕7号"
    assert unit.apparatus["basis"][-1] == "《闵行区预算绩效管理实施细则》"
    assert unit.evidence["辅警人员出勤率"] == {"file": "../inputs/出勤记录.pdf", "note": "2023年考勤表"}
    rows = annex_rows(_doc(evaluate_unit(unit))["indicators"], unit.evidence)
    [row] = [r for r in rows if r["name"] == "辅警人员出勤率"]
    assert row["evidence"] == "文件：出勤记录.pdf；2023年考勤表"


def test_bad_report_settings_name_the_file_and_key(tmp_path):
    project = init_project(tmp_path / "p")
    toml = project.root / PROJECT_FILE
    toml.write_text(toml.read_text(encoding="utf-8").replace("[report]\n", "[report]\nnumber = 5\n"), encoding="utf-8")
    with pytest.raises(ProjectSettingsError, match="report.number"):
        load_project(project.root)
    params = tmp_path / "p" / "params" / "u.yaml"
    (tmp_path / "p" / "inputs" / "a.xlsx").write_bytes((ROOT / "samples" / "template_tidy.xlsx").read_bytes())
    params.write_text(
        "unit_id: u\ndisplay_name: 某单位\nyear: 2024\ninputs: {self_evaluation: ../inputs/a.xlsx}\n"
        "evidence:\n  培训场次: {file: ../inputs/没有的文件.pdf}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="佐证材料文件不存在"):
        load_params(params)


# --- report apparatus and annex in the HTML ----------------------------------------------------------
@pytest.fixture(scope="module")
def xinhong():
    return evaluate_unit(_unit("xinhong-2023"))


def test_engagement_section_lists_basis_process_and_team_from_settings(xinhong):
    html = show_engagement(xinhong).data
    for part in (
        "（一）评价目的、对象和范围",
        "（二）评价依据",
        "（三）评价原则、指标体系、方法和标准",
        "（四）评价工作过程",
    ):
        assert part in html
    assert "财预〔2021〕101号" in html and "王建平（示例）" in html and "与单位财务负责人座谈一次（示例）" in html
    assert "现场核查：" not in html, "no site visit is set, none is reported"


def test_annex_has_one_row_per_indicator_with_the_result_numbers(xinhong):
    doc = _doc(xinhong)
    blocks = html_blocks(show_annex(xinhong).data)
    [table] = [b for b in blocks if isinstance(b, Table) and b.caption == "指标评分表"]
    assert len(table.rows) == len(doc["indicators"]) == 56
    col = {h: i for i, h in enumerate(table.header)}
    for row, ind in zip(table.rows, doc["indicators"]):
        assert row[col["编号"]].text == ind["id"]
        review = row[col["复核分"]].text
        if ind["status"] == "待核实":  # a range, never a silent 0
            assert ind["review_score"] is None and review == f"{ind['review_low']:.2f}–{ind['review_high']:.2f}"
            assert row[col["状态"]].text.startswith("待核实（")
            assert row[col["计分过程"]].text.endswith(f"待核实，复核分按 {review} 分计")
        else:
            assert abs(float(review) - ind["review_score"]) < TOL
    assert is_draft(doc["indicators"], doc["totals"]), "unscored indicators are pending: a 征求意见稿"
    assert DRAFT_MARK in sections.show_cover(xinhong).data


def test_is_draft_reads_status_and_total_range_when_the_result_carries_them():
    settled = [{"id": "I01", "weight": 5, "review_score": 5, "status": "确定"}]
    assert not is_draft(settled, {"review_total": 5})
    assert is_draft([dict(settled[0], status="待核实")], {})
    assert is_draft(settled, {"review_total_low": 80, "review_total_high": 90})
    assert not is_draft([{"id": "I01", "weight": 5, "review_score": 3, "review_note": "评价人调整"}], {})


# --- Word -----------------------------------------------------------------------------------------
def test_word_report_from_the_sections_has_headings_tables_and_charts(xinhong):
    parts = [sections.show_summary(xinhong), sections.show_conclusion(xinhong), show_annex(xinhong)]
    blocks = [Heading(1, "三、综合评价情况及评价结论")]
    for part in parts:
        blocks += html_blocks(part.data)
    figures = [b for b in blocks if isinstance(b, Figure)]
    context = {"unit_name": xinhong.unit_name, "client": "某区财政局", "firm": "某事务所", "draft": True}
    docx = Document(io.BytesIO(build_docx(blocks, context | {"draft_mark": DRAFT_MARK})))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert xinhong.unit_name in text and BODY_MARKER not in text
    assert [p.text for p in docx.paragraphs if p.style.name == "Heading 1"] == ["三、综合评价情况及评价结论"]
    assert DRAFT_MARK in docx.sections[0].header.paragraphs[0].text
    header_xml = docx.sections[0].header._element.xml
    assert "PowerPlusWaterMarkObject" in header_xml and f'string="{DRAFT_MARK}"' in header_xml
    assert len(docx.inline_shapes) == len(figures) >= 1
    annex = next(t for t in docx.tables if t.rows[0].cells[0].text == "编号" and len(t.rows) == 57)
    assert [r.cells[0].text for r in annex.rows[1:]] == [i["id"] for i in _doc(xinhong)["indicators"]]
    section = docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 28 and round(section.top_margin.mm) == 37


def test_word_table_merges_cells_down_in_shaded_rows_like_python_docx():
    """Rowspans become vertical merges (written directly): python-docx reads one cell over the span,
    and in the cell properties the merge mark stays before the shading, as the schema orders them."""
    rows = [
        [Cell("产出指标", rowspan=3), Cell("数量", numeric=False), Cell("10", numeric=True)],
        [None, Cell("质量"), Cell("9", numeric=True)],
        [None, Cell("时效"), Cell("8", numeric=True)],
        [Cell("效益指标", rowspan=9), Cell("满意度"), Cell("7", numeric=True)],  # span cut at the table's end
    ]
    table = Table("指标", ["一级指标", "二级指标", "得分"], rows, ["lost", "", "", "total"])
    docx = Document(io.BytesIO(build_docx([table], {"unit_name": "甲单位"})))
    grid = docx.tables[0]
    assert [grid.cell(i, 0).text for i in range(1, 4)] == ["产出指标"] * 3
    assert grid.cell(1, 0)._tc is grid.cell(3, 0)._tc  # one merged cell
    assert grid.cell(4, 0).text == "效益指标" and "vMerge" not in grid.cell(4, 0)._tc.xml
    top, below = (tr.tc_lst[0] for tr in grid._tbl.tr_lst[1:3])
    assert top.vMerge == "restart" and below.vMerge == "continue"
    props = [child.tag.split("}")[1] for child in top.tcPr]
    assert props.index("tcW") < props.index("vMerge") < props.index("shd")
    assert grid.cell(2, 2).text == "9" and grid.cell(2, 2).paragraphs[0].alignment == 2  # right-aligned number


def test_a_firm_template_is_filled(tmp_path):
    firm = Document()
    firm.add_paragraph("明衡咨询 信头 {{ firm }}")
    firm.add_paragraph("{{ unit_name }} {{ report_number }}")
    firm.add_paragraph("{{ body }}")
    firm.add_paragraph("（签章页）")
    buffer = io.BytesIO()
    firm.save(buffer)
    blocks = [Heading(1, "一、基本情况"), *html_blocks("<p>正文&lt;段落&gt;</p>")]
    out = Document(
        io.BytesIO(
            build_docx(blocks, {"firm": "某所", "unit_name": "某单位", "report_number": "7号"}, buffer.getvalue())
        )
    )
    texts = [p.text for p in out.paragraphs]
    assert "PowerPlusWaterMarkObject" not in out.sections[0].header._element.xml, "no mark on a final report"
    assert texts == ["明衡咨询 信头 某所", "某单位 7号", "一、基本情况", "正文<段落>", "（签章页）"]


# --- Excel ----------------------------------------------------------------------------------------
def test_working_papers_equal_the_result_and_neutralise_formulas(xinhong):
    doc = _doc(xinhong)
    doc["findings"][0] = dict(doc["findings"][0], message='=HYPERLINK("http://x","点我")', reported="+1")
    book = openpyxl.load_workbook(io.BytesIO(unit_workpapers(doc)))
    assert book.sheetnames == ["指标评分", "复核发现", "预算执行", "读取说明", "运行信息"]
    sheet = book["指标评分"]
    head = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(doc["indicators"])
    for row, ind in zip(rows, doc["indicators"]):
        got = dict(zip(head, row))
        assert got["编号"] == ind["id"]
        for header, key in (("分值", "weight"), ("自评分", "self_score"), ("复核分", "review_score")):
            assert (got[header] is None and ind[key] is None) or abs(got[header] - ind[key]) < 1e-9
    found = book["复核发现"]
    head = [c.value for c in found[1]]
    listed = [dict(zip(head, r)) for r in found.iter_rows(min_row=2, values_only=True)]
    assert [(r["编号"], r["问题"], r["严重程度"]) for r in listed] == [
        (f["code"], f["message"], f["severity"]) for f in doc["findings"]
    ]
    cell = found.cell(2, head.index("问题") + 1)
    assert cell.data_type == "s" and cell.quotePrefix, "a formula-like text stays text"
    budget = book["预算执行"]
    first = [c.value for c in budget[2]]
    assert isinstance(first[3], float) and abs(first[6] * 100 - doc["budget"][0]["rate"]) < 1e-9
    assert budget.cell(2, 7).number_format == "0.00%"
    assert safe_text("@SUM(A1)") == ("@SUM(A1)", True) and safe_text("正常") == ("正常", False)


def test_summary_workbook_has_one_row_per_unit_and_every_finding():
    docs = [_doc(evaluate_unit(_unit(u))) for u in UNITS]
    book = openpyxl.load_workbook(io.BytesIO(summary_workbook(docs)))
    units = list(book["单位汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in units] == UNITS
    head = [c.value for c in book["单位汇总"][1]]
    xinhong = dict(zip(head, units[1]))
    assert abs(xinhong["复核总分"] - docs[1]["totals"]["review_total"]) < 1e-9 and xinhong["等级"] == "待定"
    assert (xinhong["总分下限"], xinhong["总分上限"]) == (45.89, 97.69)
    assert xinhong["报告状态"] == DRAFT_MARK
    assert book["全部复核发现"].max_row - 1 == sum(len(d["findings"]) for d in docs)


# --- the unit template ------------------------------------------------------------------------------
_FILLED = [
    ("产出指标", 50, "数量指标", "培训场次", 25, "定量", "≥", 12, "场", 12, None, 25, "达到指标值得满分"),
    ("产出指标", 50, "质量指标", "验收合格率", 25, "定量", "≥", "95", "%", "90", "部分项目返工", 23.68, "按比例得分"),
    (
        "效益指标",
        30,
        "社会效益指标",
        "群众反映问题解决情况",
        30,
        "定性",
        None,
        "有效解决",
        None,
        "部分解决",
        "个别诉求未办结",
        20,
        "达成/部分达成/未达成",
    ),
    (
        "满意度指标",
        20,
        "服务对象满意度指标",
        "群众满意度",
        20,
        "定量",
        "≥",
        90,
        "%",
        92,
        "问卷调查有效样本 200 份",
        20,
        "≥90%得满分",
    ),
]


def test_template_round_trip_reads_and_scores_what_a_unit_fills_in(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["填写说明", "单位信息", "指标", "预算执行"]
    sheet = book["指标"]
    assert sheet.protection.sheet and sheet.cell(1, 1).protection.locked
    assert not sheet.cell(2, 1).protection.locked
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert "产出指标" in lists["A"] and "定量" in lists["F"] and "≥" in lists["G"]
    info = book["单位信息"]
    for row, value in enumerate(("示例街道办事处", "示例区人民政府", "2024年", 88.68), 1):
        info.cell(row, 2, value)
    for i, values in enumerate(_FILLED, 2):
        for j, value in enumerate(values, 1):
            if value is not None:
                sheet.cell(i, j, value)
    budget = book["预算执行"]
    for i, line in enumerate([(100, 120, 110), None, (30, 30, 29), (70, 90, 81), (100, 120, 110)], 2):
        for j, value in enumerate(line or (), 2):
            budget.cell(i, j, value)
    path = tmp_path / "填好的模板.xlsx"
    book.save(path)

    evaluation = load_evaluation(path)
    assert (evaluation.unit.name, evaluation.unit.year) == ("示例街道办事处", 2024)
    got = evaluation.indicators
    assert list(got["name"]) == [r[3] for r in _FILLED]
    assert list(got["nature"]) == ["定量", "定量", "定性", "定量"]
    assert list(got["weight"]) == [25, 25, 30, 20] and list(got["self_score"]) == [25, 23.68, 20, 20]
    assert list(got["level1_weight"]) == [50, 50, 30, 20]
    lines = evaluation.budget.set_index("name")
    assert lines.loc["财政拨款", "spent"] == 110 and lines.loc["项目支出", "budget"] == 90
    scored = score_evaluation(evaluation)
    assert [round(x, 2) for x in scored.scored["review_score"]] == [25.0, 23.68, 21.0, 20.0]
    assert set(scored.scored["status"]) == {"确定"}  # measured values; the survey is named; 部分解决 is the unit's own
    assert abs(scored.totals["review_total"] - 89.68) < TOL


def test_declaration_template_has_no_completion_columns_and_reads_back(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(declaration=True)))
    head = [c.value for c in book["指标"][1]]
    assert "全年完成值" not in head and "自评分" not in head and "指标性质" in head
    book["单位信息"].cell(1, 2, "示例街道办事处")
    book["单位信息"].cell(3, 2, "2025年")
    for i, values in enumerate(_FILLED, 2):
        row = dict(zip([c[0] for c in SELF_COLUMNS], values))
        for j, name in enumerate(head, 1):
            if row.get(name) is not None:
                book["指标"].cell(i, j, row[name])
    path = tmp_path / "申报.xlsx"
    book.save(path)
    evaluation = load_evaluation(path)
    assert list(evaluation.indicators["name"]) == [r[3] for r in _FILLED]
    assert list(evaluation.indicators["nature"]) == ["定量", "定量", "定性", "定量"]


# --- a real run: the files and their rendering -------------------------------------------------------
@pytest.fixture(scope="module")
def run_outputs(tmp_path_factory):
    outputs = tmp_path_factory.mktemp("deliverables")
    summary = run_units(None, project=load_project(ROOT), outputs_dir=outputs, progress=False, jobs=2)
    assert summary.exit_code == 0, summary.format()
    return outputs


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS)
def test_run_writes_word_and_working_papers_equal_to_result(run_outputs, unit):
    paths = unit_output_paths(run_outputs, unit)
    doc = json.loads(paths["result"].read_text(encoding="utf-8"))
    word = Document(paths["word"])
    text = "\n".join(p.text for p in word.paragraphs) + "\n".join(
        c.text for t in word.tables for r in t.rows for c in r.cells
    )
    for placeholder in PLACEHOLDERS:
        assert placeholder not in text, placeholder
    wording = report_wording(kind_of_inputs(doc["unit"]["inputs"]))
    method = dict(wording.headings).get("二、绩效评价（复核）工作开展情况", "二、绩效评价（复核）工作开展情况")
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    for part in ("摘要", "一、基本情况", method, "六、存在的问题及原因分析", "附件"):
        assert part in headings
    level2 = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert "（二）评价依据" in level2 and "局限性" in level2
    assert all(name in level2 for name in wording.annexes.values())
    assert doc["unit"]["name"] in text and "上海明衡绩效评价咨询有限公司（示例）" in text
    if doc["indicators"]:
        [annex] = [t for t in word.tables if len(t.rows) == len(doc["indicators"]) + 1 and t.cell(0, 0).text == "编号"]
        head = [c.text for c in annex.rows[0].cells]
        assert [r.cells[0].text for r in annex.rows[1:]] == [i["id"] for i in doc["indicators"]]
        for key, name in (("weight", "分值"), ("self_score", "自评分"), ("review_score", "复核分")):
            if name not in head:
                continue
            shown = [r.cells[head.index(name)].text for r in annex.rows[1:]]
            for text, ind in zip(shown, doc["indicators"]):
                if key == "review_score" and ind.get("status") == "待核实":  # a range, as in the HTML annex
                    assert text == f"{ind['review_low']:.2f}–{ind['review_high']:.2f}", (name, ind["id"])
                    continue
                assert (text == "" and ind[key] is None) or abs(float(text) - ind[key]) <= TOL, (name, ind["id"])
    book = openpyxl.load_workbook(paths["workpapers"])
    sheet = book["指标评分" if wording.scored else "指标审核"]
    scores = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(scores) == len(doc["indicators"])
    head = [c.value for c in sheet[1]]
    for row, ind in zip(scores, doc["indicators"]):
        got = dict(zip(head, row))
        assert got["编号"] == ind["id"]
        if not wording.scored:
            assert not any("复核" in str(h) for h in head)
            continue
        assert got["复核分"] is None if ind["review_score"] is None else abs(got["复核分"] - ind["review_score"]) < 1e-9
        assert (got["复核分下限"], got["复核分上限"]) == (ind["review_low"], ind["review_high"])
    found = [r[5] for r in book[wording.findings].iter_rows(min_row=2, values_only=True)]
    assert found == [f["message"] for f in doc["findings"]]
    assert (run_outputs / SUMMARY_BOOK).is_file()


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS)
def test_word_report_renders_a4_with_unit_name_and_every_chart(run_outputs, unit, tmp_path):
    soffice = _soffice()
    if soffice is None or not shutil.which("pdftotext"):
        pytest.skip(
            "本机没有 LibreOffice（soffice）或 poppler（pdftotext），跳过 Word 渲染检查；scripts/test.sh 以 root 运行时会安装"
        )
    from jixiao.report.fonts import font_path

    paths = unit_output_paths(run_outputs, unit)
    fonts = tmp_path / "fonts.conf"  # LibreOffice finds the CJK font shipped with the package
    fonts.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(font_path('sans')).parent}</dir></fontconfig>",
        encoding="utf-8",
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts), HOME=str(tmp_path))
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(paths["word"]),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=300,
    )
    pdf = tmp_path / f"{unit}.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "3", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info
    page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    doc = json.loads(paths["result"].read_text(encoding="utf-8"))
    assert doc["unit"]["name"] in page1.replace(" ", "").replace("\n", "")
    listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout.splitlines()
    images = [ln for ln in listed[2:] if ln.split()[2] == "image"]
    charts = len(Document(paths["word"]).inline_shapes)
    assert len(images) == charts >= 1
    shots = run_outputs / unit / "render"
    shots.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf), str(shots / "page")], check=True)
    assert len(list(shots.glob("page-*.png"))) == 3


def test_hostile_text_goes_into_word_as_plain_text():
    hostile = "甲<b>单位</b>\x0b{{ 7*7 }}{% if 1 %}" + "<script>alert(1)</script>"
    blocks = html_blocks(f"<h3>{esc(hostile)}</h3>" + paragraphs([hostile]))
    assert blocks[0].text == "甲<b>单位</b>{{ 7*7 }}{% if 1 %}<script>alert(1)</script>"
    docx = Document(io.BytesIO(build_docx(blocks, {"unit_name": hostile.replace("\x0b", "")})))
    texts = [p.text for p in docx.paragraphs]
    assert texts.count("甲<b>单位</b>{{ 7*7 }}{% if 1 %}<script>alert(1)</script>") >= 2 and "49" not in texts


def test_template_command_writes_the_workbook_and_refuses_other_names(tmp_path):
    from click.testing import CliRunner

    from jixiao.cli import main

    runner = CliRunner()
    done = runner.invoke(main, ["template", "--declaration", str(tmp_path / "申报模板.xlsx")])
    assert done.exit_code == 0 and "绩效目标申报表模板" in done.output
    assert "指标" in openpyxl.load_workbook(tmp_path / "申报模板.xlsx").sheetnames
    wrong = runner.invoke(main, ["template", str(tmp_path / "模板.xls")])
    assert wrong.exit_code == 2 and ".xlsx" in wrong.output and "Traceback" not in wrong.output


def test_a_missing_firm_word_template_is_named_at_run(tmp_path):
    project = init_project(tmp_path / "p", samples=True)
    toml = project.root / PROJECT_FILE
    text = toml.read_text(encoding="utf-8").replace("# word_template = ", "word_template = ")
    toml.write_text(text, encoding="utf-8")
    unit = load_params(project.params_dir / "xinhong-2023.yaml", load_project(project.root).settings)
    [problem] = missing_settings(unit.apparatus)
    assert "Word 报告模板" in problem and "报告模板.docx" in problem
