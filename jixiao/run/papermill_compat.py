"""The one place that touches papermill names outside its documented API.

The warm-kernel engine (:mod:`jixiao.run.engine`, :mod:`jixiao.run.execution`) runs notebooks in kernels it started
itself, so it cannot call ``papermill.execute_notebook``; it reuses papermill's own pieces
instead of copying them: the parameter injection (``papermill.parameterize``), the per-cell
bookkeeping (``papermill.engines.NotebookExecutionManager``, papermill's engine extension
point) and, from ``papermill.execute``, the run metadata and the error banner.

``papermill.execute`` is not a documented extension point, so its names are imported here
only, and the versions they were checked against are pinned in ``pyproject.toml``
(``papermill>=2.6,<2.8``). ``tests/test_papermill_compat.py`` fails loudly if a papermill
release renames or changes them.
"""

from __future__ import annotations

from papermill import __version__ as PAPERMILL_VERSION
from papermill.engines import NotebookExecutionManager
from papermill.exceptions import PapermillExecutionError
from papermill.execute import (
    ERROR_ANCHOR_MSG,
    ERROR_MARKER_TAG,
    ERROR_MESSAGE_TEMPLATE,
    prepare_notebook_metadata,
    remove_error_markers,
)
from papermill.parameterize import parameterize_notebook

SUPPORTED = ((2, 6), (2, 8))  # [low, high) of papermill major.minor, as pinned in pyproject.toml

__all__ = [
    "ERROR_ANCHOR_MSG",
    "ERROR_MARKER_TAG",
    "ERROR_MESSAGE_TEMPLATE",
    "NotebookExecutionManager",
    "PAPERMILL_VERSION",
    "PapermillExecutionError",
    "SUPPORTED",
    "parameterize_notebook",
    "prepare_notebook_metadata",
    "remove_error_markers",
    "supported_version",
]


def supported_version(version: str = PAPERMILL_VERSION) -> bool:
    """Whether ``version`` lies in the papermill range these imports were checked against."""
    major_minor = tuple(int(part) for part in version.split(".")[:2])
    return SUPPORTED[0] <= major_minor < SUPPORTED[1]
