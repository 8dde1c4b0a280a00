"""A frame's rows as plain dicts, fast: ``records(frame) == frame.to_dict("records")``, values and types alike.

pandas builds ``to_dict("records")`` from ``itertuples``, which walks the string columns
(``str`` dtype) one element at a time through the extension array's ``__getitem__``: for a
table of 56 indicators and 39 columns that is ~2,000 Python calls per conversion, and a
unit converts its frames some fifty times (review checks, report facts). Here each column
is converted in one step from its backing array, then the rows are zipped. The values are
exactly pandas' own: numpy numbers as Python ``float``/``int``/``bool``, strings as they are,
missing strings as the dtype's missing value (``nan`` for ``str``), missing ``Int64`` as
``pd.NA``. Any column of another kind is converted by pandas itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.core.arrays.masked import BaseMaskedArray
from pandas.core.arrays.string_ import StringArray
from pandas.core.dtypes.cast import maybe_box_native

__all__ = ["records", "column_values"]

#: numpy kinds whose ``tolist()`` gives what iterating a Series gives (Python scalars).
_PLAIN_KINDS = frozenset("fiub")


def records(frame: pd.DataFrame) -> list[dict[Any, Any]]:
    """``frame.to_dict("records")``, the same list of dicts, without pandas' per-cell overhead."""
    columns = frame.columns
    if not len(columns) or not columns.is_unique:
        return frame.to_dict("records")  # pandas' own edge cases (no columns; its warning on duplicates)
    names = columns.tolist()
    values = [column_values(frame, i) for i in range(len(names))]
    return [dict(zip(names, row)) for row in zip(*values)]


def column_values(frame: pd.DataFrame, i: int) -> list[Any]:
    """The ``i``-th column's values as ``frame.to_dict("records")`` gives them."""
    array = _column_array(frame, i)
    if isinstance(array, np.ndarray):
        if array.dtype.kind in _PLAIN_KINDS:
            return array.tolist()
        if array.dtype == object:  # the stored objects, numpy scalars among them boxed as Python's
            return [v if type(v) is str else maybe_box_native(v) for v in array.tolist()]
    elif type(array) is StringArray:  # str / string on Python storage: the stored objects
        return [v if type(v) is str else maybe_box_native(v) for v in array._ndarray.tolist()]
    elif isinstance(array, BaseMaskedArray) and isinstance(array.dtype, ExtensionDtype):  # Int64, Float64, boolean
        return [maybe_box_native(v) for v in array]
    return [row[0] for row in frame.iloc[:, i].to_frame(name=0).to_dict("records")]


def _column_array(frame: pd.DataFrame, i: int) -> Any:
    """The array that stores column ``i`` (no Series built: ``iget_values`` of pandas' block manager)."""
    manager = getattr(frame, "_mgr", None)
    iget_values = getattr(manager, "iget_values", None)
    if iget_values is None:  # another pandas: the public way
        series = frame.iloc[:, i]
        return series.array if isinstance(series.dtype, ExtensionDtype) else series.to_numpy()
    return iget_values(i)
