"""Writing review scores back into params files: comments, order and quotes kept; invalid edits never written."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from jixiao.core.errors import ParamsError
from jixiao.read.files import load_evaluation
from jixiao.run.atomic import TEMP_PREFIX
from jixiao.run.params import list_units, load_params
from jixiao.run.params_edit import edit_overrides_text, override_key, save_overrides
from jixiao.score.overrides import Override
from tests.conftest import PARAMS_DIR, SAMPLES_DIR

README_EXAMPLE = (PARAMS_DIR / "README.md").read_text(encoding="utf-8").split("```yaml\n")[1].split("```")[0]


def copy_unit(folder: Path, unit: str = "xinhong-2023", text: str | None = None) -> Path:
    """A sample params file copied into ``folder`` with its input paths made absolute."""
    folder.mkdir(parents=True, exist_ok=True)
    text = text if text is not None else (PARAMS_DIR / f"{unit}.yaml").read_text(encoding="utf-8")
    path = folder / f"{unit}.yaml"
    path.write_text(text.replace("../samples/", f"{SAMPLES_DIR.as_posix()}/"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def indicators():
    return load_evaluation(SAMPLES_DIR / "xinhong_2023_self_evaluation.xlsx").indicators


def only_insertions(old: str, new: str) -> list[str]:
    """Lines of ``old`` that ``new`` dropped or changed (empty when ``new`` only adds lines)."""
    diff = difflib.ndiff(old.splitlines(), new.splitlines())
    return [line[2:] for line in diff if line.startswith("- ")]


# --- the text edit (pure) ------------------------------------------------------------------------
SAMPLE_TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in list_units(PARAMS_DIR)}
SAMPLE_TEXTS["readme-example"] = README_EXAMPLE
SAMPLE_TEXTS["four-space-indent-quoted"] = re.sub(r"(?m)^( +)", r"\1\1", README_EXAMPLE).replace(
    "evaluator: 张三", 'evaluator: "张三"'
)


@pytest.mark.parametrize("text", SAMPLE_TEXTS.values(), ids=SAMPLE_TEXTS.keys())
def test_rewriting_the_overrides_as_they_are_gives_the_file_byte_for_byte(text):
    doc = YAML(typ="safe").load(text)
    same = {k: Override(k, v["score"], v["reason"], v.get("tier")) for k, v in (doc.get("overrides") or {}).items()}
    probe = Override("公众满意度", 4.5, "问卷样本量不足")
    assert edit_overrides_text(text, same or {"辅警人员出勤率": None}) == text
    added = edit_overrides_text(text, {"公众满意度": probe})
    assert only_insertions(text, added) == [] and added != text


def test_updating_an_override_written_by_name_keeps_its_key_position_and_comments(indicators):
    new = edit_overrides_text(
        README_EXAMPLE, {"I31": Override("I31", 0.5, "仅提供下半年出勤记录", "未达成")}, indicators
    )
    assert "  辅警人员出勤率:\n    score: 0.5" in new and "I31" not in new
    assert "reason: 仅提供下半年出勤记录" in new
    dropped = only_insertions(README_EXAMPLE, new)
    # only the two edited lines changed; every comment line and key line is kept in order
    assert [d.split(":")[0].strip() for d in dropped] == ["score", "reason"]
    for line in README_EXAMPLE.splitlines():
        if line.lstrip().startswith("#") or "#   可选，定性指标的档次" in line:
            assert line in new


def test_new_override_is_appended_under_its_name_and_nothing_else_moves(indicators):
    text = SAMPLE_TEXTS["xinhong-2023"]
    key = override_key("I55", indicators)
    new = edit_overrides_text(text, {"I55": Override(key, 4.5, "问卷样本量不足")}, indicators)
    assert key == "公众满意度"
    assert new.startswith(text) and new[len(text) :] == "  公众满意度:\n    score: 4.5\n    reason: 问卷样本量不足\n"


def test_a_new_key_that_names_another_existing_entry_is_refused():
    with pytest.raises(ParamsError, match="已有名为「辅警人员出勤率」的复核调整"):
        edit_overrides_text(SAMPLE_TEXTS["xinhong-2023"], {"I55": Override("辅警人员出勤率", 1, "x")})


def test_override_key_falls_back_to_the_id_for_a_duplicated_name(indicators):
    twin = indicators.copy()
    twin.loc[twin["indicator_id"] == "I38", "name"] = "考核合格率"  # now two indicators share I36's name
    assert override_key("I36", twin) == "I36"
    assert override_key("I37", twin) == "窞井盖覆盖率"


def test_a_tier_is_removed_when_the_new_override_has_none():
    new = edit_overrides_text(
        SAMPLE_TEXTS["xinhong-2023"], {"辅警人员出勤率": Override("辅警人员出勤率", 0.2, "部分佐证")}
    )
    assert "tier" not in new and "score: 0.2" in new


@pytest.mark.parametrize("text", [SAMPLE_TEXTS["xinhong-2023"], README_EXAMPLE], ids=["sample", "readme-example"])
def test_removing_the_last_override_leaves_an_empty_key_that_loads(text, tmp_path):
    new = edit_overrides_text(text, {"辅警人员出勤率": None})
    assert "辅警人员出勤率" not in new and "\noverrides:" in new and "{}" not in new
    assert load_params(copy_unit(tmp_path, "xinhong-2023", new)).overrides == ()


def test_adding_to_an_empty_flow_mapping_writes_a_block():
    text = SAMPLE_TEXTS["hongqiao-2024"] + "overrides: {}\n"
    new = edit_overrides_text(text, {"I01": Override("I01", 1, "x")})
    assert new.endswith("overrides:\n  I01:\n    score: 1\n    reason: x\n")


# --- save_overrides: validation before writing -------------------------------------------------------
def test_save_writes_and_the_run_loads_the_override(tmp_path, indicators):
    path = copy_unit(tmp_path)
    save_overrides(
        path, {"I52": Override("应急响应及投诉处理机制", 3.5, "机制未覆盖夜间", "部分达成")}, indicators=indicators
    )
    overrides = {o.indicator: o for o in load_params(path).overrides}
    assert overrides["应急响应及投诉处理机制"] == Override("应急响应及投诉处理机制", 3.5, "机制未覆盖夜间", "部分达成")
    assert "辅警人员出勤率" in overrides  # kept


INVALID = [
    ("above-weight", {"I52": Override("应急响应及投诉处理机制", 5.5, "x")}, "超过该指标的分值 5"),
    ("negative", {"I52": Override("应急响应及投诉处理机制", -1, "x")}, "不能为负数"),
    ("no-reason", {"I52": Override("应急响应及投诉处理机制", 3, " ")}, "必须写明理由"),
    (
        "outside-tier",
        {"I52": Override("应急响应及投诉处理机制", 4.5, "x", "部分达成")},
        "不在档次「部分达成」的分数区间 [3, 4) 内",
    ),
    ("unknown-tier", {"I52": Override("应急响应及投诉处理机制", 3, "x", "基本达成")}, "未知的档次"),
    ("unknown-indicator", {"不存在的指标": Override("不存在的指标", 1, "x")}, "没有名为或编号为「不存在的指标」的指标"),
]


@pytest.mark.parametrize("edit,message", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_edit_raises_and_leaves_the_file_byte_for_byte(tmp_path, indicators, edit, message):
    path = copy_unit(tmp_path)
    before = path.read_bytes()
    with pytest.raises(ParamsError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")) as exc:
        save_overrides(path, edit, indicators=indicators)
    assert str(path) in str(exc.value)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_save_refuses_when_the_rest_of_the_file_is_already_invalid(tmp_path, indicators):
    path = copy_unit(tmp_path, text=SAMPLE_TEXTS["xinhong-2023"].replace("year: 2023", "year: 23"))
    before = path.read_bytes()
    with pytest.raises(ParamsError, match="四位数的年度"):
        save_overrides(path, {"I52": Override("I52", 3, "x")}, indicators=indicators)
    assert path.read_bytes() == before


def test_save_without_changes_does_not_touch_the_file(tmp_path):
    path = copy_unit(tmp_path)
    stamp = path.stat().st_mtime_ns
    save_overrides(path, {})
    assert path.stat().st_mtime_ns == stamp
