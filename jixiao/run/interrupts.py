"""Ctrl-C and SIGTERM during ``jixiao run``: a handler instead of KeyboardInterrupt, then a grace period.

The runner cancels its pending units and stops running kernels from the handler, prints its
summary during the grace period, and only a later Ctrl-C raises KeyboardInterrupt again.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
from typing import Any

__all__ = ["GRACE_SECONDS", "INTERRUPTED_TEXT", "interrupts"]


@contextlib.contextmanager
def interrupts(handler: Any):
    """While the block runs, SIGINT and SIGTERM call ``handler(current task)`` instead of raising.

    Once a signal came, further Ctrl-C presses within the next seconds are ignored, so that
    the caller can print the summary; after that Ctrl-C raises KeyboardInterrupt again.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    installed = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                previous = signal.getsignal(sig)
                loop.add_signal_handler(sig, handler, task)
                installed.append((sig, previous))
            except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
                pass
    try:
        yield
    finally:
        _restore(loop, installed, bool(installed) and getattr(getattr(handler, "__self__", None), "interrupted", False))


def _restore(loop: asyncio.AbstractEventLoop, installed: list, interrupted: bool) -> None:
    """Put back the handlers :func:`interrupts` replaced; after an interruption SIGINT gets the grace period.

    A press that lands while this runs must neither reach asyncio.run's own SIGINT handler (the
    ``previous`` one: it would end the run with KeyboardInterrupt and a traceback) nor go
    unhandled: after an interruption the grace handler is installed directly instead of
    ``previous``, a press in the instant asyncio leaves the default handler in place is swallowed,
    and the signals are held back by the OS meanwhile (for this thread).
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if installed else None
    try:
        for sig, previous in installed:
            after = (
                _grace_handler(time.monotonic() + GRACE_SECONDS) if interrupted and sig == signal.SIGINT else previous
            )
            try:
                loop.remove_signal_handler(sig)
                signal.signal(sig, after)
            except KeyboardInterrupt:  # a second press, between the two lines
                if not interrupted:
                    raise
                signal.signal(sig, after)
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


GRACE_SECONDS = 3.0
INTERRUPTED_TEXT = "运行被中断（Ctrl-C），未完成；之前的输出保持不变"


def _grace_handler(until: float) -> Any:
    def on_sigint(signum: int, frame: Any) -> None:
        if time.monotonic() >= until:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt

    return on_sigint
