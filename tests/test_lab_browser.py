"""The analyst's workbench in a real browser: ``jixiao lab`` on a copy of a project, driven by Playwright.

JupyterLab is started the way ``jixiao lab`` starts it (:func:`jixiao.run.lab.lab_command`) on a
fresh project with the sample units, with its user settings, workspaces and runtime files in a
temporary folder. Headless Chromium (Debian's ``chromium``) opens the documented URL
(``/lab/tree/notebooks/explore.py``), which must show a notebook (not the text editor); all cells
run; the review panel renders as widgets without "Error displaying widget" or console errors; an
override typed in the panel changes the total; saving writes the YAML; 重新生成报告 produces
the client HTML with the override; a second window on the same notebook renders the widgets too,
and the first one still does. Screenshots go to ``$JIXIAO_SCREENSHOTS`` (default: the test's tmp
folder); the timings are printed and written beside them.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from jixiao.run.lab import lab_command
from jixiao.run.params import load_params
from jixiao.run.runrecord import unit_output_paths
from jixiao.run.scaffold import init_project
from tests.test_browser import CHROMIUM_ARGS, chromium_path

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TOKEN = "jixiao-lab-test"
UNIT = "xinhong-2023"
REASON = "浏览器测试：佐证材料不足"
PANEL_BUTTON = ".widget-button:has-text('保存到参数文件')"
TOTAL = re.compile(r"复核总分\s*([0-9.]+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, project) of a JupyterLab started like ``jixiao lab`` on a fresh sample project."""
    tmp = tmp_path_factory.mktemp("lab")
    project = init_project(tmp / "项目", samples=True, name="浏览器测试项目")
    port = _free_port()
    env = dict(os.environ)
    for name, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("IPYTHONDIR", "ipython"),
    ):
        env[name] = str(tmp / sub)
    command = lab_command(project, port=port, open_browser=False) + [f"--IdentityProvider.token={TOKEN}"]
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=project.root)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None:
                pytest.fail("JupyterLab 未能启动：\n" + (tmp / "lab.log").read_text(encoding="utf-8")[-3000:])
            time.sleep(0.5)
    yield base, project
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(context, base: str, errors: list[str]):
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/lab/tree/notebooks/explore.py?token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")  # a notebook, not the text editor
    return page


def _run_all(page) -> None:
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_selector(PANEL_BUTTON, timeout=180_000)


def _total(page) -> float:
    text = next((t for t in page.locator(".widget-html").all_inner_texts() if "复核总分" in t), "")
    match = TOTAL.search(text)
    assert match, text
    return float(match.group(1))


def _no_widget_errors(page) -> None:
    body = page.inner_text(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    assert "Error displaying widget" not in body and "model not found" not in body


def _real_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if "favicon" not in e]


def test_explore_in_jupyterlab_end_to_end(lab, browser, shots):
    base, project = lab
    timings: dict[str, float] = {}
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    started = time.perf_counter()
    page = _open(context, base, errors)
    shipped = (project.notebooks_dir / "explore.py").read_bytes()
    # opening does not mark the notebook unsaved (the header carries the kernel's language_info)
    page.wait_for_timeout(5_000)  # the kernel connects and reports its language_info
    assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0
    _run_all(page)
    timings["打开 notebook → 面板显示（含运行全部单元格）"] = time.perf_counter() - started
    _no_widget_errors(page)
    page.screenshot(path=str(shots / "lab-1-panel.png"), full_page=False)

    before = _total(page)
    panel = page.locator(".jp-OutputArea-output:has(.widget-button:has-text('保存到参数文件'))")
    panel.locator(".widget-text:has(label:text-is('复核分')) input").fill("0")
    panel.locator(".widget-textarea:has(label:text-is('理由')) textarea").fill(REASON)
    panel.locator(".widget-button:has-text('应用调整')").click()
    page.wait_for_function(
        "([before]) => [...document.querySelectorAll('.widget-html')].some(e => "
        "/复核总分\\s*([0-9.]+)/.test(e.innerText) && parseFloat(e.innerText.match(/复核总分\\s*([0-9.]+)/)[1]) !== before)",
        arg=[before],
    )
    after = _total(page)
    assert after < before - 0.005
    panel.locator(PANEL_BUTTON).click()
    page.wait_for_function("() => document.body.innerText.includes('已保存 1 项复核调整')")
    params = load_params(project.params_dir / f"{UNIT}.yaml")
    assert any(o.reason == REASON and o.score == 0 for o in params.overrides)

    started = time.perf_counter()
    panel.locator(".widget-button:has-text('重新生成报告')").click()
    page.wait_for_selector("a.jixiao-fresh-report, .widget-html:has-text('重新生成报告失败')", timeout=300_000)
    timings["重新生成报告 → 新的客户版 HTML"] = time.perf_counter() - started
    page.screenshot(path=str(shots / "lab-2-rerun.png"), full_page=False)
    assert page.locator("a.jixiao-fresh-report").count() == 1, page.inner_text(".jp-Notebook")
    paths = unit_output_paths(project.outputs_dir, UNIT)
    html = paths["client_html"].read_text(encoding="utf-8")
    assert REASON in html
    result = json.loads(paths["result"].read_text(encoding="utf-8"))
    assert abs(float(result["totals"]["review_total"]) - after) <= 0.005

    # Ctrl+S keeps the versioned text as it was and creates no .ipynb; reopening shows no stale widgets
    page.locator(".jp-NotebookPanel .jp-Notebook").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')")
    assert (project.notebooks_dir / "explore.py").read_bytes() == shipped
    assert sorted(p.name for p in project.notebooks_dir.iterdir() if not p.name.startswith(".")) == ["explore.py"]
    page.reload()
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    _no_widget_errors(page)
    _run_all(page)

    # a second window on the same notebook: its widgets render, and the first window's still do
    second_errors: list[str] = []
    second = _open(browser.new_context(viewport={"width": 1400, "height": 1000}), base, second_errors)
    _run_all(second)
    _no_widget_errors(second)
    second.screenshot(path=str(shots / "lab-3-second-window.png"), full_page=False)
    page.bring_to_front()
    page.wait_for_selector(PANEL_BUTTON)
    _no_widget_errors(page)
    page.screenshot(path=str(shots / "lab-4-first-window-after.png"), full_page=False)
    assert not _real_errors(errors), errors[:5]
    assert not _real_errors(second_errors), second_errors[:5]

    notes = "\n".join(f"{k}：{v:.1f} 秒" for k, v in timings.items())
    (shots / "timings.txt").write_text(notes + "\n", encoding="utf-8")
    print(notes)
