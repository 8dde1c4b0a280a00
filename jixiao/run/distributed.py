"""``jixiao run --scheduler``: units as tasks on a Dask cluster (``pip install jixiao[dask]``).

Each unit is one task. The client (where the project is) sends with it everything the run
needs — the params file, its input files, ``jixiao.toml``, the notebook template — and gets
back the unit's files as bytes, which the runner writes atomically into ``outputs/`` like
its own. No shared filesystem: files travel by content. A file several units use
(``jixiao.toml``, a shared input) and the template are scattered once to every worker,
keyed by SHA-256 (held by all, so a dying worker loses none); a file of one unit travels
inside its task (the scheduler keeps it to rerun the task elsewhere).

On the worker the unit runs through the local runner's own steps
(:func:`jixiao.run.unitjob.execute_job` in a fresh kernel forked from a per-worker template
process, then :func:`jixiao.run.unitjob.finish_job`) in a private folder laid out like the
client's: the params file keeps its relative paths to its inputs, and the worker's paths in
the executed notebook are mapped back to the client's (:func:`jixiao.run.unitjob.relocate`),
so the outputs are those of a local run.

A worker that dies is replaced by Dask and its task rerun elsewhere (the scheduler's
``allowed-failures``); a notebook that fails is a result, not an error, and is not rerun.
Workers must run the same jixiao (source fingerprint), Python and libraries as the client.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import importlib
import io
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from ruamel.yaml import YAML

from jixiao.core.errors import JixiaoError
from jixiao.run.engine import Kernel, KernelFactory, parameterize
from jixiao.run.htmlexport import HtmlRenderer, HtmlStyle, default_style
from jixiao.run.params import UnitParams, load_params_document
from jixiao.run.runrecord import now_iso, package_fingerprint, result_validator, versions
from jixiao.run.unitjob import UnitJob, UnitProduct, execute_job, finish_job, relocate

__all__ = [
    "LOCAL_PREFIX",
    "ClusterTask",
    "cluster_task",
    "run_on_cluster",
    "run_task",
    "worker_identity",
    "check_versions",
    "dask_distributed",
]

#: ``--scheduler local:N`` starts a LocalCluster of N workers in this process (each unit still runs in
#: a fresh kernel process of its own; ``dask scheduler`` / ``dask worker`` give separate processes).
LOCAL_PREFIX = "local:"
#: Seconds to wait for a first worker on a cluster.
_WAIT_FOR_WORKERS = 30
_STOP_WAIT = 5  # seconds to reach the workers on Ctrl-C


@dataclass
class ClusterTask:
    """One unit for a worker: the job, the params text (paths relative) and which blobs go where."""

    job: UnitJob
    params_name: str  # file name of the params file
    params_text: str  # the params file, its input and evidence paths rewritten relative to it
    depth: int  # folder levels the relative paths climb above the params folder
    files: dict[str, str]  # path relative to the params folder → sha256 of the content
    client_paths: dict[str, str]  # path relative to the params folder → the client's absolute path
    client_params: str  # the client's params file path
    client_project: str  # the client's project folder ("" without a project)
    project_toml: str = ""  # sha256 of jixiao.toml ("" without a project)
    default_style: bool = True  # use the worker's own copy of the report design
    style: HtmlStyle | None = None
    timeout: float = 600
    warmup: tuple[str, ...] = ()


def cluster_task(job: UnitJob, params: UnitParams, project_root: Path | None, style: HtmlStyle, **options: Any):
    """The task of a unit and the files it needs ({sha256: path}), prepared on the client."""
    base = params.path.parent
    doc = load_params_document(params.path)
    wanted: dict[str, Path] = {}
    for kind, path in params.inputs.items():
        rel = Path(os.path.relpath(path, base)).as_posix()
        doc["inputs"][kind] = rel
        wanted[rel] = path
    for spec in (doc.get("evidence") or {}).values():
        if isinstance(spec, dict) and spec.get("file"):
            path = (base / spec["file"]).resolve()
            rel = Path(os.path.relpath(path, base)).as_posix()
            spec["file"] = rel
            wanted[rel] = path
    hashes = {rel: _sha256(path) for rel, path in wanted.items()}
    blobs = {hashes[rel]: path for rel, path in wanted.items()}
    toml = project_root / "jixiao.toml" if project_root is not None else None
    toml_sha = ""
    if toml is not None and toml.is_file():
        toml_sha = _sha256(toml)
        blobs[toml_sha] = toml
    word = params.apparatus.get("word_template") if params.apparatus else ""
    if word and Path(word).is_file():
        job.word_template = Path(word).read_bytes()
    depth = max((Path(rel).parts.count("..") for rel in wanted), default=0)
    task = ClusterTask(
        job=job,
        params_name=params.path.name,
        params_text=_dump(doc),
        depth=depth,
        files=hashes,
        client_paths={rel: str(path) for rel, path in wanted.items()},
        client_params=str(params.path),
        client_project=str(project_root) if project_root is not None else "",
        project_toml=toml_sha,
        default_style=style == default_style(),
        style=None if style == default_style() else style,
        **options,
    )
    return task, blobs


# --- client side ---------------------------------------------------------------------------
async def run_on_cluster(
    address: str,
    tasks: list[tuple[ClusterTask, dict[str, Path]]],
    template: Any,
    on_done: Callable[[ClusterTask, UnitProduct], Awaitable[None]],
) -> None:
    """Run the tasks on the cluster at ``address`` (or a LocalCluster for ``local:N``); ``on_done`` per unit.

    Raises:
        JixiaoError: dask is not installed, the scheduler cannot be reached, or the workers
            run another version than this machine.
    """
    dd = dask_distributed()
    cluster = None
    try:
        if address.startswith(LOCAL_PREFIX):
            workers = _worker_count(address)
            cluster = await dd.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=False,  # workers as threads here: no process start or imports per worker
                dashboard_address=None,
                scheduler_kwargs={"dashboard": False},
                asynchronous=True,
                silence_logs=40,
            )
            client = await dd.Client(cluster, asynchronous=True)
        else:
            client = await dd.Client(address, asynchronous=True, timeout=30)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            await cluster.close()
        raise JixiaoError(f"无法连接 Dask 调度器「{address}」：{exc}") from None
    futures: list[Any] = []
    try:
        await check_versions(client)
        await client.run(_prepare_worker, tasks[0][0].warmup if tasks else ())
        uses: dict[str, int] = {}
        for _, needed in tasks:
            for sha in needed:
                uses[sha] = uses.get(sha, 0) + 1
        shared = {sha: path for _, needed in tasks for sha, path in needed.items() if uses[sha] > 1}
        template_text = nbformat.writes(template)
        data = {f"jixiao-blob-{sha}": path.read_bytes() for sha, path in shared.items()}
        data[f"jixiao-template-{hashlib.sha256(template_text.encode()).hexdigest()}"] = template_text
        # on every worker: data held by one worker only would be lost with it, and its units with it
        scattered = await client.scatter(data, broadcast=True)
        template_future = scattered.pop(next(k for k in scattered if k.startswith("jixiao-template-")))
        by_sha = {k.removeprefix("jixiao-blob-"): f for k, f in scattered.items()}
        owner = {}
        for task, needed in tasks:  # a file of one unit only travels inside its task
            blobs = {sha: by_sha[sha] if sha in by_sha else path.read_bytes() for sha, path in needed.items()}
            key = f"jixiao-{task.job.unit_id}-{uuid.uuid4().hex[:8]}"
            future = client.submit(run_task, task, template_future, blobs, key=key, pure=False)
            owner[future.key] = task
            futures.append(future)
        async for future in dd.as_completed(futures):
            task = owner[future.key]
            try:
                product = await future
            except Exception as exc:  # the worker died too often, or a bug outside the notebook
                product = UnitProduct(task.job.unit_id, "failed", error=_task_error(exc))
            await on_done(task, product)
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:  # Ctrl-C or an error: nothing more runs, nothing more is written
            await client.cancel(pending, force=True)
            try:  # and the notebooks already running stop now, not when they end
                await asyncio.wait_for(client.run(stop_units, [f.key for f in pending]), _STOP_WAIT)
            except Exception:  # noqa: BLE001 - best effort: a worker that cannot be reached ends its unit alone
                pass
        await client.close()
        if cluster is not None:
            await cluster.close()


def worker_identity() -> dict[str, str]:
    """What must match between client and workers: jixiao's version and source, Python, key libraries."""
    return {**versions(), "jixiao_source": package_fingerprint()[:16]}


async def check_versions(client: Any) -> None:
    """Refuse a cluster whose workers differ from this machine (Chinese message naming worker and item)."""
    try:
        await client.wait_for_workers(1, timeout=_WAIT_FOR_WORKERS)
    except TimeoutError:
        raise JixiaoError(
            f"Dask 集群中没有可用的工作进程（等待了 {_WAIT_FOR_WORKERS} 秒）：请先在各台机器上启动 dask worker"
        ) from None
    mine = worker_identity()
    theirs = await client.run(worker_identity)
    problems = []
    for worker, identity in sorted(theirs.items()):
        diff = [
            f"{k} {identity.get(k) or '（无）'}（本机 {v or '（无）'}）"
            for k, v in mine.items()
            if identity.get(k) != v
        ]
        if diff:
            problems.append(f"{worker}：" + "，".join(diff))
    if problems:
        raise JixiaoError(
            "Dask 工作进程的软件版本与本机不一致，为保证结果相同已拒绝运行。请在各工作机器上安装与本机相同版本的 "
            "jixiao、Python 和依赖库后重试：\n  " + "\n  ".join(problems)
        )


def _worker_count(address: str) -> int:
    try:
        count = int(address[len(LOCAL_PREFIX) :])
    except ValueError:
        count = 0
    if count < 1:
        raise JixiaoError(f"--scheduler {address}：local: 后应为工作进程数，如 local:2")
    return count


def dask_distributed() -> Any:
    """The ``distributed`` package, imported on first use (an optional extra; a heavy import).

    Raises:
        JixiaoError: it is not installed (says what to install).
    """
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise JixiaoError(
            "未安装 Dask：请先运行 pip install 'jixiao[dask]'（或 pip install 'dask[distributed]'）"
        ) from None


def _task_error(exc: BaseException) -> str:
    if type(exc).__name__ == "KilledWorker":
        return "运行该单位的 Dask 工作进程多次意外退出，已放弃（见调度器日志）"
    return f"{type(exc).__name__}: {exc}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dump(doc: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.allow_unicode = True
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


# --- worker side ---------------------------------------------------------------------------
class _Engine:
    """Per worker process: an event loop thread, a kernel factory (fork server), renderers."""

    def __init__(self, warmup: tuple[str, ...]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="jixiao-worker-")).resolve()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="jixiao-kernels", daemon=True).start()
        self.factory = self._call(_make_factory(str(self.folder), warmup))
        self.renderers: dict[Any, HtmlRenderer] = {}
        self.validator = result_validator()
        self.templates: dict[str, Any] = {}
        self.spare: asyncio.Future | None = None
        self.running: dict[str, Any] = {}  # task key → the executing notebook's future (to stop it on Ctrl-C)
        self.lock = threading.Lock()
        atexit.register(self.close)

    def _call(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def kernel(self) -> asyncio.Future:
        """A started kernel (the one started ahead, if any); start the next one ahead."""
        with self.lock:
            ready, self.spare = self.spare, asyncio.run_coroutine_threadsafe(self.factory.start(), self.loop)
        return ready if ready is not None else asyncio.run_coroutine_threadsafe(self.factory.start(), self.loop)

    def renderer(self, task: ClusterTask) -> HtmlRenderer:
        style = default_style() if task.default_style else task.style
        key = repr(style)
        if key not in self.renderers:
            self.renderers[key] = HtmlRenderer(style, font_cache=self.folder / "fonts")
        return self.renderers[key]

    def template(self, text: str) -> Any:
        key = hashlib.sha256(text.encode()).hexdigest()
        if key not in self.templates:
            self.templates[key] = nbformat.reads(text, as_version=4)
        return self.templates[key]

    def close(self) -> None:
        async def stop() -> None:
            if self.spare is not None:
                try:
                    await self.factory.shutdown(await asyncio.wrap_future(self.spare), now=True)
                except Exception:  # noqa: BLE001 - best effort at exit
                    pass
            await self.factory.aclose()

        try:
            self._call(stop())
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


async def _make_factory(folder: str, warmup: tuple[str, ...]) -> KernelFactory:
    return KernelFactory(cwd=folder, warmup=warmup)


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _engine(warmup: tuple[str, ...] = ()) -> _Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine(warmup)
        return _ENGINE


def _prepare_worker(warmup: tuple[str, ...]) -> bool:
    """Start the worker's kernel template process and one kernel ahead (while the data is sent)."""
    engine = _engine(warmup)
    with engine.lock:
        if engine.spare is None:
            engine.spare = asyncio.run_coroutine_threadsafe(engine.factory.start(), engine.loop)
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
        kernel_future = engine.kernel()
        kernel: Kernel = kernel_future.result()
        key = _current_key()
        try:
            run = execute_job(
                engine.template(template_text), task.job, kernel, timeout=task.timeout, parameters=parameters
            )
            running = asyncio.run_coroutine_threadsafe(run, engine.loop)
            with engine.lock:
                engine.running[key] = running
            nb = running.result()
        finally:
            with engine.lock:
                engine.running.pop(key, None)
            asyncio.run_coroutine_threadsafe(engine.factory.shutdown(kernel), engine.loop)
        nb = relocate(nb, mapping)
        _restore_injected_source(nb, template, task.job)
        return finish_job(task.job, nb, engine.renderer(task), engine.validator, began, started_at)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def stop_units(keys: list[str]) -> int:
    """Worker side, on the client's Ctrl-C: stop the notebooks of these tasks (their kernels shut down).

    Dask cannot interrupt a running task; stopping its notebook ends it within a moment, so the
    worker is free and a LocalCluster can close. Returns how many were running here.
    """
    engine = _ENGINE
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
