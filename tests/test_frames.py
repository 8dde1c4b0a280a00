"""core.frames.records gives exactly DataFrame.to_dict("records"); json_ready's fast paths keep its output."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from jixiao.core.frames import records
from jixiao.core.jsondata import json_ready


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if a is pd.NA or a is pd.NaT:
        return b is a
    return a == b


def _assert_records(frame: pd.DataFrame) -> None:
    mine, theirs = records(frame), frame.to_dict("records")
    assert len(mine) == len(theirs)
    for x, y in zip(mine, theirs, strict=True):
        assert list(x) == list(y)
        assert all(_same(x[k], y[k]) for k in y), (x, y)


def _mixed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": pd.Series(["甲", None, "丙"], dtype="str"),
            "string": pd.Series(["a", pd.NA, "c"], dtype="string"),
            "weight": [1.5, float("nan"), 3.0],
            "count": np.array([1, 2, 3], dtype="int64"),
            "flag": [True, False, True],
            "row": pd.array([4, None, 6], dtype="Int64"),
            "share": pd.array([0.5, None, 1.0], dtype="Float64"),
            "ok": pd.array([True, None, False], dtype="boolean"),
            "obj": pd.Series([np.float64(2.5), "x", None], dtype=object),
            "when": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
            "cat": pd.Categorical(["x", "y", None]),
        }
    )


def test_records_equal_pandas_on_every_kind_of_column():
    _assert_records(_mixed())


def test_records_of_a_filtered_frame_and_of_object_columns_only():
    frame = _mixed()
    _assert_records(frame[frame["flag"]])
    _assert_records(frame[["name", "obj"]])
    _assert_records(frame[["obj"]].astype(object))


def test_records_edge_cases():
    _assert_records(pd.DataFrame())
    _assert_records(pd.DataFrame(columns=["a", "b"]))
    _assert_records(pd.DataFrame(index=range(3)))  # rows without columns
    _assert_records(pd.DataFrame({"a": [1, 2]}, index=[10, 11]))


def test_records_with_duplicate_columns_warns_like_pandas():
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.warns(UserWarning):
        assert records(frame) == [{"a": 2}]


def test_records_are_fresh_dicts():
    frame = pd.DataFrame({"a": [1, 2]})
    first = records(frame)
    first[0]["a"] = 99
    assert records(frame)[0]["a"] == 1


def test_json_ready_fast_paths_keep_the_output():
    value = {
        1: "x",
        "n": [1, 2.5, float("nan"), float("inf"), True, None, "s"],
        "np": [np.float64(1.5), np.int64(3), np.bool_(True), np.float64("nan")],
        "na": [pd.NA, pd.NaT, pd.Timestamp("2024-01-02")],
        "tuple": (1, (2, 3)),
        "nested": {"a": {"b": [{"c": 1.0}]}},
    }
    out = json_ready(value)
    assert out == {
        "1": "x",
        "n": [1, 2.5, None, None, True, None, "s"],
        "np": [1.5, 3, True, None],
        "na": [None, "NaT", "2024-01-02T00:00:00"],  # as before the fast paths
        "tuple": [1, [2, 3]],
        "nested": {"a": {"b": [{"c": 1.0}]}},
    }
    assert [type(v) for v in out["np"]] == [np.float64, int, bool, type(None)]  # a float subclass is kept, as before
    json.dumps(out, allow_nan=False)
