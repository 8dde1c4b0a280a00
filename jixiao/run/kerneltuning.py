"""Tuning of the batch kernels that the fork server's children inherit (what a notebook outputs does not change).

Applied in the template process after ipykernel is imported (:func:`jixiao.run.forkserver.serve`);
kernels the user starts in JupyterLab are untouched.
"""

from __future__ import annotations

from typing import Any

__all__ = ["skip_empty_flushes"]


def skip_empty_flushes() -> bool:
    """Make a kernel's ``sys.stdout/stderr.flush()`` return at once when nothing was written since the last one.

    ipykernel flushes both streams around every cell and before every display, ~6 times a
    cell; each flush is a round trip to the kernel's I/O thread (schedule, wake, wait), even
    with nothing to send: ~0.2–0.4 ms each, more when the cores are busy, ~20–50 ms a unit. Every
    IOPub message goes through that thread's queue in order, so the wait adds no ordering
    between outputs; a stream with text still flushes (and waits) as before. True if patched
    (the ipykernel internals it reads are present).
    """
    from ipykernel.iostream import OutStream

    flush = OutStream.flush
    if getattr(flush, "_jixiao_skips_empty", False):
        return True
    if not all(hasattr(OutStream, name) for name in ("_flush", "_rotate_buffers", "_schedule_flush")):
        return False  # another ipykernel: keep its flush

    def flush_if_written(self: Any) -> None:
        lock = getattr(self, "_buffer_lock", None)
        if lock is not None and getattr(self, "echo", None) is None:
            with lock:
                written = bool(getattr(self, "_buffers", True)) or getattr(self, "_flush_pending", True)
            if not written:
                return
        flush(self)

    flush_if_written._jixiao_skips_empty = True  # type: ignore[attr-defined]
    OutStream.flush = flush_if_written  # type: ignore[method-assign]
    return True
