"""The labelled corpus of real published tables (tests/data/corpus/manifest.yaml).

Each table must be read exactly: its true indicator rows, Σ 分值 and Σ 自评分 (budget line
included). Tables the reader gets wrong today are marked ``xfail(strict=True)`` with what it
reads; when the reader improves, the strict mark fails and must be removed, so progress shows.
``benchmarks/review_accuracy.py`` prints the same per-table results with recall and precision.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from jixiao.read.files import load_evaluation
from jixiao.read.readcheck import read_check
from jixiao.review.catalogue import catalogue
from jixiao.review.review import review
from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("review_accuracy", ROOT / "benchmarks" / "review_accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
sys.modules["review_accuracy"] = accuracy  # dataclasses look their module up
_spec.loader.exec_module(accuracy)

TABLES = accuracy.load_manifest()

#: What the reader gets wrong today, per table (reading only; findings are measured by the benchmark).
#: A table added to the corpus that the reader cannot read yet goes here with what it reads,
#: until the reader is fixed.
KNOWN_FAILURES: dict[str, str] = {
    "hb_chengan_2020_gaoling": (
        "two header rows (预期指标值 split into 符号/值/单位, 自评得分 into 单项指标得分/权重占比/折算得分, "
        "the 指标分值 column holding text): all 4 indicator rows unread (A31 x4, A36), 0/4 rows; the budget "
        "row with three 其中:财政资金 groups side by side is unread (A33)"
    ),
    "jx_nanchang_2021_canchawsy": (
        "the first row of each level-1 block (level-1 name and its 自评权重 30/25/35 in the first two cells) "
        "is unread (A31 x3): 13/16 rows, Σ weight 68/90, Σ score 60/82; the 管理指标 rows get no level 1 and "
        "任务2:特殊人群健康管理率 inherits level 2 资产管理"
    ),
    "sd_hongshizihui_2021_mubiao_decl": (
        "refused with a clear message: the header is only 指标分类/指标/目标值 (no 三级指标/指标名称 and "
        "no 分值/指标值 header)"
    ),
    "bj_haidian_2016_baojie": (
        "Beijing 2016 layout (分值, 年度指标值(A), 全年实际值(B), 得分计算方法, 得分): its one indicator row "
        "is unread (A31, A36), 0/1 rows; the budget line is read (10 points, score 5, on 年初预算数)"
    ),
    "gd_luohu_2022_pinggaiguan": (
        "the bond-fund line 债券资金管理指标(10分)/总体支出进度, its numbers on the next row under "
        "实际支出金额/下达额度/实际完成值/分值/得分, is not read (A33): 4/4 rows but Σ weight 25/35, Σ score 25/35"
    ),
}


def _params():
    for entry in TABLES:
        marks = []
        if entry["id"] in KNOWN_FAILURES:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[entry["id"]]))
        yield pytest.param(entry, id=entry["id"], marks=marks)


def test_manifest_is_complete():
    codes = set(catalogue()["code"])
    assert len({e["id"] for e in TABLES}) == len(TABLES)
    for entry in TABLES:
        assert (ROOT / entry["file"]).is_file(), entry["file"]
        for key in ("source", "province", "year", "table_type", "kind", "complete", "truth", "errors"):
            assert key in entry, (entry["id"], key)
        assert entry["kind"] in ("self_evaluation", "declaration")
        for key in ("rows", "weight_sum", "score_sum", "budget_weight", "budget_score", "printed_total"):
            assert key in entry["truth"], (entry["id"], key)
        for label in entry["errors"]:
            assert label.get("what"), (entry["id"], label)
            assert set(accuracy._codes(label)) <= codes, (entry["id"], label)
        assert set(entry.get("also_ok") or []) <= codes
    assert set(KNOWN_FAILURES) <= {e["id"] for e in TABLES}


@pytest.mark.parametrize("entry", list(_params()))
def test_table_read_exactly(entry):
    res = accuracy.measure_table(entry)
    assert res.status == "read", res.message
    assert (res.rows, res.non_rows) == (res.true_rows, 0)
    assert accuracy._same(res.weight, res.true_weight), (res.weight, res.true_weight)
    assert accuracy._same(res.score, res.true_score), (res.score, res.true_score)
    assert res.unreadable == 0  # no row of a labelled table is left unread


def test_read_check_matches_the_labels():
    """The read check shown to users (jixiao score, reports) gives the labelled figures."""
    for entry in TABLES:
        if entry["id"] in KNOWN_FAILURES:
            continue
        check = read_check(load_evaluation(ROOT / entry["file"]))
        truth = entry["truth"]
        assert check["rows_read"] == truth["rows"], entry["id"]
        assert check["rows_not_read"] == [], entry["id"]
        weight = accuracy._total(truth["weight_sum"], truth["budget_weight"] or None)
        assert accuracy._same(check["weight_total"], weight), (entry["id"], check["weight_total"], weight)


def test_benchmark_figures_are_consistent():
    results = [accuracy.measure_table(e) for e in TABLES]
    totals = accuracy.summarize(results)
    assert totals["tables"] == len(TABLES)
    assert totals["read_exactly"] == len(TABLES) - len(KNOWN_FAILURES)
    assert totals["labels_found"] <= totals["labels_coded"]
    assert 0 < totals["recall"] <= 1 and 0 < totals["precision"] <= 1
    # the samples, read exactly, have every coded label found
    for r in results:
        if r.id.startswith("sample_xinhong_2023"):
            assert r.labels_found == r.labels_coded, r.missed


#: Findings that were false on these real tables (code, text of the place; "" = anywhere): a
#: "lower is better" rate read the other way, 万 figures called unit-less, cells the table has no
#: column for, process rows without 指标值, one problem reported twice, a total read off its column.
NOT_FOUND = {
    "cq_kexuecheng_2021_zhengti": [
        ("A20", "预算调整率"),
        ("A20", "结转结余率"),
        ("A20", "财政供养人员控制率"),
        ("D01", "预算调整率"),
        ("D01", "结转结余率"),
        ("D01", "财政供养人员控制率"),
        ("D01", "公用经费控制率"),
    ],
    "hb_ezhou_2021_shiminzhongxin": [("C02", "市民中心运行维护费"), ("D01", "预算执行率")],
    "hn_xiangtan_2023_wupao_decl": [("C02", "控制在预算成本内")],
    "nx_yinchuan_2021_gongyong": [("C01", "")],
    "sc_daying_2020_shuangxin": [("A08", "")],
    "yn_yongde_2022_yingyang": [("A06", "")],
    "sc_zhongjiang_2022_shuibiaochi": [("A03", "")],  # A01 reports the same sum
}
#: ... and the true findings on the same rows that must stay.
STILL_FOUND = {
    "cq_kexuecheng_2021_zhengti": [("A20", "政府采购执行率"), ("D01", "政府采购执行率"), ("D04", "")],
    "hb_ezhou_2021_shiminzhongxin": [("A20", "预算执行率"), ("D04", "")],
    "sc_zhongjiang_2022_shuibiaochi": [("A01", ""), ("A06", "")],
    "nx_yinchuan_2021_gongyong": [("D01", "预算执行率"), ("A06", "")],
    "sc_daying_2020_shuangxin": [("C06", "宣传次数"), ("C06", "群众满意度")],  # “已完成100%”
}


@pytest.mark.parametrize("table_id", sorted(set(NOT_FOUND) | set(STILL_FOUND)))
def test_findings_on_real_tables(table_id):
    entry = next(e for e in TABLES if e["id"] == table_id)
    found = review(load_evaluation(ROOT / entry["file"])).to_dict("records")

    def has(code: str, place: str) -> bool:
        return any(f["code"] == code and place in f"{f['where']} {f['message']}" for f in found)

    assert not [p for p in NOT_FOUND.get(table_id, []) if has(*p)]
    assert all(has(*p) for p in STILL_FOUND.get(table_id, []))
