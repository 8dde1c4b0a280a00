"""Fuzzing (issue 11): hypothesis over value strings, narrative text, CSV/TXT bytes, xlsx XML
parts, sample-table cells and params YAML, plus a slice of ``benchmarks/fuzz.py``.

Every case must return or raise a ``JixiaoError`` (a Chinese message), quickly. CI runs a
bounded number of examples; ``python benchmarks/fuzz.py --cases 10000`` is the long run.
"""

from __future__ import annotations

import importlib.util
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.core.errors import JixiaoError
from jixiao.parse.values import parse_value
from jixiao.read.narrative_doc import Doc
from jixiao.read.narrative_extract import read_targets

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("jixiao_fuzz", ROOT / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
pieces = st.one_of(st.sampled_from(fuzz.ATOMS), st.text(max_size=8))
hostile_text = st.lists(pieces, max_size=30).map("".join)


def _quick(fn, *args, seconds: float = 2.0) -> None:
    began = time.perf_counter()
    try:
        fn(*args)
    except JixiaoError:
        pass
    assert time.perf_counter() - began < seconds


@settings(max_examples=25, deadline=None)
@given(hostile_text)
def test_parse_value_never_raises(text):
    _quick(parse_value, text)


@FAST
@given(hostile_text, hostile_text)
def test_target_lists_are_read_in_bounded_time(name, value):
    doc = Doc(f"一、绩效目标\n数量指标包括：{name}{value}；{value}{name}。")
    _quick(read_targets, doc, 2023)


@FAST
@given(st.binary(max_size=3000), st.sampled_from([".csv", ".txt", ".tsv"]))
def test_arbitrary_bytes_as_text_tables(tmp_path, data, suffix):
    path = tmp_path / f"t{suffix}"
    path.write_bytes(data)
    _quick(fuzz._pipeline, path)


@pytest.mark.parametrize("kind", sorted(fuzz.CASES))
def test_fuzz_cases_of_each_kind(tmp_path, kind):
    """A slice of the long run: 15 seeded cases of each kind, none crashes or hangs."""
    for i in range(15):
        rng = random.Random(f"ci-{kind}-{i}")
        _quick(fuzz.CASES[kind], rng, tmp_path, seconds=5.0)


@FAST
@given(st.integers(min_value=0, max_value=2**32))
def test_mutated_xlsx_parts(tmp_path, seed):
    _quick(fuzz.case_xlsx_xml, random.Random(seed), tmp_path, seconds=5.0)


@FAST
@given(st.integers(min_value=0, max_value=2**32))
def test_mutated_params_yaml(tmp_path, seed):
    _quick(fuzz.case_params, random.Random(seed), tmp_path)
