"""The client report printed to PDF by Chromium: no page ends with a table caption, a table header row or a heading.

Chromium prints each sample unit's client HTML (A4, the report's print CSS); ``pdftotext -layout``
gives each page's text. The last line of every page (the page-number footer left out) must not be
a table caption ("表 N　…"), the header row of a table, or a section heading: those belong at the
top of the next page with what they introduce. Also checks the analyst HTML's 目录 links resolve.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jixiao.run.params import list_units
from jixiao.run.runner import run_units
from jixiao.run.runrecord import unit_output_paths
from tests.conftest import PARAMS_DIR
from tests.test_browser import CHROMIUM_ARGS, chromium_path

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SAMPLES = [p.stem for p in list_units(PARAMS_DIR)]
FOOTER = re.compile(r"\d+ / \d+|征求意见稿")  # page numbers and the draft mark of the page header


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("print")
    summary = run_units(None, outputs_dir=folder, params_dir=PARAMS_DIR, progress=False, portfolio_template=None)
    assert summary.exit_code == 0, summary.format()
    return folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page_last_lines(pdf: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.fail("找不到 pdftotext：请安装 poppler-utils（scripts/test.sh 以 root 运行时会自动安装）。")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    last = []
    for page in text.split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip() and not FOOTER.fullmatch(line.strip())]
        if lines and not lines[0].startswith("目录"):  # the contents page lists headings by design
            last.append(lines[-1])
    return last


@pytest.mark.parametrize("unit", SAMPLES)
def test_no_page_ends_with_a_caption_header_row_or_heading(outputs, browser, unit, tmp_path):
    html = unit_output_paths(outputs, unit)["client_html"]
    page = browser.new_page()
    page.goto(html.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    layout = page.evaluate("""() => ({
      captions: [...document.querySelectorAll('main table caption')].map(c => c.innerText.trim()),
      heads: [...document.querySelectorAll('main table thead tr')].map(r => [...r.cells].map(c => c.innerText.trim())),
      headings: [...document.querySelectorAll('main h2, main h3')]
        .filter(h => !h.closest('nav')).map(h => h.innerText.replace('¶', '').trim()),
    })""")
    pdf = tmp_path / f"{unit}.pdf"
    pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    page.close()
    assert layout["captions"] or unit != "xinhong-2023"  # the check has something to check
    problems = []
    for number, last in enumerate(_page_last_lines(pdf), start=1):
        caption = re.match(r"表\s*\d+\s*(.*)", last)
        if caption and any(caption.group(1) and caption.group(1) in c for c in layout["captions"]):
            problems.append(f"第 {number} 页以表题结束：{last}")
        words = last.split()
        if len(words) >= 3 and any(all(any(w in cell for cell in head) for w in words) for head in layout["heads"]):
            problems.append(f"第 {number} 页以表头结束：{last}")
        if last in layout["headings"]:
            problems.append(f"第 {number} 页以标题结束：{last}")
    assert not problems, problems


def test_analyst_html_table_of_contents_links_resolve(outputs, browser):
    html = unit_output_paths(outputs, "xinhong-2023")["analyst_html"]
    page = browser.new_page()
    page.goto(html.as_uri(), wait_until="load")
    targets = page.evaluate("""Array.from(document.querySelectorAll('nav.jx-toc a'), a =>
        [a.textContent, !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))])""")
    page.close()
    assert [t for t, _ in targets][:2] == ["摘要", "一、基本情况"] and len(targets) == 11
    assert targets[-1][0] == "读取说明"  # the analyst-only section, after the annex
    assert all(ok for _, ok in targets)


def test_a_draft_carries_its_mark_in_every_printed_page_header(outputs, browser, tmp_path):
    html = unit_output_paths(outputs, "xinhong-2023")["client_html"]  # 待核实 indicators: a 征求意见稿
    page = browser.new_page()
    page.goto(html.as_uri(), wait_until="load")
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    page.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) > 3 and all(p.strip().splitlines()[0].strip().endswith("征求意见稿") for p in pages)
