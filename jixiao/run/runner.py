"""Batch runner behind ``jixiao run``: every unit's params → its notebook, HTML and result.json.

For each selected ``params/<unit>.yaml`` the unit template is parameterized (papermill),
executed in a fresh kernel and written to ``outputs/<unit>/``:

- ``<unit>.ipynb`` executed notebook, ``<unit>.html`` client HTML, ``<unit>.analyst.html``;
- ``result.json`` (the notebook's result + provenance; see ``schemas/result.schema.json``);
- ``.cache.json`` (status and cache key of the last run);
- on failure ``<unit>.failed.ipynb`` / ``<unit>.failed.html`` with papermill's error banner,
  while the outputs of the last good run are kept.

Then the portfolio notebook renders ``outputs/index.html``. A unit whose inputs, params,
template and library are unchanged since its last successful run is skipped unless
``force``. Every file is written atomically.

Speed (one process instead of a ``papermill`` + ``jupyter nbconvert`` pair per unit):
papermill's parameterisation and cell bookkeeping and nbconvert's exporter are driven
in-process (exporters built once); ``jobs`` units execute side by side, each in its own
fresh kernel; the next kernel is started while a unit runs; on Linux kernels are forked
from a template process that has already imported ipykernel, pandas, matplotlib and jixiao
(:mod:`jixiao.run.forkserver`), elsewhere spawned and warmed up (:mod:`jixiao.run.engine`); a unit's
files are written by an I/O thread while the next unit executes.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from jixiao.core import errors
from jixiao.core.errors import JixiaoError, ParamsError
from jixiao.core.jsondata import json_ready
from jixiao.run.apparatus import missing_settings
from jixiao.run.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text, remove_stale_temps
from jixiao.run.engine import (
    KernelFactory,
    add_error_banner,
    execute_notebook,
    load_template,
    notebook_seconds,
    parameterize,
)
from jixiao.run.handoff import extract_result
from jixiao.run.htmlexport import HtmlRenderer, HtmlStyle, default_style
from jixiao.run.params import UnitParams, check_unique_units, list_units, load_params
from jixiao.run.project import Project, ProjectSettings, resource_path, unit_id_problem
from jixiao.run.runrecord import (
    INTERRUPTED,
    RESULT_SCHEMA,
    RunSummary,
    UnitOutcome,
    now_iso,
    package_fingerprint,
    read_json,
    result_validator,
    schema_problem,
    sha256_file,
    shown_path,
    unit_output_paths,
    versions,
)
from jixiao.run.wordexport import word_report
from jixiao.run.workpapers import SUMMARY_BOOK, unit_workpapers, write_summary_book

__all__ = [
    "UNIT_TEMPLATE",
    "SUMMARY_BOOK",
    "PORTFOLIO_TEMPLATE",
    "RESULT_SCHEMA",
    "DEFAULT_WARMUP",
    "UnitOutcome",
    "RunSummary",
    "run_units",
    "resolve_selection",
    "unit_output_paths",
]

UNIT_TEMPLATE = resource_path("notebooks", "unit_report.py")
PORTFOLIO_TEMPLATE = resource_path("notebooks", "portfolio.py")
#: Imported before a kernel runs its notebook (see ``KernelFactory``); ``jixiao.*`` is every
#: notebook-side jixiao module (the pipeline imports most of them lazily).
DEFAULT_WARMUP = ("pandas", "matplotlib", "openpyxl", "jixiao.*")
#: Stages a unit notebook uses; the runner's own modules and the interactive ones are never
#: imported into batch kernels, except the few run modules a notebook calls.
_KERNEL_SIDE = ("jixiao.core.", "jixiao.parse.", "jixiao.read.", "jixiao.score.", "jixiao.review.", "jixiao.report.")
_KERNEL_RUN_MODULES = {"jixiao.run.params", "jixiao.run.project", "jixiao.run.evaluate", "jixiao.run.handoff"}


def resolve_selection(selection: list[str] | None, params_dir: str | os.PathLike[str]) -> list[Path]:
    """Params files for unit names or paths (all of ``params_dir`` when empty), in order, without duplicates.

    Raises:
        ParamsError: a name that matches no params file (lists the available units).
    """
    folder = Path(params_dir)
    if not selection:
        return check_unique_units(list_units(folder))
    found: list[Path] = []
    for item in selection:
        candidate = Path(item)
        if not candidate.is_file():
            if unit_id_problem(item):
                raise ParamsError(unit_id_problem(item))
            candidate = folder / f"{item}.yaml"
        if not candidate.exists():  # a folder named x.yaml is loaded, and fails as that unit alone
            known = "、".join(p.stem for p in list_units(folder)) if folder.is_dir() else "（无）"
            raise ParamsError(f"找不到单位「{item}」的参数文件。可用的单位：{known}", path=str(candidate))
        resolved = candidate.resolve()
        if resolved in found:
            continue
        twin = next((f for f in found if f.stem == resolved.stem), None)
        if twin is not None:
            raise ParamsError(f"与「{twin}」同名：两个单位会写入同一个输出目录，请改名", path=str(resolved))
        found.append(resolved)
    return found


def run_units(
    selection: list[str] | None = None,
    *,
    jobs: int = 1,
    force: bool = False,
    project: Project | None = None,
    outputs_dir: str | os.PathLike[str] | None = None,
    params_dir: str | os.PathLike[str] | None = None,
    template: str | os.PathLike[str] | None = None,
    portfolio_template: str | os.PathLike[str] | None | bool = True,
    progress: bool = True,
    style: HtmlStyle | None = None,
    warmup: tuple[str, ...] = DEFAULT_WARMUP,
    timeout: float = 600,
    kernels: str = "auto",
) -> RunSummary:
    """Run the unit template for each selected unit, then the portfolio page.

    Args:
        selection: Unit names (``params/<name>.yaml``) or params file paths; all units when None/empty.
        jobs: Units executed side by side (each in its own fresh kernel).
        force: Re-run units even when nothing changed since their last successful run.
        project: The engagement project: its params, outputs, notebook templates and defaults.
        outputs_dir: Where ``<unit>/`` folders and ``index.html`` go (default: the project's).
        params_dir: Folder of the params files (default: the project's).
        template: The unit notebook (py:percent or .ipynb); default: the project's or the shipped one.
        portfolio_template: The portfolio notebook; True for the project's or the shipped one, None to skip.
        progress: Show a progress bar (only on a terminal).
        style: HTML styling hook (see :class:`jixiao.run.htmlexport.HtmlStyle`); default: the report design.
        warmup: Modules imported in each kernel as soon as it starts.
        timeout: Seconds allowed per cell.
        kernels: ``fork`` (kernels forked from a pre-imported template process), ``spawn``
            (a new ipykernel process each) or ``auto`` (fork on Linux). Always one fresh kernel per unit.

    Returns:
        The run summary; ``summary.exit_code`` is non-zero if any unit failed.

    Raises:
        ParamsError: a selected unit name has no params file.
    """
    if project is None and (outputs_dir is None or params_dir is None):
        raise TypeError("run_units needs a project, or both params_dir and outputs_dir")
    params_dir = Path(params_dir) if params_dir is not None else project.params_dir
    if portfolio_template is True:
        portfolio_template = project.template("portfolio.py") if project else PORTFOLIO_TEMPLATE
    runner = _Runner(
        params_dir=params_dir,
        outputs_dir=Path(outputs_dir) if outputs_dir is not None else project.outputs_dir,
        template=Path(template) if template else (project.template("unit_report.py") if project else UNIT_TEMPLATE),
        portfolio_template=Path(portfolio_template) if portfolio_template else None,
        settings=project.settings if project else ProjectSettings(),
        require_apparatus=project is not None,
        project_dir=str(project.root) if project else "",
        root=project.root if project else params_dir.resolve().parent,
        jobs=max(1, int(jobs)),
        force=force,
        progress=progress,
        style=style or default_style(),
        warmup=_expand_warmup(warmup),
        timeout=timeout,
        kernels=kernels,
    )
    files = resolve_selection(selection, params_dir)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(runner.run(files))
    # Called from a running loop (e.g. inside JupyterLab): run in a thread of our own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, runner.run(files)).result()


@dataclass
class _Plan:
    unit_id: str
    params_path: Path
    params: UnitParams | None = None
    key: str = ""
    outcome: UnitOutcome | None = None  # set when decided without running (skipped, bad params)


class _Runner:
    def __init__(self, **options: Any) -> None:
        self.__dict__.update(options)
        self.renderer = HtmlRenderer(self.style)
        self.io = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="jixiao-io")
        self.versions = versions()
        self.package_sha = package_fingerprint()
        self.template_sha = sha256_file(self.template)
        self.validator = result_validator()
        self.shutdowns: list[asyncio.Task] = []
        self.finishers: list[asyncio.Task] = []
        self.portfolio_kernel: asyncio.Task | None = None

    async def run(self, files: list[Path]) -> RunSummary:
        began = time.perf_counter()
        self.interrupted = False
        remove_stale_temps(self.outputs_dir)
        plans = [self._plan(f) for f in files]
        with _interrupts(self._interrupt):
            try:
                summary = await self._run_plans(plans, began)
            except asyncio.CancelledError:
                if not self.interrupted:
                    raise
            task = asyncio.current_task()
            while self.interrupted and task.cancelling():
                task.uncancel()  # nbclient may have turned our cancellation into a "dead kernel"
        if not self.interrupted:
            return summary
        for plan in plans:
            if plan.outcome is None or plan.outcome.status == INTERRUPTED:
                name = plan.params.display_name if plan.params else ""
                plan.outcome = UnitOutcome(plan.unit_id, INTERRUPTED, name, error=_INTERRUPTED_TEXT)
        return RunSummary([p.outcome for p in plans], None, round(time.perf_counter() - began, 2))

    def _interrupt(self, task: asyncio.Task) -> None:
        """Ctrl-C / SIGTERM: cancel pending units and stop running kernels now (later signals are ignored)."""
        if not self.interrupted:
            self.interrupted = True
            task.cancel()

    async def _run_plans(self, plans: list[_Plan], began: float) -> RunSummary:
        todo = collections.deque(p for p in plans if p.outcome is None)
        template = load_template(self.template) if todo else None
        need_portfolio = self.portfolio_template is not None and (
            bool(todo) or self.force or not (self.outputs_dir / "index.html").is_file()
        )
        bar = _progress_bar(len(plans), self.progress)
        bar.update(len(plans) - len(todo))
        factory = KernelFactory(cwd=os.getcwd(), warmup=self.warmup, mode=self.kernels)
        portfolio = None
        try:
            workers = [self._worker(todo, template, factory, bar, need_portfolio) for _ in range(self.jobs)]
            await asyncio.gather(*workers)
            await asyncio.gather(*self.finishers)
            if not self.interrupted:
                _try(write_summary_book, self.outputs_dir / SUMMARY_BOOK, self.outputs_dir, list_units(self.params_dir))
            if need_portfolio and not self.interrupted:
                portfolio = await self._run_portfolio(factory)
        finally:
            if self.portfolio_kernel is not None:
                await self._discard(self.portfolio_kernel, factory)
            if self.interrupted:
                for task in self.finishers:
                    task.cancel()
                await asyncio.gather(*self.finishers, return_exceptions=True)
            await asyncio.gather(*self.shutdowns, return_exceptions=True)
            await factory.aclose()
            self.io.shutdown(wait=True)
            bar.close()
        return RunSummary([p.outcome for p in plans], portfolio, round(time.perf_counter() - began, 2))

    # --- planning -----------------------------------------------------------------------
    def _plan(self, params_path: Path) -> _Plan:
        plan = _Plan(params_path.stem, params_path)
        try:
            paths = unit_output_paths(self.outputs_dir, plan.unit_id)
        except JixiaoError as exc:  # an unsafe unit id: nothing is written anywhere
            plan.outcome = UnitOutcome(plan.unit_id, "failed", error=f"参数文件「{params_path}」：{exc}")
            return plan
        remove_stale_temps(paths["dir"])
        try:
            plan.params = load_params(params_path, self.settings)
        except JixiaoError as exc:
            plan.outcome = UnitOutcome(plan.unit_id, "failed", error=str(exc))
            atomic_write_json(paths["cache"], {"status": "failed", "key": "", "error": str(exc)})
            return plan
        missing = missing_settings(plan.params.apparatus) if self.require_apparatus else []
        if missing:  # a report never shows a placeholder for 委托方, 评价机构, 文号 or 项目组
            error = "报告设置不全（" + "；".join(missing) + "）"
            plan.outcome = UnitOutcome(plan.unit_id, "failed", plan.params.display_name, error=error)
            atomic_write_json(paths["cache"], {"status": "failed", "key": "", "error": error})
            return plan
        plan.key = self._cache_key(plan.params)
        previous = read_json(paths["cache"])
        done = all(
            paths[k].is_file() for k in ("result", "client_html", "analyst_html", "notebook", "word", "workpapers")
        )
        if not self.force and done and previous.get("status") == "ok" and previous.get("key") == plan.key:
            result = read_json(paths["result"])
            totals = result.get("totals", {})
            plan.outcome = UnitOutcome(
                plan.unit_id,
                "skipped",
                plan.params.display_name,
                total=totals.get("review_total"),
                grade=totals.get("grade"),
                total_high=totals.get("review_total_high"),
                pending=int(totals.get("pending_count") or 0),
                outputs={k: paths[k] for k in ("notebook", "client_html", "result")},
            )
        return plan

    def _cache_key(self, params: UnitParams) -> str:
        parts = {
            "params": sha256_file(params.path),
            "inputs": {k: sha256_file(p) for k, p in params.inputs.items()},
            "template": self.template_sha,
            "package": self.package_sha,
            "versions": self.versions,
            "style": repr(self.style),
            "settings": repr(self.settings),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    # --- execution ----------------------------------------------------------------------
    async def _worker(self, todo: collections.deque, template: Any, factory: KernelFactory, bar: Any, portfolio: bool):
        upcoming = asyncio.create_task(factory.start()) if todo else None
        try:
            while todo and not self.interrupted:
                plan = todo.popleft()
                kernel_task, upcoming = upcoming, None
                if todo:  # start the next kernel while this unit runs
                    upcoming = asyncio.create_task(factory.start())
                elif portfolio and self.portfolio_kernel is None:
                    self.portfolio_kernel = asyncio.create_task(factory.start())
                await self._run_unit(plan, template, kernel_task, factory, bar)
        finally:
            if upcoming is not None:
                await self._discard(upcoming, factory)

    async def _run_unit(self, plan: _Plan, template: Any, kernel_task: asyncio.Task, factory: KernelFactory, bar: Any):
        """Execute the unit's notebook; its files are written by a task of their own while the next unit runs."""
        paths = unit_output_paths(self.outputs_dir, plan.unit_id)
        began, started_at = time.perf_counter(), now_iso()
        try:
            nb = await self._execute(
                template,
                kernel_task,
                factory,
                {"unit_id": plan.unit_id, "params_path": str(plan.params_path), "project_dir": self.project_dir},
                self.template,
                paths["notebook"],
            )
        except Exception as exc:  # kernel could not start, or died in a way nbclient could not record
            if self.interrupted:
                return
            error = _failure_text(exc)
            outcome = UnitOutcome(plan.unit_id, "failed", plan.params.display_name, error=error)
            _try(atomic_write_json, paths["cache"], {"status": "failed", "key": plan.key, "error": outcome.error})
            self._done(plan, outcome, began, bar)
            return
        if self.interrupted:  # stopped part-way: nothing of this unit is written
            return
        self.finishers.append(asyncio.create_task(self._finish_unit(plan, nb, paths, began, started_at, bar)))

    async def _finish_unit(self, plan: _Plan, nb: Any, paths: dict, began: float, started_at: str, bar: Any) -> None:
        """Banner or result, then the unit's files (in the I/O thread)."""
        params = plan.params
        outcome = UnitOutcome(plan.unit_id, "failed", params.display_name, notebook_seconds=notebook_seconds(nb))
        title = f"{params.display_name}（{params.year}年度）绩效评价复核报告"
        loop = asyncio.get_running_loop()
        try:
            error = add_error_banner(nb)
            result = None if error else extract_result(nb)
            if error is not None:
                outcome.error = _error_line(error)
            elif result is None:
                outcome.error = "笔记本没有交回复核结果（缺少标记为 jixiao-result 的单元格）"
            else:
                doc = self._result_document(plan, result, started_at, began, outcome.notebook_seconds)
                outcome.error = schema_problem(self.validator, doc)
                if not outcome.error:
                    await loop.run_in_executor(self.io, self._write_success, plan, nb, doc, paths, title)
                    outcome.status = "ok"
                    outcome.total, outcome.grade = doc["totals"].get("review_total"), doc["totals"].get("grade")
                    outcome.total_high = doc["totals"].get("review_total_high")
                    outcome.pending = int(doc["totals"].get("pending_count") or 0)
                    outcome.outputs = {
                        k: paths[k] for k in ("notebook", "client_html", "analyst_html", "result", "word", "workpapers")
                    }
            if outcome.status == "failed":
                await loop.run_in_executor(self.io, self._write_failure, plan, nb, paths, title, outcome.error)
                outcome.outputs = {k: paths[k] for k in ("failed_notebook", "failed_html")}
        except Exception as exc:  # one unit's failure never stops the others
            outcome.status, outcome.error = "failed", _failure_text(exc)
            _try(atomic_write_json, paths["cache"], {"status": "failed", "key": plan.key, "error": outcome.error})
        self._done(plan, outcome, began, bar)

    @staticmethod
    def _done(plan: _Plan, outcome: UnitOutcome, began: float, bar: Any) -> None:
        outcome.seconds = round(time.perf_counter() - began, 2)
        plan.outcome = outcome
        bar.set_postfix_str(plan.unit_id)
        bar.update(1)

    async def _execute(self, template, kernel_task, factory, parameters, template_path, output_path) -> Any:
        try:
            kernel = await kernel_task
        except Exception as exc:
            raise RuntimeError(f"内核启动失败：{exc}") from exc
        try:
            nb = parameterize(template, parameters, input_path=str(template_path), output_path=str(output_path))
            return await execute_notebook(nb, kernel, timeout=self.timeout)
        finally:
            self.shutdowns.append(asyncio.create_task(factory.shutdown(kernel, now=self.interrupted)))

    async def _discard(self, task: asyncio.Task, factory: KernelFactory) -> None:
        """Shut down a kernel that was started ahead but not used."""
        try:
            kernel = await task
        except BaseException:
            return
        await factory.shutdown(kernel, now=True)

    async def _run_portfolio(self, factory: KernelFactory) -> UnitOutcome:
        began = time.perf_counter()
        outcome = UnitOutcome("index", "failed", "单位汇总页")
        target = {"notebook": self.outputs_dir / "portfolio.ipynb", "html": self.outputs_dir / "index.html"}
        failed = {"failed_notebook": self.outputs_dir / "portfolio.failed.ipynb"}
        kernel_task, self.portfolio_kernel = self.portfolio_kernel, None
        if kernel_task is None:
            kernel_task = asyncio.create_task(factory.start())
        try:
            template = load_template(self.portfolio_template)
            parameters = {"outputs_dir": str(self.outputs_dir), "params_dir": str(self.params_dir)}
            nb = await self._execute(
                template, kernel_task, factory, parameters, self.portfolio_template, target["notebook"]
            )
            outcome.notebook_seconds = notebook_seconds(nb)
            error = add_error_banner(nb)
            loop = asyncio.get_running_loop()
            if error is None:
                html = await loop.run_in_executor(self.io, self.renderer.client, nb, "绩效评价复核 —— 单位汇总")
                await loop.run_in_executor(self.io, _write_pair, target["notebook"], nb, target["html"], html)
                _try(os.unlink, failed["failed_notebook"])
                outcome.status, outcome.outputs = "ok", target
            else:
                outcome.error = _error_line(error)
                await loop.run_in_executor(self.io, _write_pair, failed["failed_notebook"], nb, None, None)
                outcome.outputs = failed
        except Exception as exc:
            outcome.error = _failure_text(exc)
        outcome.seconds = round(time.perf_counter() - began, 2)
        return outcome

    # --- results and files --------------------------------------------------------------
    def _result_document(self, plan: _Plan, result: dict, started_at: str, began: float, nb_seconds: float) -> dict:
        params = plan.params
        doc = json_ready(dict(result))
        doc["provenance"] = {
            "unit_id": plan.unit_id,
            "params_file": shown_path(plan.params_path, self.root),
            "params_sha256": sha256_file(plan.params_path),
            "params": json_ready(params.to_dict()),
            "inputs": {
                k: {"path": shown_path(p, self.root), "sha256": sha256_file(p)} for k, p in params.inputs.items()
            },
            "template": {"path": shown_path(self.template, self.root), "sha256": self.template_sha},
            "jixiao_source_sha256": self.package_sha,
            "versions": self.versions,
            "run": {
                "started_at": started_at,
                "finished_at": now_iso(),
                "seconds": round(time.perf_counter() - began, 3),
                "notebook_seconds": nb_seconds,
            },
        }
        return doc

    def _write_success(self, plan: _Plan, nb: Any, doc: dict, paths: dict[str, Path], title: str) -> None:
        atomic_write_text(paths["notebook"], nbformat.writes(nb))
        atomic_write_text(paths["analyst_html"], self.renderer.analyst(nb, title + "（分析版）"))
        atomic_write_text(paths["client_html"], self.renderer.client(nb, title))
        atomic_write_json(paths["result"], doc)
        atomic_write_bytes(paths["word"], word_report(nb, doc))
        atomic_write_bytes(paths["workpapers"], unit_workpapers(doc))
        for stale in ("failed_notebook", "failed_html"):
            paths[stale].unlink(missing_ok=True)
        atomic_write_json(paths["cache"], {"status": "ok", "key": plan.key, "error": "", "finished_at": now_iso()})

    def _write_failure(self, plan: _Plan, nb: Any, paths: dict[str, Path], title: str, error: str) -> None:
        atomic_write_text(paths["failed_notebook"], nbformat.writes(nb))
        atomic_write_text(paths["failed_html"], self.renderer.analyst(nb, title + "（运行失败）"))
        record = {"status": "failed", "key": plan.key, "error": error, "finished_at": now_iso()}
        atomic_write_json(paths["cache"], record)


@contextlib.contextmanager
def _interrupts(handler: Any):
    """While the block runs, SIGINT and SIGTERM call ``handler(current task)`` instead of raising.

    Once a signal came, further Ctrl-C presses within the next seconds are ignored, so that
    the caller can print the summary; after that Ctrl-C raises KeyboardInterrupt again.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    installed = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                previous = signal.getsignal(sig)
                loop.add_signal_handler(sig, handler, task)
                installed.append((sig, previous))
            except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
                pass
    try:
        yield
    finally:
        for sig, previous in installed:
            loop.remove_signal_handler(sig)
            signal.signal(sig, previous)
        if installed and getattr(getattr(handler, "__self__", None), "interrupted", False):
            signal.signal(signal.SIGINT, _grace_handler(time.monotonic() + _GRACE_SECONDS))


_GRACE_SECONDS = 3.0


def _grace_handler(until: float) -> Any:
    def on_sigint(signum: int, frame: Any) -> None:
        if time.monotonic() >= until:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt

    return on_sigint


def _expand_warmup(modules: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Module names, with ``jixiao.*`` expanded to the notebook-side jixiao modules (every stage up to the report)."""
    import pkgutil

    import jixiao

    out: list[str] = []
    for name in modules:
        if name == "jixiao.*":
            found = pkgutil.walk_packages(jixiao.__path__, "jixiao.")
            out.extend(sorted(m.name for m in found if not m.ispkg and _kernel_side(m.name)))
        else:
            out.append(name)
    return tuple(out)


def _kernel_side(module: str) -> bool:
    return module.startswith(_KERNEL_SIDE) or module in _KERNEL_RUN_MODULES


def _write_pair(nb_path: Path, nb: Any, html_path: Path | None, html: str | None) -> None:
    atomic_write_text(nb_path, nbformat.writes(nb))
    if html_path is not None and html is not None:
        atomic_write_text(html_path, html)


_INTERRUPTED_TEXT = "运行被中断（Ctrl-C），未完成；之前的输出保持不变"


def _error_line(error: Any) -> str:
    lines = [line.strip() for line in str(error.evalue).splitlines() if re.search(r"\w", line)]
    last = lines[-1] if lines else ""
    # A timeout or a dead kernel is described in Chinese by the engine; other errors keep their exception name.
    # jixiao's own errors (InputFileError …) carry a full Chinese message: no English class name in front.
    own = error.ename in ("CellTimeoutError", "TimeoutError", "DeadKernelError", *errors.__all__)
    text = (last if own else f"{error.ename}: {last}".strip().rstrip(":")).rstrip("。")
    return f"第 {error.exec_count} 个代码单元格出错：{text}"


def _failure_text(exc: BaseException) -> str:
    """A runner-side failure in Chinese (file errors by their cause and file, never bare English)."""
    if isinstance(exc, JixiaoError) or re.search(r"[\u4e00-\u9fff]", str(exc)):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"：{exc.filename}" if exc.filename else ""
        return f"文件读写出错（{exc.strerror or '系统错误'}）{where}"
    return f"运行出错（{type(exc).__name__}）：{exc}"


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="复核单位", unit="个", disable=not (enabled and sys.stderr.isatty()), leave=True)


def _try(func: Any, *args: Any) -> None:
    try:
        func(*args)
    except OSError:
        pass
