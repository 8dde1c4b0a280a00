"""``jixiao lab`` without a browser: the notebook header that keeps a fresh notebook "saved", and the
重新生成报告 progress line. The browser path itself is tested in tests/test_lab_browser.py."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import jupytext
from ipykernel.ipkernel import IPythonKernel

from jixiao.interactive.rerun import RerunTicker, rerun_progress_html
from jixiao.run.lab import stamp_kernel_language, stamp_notebook_file
from jixiao.run.project import resource_path
from jixiao.run.runrecord import unit_output_paths
from jixiao.run.scaffold import init_project

SHIPPED = resource_path("notebooks", "explore.py").read_text(encoding="utf-8")


def test_stamp_adds_the_kernels_language_info_and_keeps_every_cell():
    stamped = stamp_kernel_language(SHIPPED)
    notebook = jupytext.reads(stamped, fmt="py:percent")
    assert notebook.metadata["language_info"] == IPythonKernel.language_info
    assert notebook.metadata["jupytext"]["notebook_metadata_filter"].split(",")[0] == "language_info"
    original = jupytext.reads(SHIPPED, fmt="py:percent")
    assert [c.source for c in notebook.cells] == [c.source for c in original.cells]
    # the body below the header is byte-identical and stamping twice changes nothing
    assert stamped.split("# ---\n", 2)[2] == SHIPPED.split("# ---\n", 2)[2]
    assert stamp_kernel_language(stamped) == stamped


def test_init_writes_a_stamped_notebook_and_lab_restamps_only_when_python_changed(tmp_path):
    project = init_project(tmp_path / "项目", name="测试项目")
    path = project.notebooks_dir / "explore.py"
    text = path.read_text(encoding="utf-8")
    assert f"version: {IPythonKernel.language_info['version']}" in text
    assert stamp_notebook_file(path) is False
    path.write_text(text.replace(f"version: {IPythonKernel.language_info['version']}", "version: 3.9.0"), "utf-8")
    assert stamp_notebook_file(path) is True
    assert path.read_text(encoding="utf-8") == text


def test_progress_line_names_the_outputs_written_since_the_run_started(tmp_path):
    outputs = unit_output_paths(tmp_path, "u1")
    outputs["dir"].mkdir()
    outputs["client_html"].write_text("old", encoding="utf-8")
    started = time.time() + 1
    os.utime(outputs["client_html"], (started - 60, started - 60))  # from an earlier run
    line = rerun_progress_html(outputs, started, 3.2)
    assert "已用 3 秒" in line and "正在启动内核" in line and "客户版" not in line
    outputs["notebook"].write_text("{}", encoding="utf-8")
    outputs["result"].write_text("{}", encoding="utf-8")
    os.utime(outputs["notebook"], (started + 1, started + 1))
    os.utime(outputs["result"], (started + 1, started + 1))
    line = rerun_progress_html(outputs, started, 12.0, unsaved=2)
    assert "已生成：执行报告 notebook、复核结果 result.json。" in line
    assert "有 2 项未保存的复核调整" in line and "客户版" not in line


def test_ticker_updates_while_the_run_blocks_and_stops_after(tmp_path: Path):
    shown: list[str] = []
    outputs = unit_output_paths(tmp_path, "u1")
    with RerunTicker(shown.append, outputs, interval=0.05):
        time.sleep(0.4)  # the run blocks the widget callback; the ticker thread keeps the line fresh
    count = len(shown)
    assert count >= 3 and all("正在重新生成报告" in line for line in shown)
    time.sleep(0.2)
    assert len(shown) == count
    assert not any(t.name == "jixiao-rerun-progress" for t in threading.enumerate())
