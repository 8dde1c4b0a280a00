"""The portfolio page of a run: the portfolio notebook executed after the units → ``outputs/index.html``.

Like a unit, it runs in a fresh kernel (usually started while the last unit ran) and its
files are written atomically; on a failure the notebook is kept as ``portfolio.failed.ipynb``
with papermill's error banner and the last good ``index.html`` stays.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jixiao.run.atomic import atomic_write_bytes, atomic_write_text
from jixiao.run.engine import Kernel, KernelFactory, load_template, parameterize, started
from jixiao.run.execution import add_error_banner, execute_notebook, notebook_seconds
from jixiao.run.htmlexport import HtmlRenderer
from jixiao.run.runrecord import UnitOutcome
from jixiao.run.unitjob import error_line, failure_text, notebook_json

__all__ = ["PORTFOLIO_TITLE", "run_portfolio_page"]

PORTFOLIO_TITLE = "绩效评价复核 —— 单位汇总"


async def run_portfolio_page(
    kernel_task: asyncio.Task,
    factory: KernelFactory,
    *,
    template: Path,
    outputs_dir: Path,
    params_dir: Path,
    renderer: HtmlRenderer,
    io: concurrent.futures.Executor,
    timeout: float,
    shut_down: Callable[[Kernel], None],
) -> UnitOutcome:
    """Execute the portfolio notebook in the kernel of ``kernel_task`` and write its files (in ``io``).

    ``shut_down`` takes the kernel once the notebook has run (the runner shuts it down with the others).
    """
    began = time.perf_counter()
    outcome = UnitOutcome("index", "failed", "单位汇总页")
    target = {"notebook": outputs_dir / "portfolio.ipynb", "html": outputs_dir / "index.html"}
    failed = {"failed_notebook": outputs_dir / "portfolio.failed.ipynb"}
    try:
        parameters = {"outputs_dir": str(outputs_dir), "params_dir": str(params_dir)}
        nb = parameterize(
            load_template(template), parameters, input_path=str(template), output_path=str(target["notebook"])
        )
        kernel = await started(kernel_task)
        try:
            nb = await execute_notebook(nb, kernel, timeout=timeout)
        finally:
            shut_down(kernel)
        outcome.notebook_seconds = notebook_seconds(nb)
        error = add_error_banner(nb)
        loop = asyncio.get_running_loop()
        if error is None:
            html = await loop.run_in_executor(io, renderer.client, nb, PORTFOLIO_TITLE)
            await loop.run_in_executor(io, _write_pair, target["notebook"], nb, target["html"], html)
            with contextlib.suppress(OSError):
                os.unlink(failed["failed_notebook"])
            outcome.status, outcome.outputs = "ok", target
        else:
            outcome.error = error_line(error)
            await loop.run_in_executor(io, _write_pair, failed["failed_notebook"], nb, None, None)
            outcome.outputs = failed
    except Exception as exc:
        outcome.error = failure_text(exc)
    outcome.seconds = round(time.perf_counter() - began, 2)
    return outcome


def _write_pair(nb_path: Path, nb: Any, html_path: Path | None, html: str | None) -> None:
    atomic_write_bytes(nb_path, notebook_json(nb))
    if html_path is not None and html is not None:
        atomic_write_text(html_path, html)
