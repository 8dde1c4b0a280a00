"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every writer goes through :func:`atomic_write_bytes`: the data goes to a temporary
file in the target's own directory (same file system), is flushed and fsync'ed,
then ``os.replace`` swaps it in. If anything fails (or the process is interrupted)
before the swap, the temporary file is removed and the old file is left untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["TEMP_PREFIX", "atomic_write_bytes", "atomic_write_text", "atomic_write_json", "remove_stale_temps"]

#: Prefix of the temporary files (lets :func:`remove_stale_temps` find leftovers of a killed process).
TEMP_PREFIX = ".jixiao-tmp-"


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, creating parent directories.

    Args:
        path: Target file.
        data: The complete new content.

    Returns:
        The target path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        # KeyboardInterrupt included: never leave the temporary file behind.
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(target.parent)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented UTF-8 JSON (Chinese kept readable) atomically.

    Raises:
        ValueError: ``obj`` holds NaN or infinity (not valid JSON).
    """
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def remove_stale_temps(directory: str | os.PathLike[str]) -> list[Path]:
    """Delete temporary files left in ``directory`` by a process that was killed mid-write.

    Returns:
        The removed paths.
    """
    folder = Path(directory)
    if not folder.is_dir():
        return []
    removed = []
    for leftover in folder.glob(TEMP_PREFIX + "*"):
        try:
            leftover.unlink()
            removed.append(leftover)
        except FileNotFoundError:
            pass
    return removed


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
