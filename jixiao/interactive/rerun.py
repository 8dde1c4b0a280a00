"""The panel's 重新生成报告: run one unit through the same code path as ``jixiao run UNIT``."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jixiao.core.errors import JixiaoError
from jixiao.interactive.panel_html import escape
from jixiao.run.params import UnitParams
from jixiao.run.project import find_project, load_project
from jixiao.run.runner import run_units
from jixiao.run.runrecord import unit_output_paths

__all__ = ["RerunTicker", "Rerun", "rerun_outputs", "rerun_progress_html", "rerun_unit", "rerun_started_html"]

_OK, _ERROR = "#166534", "#B91C1C"

# the unit's outputs in the order a run writes them, with their names for the analyst
_STAGES = (
    ("notebook", "执行报告 notebook"),
    ("result", "复核结果 result.json"),
    ("client_html", "客户版 HTML"),
    ("analyst_html", "分析版 HTML"),
    ("word", "Word 报告"),
    ("workpapers", "复核底稿"),
)


@dataclass(frozen=True)
class Rerun:
    """What a re-run produced: the client HTML (when it succeeded), the summary text, seconds taken."""

    ok: bool
    client_html: Path | None
    summary: str
    seconds: float

    def link(self, start: str | os.PathLike[str] | None = None) -> str:
        """The client HTML relative to ``start`` (the notebook's folder, default the working directory).

        A relative link in a JupyterLab page resolves against ``/lab/tree/<notebook folder>/``, so
        it opens the report inside JupyterLab.
        """
        if self.client_html is None:
            return ""
        return Path(os.path.relpath(self.client_html, start or os.getcwd())).as_posix()

    def html(self) -> str:
        """The panel's status line: a link to the fresh report, or the failure summary."""
        if self.ok:
            return (
                f"<p style='color:{_OK}'>报告已重新生成（{self.seconds:.0f} 秒）："
                f"<a class='jixiao-fresh-report' href='{escape(self.link())}' target='_blank'>"
                f"{escape(self.client_html.name)}</a>　<small>{escape(str(self.client_html))}</small></p>"
            )
        return f"<p style='color:{_ERROR}'>⚠ 重新生成报告失败：</p><pre>{escape(self.summary)}</pre>"


def rerun_started_html(unsaved: int) -> str:
    """The status line while the unit runs."""
    note = f"（有 {unsaved} 项未保存的复核调整，报告按已保存的参数文件生成）" if unsaved else ""
    return f"<p>正在重新生成报告{note}……通常需要半分钟到一分钟。</p>"


def rerun_progress_html(outputs: dict[str, Path], started_at: float, elapsed: float, unsaved: int = 0) -> str:
    """The status line while the unit runs: seconds elapsed and the outputs written so far.

    ``started_at`` is the wall-clock time (``time.time()``) the run started; an output counts as
    written when its file is newer than that.
    """
    done = []
    for key, label in _STAGES:
        path = outputs.get(key)
        try:
            if path is not None and path.stat().st_mtime >= started_at:
                done.append(label)
        except OSError:
            continue
    written = f"已生成：{'、'.join(done)}。" if done else "正在启动内核并执行报告 notebook。"
    return rerun_started_html(unsaved).replace("……通常需要半分钟到一分钟。", f"……已用 {elapsed:.0f} 秒，{written}")


class RerunTicker:
    """Updates a status line every ``interval`` seconds from a background thread while a unit runs."""

    def __init__(self, show: Callable[[str], None], outputs: dict[str, Path], unsaved: int = 0, interval: float = 1.0):
        self._show, self._outputs, self._unsaved, self._interval = show, outputs, unsaved, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jixiao-rerun-progress", daemon=True)
        self._wall, self._clock = time.time(), time.perf_counter()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            elapsed = time.perf_counter() - self._clock
            self._show(rerun_progress_html(self._outputs, self._wall, elapsed, self._unsaved))

    def __enter__(self) -> RerunTicker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _project(params: UnitParams, project_dir: str):
    try:
        if project_dir:
            return load_project(project_dir)
        return find_project(params.path.parent if params.path is not None else None)
    except JixiaoError as exc:
        raise JixiaoError(f"无法重新生成报告：{exc}") from None


def rerun_outputs(params: UnitParams, project_dir: str = "") -> dict[str, Path]:
    """Where a re-run of the unit of ``params`` writes its outputs (for :class:`RerunTicker`)."""
    return unit_output_paths(_project(params, project_dir).outputs_dir, params.unit_id)


def rerun_unit(params: UnitParams, project_dir: str = "") -> Rerun:
    """Run the unit of ``params`` (its saved params file) like ``jixiao run UNIT --force``.

    Raises:
        JixiaoError: the params file is not inside a project (Chinese message).
    """
    started = time.perf_counter()
    project = _project(params, project_dir)
    summary = run_units([params.unit_id], project=project, force=True, progress=False)
    html = unit_output_paths(project.outputs_dir, params.unit_id)["client_html"]
    ok = summary.exit_code == 0 and html.is_file()
    return Rerun(ok, html if ok else None, summary.format(), time.perf_counter() - started)
