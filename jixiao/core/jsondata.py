"""Plain JSON data from pandas/numpy values, used by every JSON output."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_ready"]


def json_ready(value: Any) -> Any:
    """Return ``value`` as plain JSON data: NaN/inf/NA → None, numpy scalars → Python, tuples → lists."""
    kind = type(value)  # the plain types first (most of a result document), each as its branch below
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        return {str(k): json_ready(v) for k, v in value.items()}
    if kind is list:
        return [json_ready(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and not isinstance(value, (bytes, bytearray)):  # numpy scalar
        return json_ready(value.item())
    if hasattr(value, "isoformat"):  # date, datetime, Timestamp
        return value.isoformat()
    if str(value) in ("<NA>", "NaT"):
        return None
    return str(value)
