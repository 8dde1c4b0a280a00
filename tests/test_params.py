"""Params files: loading, every validation message (file + key named), overrides vs the indicator table."""

from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML

from jixiao.core.errors import ParamsError
from jixiao.core.vocab import Tolerances
from jixiao.run.params import list_units, load_params, load_params_document
from jixiao.score.overrides import Override, match_overrides, validate_overrides
from tests.conftest import PARAMS_DIR

GOOD = """\
unit_id: demo
display_name: 测试街道办事处
year: 2023
inputs:
  self_evaluation: inputs/table.xlsx
  report: inputs/report.txt
weight_scheme: table
grade_bands: {优: 90, 良: 80, 中: 60}
tolerances: {score: 0.1, money: 0.01, rate: 0.01}
evaluator: 张三
overrides:
  辅警人员出勤率:
    score: 0
    reason: 未提供出勤记录
    tier: 未达成
"""


def write_unit(folder: Path, text: str, name: str = "demo") -> Path:
    """A params file plus the input files GOOD refers to."""
    (folder / "inputs").mkdir(exist_ok=True)
    (folder / "inputs" / "table.xlsx").write_bytes(b"x")
    (folder / "inputs" / "report.txt").write_text("报告", encoding="utf-8")
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


def test_good_file_loads_with_absolute_inputs_and_defaults(tmp_path):
    params = load_params(write_unit(tmp_path, GOOD))
    assert params.unit_id == "demo" and params.display_name == "测试街道办事处" and params.year == 2023
    assert params.self_evaluation == (tmp_path / "inputs" / "table.xlsx").resolve()
    assert params.declaration is None
    assert list(params.inputs) == ["self_evaluation", "report"]
    assert params.weight_scheme == "table"
    assert params.grade_bands == {"优": 90.0, "良": 80.0, "中": 60.0}
    assert params.tolerances == Tolerances(0.1, 0.01, 0.01)
    assert params.evaluator == "张三"
    assert params.overrides == (Override("辅警人员出勤率", 0.0, "未提供出勤记录", "未达成"),)
    assert params.path == (tmp_path / "demo.yaml").resolve()


def test_minimal_file_gets_defaults(tmp_path):
    text = "unit_id: demo\ndisplay_name: 测试\nyear: 2024\ninputs:\n  report: inputs/report.txt\n"
    params = load_params(write_unit(tmp_path, text))
    assert params.weight_scheme == "table" and params.overrides == () and params.evaluator == ""
    assert params.grade_bands == {"优": 90.0, "良": 80.0, "中": 60.0} and params.tolerances == Tolerances()


def test_custom_scheme_partial_bands_and_tier_alias(tmp_path):
    text = edit("weight_scheme: table", "weight_scheme: {产出指标: 60, 效益指标: 30, 满意度指标: 10}")
    text = text.replace("grade_bands: {优: 90, 良: 80, 中: 60}", "grade_bands: {良: 75}")
    text = text.replace("tier: 未达成", "tier: 部分达成年度指标并具有一定效果")
    params = load_params(write_unit(tmp_path, text))
    assert params.weight_scheme == {"产出指标": 60.0, "效益指标": 30.0, "满意度指标": 10.0}
    assert params.grade_bands == {"优": 90.0, "良": 75.0, "中": 60.0}
    assert params.overrides[0].tier == "部分达成"


def test_to_dict_is_relative_to_the_yaml_folder(tmp_path):
    data = load_params(write_unit(tmp_path, GOOD)).to_dict()
    assert data["inputs"] == {"self_evaluation": "inputs/table.xlsx", "report": "inputs/report.txt"}
    assert data["overrides"] == [
        {"indicator": "辅警人员出勤率", "score": 0.0, "reason": "未提供出勤记录", "tier": "未达成"}
    ]


# (id, new text, key named, fragment of the message)
BAD = [
    ("unknown-key", edit("weight_scheme:", "weigth_scheme:"), "weigth_scheme", "是否想写「weight_scheme」"),
    ("chinese-key", edit("evaluator: 张三", "评价人: 张三"), "评价人", "是否想写「evaluator」"),
    ("missing-key", edit("display_name: 测试街道办事处\n", ""), "display_name", "缺少必填的键"),
    ("unit-id-not-file-name", edit("unit_id: demo", "unit_id: other"), "unit_id", "应与文件名一致"),
    ("year-text", edit("year: 2023", "year: 二〇二三"), "year", "四位数的年度"),
    (
        "no-inputs",
        edit("  self_evaluation: inputs/table.xlsx\n  report: inputs/report.txt\n", "  report:\n"),
        "inputs",
        "至少要给出一个输入文件",
    ),
    (
        "unknown-input-kind",
        edit("  report: inputs/report.txt", "  reprot: inputs/report.txt"),
        "inputs.reprot",
        "是否想写「report」",
    ),
    (
        "missing-input-file",
        edit("inputs/table.xlsx", "inputs/missing.xlsx"),
        "inputs.self_evaluation",
        "自评表文件不存在",
    ),
    (
        "unknown-scheme",
        edit("weight_scheme: table", "weight_scheme: caiyu2020"),
        "weight_scheme",
        "是否想写「caiyu_2020_10」",
    ),
    (
        "scheme-sum",
        edit("weight_scheme: table", "weight_scheme: {产出指标: 60, 效益指标: 30}"),
        "weight_scheme",
        "之和应为 100",
    ),
    ("bands-order", edit("中: 60", "中: 85"), "grade_bands", "优 > 良 > 中"),
    ("band-unknown", edit("中: 60", "差: 0"), "grade_bands.差", "未知的键"),
    ("tolerance-negative", edit("money: 0.01", "money: -1"), "tolerances.money", "不能为负数"),
    ("override-no-reason", edit("    reason: 未提供出勤记录\n", ""), "overrides.辅警人员出勤率.reason", "必须写明理由"),
    (
        "override-blank-reason",
        edit("reason: 未提供出勤记录", "reason: '  '"),
        "overrides.辅警人员出勤率.reason",
        "必须写明理由",
    ),
    ("override-negative", edit("    score: 0\n", "    score: -1\n"), "overrides.辅警人员出勤率.score", "不能为负数"),
    (
        "override-not-number",
        edit("    score: 0\n", "    score: 满分\n"),
        "overrides.辅警人员出勤率.score",
        "应为有限的数字",
    ),
    ("override-no-score", edit("    score: 0\n", ""), "overrides.辅警人员出勤率.score", "缺少复核分"),
    ("override-typo", edit("reason:", "resaon:"), "overrides.辅警人员出勤率.resaon", "是否想写「reason」"),
    ("override-tier", edit("tier: 未达成", "tier: 很好"), "overrides.辅警人员出勤率.tier", "未知的档次"),
]


@pytest.mark.parametrize("text, key, fragment", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_validation_error_names_file_and_key(tmp_path, text, key, fragment):
    path = write_unit(tmp_path, text)
    with pytest.raises(ParamsError) as info:
        load_params(path)
    error = info.value
    assert error.key == key
    assert Path(error.path).name == "demo.yaml"
    message = str(error)
    assert "demo.yaml" in message and f"键「{key}」" in message and fragment in message


def test_error_gives_the_line(tmp_path):
    path = write_unit(tmp_path, edit("weight_scheme:", "weigth_scheme:"))
    with pytest.raises(ParamsError, match="第 7 行"):
        load_params(path)


def test_missing_input_file_message_shows_resolved_path(tmp_path):
    path = write_unit(tmp_path, edit("inputs/table.xlsx", "inputs/missing.xlsx"))
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert str((tmp_path / "inputs" / "missing.xlsx").resolve()) in str(info.value)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("unit_id: [demo\n", "YAML 格式错误（第 2 行）"),
        ("unit_id: a\nunit_id: b\n", "YAML 格式错误"),
        ("- a\n- b\n", "顶层"),
    ],
    ids=["syntax", "duplicate-key", "not-a-mapping"],
)
def test_broken_yaml(tmp_path, text, fragment):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError, match=fragment) as info:
        load_params(path)
    assert "demo.yaml" in str(info.value)


def test_missing_params_file(tmp_path):
    with pytest.raises(ParamsError, match="参数文件不存在"):
        load_params(tmp_path / "nope.yaml")


def test_document_keeps_comments_for_saving_back(tmp_path):
    path = write_unit(tmp_path, "# 单位说明\n" + edit("weight_scheme: table", "weight_scheme: table  # 表内分值"))
    doc = load_params_document(path)
    doc["overrides"]["辅警人员出勤率"]["score"] = 0.5
    out = io.StringIO()
    YAML(typ="rt").dump(doc, out)
    assert "# 单位说明" in out.getvalue() and "# 表内分值" in out.getvalue() and "score: 0.5" in out.getvalue()


def test_list_units_sorted_and_skips_hidden(tmp_path):
    for name in ("b.yaml", "a.yml", "_draft.yaml", ".hidden.yaml", "README.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in list_units(tmp_path)] == ["a.yml", "b.yaml"]


# --- overrides against the indicator table ------------------------------------------------
INDICATORS = pd.DataFrame(
    {
        "indicator_id": ["I01", "I02", "I03", "I04", "I05"],
        "name": ["预算编制规范性", "辅警人员出勤率", "道路管理", "道路管理", "重大项目推进完成率"],
        "weight": [2.0, 1.0, 1.0, 1.0, math.nan],
    }
)


def params_with(tmp_path, overrides: str):
    return load_params(write_unit(tmp_path, GOOD.split("overrides:")[0] + "overrides:\n" + overrides))


def test_overrides_match_by_name_and_by_id(tmp_path):
    params = params_with(tmp_path, "  辅警人员出勤率: {score: 0.5, reason: r}\n  I04: {score: 1, reason: r}\n")
    assert {k: o.score for k, o in match_overrides(params.overrides, INDICATORS).items()} == {"I02": 0.5, "I04": 1.0}
    validate_overrides(params.overrides, INDICATORS, source=params.path)  # does not raise


def test_override_names_are_normalised(tmp_path):
    params = params_with(tmp_path, "  '预算编制规范性 ': {score: 1, reason: r}\n")
    assert list(match_overrides(params.overrides, INDICATORS)) == ["I01"]


BAD_OVERRIDES = [
    (
        "above-weight",
        "  预算编制规范性: {score: 2.5, reason: r}\n",
        "overrides.预算编制规范性.score",
        "超过该指标的分值 2",
    ),
    ("unknown", "  预算编制规范: {score: 1, reason: r}\n", "overrides.预算编制规范", "是否想写「预算编制规范性」"),
    ("ambiguous", "  道路管理: {score: 1, reason: r}\n", "overrides.道路管理", "请改用指标编号"),
    (
        "twice",
        "  I02: {score: 1, reason: r}\n  辅警人员出勤率: {score: 1, reason: r}\n",
        "overrides.辅警人员出勤率",
        "指向同一个指标 I02",
    ),
    (
        "tier-band-low",
        "  预算编制规范性: {score: 1, reason: r, tier: 达成}\n",
        "overrides.预算编制规范性.score",
        "不在档次「达成」的分数区间 [1.6, 2]",
    ),
    (
        "tier-band-upper-open",
        "  预算编制规范性: {score: 1.6, reason: r, tier: 部分达成}\n",
        "overrides.预算编制规范性.score",
        "[1.2, 1.6)",
    ),
]


@pytest.mark.parametrize("overrides, key, fragment", [b[1:] for b in BAD_OVERRIDES], ids=[b[0] for b in BAD_OVERRIDES])
def test_bad_overrides(tmp_path, overrides, key, fragment):
    params = params_with(tmp_path, overrides)
    with pytest.raises(ParamsError) as info:
        validate_overrides(params.overrides, INDICATORS, source=params.path)
    assert info.value.key == key and fragment in str(info.value) and "demo.yaml" in str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        "  预算编制规范性: {score: 2, reason: r, tier: 达成}\n",
        "  预算编制规范性: {score: 1.2, reason: r, tier: 部分达成}\n",
        "  重大项目推进完成率: {score: 99, reason: 分值未知时不比较}\n",
    ],
    ids=["tier-upper-closed", "tier-lower-closed", "unknown-weight"],
)
def test_good_overrides(tmp_path, overrides):
    params = params_with(tmp_path, overrides)
    validate_overrides(params.overrides, INDICATORS, source=params.path)


# --- the sample units in params/ ------------------------------------------------------------
SAMPLE_PARAMS = sorted(PARAMS_DIR.glob("*.yaml"))


def test_three_sample_units_exist():
    assert {p.stem for p in SAMPLE_PARAMS} >= {"xinhong-2023", "xinhong-2024-declaration", "hongqiao-2024"}


@pytest.mark.parametrize("path", SAMPLE_PARAMS, ids=[p.stem for p in SAMPLE_PARAMS])
def test_every_params_file_loads(path):
    params = load_params(path)  # fails (not skips) when a sample input is missing
    assert params.unit_id == path.stem and params.inputs
    assert all(p.is_file() for p in params.inputs.values())


def test_sample_override_matches_the_sample_table():
    from jixiao.read.files import load_evaluation

    params = load_params(PARAMS_DIR / "xinhong-2023.yaml")
    indicators = load_evaluation(params.self_evaluation).indicators
    validate_overrides(params.overrides, indicators)
    assert list(match_overrides(params.overrides, indicators).values())[0].indicator == "辅警人员出勤率"
