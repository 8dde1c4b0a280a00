"""Fresh kernels forked from a pre-imported template process (Linux/Unix only).

Starting an ipykernel costs ~0.6 s of CPU and importing pandas/matplotlib in it another
~0.7 s; on a 2-core machine that dominated a batch run. The fork server is started once
per run: it imports ipykernel and the warm-up modules, then waits. For each unit the
runner writes a connection file and asks for a kernel; the server forks a child that
becomes a brand-new kernel (own session, own process group, IPC sockets) and is used for
exactly one notebook. Nothing is shared between units: the template process never runs
user code, only imports, exactly what a fresh kernel would do first.

Run as ``python -m jixiao.run.forkserver SOCKET [MODULE ...]`` (the runner does this).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import pkgutil
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import jixiao
from jixiao.run.kerneltuning import skip_empty_flushes

__all__ = [
    "DEFAULT_WARMUP",
    "SOCKET_PREFIX",
    "ForkServer",
    "ForkServerError",
    "ForkedKernelManager",
    "adopt_prelaunched",
    "expand_warmup",
    "fork_supported",
    "prelaunch",
]

#: Imported before a kernel runs its notebook (see ``engine.KernelFactory``); ``jixiao.*`` is every
#: notebook-side jixiao module (the pipeline imports most of them lazily); ``module:function``
#: is imported and called (the font and template caches, see :mod:`jixiao.report.warmup`).
DEFAULT_WARMUP = (
    "pandas",
    "matplotlib",
    "openpyxl",
    "jixiao.*",
    "jixiao.report.warmup:warm_up",
    "jixiao.run.params_yaml:warm_up",
)
#: Stages a unit notebook uses; the runner's own modules and the interactive ones are never
#: imported into batch kernels, except the few run modules a notebook calls.
_KERNEL_SIDE = ("jixiao.core.", "jixiao.parse.", "jixiao.read.", "jixiao.score.", "jixiao.review.", "jixiao.report.")
_KERNEL_RUN_MODULES = {"jixiao.run.params", "jixiao.run.project", "jixiao.run.evaluate", "jixiao.run.handoff"}
#: Prefix of the socket folders (``<prefix><runner pid>-…`` in the temporary folder).
SOCKET_PREFIX = "jixiao-k-"


#: What an ipykernel imports while it starts (its debugger and debugpy, IPython's history on
#: sqlite, pdb, …): imported once here instead of in every kernel (~0.1 s of CPU each).
KERNEL_START_MODULES = (
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "sqlite3",
    "pdb",
    "pydoc",
    "code",
    "faulthandler",
    "http.server",
    "runpy",
    "tornado.locks",
    "tornado.platform.asyncio",
    "tornado.queues",
    "xmlrpc.server",
    "encodings.latin_1",
)


#: Options of every batch kernel (forked or spawned). IPython's history is kept in memory only: a
#: unit's code and parameters are not written into the user's ``~/.ipython`` history database
#: (shared by all kernels of a run, one sqlite write per cell). And no 0.5 ms sleep before each
#: execute_reply (ipykernel's guard for clients that stop reading outputs at the reply; nbclient
#: reads until the kernel's "idle" status, which follows every output): ~1 ms per cell.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False", "--IPythonKernel._execute_sleep=0")


class ForkServerError(RuntimeError):
    """The template process could not be started (the caller may fall back to spawning kernels)."""


def fork_supported() -> bool:
    """True where forking kernels is safe (POSIX, not macOS where fork breaks system frameworks)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


@dataclass
class ForkedKernelManager:
    """The part of a kernel manager that nbclient uses, for a forked kernel."""

    pid: int
    connection_file: str
    ip: str
    has_kernel: bool = True

    async def is_alive(self) -> bool:
        """Whether the kernel process still exists."""
        return _alive(self.pid)

    async def shutdown_kernel(self, now: bool = False, kc: Any = None) -> None:
        """Ask the kernel to exit (unless ``now``), then kill its process group; remove its files."""
        if not now and kc is not None and _alive(self.pid):
            kc.shutdown()
            deadline = time.monotonic() + 2.0
            while _alive(self.pid) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        if _alive(self.pid):
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for path in [self.connection_file] + [f"{self.ip}-{i}" for i in range(1, 6)]:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def expand_warmup(modules: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Module names, with ``jixiao.*`` expanded to the notebook-side jixiao modules (every stage up to the report)."""
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


def _launch(folder: str, warmup: tuple[str, ...], cwd: str) -> subprocess.Popen:
    """Start the server process (it prints ``ready`` once it has imported the warm-up modules)."""
    with open(os.path.join(folder, "fork.log"), "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "jixiao.run.forkserver", os.path.join(folder, "fork.sock"), *warmup],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=cwd,
        )


#: Servers started ahead by :func:`prelaunch`, by (warm-up modules, working folder): (socket folder, process).
_PRELAUNCHED: dict[tuple[tuple[str, ...], str], tuple[str, subprocess.Popen]] = {}


def prelaunch(warmup: tuple[str, ...], cwd: str) -> None:
    """Start a template process now, for a :class:`ForkServer` made later with the same warm-up and folder.

    The template imports for about 1.5 s; the runner itself spends as long importing. Started
    first (``jixiao run`` does), the two overlap. A server nobody adopts is stopped at exit.
    """
    if not fork_supported():
        return
    key = (tuple(warmup), str(cwd))
    if key in _PRELAUNCHED:
        return
    folder = tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-")
    try:
        _PRELAUNCHED[key] = (folder, _launch(folder, tuple(warmup), str(cwd)))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def adopt_prelaunched(warmup: tuple[str, ...], cwd: str) -> tuple[str, subprocess.Popen] | None:
    """The (socket folder, process) of a server :func:`prelaunch` started for this warm-up and folder, if any."""
    return _PRELAUNCHED.pop((tuple(warmup), str(cwd)), None)


@atexit.register
def _stop_unadopted() -> None:
    for folder, process in _PRELAUNCHED.values():
        if process.poll() is None:
            process.terminate()
        shutil.rmtree(folder, ignore_errors=True)
    _PRELAUNCHED.clear()


class ForkServer:
    """Client side: starts the server process (or adopts one started ahead) and asks it for kernels."""

    def __init__(self, folder: str, warmup: tuple[str, ...], cwd: str, process: subprocess.Popen | None = None) -> None:
        self.folder = folder
        self.warmup = warmup
        self.cwd = cwd
        self.socket_path = os.path.join(folder, "fork.sock")
        self.log_path = os.path.join(folder, "fork.log")
        self._process: subprocess.Popen | None = process
        self._ready = False
        self._failure: ForkServerError | None = None
        self._lock = asyncio.Lock()

    async def start_kernel(self, stem: str, timeout: float) -> tuple[ForkedKernelManager, Any]:
        """Fork a kernel; return its manager and a ready client."""
        from jupyter_client.asynchronous import AsyncKernelClient
        from jupyter_client.connect import write_connection_file

        await self._ensure_server(timeout)
        connection_file, info = write_connection_file(
            stem + ".json", transport="ipc", ip=stem + "-ipc", key=secrets.token_hex(16).encode(), kernel_name="python3"
        )
        reader, writer = await asyncio.open_unix_connection(self.socket_path)
        writer.write(json.dumps({"connection_file": connection_file, "cwd": self.cwd}).encode() + b"\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
        writer.close()
        reply = json.loads(line) if line.strip() else {"error": "内核模板进程没有应答"}
        if "pid" not in reply:
            os.unlink(connection_file)
            raise RuntimeError(f"无法派生内核：{reply.get('error')}；日志：{self._log_tail()}")
        km = ForkedKernelManager(reply["pid"], connection_file, info["ip"])
        kc = AsyncKernelClient()
        kc.load_connection_info(info)
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=timeout)
        except BaseException:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            raise RuntimeError(f"派生的内核没有响应；日志：{self._log_tail()}") from None
        return km, kc

    async def close(self) -> None:
        """Stop the server (kernels already handed out are shut down by their owners)."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(asyncio.to_thread(process.wait), 5)
        except TimeoutError:
            process.kill()
            await asyncio.to_thread(process.wait)
        if process.stdout is not None:
            process.stdout.close()

    async def _ensure_server(self, timeout: float) -> None:
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._ready:
                return
            if self._process is None:
                self._process = _launch(self.folder, self.warmup, self.cwd)
            try:
                line = await asyncio.wait_for(asyncio.to_thread(self._process.stdout.readline), timeout)
            except TimeoutError:
                line = b""
            if line.strip() != b"ready":
                self._failure = ForkServerError(f"内核模板进程启动失败；日志：{self._log_tail()}")
                await self.close()
                raise self._failure
            self._ready = True

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()[-800:].strip() or "（空）"
        except OSError:
            return "（无）"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive (the server reaps its children, this is a safety net)
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


# --- server side ---------------------------------------------------------------------------
def serve(socket_path: str, modules: list[str]) -> None:
    """Import, listen, fork one kernel per request; exit when the runner goes away."""
    import gc
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    import ipykernel.kernelapp  # noqa: F401 - the expensive part of a kernel start

    skip_empty_flushes()  # the forked kernels inherit it
    for name in KERNEL_START_MODULES + tuple(modules):  # "module" is imported; "module:function" is imported and called
        try:
            module, _, function = name.partition(":")
            imported = importlib.import_module(module)
            if function:
                getattr(imported, function)()
        except Exception as exc:  # the notebook's own import shows the error
            print(f"warm-up {name} failed: {exc!r}", file=sys.stderr, flush=True)
    gc.collect()
    gc.freeze()  # fewer copy-on-write page faults in the children
    runner = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(16)
    server.settimeout(1.0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    print("ready", flush=True)
    try:
        _accept_loop(server, runner)
    finally:  # the runner is gone (even killed): leave no socket folder behind
        server.close()
        shutil.rmtree(os.path.dirname(socket_path), ignore_errors=True)


def _accept_loop(server: socket.socket, runner: int) -> None:
    while os.getppid() == runner:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        conn.settimeout(10)
        try:
            request = json.loads(conn.makefile("rb").readline())
            pid = os.fork()
        except (OSError, ValueError) as exc:
            conn.sendall(json.dumps({"error": repr(exc)}).encode() + b"\n")
            conn.close()
            continue
        if pid == 0:
            server.close()
            conn.close()
            _become_kernel(request, os.getppid())
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        conn.close()


def _become_kernel(request: dict, server_pid: int) -> None:
    """In the forked child: turn into an ipykernel with the given connection file; never returns."""
    code = 0
    try:
        os.setsid()  # own process group: the runner kills the kernel and its subprocesses together
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.chdir(request["cwd"])
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
        IPKernelApp.launch_instance(argv=[*sys.argv[1:], f"--IPKernelApp.parent_handle={server_pid}", *KERNEL_OPTIONS])
    except BaseException as exc:  # noqa: BLE001 - report and exit, whatever happened
        if not isinstance(exc, SystemExit):
            print(f"kernel {os.getpid()} failed: {exc!r}", file=sys.stderr, flush=True)
            code = 1
    finally:
        os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
