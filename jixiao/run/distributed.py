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
client's (the workers of ``local:N``, threads of this process, use the runner's own template
process and event loop instead, see :func:`jixiao.run.clusterworker.lend_factory`): the params file keeps its relative paths to its inputs, and the worker's paths in
the executed notebook are mapped back to the client's (:func:`jixiao.run.unitjob.relocate`),
so the outputs are those of a local run.

A worker that dies is replaced by Dask and its task rerun elsewhere (the scheduler's
``allowed-failures``); a notebook that fails is a result, not an error, and is not rerun.
Workers must run the same jixiao (source fingerprint), Python and libraries as the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import nbformat

from jixiao.core.errors import JixiaoError
from jixiao.run.clustertask import ClusterTask, cluster_task, dask_distributed
from jixiao.run.clusterworker import lend_factory, prepare_worker, run_task, stop_units
from jixiao.run.engine import KernelFactory
from jixiao.run.runrecord import package_fingerprint, versions
from jixiao.run.unitjob import UnitProduct

__all__ = [
    "LOCAL_PREFIX",
    "ClusterTask",
    "cluster_task",
    "run_on_cluster",
    "run_task",
    "worker_identity",
    "check_versions",
    "dask_distributed",
    "stop_units",
]

#: ``--scheduler local:N`` starts a LocalCluster of N workers in this process (each unit still runs in
#: a fresh kernel process of its own; ``dask scheduler`` / ``dask worker`` give separate processes).
LOCAL_PREFIX = "local:"
#: Seconds to wait for a first worker on a cluster.
_WAIT_FOR_WORKERS = 30
_STOP_WAIT = 5  # seconds to reach the workers on Ctrl-C
#: Dask settings of a ``local:N`` cluster: its workers share this process with the runner, so no
#: statistical profiler sampling the threads' stacks every 10 ms, and the health and memory
#: checks at a pace of seconds (together ~6 % of a core with the defaults, and GIL switches).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


# --- client side ---------------------------------------------------------------------------
async def run_on_cluster(
    address: str,
    tasks: list[tuple[ClusterTask, dict[str, Path]]],
    template: Any,
    on_done: Callable[[ClusterTask, UnitProduct], Awaitable[None]],
    factory: KernelFactory | None = None,
) -> None:
    """Run the tasks on the cluster at ``address`` (or a LocalCluster for ``local:N``); ``on_done`` per unit.

    With ``factory`` (the runner's), the in-process workers of ``local:N`` start their kernels from it.

    Raises:
        JixiaoError: dask is not installed, the scheduler cannot be reached, or the workers
            run another version than this machine.
    """
    dd = dask_distributed()
    cluster = None
    try:
        if address.startswith(LOCAL_PREFIX):
            workers = _worker_count(address)
            _quiet_closing_comms()
            with importlib.import_module("dask").config.set(LOCAL_CLUSTER_CONFIG):
                cluster = await dd.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=False,  # workers as threads here: no process start or imports per worker
                    dashboard_address="127.0.0.1:0",  # its HTTP routes: this machine only, any free port, no warning
                    scheduler_kwargs={"dashboard": False},  # and no dashboard
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
    lending = contextlib.nullcontext()
    if cluster is not None and factory is not None:
        lending = lend_factory(factory, tasks[0][0].warmup if tasks else ())
    try:
        async with lending:
            await _run_tasks(client, tasks, template, on_done)
    finally:
        await client.close()
        if cluster is not None:
            await cluster.close()


async def _run_tasks(client: Any, tasks: list, template: Any, on_done: Callable) -> None:
    """Check the workers, send the shared files once, submit a task per unit; ``on_done`` as they end."""
    dd = dask_distributed()
    futures: list[Any] = []
    try:
        await check_versions(client)
        await client.run(prepare_worker, tasks[0][0].warmup if tasks else ())
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


class _ClosedCommNotice(logging.Filter):
    """Drops Dask's "Batched Comm Closed" notice (INFO, with a traceback): an in-process comm closing
    at the end of a ``local:N`` run, sometimes logged just after ``silence_logs`` has ended."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Batched Comm Closed")


def _quiet_closing_comms() -> None:
    batched = logging.getLogger("distributed.batched")
    if not any(isinstance(f, _ClosedCommNotice) for f in batched.filters):
        batched.addFilter(_ClosedCommNotice())


def _worker_count(address: str) -> int:
    try:
        count = int(address[len(LOCAL_PREFIX) :])
    except ValueError:
        count = 0
    if count < 1:
        raise JixiaoError(f"--scheduler {address}：local: 后应为工作进程数，如 local:2")
    return count


def _task_error(exc: BaseException) -> str:
    if type(exc).__name__ == "KilledWorker":
        return "运行该单位的 Dask 工作进程多次意外退出，已放弃（见调度器日志）"
    return f"{type(exc).__name__}: {exc}"
