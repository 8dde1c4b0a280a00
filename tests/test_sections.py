"""The report's HTML: sections (escaping, cover, coloured tables) and the client page (title, TOC, font)."""

from __future__ import annotations

import base64
import io
import re

import nbformat
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from jixiao.read.files import load_evaluation
from jixiao.report import html as htmlparts
from jixiao.report import sections, webfont
from jixiao.run.evaluate import UnitResult, evaluate_unit, score_evaluation
from jixiao.run.htmlexport import HtmlRenderer, default_style, page_title
from jixiao.run.params import load_params
from tests.conftest import PARAMS_DIR

SHOW = [
    "show_summary",
    "show_basic_info",
    "show_method",
    "show_conclusion",
    "show_indicator_analysis",
    "show_experience",
    "show_problems",
    "show_suggestions",
    "show_other_matters",
    "show_appendix",
    "show_footer",
]
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def xinhong() -> UnitResult:
    return evaluate_unit(load_params(PARAMS_DIR / "xinhong-2023.yaml"))


@pytest.fixture(scope="module")
def declaration() -> UnitResult:
    return evaluate_unit(load_params(PARAMS_DIR / "xinhong-2024-declaration.yaml"))


def page(result: UnitResult, date: str = "2024-03-15") -> str:
    return sections.show_cover(result, date).data + "".join(getattr(sections, name)(result).data for name in SHOW)


def rows_of(html: str, caption: str) -> list[str]:
    table = re.search(rf"<caption>{re.escape(caption)}</caption>.*?</table>", html, re.S).group(0)
    return re.findall(r"<tr[^>]*>.*?</tr>", table, re.S)


# --- escaping ------------------------------------------------------------------------------------
def test_every_text_from_the_inputs_is_escaped(data_dir):
    evaluation = load_evaluation(data_dir / "clean_unit.xlsx")
    evaluation.indicators.loc[1, "name"] = HOSTILE
    evaluation.indicators.loc[1, "level2"] = '"><img src=x onerror=alert(2)>'
    evaluation.texts["职责"] = HOSTILE
    scored = score_evaluation(evaluation)
    finding = {
        "code": "A07",
        "severity": "警告",
        "where": f"指标「{HOSTILE}」",
        "scope": "indicator",
        "indicator_id": "I02",
        "message": f"指标「{HOSTILE}」未填写全年完成值。",
        "expected": HOSTILE,
        "reported": "<b>x</b>",
    }
    result = UnitResult(
        "u",
        "甲<b>单位</b>",
        2024,
        "<i>评价组</i>",
        self_eval=scored,
        findings=pd.DataFrame([finding]),
        params={"inputs": {"self_evaluation": "<x>.xlsx"}},
    )
    html = page(result)
    assert "<script" not in html.lower() and "<img src=x" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "甲&lt;b&gt;单位&lt;/b&gt;" in html
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'<img[^>]*src="([^"]*)"', html))
    assert sections.show_cover(result).metadata == {"jixiao": {"title": "甲<b>单位</b>"}}  # escaped by the exporter


# --- cover and key figures ---------------------------------------------------------------------------
def test_cover_of_a_scored_unit(xinhong):
    cover = sections.show_cover(xinhong, "2024-03-15")
    assert cover.metadata[sections.PAGE_TITLE_KEY]["title"] == "上海市闵行区新虹街道城市运行管理中心"
    html = cover.data
    # 25 indicators are 待核实: the total is a range, the grade 待定, the cover and page header marked 征求意见稿
    assert '<span class="value">45.89–97.69<span class="unit">分</span></span>' in html
    assert 'class="jx-grade "' in html and ">待定<" in html
    assert '<p class="jx-draft-mark">征求意见稿</p>' in html and '@top-right { content: "征求意见稿"' in html
    assert "2024年3月15日" in html and "xinhong_2023_self_evaluation.xlsx" in html
    assert "第三方评价组" not in html and "未填写" not in html, "no placeholder where the settings name no firm"
    assert "2023年度部门整体支出绩效自评复核报告" in html


def test_cover_of_a_declaration_is_a_target_review_not_an_unscored_review(declaration):
    html = sections.show_cover(declaration, "不是日期").data
    assert "2024年度绩效目标审核意见" in html and "预算绩效目标审核意见" in html and "不是日期" in html
    assert "不计分" not in html and "复核报告" not in html
    assert re.search(r'<span class="label">审核结论</span><span class="value">需修改完善', html)


def test_summary_cards_carry_severity_classes(xinhong):
    html = sections.show_summary(xinhong).data
    assert re.search(r'class="jx-card sev-error"><span class="label">错误</span><span class="value">11', html)
    assert re.search(r'class="jx-card "><span class="label">评价等级</span><span class="value">待定', html)
    assert re.search(r'<span class="label">复核总分</span><span class="value">45.89–97.69', html)


# --- coloured tables ------------------------------------------------------------------------------
def test_indicator_tables_mark_deductions_and_differences(xinhong):
    html = sections.show_indicator_analysis(xinhong).data
    rows = rows_of(html, "投入管理指标计分")  # the caption does not double 指标
    lost = [r for r in rows if "基本支出预算执行率" in r]
    assert lost and lost[0].startswith('<tr class="lost">')
    assert '<td class="num neg">-0.01</td>' in lost[0] and '<td class="num review">0.99</td>' in lost[0]
    # 预算编制合理性: the unit's own 1.00 of 2 is the ceiling without evidence; pending rows are marked, not "lost"
    pending = next(r for r in rows if "预算编制合理性" in r)
    assert pending.startswith('<tr class="pending">') and '<td class="num review">0.60–1.00</td>' in pending
    assert "待核实（定性指标的达成仅有单位自述）" in pending
    assert 'rowspan="5">预算执行管理</td>' in html  # level-2 cells merged over their indicators
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 2


def test_findings_list_colours_every_row_by_severity(xinhong):
    rows = rows_of(sections.show_appendix(xinhong).data, "复核发现清单")[1:]  # without the header row
    # C05 one per indicator (27) and its summary; the reader note A30 (shifted rows) stays out of the client report
    assert len(xinhong.findings) == 74 and len(rows) == 73
    assert "A30" in set(xinhong.findings["code"]) and not any(">A30<" in r for r in rows)
    classes = [re.match(r'<tr class="([^"]+)">', r).group(1) for r in rows]
    assert classes.count("sev-error") == 11 and classes.count("sev-warn") == 58 and classes.count("sev-info") == 4
    assert '<span class="jx-badge sev-error">错误</span>' in rows[0]


def test_problems_are_numbered_with_chinese_numerals_and_skip_hints(xinhong):
    html = sections.show_problems(xinhong).data
    titles = re.findall(r"<h3>（([一二三四五六七八九十]+)）", html)
    assert (
        titles[:3] == ["一", "二", "三"] and titles[-1] == "十五" and len(titles) == 15
    )  # no 自评偏高 below the score tolerance; S01 replaces 定性得分不在档次区间 and 说明了偏差但未扣分
    assert "读取时行错位" not in html and 'class="jx-problem sev-lost"' in html


def test_unit_without_findings_gets_no_suggestions(data_dir):
    evaluation = load_evaluation(data_dir / "clean_unit.xlsx")
    scored = score_evaluation(evaluation)
    result = UnitResult("c", "示例单位", 2024, "", self_eval=scored, findings=pd.DataFrame())
    assert "无针对性改进建议" in sections.show_suggestions(result).data
    assert "本次复核未形成复核发现" in sections.show_appendix(result).data


@pytest.mark.parametrize(
    ("values", "spans"),
    [(["a", "a", "b"], [2, 0, 1]), (["a", "b", "a"], [1, 1, 1]), ([], []), (["x"] * 3, [3, 0, 0])],
    ids=["run-then-single", "no-runs", "empty", "one-run"],
)
def test_runs_give_rowspans(values, spans):
    assert htmlparts.runs(values) == spans


def test_quotes_are_cut_at_line_or_sentence_ends():
    assert htmlparts.excerpt("甲。\n乙乙乙。", 3) == ["甲。……"]
    assert htmlparts.excerpt("一二三。四五六七八。", 6) == ["一二三。……"]
    assert htmlparts.excerpt("短。", 100) == ["短。"]


# --- the client page ------------------------------------------------------------------------------
def tiny_notebook() -> nbformat.NotebookNode:
    cover = new_output(
        "display_data",
        data={"text/html": "<h1>复核报告</h1>", "text/plain": "x"},
        metadata={"text/html": {"jixiao": {"title": "甲<单位>"}}},
    )
    body = new_output("display_data", data={"text/html": "<p>复核总分 89.99 分</p>", "text/plain": "x"})
    return new_notebook(
        cells=[
            new_code_cell("sections.show_cover(result)", outputs=[cover], execution_count=1),
            new_markdown_cell("## 目录", metadata={"tags": ["jixiao-toc"]}),
            new_markdown_cell("## 摘要"),
            new_code_cell("sections.show_summary(result)", outputs=[body], execution_count=2),
            new_markdown_cell("## 一、基本情况\n\n正文"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


TINY = tiny_notebook()


@pytest.fixture(scope="module")
def client_page() -> str:
    return HtmlRenderer(default_style()).client(TINY, "默认标题")


def test_client_page_is_titled_by_the_cover_and_has_no_notebook_chrome(client_page):
    assert "<title>甲&lt;单位&gt;</title>" in client_page
    assert '<body class="jixiao-report">' in client_page
    body = client_page[client_page.index("<main>") :]
    assert "sections.show_" not in body and "jp-InputPrompt" not in body and "<script" not in client_page
    assert not re.search(r'(src|href)="https?://', client_page) and "@import" not in client_page
    assert "@page" in client_page and "size: A4" in client_page


def test_table_of_contents_links_every_section_heading(client_page):
    toc = re.search(r'<nav[^>]*class="jx-toc".*?</nav>', client_page, re.S).group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert [text for _, text in links] == ["摘要", "一、基本情况"]
    for anchor, _ in links:
        assert f'id="{anchor}"' in client_page


def test_page_title_falls_back_to_the_given_title():
    nb = tiny_notebook()
    nb.cells[0].outputs[0].metadata = {}
    assert page_title(nb, "单位汇总") == "单位汇总"


def test_embedded_font_covers_the_page_and_is_deterministic(client_page):
    rules = re.findall(
        r'@font-face \{ font-family: "JixiaoSans".*?src: url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\)', client_page
    )
    assert len(rules) == 1
    font = TTFont(io.BytesIO(base64.b64decode(rules[0])))
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "复核总分摘要基本情况甲单位目录")
    assert "SIL Open Font License" in " ".join(str(r) for r in font["name"].names if r.nameID == 13)
    again = HtmlRenderer(default_style()).client(TINY, "默认标题")
    assert again == client_page


def test_page_characters_ignore_embedded_data_and_keep_alt_text():
    chars = webfont.page_characters(
        '<img src="data:image/png;base64,QUJD" alt="预算图"><style>.x{}</style><p>复&amp;核</p>'
    )
    assert {"预", "算", "图", "复", "核", "&"} <= set(chars) and "Q" in chars  # ASCII is always in the base set
    assert "<" in chars and "\n" not in chars


def test_cover_carries_the_read_check_of_the_table(xinhong):
    """Page 1: rows read and the sums as read against the table's printed totals (same lines as jixiao score)."""
    html = sections.show_cover(xinhong).data
    box = html[html.index('<div class="jx-datacheck">') :]
    for line in (
        "读取指标 56 行。",
        "分值合计 100，表中分值合计 100，一致。",
        "自评分合计 103，表中总分 98.5，相差 4.5。",
    ):
        assert f"<li>{line}</li>" in box
    assert "指标区域的每一行均已读取。" in box


def test_glyph_cache_lets_a_new_process_assemble_the_same_page_without_converting(tmp_path, monkeypatch, client_page):
    """The first page converts glyphs and keeps them in the user's cache; a later process reads them (same bytes)."""
    monkeypatch.setattr(webfont, "_FONT", None)  # as in a new process
    first = HtmlRenderer(default_style(), glyph_cache=tmp_path)
    assert first.client(TINY, "默认标题") == client_page
    [cache] = tmp_path.glob("glyphs-*.json")
    assert webfont.glyph_font().converted > 0 and b'"stamp"' in cache.read_bytes()

    monkeypatch.setattr(webfont, "_FONT", None)
    second = HtmlRenderer(default_style(), glyph_cache=tmp_path)
    assert second.client(TINY, "默认标题") == client_page
    assert webfont.glyph_font().converted == 0  # every glyph came from the cache


def test_an_unwritable_glyph_cache_costs_only_the_cache(tmp_path, monkeypatch, client_page):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(webfont, "_FONT", None)
    assert HtmlRenderer(default_style(), glyph_cache=blocked / "cache").client(TINY, "默认标题") == client_page
