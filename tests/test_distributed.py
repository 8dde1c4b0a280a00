"""``jixiao run --scheduler``: units as Dask tasks give the local runner's outputs; a killed worker loses no unit.

The cluster is a real one: a LocalCluster of 2 worker processes started here, used through
its scheduler address like a cluster on other machines (nothing shared but the address).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from jixiao.core.errors import JixiaoError
from jixiao.run import distributed as jdist
from jixiao.run.htmlexport import default_style
from jixiao.run.params import load_params
from jixiao.run.project import load_project
from jixiao.run.runner import run_units, unit_output_paths
from jixiao.run.scaffold import init_project
from jixiao.run.unitjob import UnitJob

from .test_runner import TINY_UNIT, Project, strip_run_times

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_kwargs={"dashboard": False}
    ) as running:
        yield running


def _client_files(outputs: Path, unit: str) -> tuple[bytes, dict]:
    paths = unit_output_paths(outputs, unit)
    return paths["client_html"].read_bytes(), strip_run_times(json.loads(paths["result"].read_text(encoding="utf-8")))


@pytest.mark.slow
def test_cluster_outputs_equal_the_local_runners(tmp_path, cluster):
    project = load_project(init_project(tmp_path / "项目", samples=True).root)
    units = [p.stem for p in sorted(project.params_dir.glob("*.yaml"))]
    local = run_units(project=project, jobs=2, progress=False, outputs_dir=tmp_path / "local")
    remote = run_units(
        project=project, progress=False, outputs_dir=tmp_path / "dask", scheduler=cluster.scheduler_address
    )
    assert local.exit_code == 0 and remote.exit_code == 0, remote.format()
    assert [u.status for u in remote.units] == ["ok"] * len(units)
    for unit in units:
        local_html, local_result = _client_files(tmp_path / "local", unit)
        remote_html, remote_result = _client_files(tmp_path / "dask", unit)
        assert remote_html == local_html, unit  # byte-identical client report
        assert remote_result == local_result, unit  # result.json apart from provenance.run (run times)
        analyst = [unit_output_paths(tmp_path / d, unit)["analyst_html"].read_bytes() for d in ("local", "dask")]
        assert analyst[0] == analyst[1], unit  # the analyst's too (injected parameters show the client's paths)
        for name in ("result", "notebook"):  # the client's paths, none of the worker's
            assert "jixiao-worker-" not in unit_output_paths(tmp_path / "dask", unit)[name].read_text(encoding="utf-8")
        assert unit_output_paths(tmp_path / "dask", unit)["word"].stat().st_size > 10_000
    assert (tmp_path / "dask" / "index.html").is_file()
    again = run_units(
        project=project, progress=False, outputs_dir=tmp_path / "dask", scheduler=cluster.scheduler_address
    )
    assert [u.status for u in again.units] == ["skipped"] * len(units)  # the unchanged-unit cache, as locally


@pytest.mark.slow
def test_killed_worker_loses_no_unit_and_a_failing_notebook_is_not_retried(tmp_path, cluster):
    project = Project(tmp_path)
    for i in range(8):
        project.add(f"u{i}", f"{70 + i}\n")
    project.add("bad", "BROKEN\n")
    client = distributed.Client(cluster.scheduler_address)
    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [w for w, keys in client.processing().items() if any("jixiao-u" in str(k) for k in keys)]
            done = any(project.paths(f"u{i}")["cache"].is_file() for i in range(8))
            if busy and done:  # one unit finished, others in flight on that worker
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        summary = project.run(scheduler=cluster.scheduler_address)
    finally:
        killer.join()
        client.close()
    assert killed, "no worker was busy to be killed"
    status = {u.unit_id: u.status for u in summary.units}
    assert status == {**{f"u{i}": "ok" for i in range(8)}, "bad": "failed"}, summary.format()
    assert [u.total for u in summary.units if u.unit_id.startswith("u")] == [70.0 + i for i in range(8)]
    bad = next(u for u in summary.units if u.unit_id == "bad")
    assert "输入文件损坏" in bad.error and project.paths("bad")["failed_notebook"].is_file()
    assert not project.temp_files()


@pytest.mark.slow
def test_mismatched_workers_are_refused(tmp_path, cluster, monkeypatch):
    project = Project(tmp_path)
    project.add("u1", "90\n")
    real = jdist.versions

    def other_pandas() -> dict[str, str]:
        return {**real(), "pandas": "0.0"}

    monkeypatch.setattr(jdist, "versions", other_pandas)  # this machine only; workers report their own
    with pytest.raises(JixiaoError, match="(?s)软件版本与本机不一致.*pandas .*（本机 0.0）"):
        project.run(scheduler=cluster.scheduler_address)
    assert not project.paths("u1")["result"].exists()


def test_bad_scheduler_option_is_a_chinese_message(tmp_path):
    project = Project(tmp_path)
    project.add("u1", "90\n")
    with pytest.raises(JixiaoError, match="local: 后应为工作进程数"):
        project.run(scheduler="local:x")


def test_inputs_travel_by_content_relative_paths_kept(tmp_path):
    project = Project(tmp_path)
    project.add("u1", "90\n")
    project.add("u2", "90\n")  # same content: one blob
    tasks = []
    for unit in ("u1", "u2"):
        params = load_params(project.params / f"{unit}.yaml")
        job = UnitJob(unit, "测试", 2023, "k", {}, str(TINY_UNIT), "", {})
        tasks.append(jdist.cluster_task(job, params, None, default_style()))
    (t1, blobs1), (t2, blobs2) = tasks
    assert blobs1.keys() == blobs2.keys() and len(blobs1) == 1
    assert t1.files == {"../inputs/u1.txt": next(iter(blobs1))} and t1.depth == 1
    assert "self_evaluation: ../inputs/u1.txt" in t1.params_text


@pytest.mark.slow
def test_local_workers_share_the_runners_template_and_execute_while_a_unit_finishes(tmp_path, monkeypatch):
    """``local:N``: the in-process workers fork their kernels from the runner's template process (which
    then serves the portfolio page too: one template in all), and a worker executes its next notebook
    while the previous unit's files are being made (the task left its thread slot) in one thread."""
    from jixiao.run import clusterworker, forkserver

    launched: list[tuple] = []
    real_launch = forkserver._launch
    monkeypatch.setattr(forkserver, "_launch", lambda *args: launched.append(args) or real_launch(*args))
    executed: list[str] = []
    real_execute = clusterworker.execute_job

    async def execute(template, job, *args, **kwargs):
        nb = await real_execute(template, job, *args, **kwargs)
        executed.append(job.unit_id)
        return nb

    seen_by_first_finish: list[list[str]] = []
    real_finish = clusterworker.finish_job

    finishing_threads: set[str] = set()

    def finish(job, *args):
        finishing_threads.add(threading.current_thread().name)
        if not seen_by_first_finish:  # wait for the worker's next unit to be executed meanwhile
            deadline = time.monotonic() + 60
            while len(executed) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            seen_by_first_finish.append(list(executed))
        return real_finish(job, *args)

    monkeypatch.setattr(clusterworker, "execute_job", execute)
    monkeypatch.setattr(clusterworker, "finish_job", finish)
    project = Project(tmp_path)
    project.add("u1", "91\n")
    project.add("u2", "92\n")
    summary = project.run(scheduler="local:1")
    assert [(u.unit_id, u.status, u.total) for u in summary.units] == [("u1", "ok", 91.0), ("u2", "ok", 92.0)]
    assert summary.portfolio is not None and summary.portfolio.status == "ok"
    assert sorted(seen_by_first_finish[0]) == ["u1", "u2"]  # one worker: the second ran during the first's finish
    assert len(finishing_threads) == 1  # one finishing thread, like the local runner's I/O thread
    if forkserver.fork_supported():
        assert len(launched) == 1  # the runner's template only: none per worker, none more for the portfolio
    assert getattr(clusterworker, "_LENT", None) is None  # lent for the run only


def test_a_worker_keeps_a_kernel_started_ahead_per_thread(tmp_path):
    """Each of a worker's threads finds a kernel ready (two workers of local:2 share one engine); the
    kernels started ahead are shut down when the engine is released."""
    import asyncio
    import types

    from jixiao.run import clusterworker

    class Factory:
        started, shut = 0, []

        async def start(self):
            Factory.started += 1
            return f"kernel-{Factory.started}"

        async def shutdown(self, kernel, now=False):
            Factory.shut.append(kernel)

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    try:
        engine = clusterworker._Engine((), Factory(), loop)
        for name in ("w1", "w2"):
            worker = types.SimpleNamespace(id=name, state=types.SimpleNamespace(nthreads=1))
            clusterworker._LENT = engine
            try:
                clusterworker.prepare_worker((), dask_worker=worker)
            finally:
                clusterworker._LENT = None
        assert len(engine.spares) == 2
        assert engine.kernel().result(5) == "kernel-1" and len(engine.spares) == 2  # the next one started
        asyncio.run_coroutine_threadsafe(engine.release(), loop).result(5)
        assert sorted(Factory.shut) == ["kernel-2", "kernel-3"] and not engine.folder.exists()
    finally:
        loop.call_soon_threadsafe(loop.stop)


def test_the_closing_comm_notice_of_a_local_cluster_stays_out_of_the_terminal():
    """Dask logs "Batched Comm Closed" with a traceback when an in-process comm closes at the end of a
    ``local:N`` run (sometimes after its own log silencing ended); other messages still pass."""
    import logging

    jdist._quiet_closing_comms()
    jdist._quiet_closing_comms()  # once only
    batched = logging.getLogger("distributed.batched")
    assert sum(isinstance(f, jdist._ClosedCommNotice) for f in batched.filters) == 1

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("distributed.batched", logging.INFO, __file__, 1, message, (), None)

    assert not batched.filter(record("Batched Comm Closed %r"))
    assert batched.filter(record("Error in batched write"))
