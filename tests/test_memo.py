"""Facts a unit's report computes once (jixiao.core.memo) and the score payload kept per unit."""

from __future__ import annotations

import pytest

from jixiao.report import conclusion
from jixiao.run.evaluate import evaluate_unit
from jixiao.run.params import load_unit
from tests.conftest import PARAMS_DIR, ROOT


@pytest.fixture(scope="module")
def result():
    return evaluate_unit(load_unit(params_path=str(PARAMS_DIR / "xinhong-2023.yaml"), project_dir=str(ROOT)))


def test_payload_is_a_fresh_copy_each_call(result):
    first = result.self_eval.payload()
    first["indicators"][0]["name"] = "改过的名称"
    first["totals"]["review_total"] = -1
    again = result.self_eval.payload()
    assert again["indicators"][0]["name"] != "改过的名称"
    assert again["totals"]["review_total"] == pytest.approx(result.self_eval.totals["review_total"], abs=1e-9)


def test_payload_follows_totals_changed_in_place(result):
    totals = result.self_eval.totals
    saved = dict(totals)
    try:
        totals["review_total"] = 12.5
        assert result.self_eval.payload()["totals"]["review_total"] == pytest.approx(12.5, abs=1e-9)
    finally:
        totals.clear()
        totals.update(saved)
    assert result.self_eval.payload()["totals"]["review_total"] == pytest.approx(saved["review_total"], abs=1e-9)


def test_judgement_is_computed_once_and_again_after_a_change(result):
    first = conclusion.judgement(result)
    assert conclusion.judgement(result) is first
    totals = result.self_eval.totals
    saved = dict(totals)
    try:
        totals.update(review_total=88.0, review_total_low=None, review_total_high=None)
        changed = conclusion.judgement(result)
        assert changed is not first
        assert changed["score"] == pytest.approx(88.0, abs=1e-9)
    finally:
        totals.clear()
        totals.update(saved)
    assert conclusion.judgement(result)["score"] == pytest.approx(first["score"], abs=1e-9)
