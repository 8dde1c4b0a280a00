"""Hostile params and unit ids (issue 11 #4–#8): nothing written outside outputs/, nothing
overwritten, one clear Chinese message, the other units unaffected."""

from __future__ import annotations

import re
import time

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.core.errors import ParamsError
from jixiao.run.params import list_units, load_params
from jixiao.run.portfolio import load_portfolio, render_portfolio_table
from jixiao.run.runner import resolve_selection, unit_output_paths
from jixiao.run.scaffold import init_project

from .test_runner import Project


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _files(root) -> set:
    return {p.relative_to(root) for p in root.rglob("*")}


# --- 4. YAML alias bomb --------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["display_name: *a9\n", "inputs: *a9\n", "overrides: *a9\n", "weight_scheme: *a9\n"])
def test_yaml_alias_bomb_in_params_is_refused_without_expanding(tmp_path, where):
    project = Project(tmp_path)
    path = project.add("bomb", "95\n")
    text = path.read_text(encoding="utf-8")
    key = where.split(":")[0]
    text = "\n".join(line for line in text.splitlines() if not line.startswith(key + ":") and not line.startswith("  "))
    path.write_text(_bomb() + text + "\n" + where, encoding="utf-8")
    assert path.stat().st_size < 2000
    t0 = time.perf_counter()
    with pytest.raises(ParamsError) as caught:
        load_params(path)
    assert time.perf_counter() - t0 < 1
    message = str(caught.value)
    assert "别名" in message and "bomb.yaml" in message and len(message) < 300


def test_alias_bomb_unit_fails_alone_and_fast(tmp_path):
    project = Project(tmp_path)
    bomb = project.add("bomb", "95\n")
    bomb.write_text(
        _bomb() + bomb.read_text(encoding="utf-8").replace("display_name: 测试单位bomb", "display_name: *a9")
    )
    t0 = time.perf_counter()
    summary = project.run(["bomb"], portfolio_template=None)
    assert time.perf_counter() - t0 < 5
    (outcome,) = summary.units
    assert outcome.status == "failed" and "别名" in outcome.error and len(outcome.error) < 300
    assert (project.outputs / "bomb" / ".cache.json").stat().st_size < 1000


def test_long_values_are_cut_in_messages(tmp_path):
    project = Project(tmp_path)
    path = project.add("long", "95\n")
    path.write_text(path.read_text(encoding="utf-8") + "weight_scheme: " + "长" * 10_000 + "\n", encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_params(path)
    assert len(str(caught.value)) < 300 and "…" in str(caught.value)


# --- 5. a folder named x.yaml, a params folder that does not exist -------------------------------


def test_folder_named_yaml_fails_that_unit_only_and_list_works(tmp_path):
    project = init_project(tmp_path / "proj", name="测试")
    (project.params_dir / "x.yaml").mkdir()
    with pytest.raises(ParamsError, match="文件夹"):
        load_params(project.params_dir / "x.yaml")
    res = CliRunner().invoke(main, ["--project", str(project.root), "list"], catch_exceptions=True)
    assert res.exit_code == 0, res.output
    assert "x" in res.output and "文件夹" in res.output and "Traceback" not in res.output
    bad = Project(tmp_path / "runs")
    (bad.params / "x.yaml").mkdir()
    summary = bad.run(["x"], portfolio_template=None)
    (outcome,) = summary.units
    assert outcome.status == "failed" and "文件夹" in outcome.error


def test_missing_params_folder_gives_a_message(tmp_path):
    with pytest.raises(ParamsError, match="参数文件夹不存在"):
        list_units(tmp_path / "nowhere")
    with pytest.raises(ParamsError, match="参数文件夹不存在"):
        resolve_selection(None, tmp_path / "nowhere")


# --- 6. unit ids are safe path components --------------------------------------------------------


@pytest.mark.parametrize("unit_id", ["..", ".", "../x", "a/b", "/etc", "a\\b", ".hidden", "javascript:alert(1)", ""])
def test_unsafe_unit_ids_are_refused(tmp_path, unit_id):
    with pytest.raises(ParamsError, match="单位编号"):
        unit_output_paths(tmp_path / "outputs", unit_id)


def test_unit_id_dotdot_writes_nothing_outside_outputs(tmp_path):
    project = Project(tmp_path / "p")
    project.add("good", "95\n")
    dotdot = project.params / "...yaml"  # stem ".."
    dotdot.write_text(
        "unit_id: ..\ndisplay_name: 越界\nyear: 2023\ninputs:\n  self_evaluation: ../inputs/good.txt\n",
        encoding="utf-8",
    )
    before = _files(tmp_path)
    with pytest.raises(ParamsError, match="单位编号"):
        project.run([".."], portfolio_template=None)
    summary = project.run([str(dotdot)], portfolio_template=None)
    (outcome,) = summary.units
    assert outcome.status == "failed" and "单位编号" in outcome.error
    assert summary.exit_code != 0
    assert _files(tmp_path) - before <= {p for p in _files(tmp_path) if p.parts[:2] == ("p", "outputs")}
    assert not list((tmp_path / "p").glob("*.ipynb")) and not list((tmp_path / "p").glob("*.html"))
    with pytest.raises(ParamsError, match="单位编号"):
        load_params(dotdot)


def test_unit_output_folder_linked_outside_is_refused(tmp_path):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    (outputs / "evil").symlink_to(tmp_path)
    with pytest.raises(ParamsError, match="不在"):
        unit_output_paths(outputs, "evil")


# --- 7. duplicate unit ids -------------------------------------------------------------------------


def test_duplicate_unit_ids_are_refused_before_anything_runs(tmp_path):
    project = Project(tmp_path)
    first = project.add("dupe", "95\n")
    second = project.params / "dupe.yml"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        project.run(portfolio_template=None)
    assert "dupe.yaml" in str(caught.value) and "dupe.yml" in str(caught.value)
    assert not project.outputs.exists() or not any(project.outputs.rglob("*.html"))


# --- 8. links of the index page ---------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["javascript:alert('LNK')<!--", "a#b", "a?b", "单位 一", "x%41"])
def test_index_links_are_url_encoded_relative_links(tmp_path, unit):
    folder = tmp_path / unit
    folder.mkdir()
    (folder / ".cache.json").write_text('{"status": "ok"}', encoding="utf-8")
    (folder / "result.json").write_text("{}", encoding="utf-8")
    table = load_portfolio(tmp_path)
    link = table["link"].iloc[0]
    assert ":" not in link and "#" not in link and "?" not in link and " " not in link and "<" not in link
    from urllib.parse import unquote

    assert unquote(link) == f"{unit}/{unit}.html"
    html = render_portfolio_table(table)
    assert 'href="javascript:' not in html.lower() and "<!--" not in html
    table.loc[0, "link"] = "javascript:alert(1)"  # a link from anywhere else is never made clickable
    assert "href" not in render_portfolio_table(table)


@pytest.mark.parametrize("value", ["9" * 10_000, "[" * 5000 + "]" * 5000])
def test_unreadable_yaml_values_give_a_params_error(tmp_path, value):
    project = Project(tmp_path)
    path = project.add("odd", "95\n")
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2023", f"year: {value}"), encoding="utf-8")
    with pytest.raises(ParamsError, match="odd.yaml"):
        load_params(path)


# --- 12. deterministic HTML -----------------------------------------------------------------------


def test_two_runs_give_byte_identical_client_html(tmp_path):
    project = Project(tmp_path)
    project.add("same", "95\n")
    project.run(["same"], portfolio_template=None)
    html = project.paths("same")["client_html"]
    first = html.read_bytes()
    project.run(["same"], portfolio_template=None, force=True)
    second = html.read_bytes()
    assert re.findall(rb'id="cell-id=[^"]+"', first), "cells carry anchors"
    pid = re.compile(rb"kernel pid \d+")  # the test template prints its kernel's pid
    assert pid.sub(b"", first) == pid.sub(b"", second)


def test_cell_ids_derive_from_position_and_content():
    from jixiao.run.engine import load_template, parameterize, stable_cell_ids
    from jixiao.run.runner import UNIT_TEMPLATE

    template = load_template(UNIT_TEMPLATE)
    args = {"input_path": "t.py", "output_path": "o.ipynb"}
    a = parameterize(template, {"unit_id": "x"}, **args)
    b = parameterize(load_template(UNIT_TEMPLATE), {"unit_id": "x"}, **args)
    assert [c.id for c in a.cells] == [c.id for c in b.cells]
    assert len({c.id for c in a.cells}) == len(a.cells)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", c.id) for c in a.cells)
    assert stable_cell_ids(a) is a


# --- 11. runner messages in Chinese -----------------------------------------------------------------

SLOW_CELL = """\
# %% tags=["parameters"]
unit_id = ""
params_path = ""

# %%
import time

time.sleep(30)
"""


def test_cell_timeout_message_is_readable(tmp_path):
    project = Project(tmp_path)
    project.add("slow", "95\\n")
    template = tmp_path / "slow.py"
    template.write_text(SLOW_CELL, encoding="utf-8")
    summary = project.run(["slow"], template=template, portfolio_template=None, timeout=1)
    (outcome,) = summary.units
    assert outcome.status == "failed"
    assert "单元格执行超时（超过 1 秒" in outcome.error and "---" not in outcome.error, outcome.error
    assert "CellTimeoutError" not in outcome.error


def test_runner_side_errors_are_chinese():
    from jixiao.run.unitjob import failure_text

    text = failure_text(PermissionError(13, "Permission denied", "/x/outputs/u/u.html"))
    assert text.startswith("文件读写出错") and "/x/outputs/u/u.html" in text and "PermissionError" not in text
    assert failure_text(ParamsError("参数错误")) == "参数错误"


def test_params_folder_pointing_nowhere_via_cli(tmp_path):
    project = init_project(tmp_path / "proj", name="测试")
    toml = project.root / "jixiao.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[paths]\nparams = "没有这个目录"\n', encoding="utf-8")
    runner = CliRunner()
    listed = runner.invoke(main, ["--project", str(project.root), "list"], catch_exceptions=True)
    assert listed.exit_code == 0 and listed.exception is None, listed.output
    ran = runner.invoke(main, ["--project", str(project.root), "run", "--no-progress"], catch_exceptions=True)
    assert ran.exit_code == 2 and "参数文件夹不存在" in ran.output and "Traceback" not in ran.output, ran.output


@pytest.mark.parametrize("unit_id", ["..", "a\n", "../x", "x/y", ".h"])
def test_add_refuses_unsafe_ids(tmp_path, unit_id):
    from jixiao.run.scaffold import add_inputs

    from .conftest import SAMPLES

    project = init_project(tmp_path / "proj", name="测试")
    with pytest.raises(ParamsError, match="单位编号"):
        add_inputs(project, [SAMPLES / "template_tidy.csv"], unit_id=unit_id)
    assert not list(project.params_dir.glob("*.y*ml")) and not (tmp_path / "x.yaml").exists()


def test_unit_failing_on_a_corrupt_input_reports_the_chinese_message_alone(tmp_path):
    project = Project(tmp_path)
    project.add("bad", "95\n")
    template = tmp_path / "corrupt.py"
    template.write_text(
        '# %% tags=["parameters"]\nunit_id = ""\nparams_path = ""\n\n# %%\n'
        "from jixiao.core.errors import InputFileError\n\n"
        'raise InputFileError("工作表内容已损坏，无法读取。", path="x.xlsx", sheet="Sheet1")\n',
        encoding="utf-8",
    )
    (outcome,) = project.run(["bad"], template=template, portfolio_template=None).units
    assert outcome.status == "failed"
    assert "出错：文件「x.xlsx」，工作表「Sheet1」：工作表内容已损坏，无法读取" in outcome.error, outcome.error
    assert "InputFileError" not in outcome.error and "。；" not in outcome.line()
