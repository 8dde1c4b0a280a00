"""The client HTML in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

Each sample unit's report is opened from disk with every network request blocked. It must
load without console errors or requests to other hosts, decode every image, show no code,
carry the unit's name as its title, render its text in the embedded font, link its table of
contents, and print to A4. A screenshot of the first screen is saved beside the HTML.

``scripts/test.sh`` (run by ``.ci/run``) installs ``chromium`` with apt when run as root; if
it is missing this test fails with a message saying so rather than skipping.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from jixiao.run.params import list_units, load_params
from jixiao.run.runner import run_units, unit_output_paths
from tests.conftest import PARAMS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SAMPLES = [p.stem for p in list_units(PARAMS_DIR)]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
A4_POINTS = (595, 842)  # 210 mm × 297 mm


def chromium_path() -> str:
    """Debian's chromium (or $JIXIAO_CHROMIUM); fails the test with the fix when absent."""
    for candidate in (os.environ.get("JIXIAO_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "找不到 Chromium：浏览器测试需要 Debian 的 chromium 软件包（apt-get install chromium），"
        "或用环境变量 JIXIAO_CHROMIUM 指定可执行文件。scripts/test.sh 以 root 运行时会自动安装。"
    )


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("outputs")
    summary = run_units(
        None, jobs=2, outputs_dir=folder, params_dir=PARAMS_DIR, progress=False, portfolio_template=None
    )
    assert summary.exit_code == 0, summary.format()
    return folder


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "找不到 Python 包 playwright：请运行 pip install -e .[test]（不需要 playwright install，使用系统的 chromium）。"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=SAMPLES)
def loaded(request, outputs, browser):
    """(unit, page, console errors, blocked requests, html path) after the report has loaded offline."""
    unit = request.param
    html = unit_output_paths(outputs, unit)["client_html"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, blocked = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(html.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    yield unit, page, errors, blocked, html
    page.close()


def test_loads_offline_without_errors_or_requests(loaded):
    _, _, errors, blocked, _ = loaded
    assert errors == [] and blocked == []


def test_every_image_decodes(loaded):
    _, page, _, _, _ = loaded
    images = page.evaluate("Array.from(document.images, i => [i.complete, i.naturalWidth, i.alt, i.src.slice(0, 22)])")
    assert images, "the report has charts"
    for complete, width, alt, src in images:
        assert complete and width > 0 and alt and src == "data:image/png;base64,"


def test_no_code_is_visible(loaded):
    _, page, _, _, _ = loaded
    visible = page.evaluate("""Array.from(document.querySelectorAll(
        '.jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .jp-InputPrompt, .jp-OutputPrompt, .highlight, pre, code, '
        + '.jp-RenderedText, [data-mime-type="application/vnd.jupyter.stderr"]'))
        .filter(e => e.offsetParent !== null).length""")
    assert visible == 0
    text = page.inner_text("body")
    assert not re.search(r"Traceback|Warning|import |sections\.show_|\bIn \[\d+\]", text)


def test_title_is_the_unit_name(loaded):
    unit, page, _, _, _ = loaded
    name = load_params(PARAMS_DIR / f"{unit}.yaml").display_name
    assert page.title() == name
    assert page.inner_text("h1.jx-cover-title") == name


def test_text_is_set_in_the_embedded_chinese_font(loaded):
    _, page, _, _, _ = loaded
    state = page.evaluate("""(() => {
        const faces = Array.from(document.fonts).filter(f => f.family.replace(/"/g, '') === 'JixiaoSans');
        return [faces.map(f => f.status), document.fonts.check('16px JixiaoSans', '复核总分')];
    })()""")
    assert state == [["loaded"], True]


def test_table_of_contents_links_resolve(loaded):
    _, page, _, _, _ = loaded
    targets = page.evaluate("""Array.from(document.querySelectorAll('nav.jx-toc a'), a =>
        [a.textContent, !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))])""")
    assert [t for t, _ in targets][:2] == ["摘要", "一、基本情况"] and len(targets) == 10
    assert all(ok for _, ok in targets)


def test_first_screen_screenshot_and_a4_print(loaded):
    unit, page, _, _, html = loaded
    shot = html.with_name(f"{unit}.screenshot.png")
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert boxes == {A4_POINTS}
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 3  # cover, contents, body
