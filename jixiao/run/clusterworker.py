"""The worker side of ``jixiao run --scheduler``: run one unit's notebook in a fresh kernel and
return its files as bytes.

Per worker process one engine holds an event loop thread, a kernel factory (a fork server
started ahead by :func:`prepare_worker`) and the HTML renderers; each unit gets a private
folder laid out like the client's and a kernel of its own. The workers of ``local:N`` are
threads of the runner's process: for the run they borrow the runner's kernel factory and
event loop (:func:`lend_factory`), so the kernel template process started ahead by ``jixiao
run`` serves them and the portfolio page alike. A unit's files are made after its task has left
the worker's thread slot (Dask's ``secede``): the worker starts its next notebook meanwhile,
as the local runner does with its I/O thread (in-process workers finish in one such thread). :func:`stop_units` ends running notebooks when
the client is interrupted (Dask itself cannot interrupt a running task).
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import concurrent.futures
import contextlib
import hashlib
import shutil
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import nbformat

from jixiao.core.errors import JixiaoError
from jixiao.run.clustertask import ClusterTask, dask_distributed
from jixiao.run.engine import Kernel, KernelFactory, parameterize
from jixiao.run.htmlexport import HtmlRenderer, default_style
from jixiao.run.runrecord import now_iso, result_validator
from jixiao.run.unitjob import UnitJob, UnitProduct, execute_job, finish_job, relocate
from jixiao.run.usercache import user_cache_dir

__all__ = ["lend_factory", "prepare_worker", "run_task", "stop_units"]

#: Units a worker may have finishing (their files being made) per thread; past that a task keeps its slot.
_FINISHING_PER_THREAD = 2
_STOPPING_WAIT = 5  # seconds for stopped notebooks to hand their kernels back


class _Engine:
    """Per worker process: an event loop thread, a kernel factory (fork server), renderers.

    Given a ``factory`` and its ``loop`` (the runner's, for in-process workers), it uses them
    instead of starting its own, and :meth:`release` ends its part at the end of the run.
    """

    def __init__(
        self,
        warmup: tuple[str, ...],
        factory: KernelFactory | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="jixiao-worker-")).resolve()
        if factory is None:
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, name="jixiao-kernels", daemon=True).start()
            self.factory = self._call(_make_factory(str(self.folder), warmup))
            atexit.register(self.close)
        else:
            self.loop, self.factory = loop, factory
        self.renderers: dict[Any, HtmlRenderer] = {}
        self.validator = result_validator()
        self.templates: dict[str, Any] = {}
        self.spares: collections.deque[concurrent.futures.Future] = collections.deque()  # kernels started ahead
        self.slots: dict[str, int] = {}  # threads of each worker using this engine: as many kernels ahead
        self.running: dict[str, Any] = {}  # task key → the executing notebook's future (to stop it on Ctrl-C)
        self.shutdowns: set[concurrent.futures.Future] = set()  # kernels being shut down
        self.finishing: dict[str, threading.Semaphore] = {}  # per worker: room for units finishing behind it
        self.lock = threading.Lock()
        # Lent (in the runner's process): units finish one at a time in a thread of their own, like the
        # local runner's I/O thread, so the event loop running the notebooks competes with one thread only.
        self.finisher = concurrent.futures.ThreadPoolExecutor(1, "jixiao-finish") if factory is not None else None

    def _call(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def kernel(self) -> concurrent.futures.Future:
        """A started kernel (one started ahead, if any); start the next ones ahead, one per worker thread."""
        with self.lock:
            ready = self.spares.popleft() if self.spares else None
            self._start_ahead()
        return ready if ready is not None else asyncio.run_coroutine_threadsafe(self.factory.start(), self.loop)

    def _start_ahead(self) -> None:
        while len(self.spares) < max(1, sum(self.slots.values())):  # holding the lock
            self.spares.append(asyncio.run_coroutine_threadsafe(self.factory.start(), self.loop))

    def shutdown(self, kernel: Kernel) -> None:
        """Shut the kernel down (in the background; :meth:`release` waits for it)."""
        future = asyncio.run_coroutine_threadsafe(self.factory.shutdown(kernel), self.loop)
        with self.lock:
            self.shutdowns.add(future)
        future.add_done_callback(self._shut)

    def _shut(self, future: concurrent.futures.Future) -> None:
        with self.lock:
            self.shutdowns.discard(future)

    def renderer(self, task: ClusterTask) -> HtmlRenderer:
        style = default_style() if task.default_style else task.style
        key = repr(style)
        if key not in self.renderers:
            self.renderers[key] = HtmlRenderer(style, font_cache=self.folder / "fonts", glyph_cache=user_cache_dir())
        return self.renderers[key]

    def template(self, text: str) -> Any:
        key = hashlib.sha256(text.encode()).hexdigest()
        if key not in self.templates:
            self.templates[key] = nbformat.reads(text, as_version=4)
        return self.templates[key]

    async def release(self) -> None:
        """Shut down the kernels started ahead and wait for the others' shutdowns (on the engine's loop)."""
        deadline = time.monotonic() + _STOPPING_WAIT
        while self.running and time.monotonic() < deadline:  # notebooks stopped by stop_units end their task
            await asyncio.sleep(0.02)
        with self.lock:
            spares, self.spares = list(self.spares), collections.deque()
            pending = list(self.shutdowns)
        for spare in spares:
            try:
                await self.factory.shutdown(await asyncio.wrap_future(spare), now=True)
            except Exception:  # noqa: BLE001 - best effort: it never ran anything
                pass
        await asyncio.gather(*(asyncio.wrap_future(f) for f in pending), return_exceptions=True)
        if self.finisher is not None:
            self.finisher.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def close(self) -> None:
        """At exit of a worker process: everything, the template process too."""

        async def stop() -> None:
            await self.release()
            await self.factory.aclose()

        try:
            self._call(stop())
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


async def _make_factory(folder: str, warmup: tuple[str, ...]) -> KernelFactory:
    return KernelFactory(cwd=folder, warmup=warmup)


_ENGINE: _Engine | None = None  # this worker process's own
_LENT: _Engine | None = None  # during a local:N run, the runner's (see lend_factory)
_ENGINE_LOCK = threading.Lock()


def _engine(warmup: tuple[str, ...] = ()) -> _Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _LENT is not None:
            return _LENT
        if _ENGINE is None:
            _ENGINE = _Engine(warmup)
        return _ENGINE


@contextlib.asynccontextmanager
async def lend_factory(factory: KernelFactory, warmup: tuple[str, ...]) -> AsyncIterator[None]:
    """For a run on in-process workers (``local:N``): their units use the runner's kernel factory and loop.

    The template process the runner started ahead then serves the units too (none is started per
    worker), and their kernels run in the runner's event loop like the local runner's. At the end,
    the kernel started ahead is shut down and the shutdowns still under way are awaited.
    """
    global _LENT
    engine = _Engine(warmup, factory, asyncio.get_running_loop())
    with _ENGINE_LOCK:
        if _LENT is not None:
            raise RuntimeError("another local Dask run is using this process's workers")
        _LENT = engine
    try:
        yield
    finally:
        with _ENGINE_LOCK:
            _LENT = None
        await engine.release()


def prepare_worker(warmup: tuple[str, ...], dask_worker: Any = None) -> bool:
    """Start the worker's kernel template process and a kernel ahead per thread (while the data is sent).

    Run by ``client.run`` on each worker (Dask passes ``dask_worker``).
    """
    engine = _engine(warmup)
    with engine.lock:
        if dask_worker is not None:
            engine.slots[str(dask_worker.id)] = dask_worker.state.nthreads
        engine._start_ahead()
    return True


def run_task(task: ClusterTask, template_text: str, blobs: dict[str, bytes]) -> UnitProduct:
    """Worker side: lay out the unit's files, execute its notebook in a fresh kernel, return its files."""
    engine = _engine(task.warmup)
    began, started_at = time.perf_counter(), now_iso()
    root = Path(tempfile.mkdtemp(prefix="u-", dir=engine.folder))
    try:
        params_dir = root.joinpath(*(["p"] * max(task.depth, 0)), "params")
        params_dir.mkdir(parents=True)
        for rel, sha in task.files.items():
            target = (params_dir / rel).resolve()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blobs[sha])
        params_path = params_dir / task.params_name
        params_path.write_text(task.params_text, encoding="utf-8")
        project = root / "project"
        if task.project_toml:
            project.mkdir()
            (project / "jixiao.toml").write_bytes(blobs[task.project_toml])
        parameters = dict(task.job.parameters)
        parameters.update(
            params_path=str(params_path), project_dir=str(project) if task.job.parameters.get("project_dir") else ""
        )
        mapping = {str((params_dir / rel).resolve()): path for rel, path in task.client_paths.items()}
        mapping[str(params_path)] = task.client_params
        mapping[str(params_dir)] = str(Path(task.client_params).parent)
        if task.client_project:
            mapping[str(project)] = task.client_project
        template = engine.template(template_text)
        kernel: Kernel = engine.kernel().result()
        key = _current_key()
        try:
            run = execute_job(template, task.job, kernel, timeout=task.timeout, parameters=parameters)
            running = asyncio.run_coroutine_threadsafe(run, engine.loop)
            with engine.lock:
                engine.running[key] = running
            nb = running.result()
        finally:
            engine.shutdown(kernel)
            with engine.lock:
                engine.running.pop(key, None)
        room = _leave_slot(engine)  # the worker starts its next unit while this one's files are made
        try:
            nb = relocate(nb, mapping)
            _restore_injected_source(nb, template, task.job)
            finish = (task.job, nb, engine.renderer(task), engine.validator, began, started_at)
            if engine.finisher is not None:
                return engine.finisher.submit(finish_job, *finish).result()
            return finish_job(*finish)
        finally:
            if room is not None:
                room.release()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _leave_slot(engine: _Engine) -> threading.Semaphore | None:
    """Inside a Dask task: leave the worker's thread slot (``secede``), once there is room to finish.

    A worker has at most ``_FINISHING_PER_THREAD`` units per thread finishing at once; a task
    beyond that waits in its slot, so a worker that finishes more slowly than it executes does
    not pile up executed notebooks. Returns the room to release after finishing (None outside Dask).
    """
    try:
        dd = dask_distributed()
        worker = dd.get_worker()
    except (ValueError, JixiaoError):  # a direct call (a test): nothing to leave
        return None
    with engine.lock:
        room = engine.finishing.get(worker.id)
        if room is None:
            room = engine.finishing[worker.id] = threading.Semaphore(_FINISHING_PER_THREAD * worker.state.nthreads)
    room.acquire()
    try:
        dd.secede()
    except BaseException:
        room.release()
        raise
    return room


def stop_units(keys: list[str]) -> int:
    """Worker side, on the client's Ctrl-C: stop the notebooks of these tasks (their kernels shut down).

    Dask cannot interrupt a running task; stopping its notebook ends it within a moment, so the
    worker is free and a LocalCluster can close. Returns how many were running here.
    """
    engine = _LENT or _ENGINE
    if engine is None:
        return 0
    with engine.lock:
        running = [engine.running[k] for k in keys if k in engine.running]
    for future in running:
        future.cancel()
    return len(running)


def _current_key() -> str:
    try:
        return str(dask_distributed().get_worker().get_current_task())
    except (ValueError, AttributeError, JixiaoError):  # not inside a Dask task (a direct call, a test)
        return f"direct-{threading.get_ident()}"


def _restore_injected_source(nb: Any, template: Any, job: UnitJob) -> None:
    """The injected-parameters cell as the client's parameters make it (papermill escapes non-ASCII)."""
    reference = parameterize(template, job.parameters, input_path=job.template_path, output_path=job.notebook_path)
    sources = {c.id: c.source for c in reference.cells if "injected-parameters" in c.metadata.get("tags", [])}
    for cell in nb.cells:
        if cell.get("id") in sources:
            cell.source = sources[cell.id]
