"""C30-C33 and the head-count C08 (review/framing.py): how an indicator is framed in the standard
framework, on small fixtures and on the real corpus tables whose evaluator found the problem."""

from __future__ import annotations

import pandas as pd
import pytest

from jixiao.core.model import Evaluation, UnitInfo
from jixiao.read.files import load_evaluation
from jixiao.review.review import review
from tests.conftest import ROOT
from tests.test_checks import clean_evaluation

CORPUS = ROOT / "tests" / "data" / "corpus"


def _set(ev: Evaluation, ident: str, **values) -> Evaluation:
    for key, value in values.items():
        ev.indicators.loc[ev.indicators["indicator_id"] == ident, key] = value
    return ev


def _codes_at(found: pd.DataFrame, name: str) -> set[str]:
    return set(found[found["where"].str.contains(f"「{name}」", regex=False)]["code"])


@pytest.mark.parametrize(
    ("ident", "values", "code"),
    [
        ("I01", {"name": "预算资金拨款率", "target": "100", "unit": "%", "actual": "100"}, "C30"),
        ("I01", {"name": "工程资金金额", "target": "43.2", "unit": "万元", "actual": "43.2"}, "C30"),
        ("I01", {"name": "科目调整次数", "target": "10", "unit": "次", "actual": "10"}, "C30"),
        ("I01", {"name": "补助发放数量", "target": "28.8万元", "unit": "", "actual": "28.8万元"}, "C30"),
        ("I01", {"level2": "成本指标", "name": "生均补助标准达标率"}, "C31"),
        ("I01", {"level2": "成本指标", "name": "社会成本指标", "target": "100", "unit": "%", "actual": "100"}, "C31"),
        ("I04", {"level2": "经济效益指标", "name": "大厅运行正常率", "target": "100", "unit": "%"}, "C32"),
        ("I04", {"level2": "经济效益指标", "name": "安全率", "target": "100", "unit": "%"}, "C32"),
        ("I04", {"name": "与运营方合同完成 率", "target": "100", "unit": "%", "actual": "100"}, "C32"),
        ("I01", {"direction": "", "target": "≤4", "unit": "场"}, "C33"),
        ("I02", {"name": "完成及时率", "direction": "", "target": "≥100%", "unit": ""}, "C37"),
        ("I02", {"direction": "", "target": "≥100百分比", "unit": "", "actual": "100"}, "C37"),
        ("I01", {"name": "受资助学生人数", "target": "735", "unit": "人次", "actual": "735"}, "C08"),
        ("I01", {"name": "保障村干部人数", "direction": "", "target": "=42个", "unit": "", "actual": "42"}, "C08"),
    ],
)
def test_each_framing_problem_is_found(ident, values, code):
    ev = _set(clean_evaluation(), ident, **values)
    assert code in _codes_at(
        review(ev), values.get("name") or ev.indicators.set_index("indicator_id").at[ident, "name"]
    )


@pytest.mark.parametrize(
    ("ident", "values"),
    [
        ("I01", {"name": "培训人数", "target": "120", "unit": "人", "actual": "120"}),  # persons in 人
        ("I01", {"name": "科目调整次数", "level2": "质量指标", "target": "≤2", "unit": "次"}),  # not 数量
        ("I01", {"name": "违停案件数量", "direction": "", "target": "≤5", "unit": "起"}),  # a ceiling on what to avoid
        ("I01", {"name": "工程返工次数", "direction": "", "target": "≤1", "unit": "次"}),
        ("I01", {"level2": "成本指标", "name": "成本控制率", "target": "100", "unit": "%"}),  # a cost rate
        ("I04", {"level2": "社会效益指标", "name": "饮水安全率", "target": "100", "unit": "%"}),  # not 经济
        ("I04", {"level2": "可持续影响指标", "name": "设施正常运行率", "target": "100", "unit": "%"}),
        ("I04", {"level2": "社会效益指标", "name": "饮用水水质合格率", "target": "100", "unit": "%"}),
        ("I04", {"level2": "社会效益指标", "name": "政策知晓率", "target": "95", "unit": "%", "actual": "96"}),
        ("I01", {"name": "科目调整次数", "level2": "数量指标", "direction": "", "target": "10", "unit": "次"}),
        ("I02", {"name": "覆盖率", "direction": "", "target": "100", "unit": "%", "actual": "100"}),
        ("I02", {"name": "收入增长率", "direction": "", "target": "≥100%", "unit": "", "actual": "120%"}),
    ],
)
def test_fitting_framings_are_no_finding(ident, values):
    ev = _set(clean_evaluation(), ident, **values)
    name = values.get("name") or ev.indicators.set_index("indicator_id").at[ident, "name"]
    found = _codes_at(review(ev), name)
    assert not found & {"C31", "C32", "C08", "C37"}
    assert "C33" not in found  # an implied (not written) ceiling is no upper bound


def test_cost_without_ceiling_only_in_a_declaration():
    ev = _set(
        clean_evaluation(), "I01", level2="成本指标", name="财政资金补助", direction="", target="1600元/亩", unit=""
    )
    assert "C33" not in _codes_at(review(ev), "财政资金补助")  # a self-evaluation: the target is history
    ev.unit = UnitInfo(name="测试单位", year=2024, table_type="declaration")
    assert "C33" in _codes_at(review(ev), "财政资金补助")
    _set(ev, "I01", target="≤1600元/亩")
    assert "C33" not in _codes_at(review(ev), "财政资金补助")


@pytest.mark.parametrize(
    ("table", "name", "code"),
    [
        ("hb_ezhou_2021_shiminzhongxin", "预算资金拨款率", "C30"),
        ("hb_ezhou_2021_shiminzhongxin", "大厅运行正常率", "C32"),
        ("sc_dyrmt_2023_zubaozhang", "科目调整次数", "C30"),
        ("yn_yongde_2022_yingyang", "生均补助标准达标率", "C31"),
        ("yn_yongde_2022_yingyang", "学生受资助人数", "C08"),
        ("ah_jinzhai_2023_zhengti", "指标1：开展精品示范村建设数量", "C33"),
        ("hn_xiangtan_2023_wupao_decl", "控制在预算成本内", "C33"),
    ],
)
def test_real_tables(table, name, code):
    assert code in _codes_at(review(load_evaluation(CORPUS / f"{table}.csv")), name)


def test_no_framing_finding_on_the_samples():
    for sample in ("xinhong_2023_self_evaluation.xlsx", "xinhong_2024_declaration.xlsx"):
        found = review(load_evaluation(ROOT / "samples" / sample))
        assert not set(found["code"]) & {"C30", "C31", "C32", "C33"}, sample


def test_actual_written_as_a_bound():
    ev = _set(clean_evaluation(), "I05", actual="93.5%及以上")
    assert "C38" in _codes_at(review(ev), "居民满意度")
    ev = _set(clean_evaluation(), "I02", direction="", target="≥95%", unit="", actual="≥95%")
    assert "C38" not in _codes_at(review(ev), "验收合格率")  # the target copied: C05 says it
    assert "C38" in _codes_at(review(load_evaluation(CORPUS / "sx_lvliang_2021_hugong.csv")), "参培学员满意度")


def test_cost_actuals_beyond_the_money_spent():
    ev = _set(
        clean_evaluation(), "I01", level2="成本指标", name="项目总成本", target="≤1000万元", unit="", actual="950万元"
    )
    assert "C39" not in _codes_at(review(ev), "项目总成本")  # 950 ≤ 960 spent
    _set(ev, "I01", actual="1200万")  # "万" alone: read as 元 × 10 000
    found = review(ev)
    assert "C39" in _codes_at(found, "项目总成本")
    assert found.set_index("code").at["C39", "expected"] == "≤960.00万元"
    assert "C39" in _codes_at(
        review(load_evaluation(CORPUS / "hb_ezhou_2021_shiminzhongxin.csv")), "市民中心运行维护费"
    )
