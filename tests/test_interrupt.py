"""Ctrl-C during ``jixiao run`` (issue 11 #9): pending units cancelled, running kernels stopped,
a Chinese summary printed, exit 130, no traceback, no socket folders left behind."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from jixiao.run.engine import KernelFactory

from .test_runner import Project

ROOT = Path(__file__).resolve().parents[1]

SLEEPY_UNIT = """\
# %% tags=["parameters"]
unit_id = ""
params_path = ""

# %%
import os
import time
from pathlib import Path

Path(os.environ["JIXIAO_TEST_MARKS"], unit_id).write_text(str(os.getpid()))
time.sleep(120)
"""

RUN = textwrap.dedent(
    """
    import sys
    from jixiao.run.runner import run_units
    summary = run_units(None, params_dir=sys.argv[1], outputs_dir=sys.argv[2], template=sys.argv[3],
                        portfolio_template=None, warmup=(), progress=False, jobs=1)
    print(summary.format(), flush=True)
    sys.exit(summary.exit_code)
    """
)


def _start_sleepy_run(tmp_path: Path, units: tuple[str, ...], code: str):
    """A project of ``units`` whose notebooks mark their start and sleep, run by ``code`` in its own
    process group: (project, marks folder, TMPDIR, process)."""
    project = Project(tmp_path / "p")
    for unit in units:
        project.add(unit, "95\n")
    template = tmp_path / "sleepy.py"
    template.write_text(SLEEPY_UNIT, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    temp = Path(tempfile.mkdtemp(prefix="jx", dir="/tmp"))  # short: unix socket paths are limited to ~100 bytes
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(temp), JIXIAO_TEST_MARKS=str(marks))
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(project.params), str(project.outputs), str(template)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a terminal sends Ctrl-C to the whole foreground process group
    )
    return project, marks, temp, proc


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals to a process group (Linux)")
@pytest.mark.parametrize("presses", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_ctrl_c_stops_the_run_with_a_summary(tmp_path, presses):
    project, marks, temp, proc = _start_sleepy_run(tmp_path, ("u1", "u2", "u3"), RUN)
    try:
        deadline = time.monotonic() + 60
        while not (marks / "u1").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        if not (marks / "u1").exists():
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the first unit never started: " + "".join(proc.communicate()))
        kernel = int((marks / "u1").read_text() or 0)
        pressed = time.monotonic()
        for _ in range(presses):
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=15)
        elapsed = time.monotonic() - pressed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert elapsed < 5, f"took {elapsed:.1f} s to stop"
    # A second press that lands while the interpreter is already exiting ends it by SIGINT (a shell shows 130 too).
    assert proc.returncode == 130 or (presses == 2 and proc.returncode == -signal.SIGINT), out + err
    assert "Traceback" not in err and "ZMQ" not in err and "Aborted" not in out + err, err
    assert "中断" in out and "u1" in out and "u3" in out, out
    assert not (marks / "u2").exists() and not (marks / "u3").exists()  # pending units never started
    time.sleep(0.5)
    assert not _alive(kernel)
    leftover = list(temp.glob("jixiao-k-*"))
    shutil.rmtree(temp, ignore_errors=True)
    assert not leftover
    assert not (project.outputs / "u1" / "u1.html").exists()


def test_orphaned_socket_folders_of_killed_runs_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f"jixiao-k-{dead.pid}-abc"
    orphan.mkdir()
    (orphan / "fork.sock").write_text("")
    live = tmp_path / f"jixiao-k-{os.getpid()}-def"
    live.mkdir()
    factory = KernelFactory(mode="spawn")
    try:
        assert not orphan.exists() and live.exists()
    finally:
        asyncio.run(factory.aclose())


RUN_DASK = RUN.replace("jobs=1)", "scheduler='local:2')")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals to a process group (Linux)")
def test_ctrl_c_on_a_dask_run_cancels_the_tasks_and_writes_nothing(tmp_path):
    """Issue 14: Ctrl-C during ``--scheduler local:2`` cancels the remaining tasks, stops the running
    kernels and leaves no file of any unit (outputs are written by the client only when a unit is done)."""
    pytest.importorskip("distributed")
    units = ("u1", "u2", "u3", "u4")
    project, marks, temp, proc = _start_sleepy_run(tmp_path, units, RUN_DASK)
    try:
        deadline = time.monotonic() + 120  # the cluster and its kernel templates start first
        while not any(marks.iterdir()) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        started = sorted(p.name for p in marks.iterdir())
        if not started:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("no unit started on the cluster: " + "".join(proc.communicate()))
        time.sleep(0.3)  # the second worker's unit may be starting too
        kernels = [int(p.read_text() or 0) for p in marks.iterdir()]
        pressed = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        elapsed = time.monotonic() - pressed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, out + err
    assert elapsed < 30, f"took {elapsed:.1f} s to stop"
    assert "Traceback" not in out, out
    assert "中断" in out and all(u in out for u in units), out
    assert len(list(marks.iterdir())) <= 2  # at most one unit per worker ever started: the rest were cancelled
    time.sleep(1)
    assert not [k for k in kernels if k and _alive(k)]  # the running kernels were stopped
    written = [p for p in project.outputs.rglob("*") if p.is_file() and p.parent != project.outputs]
    assert not written, written  # no unit file, complete or partial
    shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="asyncio signal handlers (Unix)")
def test_a_second_press_while_the_handlers_are_put_back_never_reaches_asyncio_run(monkeypatch):
    """After Ctrl-C, SIGINT goes straight to the grace handler (never back to asyncio.run's own, which would
    end the run with KeyboardInterrupt); a press in the instant asyncio leaves the default handler is swallowed."""
    from jixiao.run import interrupts as module

    class Runner:
        interrupted = False

        def stop(self, task):
            self.interrupted = True

    runner = Runner()
    installed_handlers = []
    real_signal = signal.signal

    def recording_signal(sig, handler):
        if sig == signal.SIGINT:
            installed_handlers.append(handler)
        return real_signal(sig, handler)

    async def main():
        loop = asyncio.get_running_loop()
        asyncio_own = signal.getsignal(signal.SIGINT)  # asyncio.run's handler
        real_remove = loop.remove_signal_handler

        def remove_then_press(sig):  # the second press lands right after asyncio puts the default handler back
            real_remove(sig)
            if sig == signal.SIGINT:
                raise KeyboardInterrupt

        with module.interrupts(runner.stop):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(50):
                if runner.interrupted:
                    break
                await asyncio.sleep(0.01)
            monkeypatch.setattr(signal, "signal", recording_signal)
            monkeypatch.setattr(loop, "remove_signal_handler", remove_then_press)
        monkeypatch.undo()
        return asyncio_own

    asyncio_own = asyncio.run(main())  # no KeyboardInterrupt
    try:
        assert runner.interrupted
        assert asyncio_own not in installed_handlers and installed_handlers
        assert signal.getsignal(signal.SIGINT).__name__ == "on_sigint"  # the grace period
        os.kill(os.getpid(), signal.SIGINT)  # ignored within the grace period
        time.sleep(0.05)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
