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

With ``scheduler``, the units are tasks on a Dask cluster instead (:mod:`jixiao.run.distributed`):
same steps on the workers (:mod:`jixiao.run.unitjob`), files written here; planning, the
cache and the portfolio page stay on this machine.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import os
import sys
import time
from pathlib import Path
from typing import Any

from jixiao.core.errors import JixiaoError
from jixiao.run.atomic import atomic_write_json, remove_stale_temps
from jixiao.run.distributed import ClusterTask, cluster_task, run_on_cluster
from jixiao.run.engine import (
    DEFAULT_WARMUP,
    KernelFactory,
    expand_warmup,
    load_template,
    started,
)
from jixiao.run.htmlexport import HtmlRenderer, HtmlStyle, default_style
from jixiao.run.interrupts import INTERRUPTED_TEXT, interrupts
from jixiao.run.params import list_units
from jixiao.run.planning import PlanContext, UnitPlan, plan_unit, resolve_selection
from jixiao.run.portfolio_page import run_portfolio_page
from jixiao.run.project import Project, ProjectSettings, resource_path
from jixiao.run.runrecord import (
    INTERRUPTED,
    RESULT_SCHEMA,
    RunSummary,
    UnitOutcome,
    now_iso,
    package_fingerprint,
    result_validator,
    sha256_file,
    unit_output_paths,
    versions,
)
from jixiao.run.unitjob import (
    UnitProduct,
    execute_job,
    failure_text,
    finish_job,
    write_product,
)
from jixiao.run.usercache import user_cache_dir
from jixiao.run.workpapers import SUMMARY_BOOK, write_summary_book

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
#: Where the embedded font's subsets are cached, per character set (inside the outputs folder).
FONT_CACHE = Path(".cache") / "fonts"


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
    scheduler: str | None = None,
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
        scheduler: Run the units on a Dask cluster: a scheduler address (``tcp://host:8786``) or
            ``local:N`` for a LocalCluster of N workers here (see :mod:`jixiao.run.distributed`);
            ``jobs`` is then unused. The portfolio page is still made here.

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
        warmup=expand_warmup(warmup),
        timeout=timeout,
        kernels=kernels,
        scheduler=scheduler,
    )
    files = resolve_selection(selection, params_dir)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(runner.run(files))
    # Called from a running loop (e.g. inside JupyterLab): run in a thread of our own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, runner.run(files)).result()


class _Runner:
    def __init__(self, **options: Any) -> None:
        self.__dict__.update(options)
        self.renderer = HtmlRenderer(self.style, font_cache=self.outputs_dir / FONT_CACHE, glyph_cache=user_cache_dir())
        self.io = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="jixiao-io")
        self.versions = versions()
        self.package_sha = package_fingerprint()
        self.template_sha = sha256_file(self.template)
        self.plan_context = PlanContext(
            **{name: getattr(self, name) for name in PlanContext.__dataclass_fields__}  # the run's own options
        )
        self.validator = result_validator()
        self.shutdowns: list[asyncio.Task] = []
        self.finishers: list[asyncio.Task] = []
        self.portfolio_kernel: asyncio.Task | None = None

    async def run(self, files: list[Path]) -> RunSummary:
        began = time.perf_counter()
        self.interrupted = False
        remove_stale_temps(self.outputs_dir)
        plans = [plan_unit(f, self.plan_context) for f in files]
        with interrupts(self._interrupt):
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
                plan.outcome = UnitOutcome(plan.unit_id, INTERRUPTED, name, error=INTERRUPTED_TEXT)
        return RunSummary([p.outcome for p in plans], None, round(time.perf_counter() - began, 2))

    def _interrupt(self, task: asyncio.Task) -> None:
        """Ctrl-C / SIGTERM: cancel pending units and stop running kernels now (later signals are ignored)."""
        if not self.interrupted:
            self.interrupted = True
            task.cancel()

    async def _run_plans(self, plans: list[UnitPlan], began: float) -> RunSummary:
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
            if self.scheduler and todo:
                await self._run_on_cluster(list(todo), template, bar, factory, need_portfolio)
            else:
                workers = [self._worker(todo, template, factory, bar, need_portfolio) for _ in range(self.jobs)]
                await asyncio.gather(*workers)
            await asyncio.gather(*self.finishers)
            if not self.interrupted:  # the summary working paper is written while the portfolio page runs
                book = asyncio.get_running_loop().run_in_executor(
                    self.io,
                    _try,
                    write_summary_book,
                    self.outputs_dir / SUMMARY_BOOK,
                    self.outputs_dir,
                    list_units(self.params_dir),
                )
                if need_portfolio:
                    portfolio = await self._run_portfolio(factory)
                await book
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

    async def _run_unit(
        self, plan: UnitPlan, template: Any, kernel_task: asyncio.Task, factory: KernelFactory, bar: Any
    ):
        """Execute the unit's notebook; its files are made and written by a task of their own while the next unit runs."""
        paths = unit_output_paths(self.outputs_dir, plan.unit_id)
        began, started_at = time.perf_counter(), now_iso()
        try:
            kernel = await started(kernel_task)
            try:
                nb = await execute_job(template, plan.job, kernel, timeout=self.timeout)
            finally:
                self.shutdowns.append(asyncio.create_task(factory.shutdown(kernel, now=self.interrupted)))
        except Exception as exc:  # kernel could not start, or died in a way nbclient could not record
            if self.interrupted:
                return
            error = failure_text(exc)
            outcome = UnitOutcome(plan.unit_id, "failed", plan.params.display_name, error=error)
            _try(atomic_write_json, paths["cache"], {"status": "failed", "key": plan.key, "error": outcome.error})
            self._done(plan, outcome, began, bar)
            return
        if self.interrupted:  # stopped part-way: nothing of this unit is written
            return
        self.finishers.append(asyncio.create_task(self._finish_unit(plan, nb, paths, began, started_at, bar)))

    async def _finish_unit(self, plan: UnitPlan, nb: Any, paths: dict, began: float, started_at: str, bar: Any) -> None:
        """The unit's files as bytes, then written (both in the I/O thread)."""
        loop = asyncio.get_running_loop()
        job = plan.job
        product = await loop.run_in_executor(
            self.io, finish_job, job, nb, self.renderer, self.validator, began, started_at
        )
        self._done(plan, await self._store(product, paths, plan.key, job.display_name), began, bar)

    async def _store(self, product: UnitProduct, paths: dict, key: str, display_name: str) -> UnitOutcome:
        """Write a unit's product (I/O thread); a write error makes the unit failed."""
        try:
            await asyncio.get_running_loop().run_in_executor(self.io, write_product, paths, product, key)
        except Exception as exc:  # e.g. disk full: the unit failed, the others go on
            product.status, product.error, product.files = "failed", failure_text(exc), {}
            _try(atomic_write_json, paths["cache"], {"status": "failed", "key": key, "error": product.error})
        return product.outcome(display_name, paths)

    @staticmethod
    def _done(plan: UnitPlan, outcome: UnitOutcome, began: float, bar: Any) -> None:
        outcome.seconds = round(time.perf_counter() - began, 2)
        plan.outcome = outcome
        bar.set_postfix_str(plan.unit_id)
        bar.update(1)

    async def _run_on_cluster(
        self, plans: list[UnitPlan], template: Any, bar: Any, factory: KernelFactory, portfolio: bool
    ) -> None:
        """Each unit a task on the Dask cluster; their files are written here as they come back.

        The workers of ``local:N`` (threads of this process) start their kernels from ``factory``;
        with ``portfolio``, the portfolio page's kernel is started from it when the last unit is out.
        """
        began = time.perf_counter()
        by_unit = {p.unit_id: p for p in plans}
        project_root = Path(self.project_dir) if self.project_dir else None
        tasks = []
        for plan in plans:
            try:
                tasks.append(
                    cluster_task(
                        plan.job, plan.params, project_root, self.style, timeout=self.timeout, warmup=self.warmup
                    )
                )
            except (OSError, JixiaoError) as exc:
                self._done(plan, UnitOutcome(plan.unit_id, "failed", plan.job.display_name, error=str(exc)), began, bar)

        left = [len(tasks)]

        async def done(task: ClusterTask, product: UnitProduct) -> None:
            left[0] -= 1
            if left[0] <= 1 and portfolio and self.portfolio_kernel is None:
                self.portfolio_kernel = asyncio.create_task(factory.start())
            plan = by_unit[task.job.unit_id]
            paths = unit_output_paths(self.outputs_dir, plan.unit_id)
            self._done(plan, await self._store(product, paths, plan.key, plan.job.display_name), began, bar)

        await run_on_cluster(self.scheduler, tasks, template, done, factory)

    async def _discard(self, task: asyncio.Task, factory: KernelFactory) -> None:
        """Shut down a kernel that was started ahead but not used."""
        try:
            kernel = await task
        except BaseException:
            return
        await factory.shutdown(kernel, now=True)

    async def _run_portfolio(self, factory: KernelFactory) -> UnitOutcome:
        kernel_task, self.portfolio_kernel = self.portfolio_kernel, None
        if kernel_task is None:
            kernel_task = asyncio.create_task(factory.start())
        return await run_portfolio_page(
            kernel_task,
            factory,
            template=self.portfolio_template,
            outputs_dir=self.outputs_dir,
            params_dir=self.params_dir,
            renderer=self.renderer,
            io=self.io,
            timeout=self.timeout,
            shut_down=lambda k: self.shutdowns.append(asyncio.create_task(factory.shutdown(k, now=self.interrupted))),
        )


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="复核单位", unit="个", disable=not (enabled and sys.stderr.isatty()), leave=True)


def _try(func: Any, *args: Any) -> None:
    try:
        func(*args)
    except OSError:
        pass
