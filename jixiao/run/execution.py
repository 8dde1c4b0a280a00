"""Execute a parameterized notebook in a pre-started kernel (:mod:`jixiao.run.engine`), the papermill way.

Papermill does the cell metadata (start/end time, duration, status) and the error banner;
nbclient turns the kernel's messages into outputs. Unlike ``papermill.execute_notebook``,
the code cells are sent to the kernel together, as JupyterLab's "Run All" does, instead of
each after the reply to the one before (:func:`execute_notebook`).
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import inspect
import time
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, CellTimeoutError, DeadKernelError

from jixiao.run.engine import KERNEL_NAME, Kernel, stable_cell_ids
from jixiao.run.papermill_compat import (
    ERROR_ANCHOR_MSG,
    ERROR_MARKER_TAG,
    ERROR_MESSAGE_TEMPLATE,
    NotebookExecutionManager,
    PapermillExecutionError,
)

__all__ = ["execute_notebook", "add_error_banner", "notebook_seconds"]


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
