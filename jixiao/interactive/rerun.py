"""The panel's 重新生成报告: run one unit through the same code path as ``jixiao run UNIT``."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from jixiao.core.errors import JixiaoError
from jixiao.interactive.panel_html import escape
from jixiao.run.params import UnitParams
from jixiao.run.project import find_project, load_project
from jixiao.run.runner import run_units
from jixiao.run.runrecord import unit_output_paths

__all__ = ["Rerun", "rerun_unit", "rerun_started_html"]

_OK, _ERROR = "#166534", "#B91C1C"


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


def rerun_unit(params: UnitParams, project_dir: str = "") -> Rerun:
    """Run the unit of ``params`` (its saved params file) like ``jixiao run UNIT --force``.

    Raises:
        JixiaoError: the params file is not inside a project (Chinese message).
    """
    started = time.perf_counter()
    try:
        if project_dir:
            project = load_project(project_dir)
        else:
            project = find_project(params.path.parent if params.path is not None else None)
    except JixiaoError as exc:
        raise JixiaoError(f"无法重新生成报告：{exc}") from None
    summary = run_units([params.unit_id], project=project, force=True, progress=False)
    html = unit_output_paths(project.outputs_dir, params.unit_id)["client_html"]
    ok = summary.exit_code == 0 and html.is_file()
    return Rerun(ok, html if ok else None, summary.format(), time.perf_counter() - started)
