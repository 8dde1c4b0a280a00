"""Execute parameterized notebooks in pre-started kernels, the papermill way, in-process.

Papermill does the parameterisation (``parameters`` / ``injected-parameters`` cells),
the cell metadata (start/end time, duration, status) and the error banner; nbclient
turns the kernel's messages into outputs. What differs from ``papermill.execute_notebook``:
kernels are started ahead of time (IPC transport, one private socket path each, so
kernels started side by side cannot race for ports), optionally warmed up by importing
libraries, used for exactly one notebook and then shut down; and the code cells are sent
to the kernel together, as JupyterLab's "Run All" does, instead of one after the other's
reply (:func:`execute_notebook`).
"""

from __future__ import annotations

import asyncio
import collections
import copy
import datetime
import hashlib
import inspect
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
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, CellTimeoutError, DeadKernelError

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
    ERROR_ANCHOR_MSG,
    ERROR_MARKER_TAG,
    ERROR_MESSAGE_TEMPLATE,
    PAPERMILL_VERSION,
    NotebookExecutionManager,
    PapermillExecutionError,
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
    "execute_notebook",
    "add_error_banner",
    "notebook_seconds",
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


async def execute_notebook(nb: Any, kernel: Kernel, *, timeout: float | None = 600) -> Any:
    """Execute ``nb`` in ``kernel`` cell by cell, stopping at the first error (papermill semantics).

    The code cells are sent to the kernel all at once, as JupyterLab's "Run All" does: the
    kernel runs them one after the other without waiting for this process between cells
    (under load that wait cost 5–20 ms a cell), and on an error it aborts the ones still
    queued (``stop_on_error``). Outputs, execution counts and papermill's cell metadata are
    recorded cell by cell as before (nbclient's message handling); a cell's start time is
    when the one before it finished. Cell errors are left in the notebook as error outputs
    (a timeout or a dead kernel gets one too); call :func:`add_error_banner` afterwards.
    The kernel is not shut down.
    """
    manager = NotebookExecutionManager(nb, output_path=None, progress_bar=False, autosave_cell_every=0)
    client = NotebookClient(nb, km=kernel.km, kernel_name=KERNEL_NAME, timeout=timeout, allow_errors=False)
    client.kc = kernel.kc
    manager.notebook_start()
    # Every request is sent before the channels are read: a send on the shell socket while it is
    # being polled can swallow the edge-triggered wake-up of the replies (zmq's FD), and the poll
    # then waits for ever.
    info_id = kernel.kc.kernel_info()
    sent = {
        index: kernel.kc.execute(cell.source, store_history=True, stop_on_error=True)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.source.strip()
    }
    mail = _Mailbox(kernel.kc)
    try:
        info = await mail.reply(info_id, client, timeout)
        nb.metadata["language_info"] = info["content"].get("language_info", {})
        count = 0
        for index, cell in enumerate(nb.cells):
            try:
                manager.cell_start(cell, index)
                if index in sent:
                    count += 1
                    await _collect(cell, index, sent[index], count, client, mail, timeout)
            except CellExecutionError as exc:
                manager.cell_exception(nb.cells[index], cell_index=index, exception=exc)
                break
            except (TimeoutError, CellTimeoutError, DeadKernelError) as exc:
                manager.cell_exception(nb.cells[index], cell_index=index, exception=exc)
                if isinstance(exc, (TimeoutError, CellTimeoutError)):
                    message = f"单元格执行超时（超过 {timeout:g} 秒仍未结束），已停止" if timeout else "单元格执行超时"
                else:
                    message = "内核意外退出（可能是内存不足或进程被终止）"
                cell.setdefault("outputs", []).append(
                    nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=message, traceback=[])
                )
                break
            finally:
                manager.cell_complete(nb.cells[index], cell_index=index)
    finally:
        mail.close()
        manager.notebook_complete()
    client.set_widgets_metadata()
    return nb


async def _collect(
    cell: Any, index: int, msg_id: str, count: int, client: NotebookClient, mail: _Mailbox, timeout: float | None
) -> None:
    """A sent cell's outputs (nbclient's handling of each message) until its reply and its idle status."""
    cell.outputs = []
    cell.metadata["execution"] = {}  # nbclient's record_timing
    client.clear_before_next_output = False
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        msg = await mail.next(mail.iopub, msg_id, client, cell, deadline)
        try:
            client.process_message(msg, cell, index)
        except CellExecutionComplete:
            break
    reply = await mail.next(mail.shell, msg_id, client, cell, deadline)
    cell.metadata["execution"]["shell.execute_reply"] = _stamp(reply)
    cell["execution_count"] = count
    if reply["content"].get("status") == "error" and "raises-exception" not in cell.metadata.get("tags", []):
        raise CellExecutionError.from_cell_and_msg(cell, reply["content"])


def _stamp(msg: dict) -> str:
    """A message's time as nbclient records it in ``metadata.execution``."""
    date = msg.get("header", {}).get("date")
    if isinstance(date, datetime.datetime):
        return date.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(date or "")


class _Mailbox:
    """The kernel's iopub and shell messages, sorted by the request they answer (several requests are in flight)."""

    def __init__(self, kc: Any) -> None:
        self.iopub: dict[str, asyncio.Queue] = collections.defaultdict(asyncio.Queue)
        self.shell: dict[str, asyncio.Queue] = collections.defaultdict(asyncio.Queue)
        self._pumps = [
            asyncio.ensure_future(self._pump(kc.iopub_channel, self.iopub)),
            asyncio.ensure_future(self._pump(kc.shell_channel, self.shell)),
        ]

    @staticmethod
    async def _pump(channel: Any, boxes: dict[str, asyncio.Queue]) -> None:
        while True:
            msg = await channel.get_msg(timeout=None)
            boxes[msg["parent_header"].get("msg_id", "")].put_nowait(msg)

    async def next(
        self, boxes: dict[str, asyncio.Queue], msg_id: str, client: NotebookClient, cell: Any, deadline: float | None
    ) -> dict:
        """The next message answering ``msg_id``; the kernel's liveness checked every second; the cell's timeout."""
        queue = boxes[msg_id]
        while True:
            wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            if wait <= 0:
                if cell is None:  # the kernel_info request
                    raise TimeoutError("内核没有应答")
                raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", client.timeout, cell)
            try:
                return await asyncio.wait_for(queue.get(), wait)
            except TimeoutError:
                for pump in self._pumps:
                    if pump.done() and pump.exception() is not None:
                        raise DeadKernelError("Kernel's channels failed") from pump.exception()
                alive = client.kc.is_alive()
                if not (await alive if inspect.isawaitable(alive) else alive):
                    raise DeadKernelError("Kernel died") from None

    async def reply(self, msg_id: str, client: NotebookClient, timeout: float | None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        return await self.next(self.shell, msg_id, client, None, deadline)

    def close(self) -> None:
        for pump in self._pumps:
            pump.cancel()


def add_error_banner(nb: Any) -> PapermillExecutionError | None:
    """Insert papermill's error banner and anchor if a cell failed; return the error (or None).

    Same rules as ``papermill.execute.raise_for_execution_errors`` (``SystemExit(0)`` is not an
    error), but the notebook is changed in place instead of being written and raised.
    """
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "SystemExit" and output.get("evalue") in ("", "0"):
                continue
            error = PapermillExecutionError(
                cell_index=index,
                exec_count=cell.get("execution_count"),
                source=cell.source,
                ename=output.get("ename", ""),
                evalue=output.get("evalue", ""),
                traceback=output.get("traceback", []),
            )
            anchor = nbformat.v4.new_markdown_cell(ERROR_ANCHOR_MSG, id="papermill-error-anchor")
            anchor.metadata["tags"] = [ERROR_MARKER_TAG]
            banner = nbformat.v4.new_markdown_cell(ERROR_MESSAGE_TEMPLATE % str(error.exec_count), id="papermill-error")
            banner.metadata["tags"] = [ERROR_MARKER_TAG]
            nb.cells.insert(index, anchor)
            nb.cells.insert(0, banner)
            stable_cell_ids(nb)
            return error
    return None


def notebook_seconds(nb: Any) -> float:
    """Time spent executing cells (sum of papermill's per-cell durations)."""
    return round(sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells), 3)
