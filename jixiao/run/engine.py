"""Pre-started kernels for parameterized notebooks, the papermill way, in-process.

Papermill does the parameterisation (``parameters`` / ``injected-parameters`` cells,
:func:`parameterize`). What differs from ``papermill.execute_notebook`` is the kernel life
cycle: kernels are started ahead of time (IPC transport, one private socket path each, so
kernels started side by side cannot race for ports), optionally warmed up by importing
libraries, used for exactly one notebook and then shut down. Executing a notebook in one
of them is :mod:`jixiao.run.execution`.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager

from jixiao.run.forkserver import (
    DEFAULT_WARMUP,
    KERNEL_OPTIONS,
    SOCKET_PREFIX,
    ForkedKernelManager,
    ForkServer,
    ForkServerError,
    adopt_prelaunched,
    expand_warmup,
    fork_supported,
)
from jixiao.run.papermill_compat import (
    PAPERMILL_VERSION,
    parameterize_notebook,
    prepare_notebook_metadata,
    remove_error_markers,
)

__all__ = [
    "KERNEL_NAME",
    "DEFAULT_WARMUP",
    "expand_warmup",
    "Kernel",
    "KernelFactory",
    "load_template",
    "parameterize",
    "started",
    "stable_cell_ids",
]

KERNEL_NAME = "python3"
_LANGUAGE = "python"


@dataclass
class Kernel:
    """A started kernel and its client, for one notebook."""

    km: Any  # AsyncKernelManager, or ForkedKernelManager
    kc: Any  # AsyncKernelClient
    start_seconds: float  # start + warm-up wall time


class KernelFactory:
    """Starts and stops fresh kernels (IPC transport, sockets in a private folder).

    Args:
        kernel_name: Kernel spec name (``python3`` runs this interpreter).
        cwd: Working directory of the kernels.
        warmup: Modules imported before a kernel runs its notebook (if importable): in
            ``spawn`` mode silently right after start, while the previous notebook still
            runs; in ``fork`` mode once, in the template process the kernels are forked
            from. Either way each kernel is fresh: nothing of another unit is in it.
        startup_timeout: Seconds to wait for a kernel to answer.
        mode: ``spawn`` (a new ``ipykernel`` process per kernel, jupyter_client's way),
            ``fork`` (forked from a pre-imported template process, see
            :mod:`jixiao.run.forkserver`; much less CPU per kernel) or ``auto`` (fork on Linux).
    """

    def __init__(
        self,
        kernel_name: str = KERNEL_NAME,
        cwd: str | os.PathLike[str] | None = None,
        warmup: tuple[str, ...] = (),
        startup_timeout: float = 60,
        mode: str = "auto",
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = str(cwd or os.getcwd())
        self.warmup = warmup
        self.startup_timeout = startup_timeout
        if mode not in ("auto", "fork", "spawn"):
            raise ValueError(f"unknown kernel mode {mode!r}")
        use_fork = mode == "fork" or (mode == "auto" and fork_supported() and kernel_name == KERNEL_NAME)
        self.mode = "fork" if use_fork else "spawn"
        # Short path: unix socket names are limited to ~100 bytes.
        _remove_orphaned_socket_dirs()
        early = adopt_prelaunched(warmup, self.cwd) if use_fork else None  # see forkserver.prelaunch
        self._dir = early[0] if early else tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-")
        self._fork = ForkServer(self._dir, warmup, self.cwd, early[1] if early else None) if use_fork else None
        self.fallback_reason = ""  # why fork mode fell back to spawn, if it did

    async def start(self) -> Kernel:
        """Start a kernel, wait until it answers, run the warm-up imports (spawn mode)."""
        began = time.perf_counter()
        stem = os.path.join(self._dir, uuid.uuid4().hex[:12])
        if self._fork is not None:
            try:
                km, kc = await self._fork.start_kernel(stem, self.startup_timeout)
            except ForkServerError as exc:  # e.g. fork not permitted here: spawn kernels instead
                self.fallback_reason = str(exc)
                self._fork, self.mode = None, "spawn"
                return await self.start()
            kc.allow_stdin = False
            return Kernel(km, kc, time.perf_counter() - began)
        km = AsyncKernelManager(
            kernel_name=self.kernel_name, transport="ipc", ip=stem + "-ipc", connection_file=stem + ".json"
        )
        await km.start_kernel(cwd=self.cwd, extra_arguments=list(KERNEL_OPTIONS))
        kc = km.client()
        try:
            kc.start_channels()
            await kc.wait_for_ready(timeout=self.startup_timeout)
            kc.allow_stdin = False
            if self.warmup:
                await self._run_silently(kc, _warmup_code(self.warmup))
        except BaseException:
            await self.shutdown(Kernel(km, kc, 0.0), now=True)
            raise
        return Kernel(km, kc, time.perf_counter() - began)

    async def shutdown(self, kernel: Kernel, now: bool = False) -> None:
        """Stop the kernel and its client channels; remove its connection and socket files."""
        if isinstance(kernel.km, ForkedKernelManager):
            try:
                await kernel.km.shutdown_kernel(now=now, kc=kernel.kc)
            finally:
                kernel.kc.stop_channels()
            return
        try:
            kernel.kc.stop_channels()
        finally:
            try:
                await kernel.km.shutdown_kernel(now=now)
            except RuntimeError:  # already dead
                await kernel.km.cleanup_resources()

    async def aclose(self) -> None:
        """Stop the template process and remove the socket folder (after every kernel is shut down)."""
        if self._fork is not None:
            await self._fork.close()
        self._fork = None
        shutil.rmtree(self._dir, ignore_errors=True)

    async def _run_silently(self, kc: Any, code: str) -> None:
        msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            reply = await kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                return  # an import error shows up again, visibly, in the notebook itself


def _remove_orphaned_socket_dirs() -> None:
    """Remove socket folders left by runs that were killed (their ``jixiao-k-<pid>-`` process is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_PREFIX}*-*"):
        pid = folder.name[len(SOCKET_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, OverflowError, OSError):
            continue


def _warmup_code(modules: tuple[str, ...]) -> str:
    return (
        "import importlib.util as _jx_u\n"
        f"for _jx_m in {list(modules)!r}:\n"
        "    _jx_m, _, _jx_f = _jx_m.partition(':')\n"
        "    try:\n"
        "        if _jx_u.find_spec(_jx_m) is not None:\n"
        "            _jx_i = __import__(_jx_m, fromlist=['_'])\n"
        "            if _jx_f:\n"
        "                getattr(_jx_i, _jx_f)()\n"
        "            del _jx_i\n"
        "    except Exception:\n"
        "        pass\n"
        "del _jx_u, _jx_m, _jx_f\n"
    )


def load_template(path: str | os.PathLike[str]) -> Any:
    """Read a notebook template (``.ipynb``, or a jupytext text form such as py:percent).

    Returns:
        A v4 NotebookNode carrying papermill's metadata defaults.
    """
    source = Path(path)
    if source.suffix == ".ipynb":
        nb = nbformat.read(source, as_version=4)
    else:
        import jupytext

        nb = jupytext.read(source)
    nb = nbformat.v4.upgrade(nb) or nb
    nb.metadata.setdefault(
        "papermill",
        {"default_parameters": {}, "parameters": {}, "environment_variables": {}, "version": PAPERMILL_VERSION},
    )
    for index, cell in enumerate(nb.cells):
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
        if source.suffix != ".ipynb":  # text forms have no cell ids: derive them, so a rerun gives the same HTML
            cell.id = _cell_id(index, cell.source)
    return nb


def parameterize(template: Any, parameters: dict[str, Any], *, input_path: str, output_path: str) -> Any:
    """A copy of ``template`` with papermill's ``injected-parameters`` cell and run metadata."""
    nb = parameterize_notebook(copy.deepcopy(template), parameters, kernel_name=KERNEL_NAME, language=_LANGUAGE)
    nb = prepare_notebook_metadata(nb, input_path, output_path)
    return stable_cell_ids(remove_error_markers(nb))


def stable_cell_ids(nb: Any) -> Any:
    """Give every cell an id derived from its position and content (nbformat's are random).

    The ids become the HTML anchors (``#cell-id=…``), so two runs of the same unit give
    the same page. Returns ``nb`` (changed in place).
    """
    for index, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            # its text holds this machine's paths: a cluster worker's differ from the client's
            cell["id"] = "injected-parameters"
            continue
        source = cell.get("source", "")
        text = source if isinstance(source, str) else "".join(source)
        digest = hashlib.sha256(f"{cell.get('cell_type', '')}\0{text}".encode()).hexdigest()[:8]
        cell["id"] = f"c{index:03d}-{digest}"
    return nb


def _cell_id(index: int, source: str) -> str:
    return hashlib.sha256(f"{index}\0{source}".encode()).hexdigest()[:8]


async def started(kernel_task: asyncio.Task) -> Kernel:
    """The kernel of a start task (:meth:`KernelFactory.start`); a start failure as one Chinese line."""
    try:
        return await kernel_task
    except Exception as exc:
        raise RuntimeError(f"内核启动失败：{exc}") from exc
