"""The engagement project: found by walking up, scaffolded by init, filled by add, listed, and its settings applied."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.core.errors import ParamsError, ProjectSettingsError
from jixiao.run.evaluate import evaluate_unit
from jixiao.run.params import load_params
from jixiao.run.project import PROJECT_FILE, ProjectNotFoundError, find_project, load_project, resource_path
from jixiao.run.scaffold import SAMPLE_UNITS, add_inputs, detect_input, init_project
from jixiao.run.status import unit_statuses
from tests.conftest import SAMPLES

TABLE = SAMPLES / "xinhong_2023_self_evaluation.xlsx"
REPORT = SAMPLES / "hongqiao_2024_report.txt"
DECLARATION = SAMPLES / "xinhong_2024_declaration.xlsx"


def invoke(*args: object, cwd: Path | None = None):
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_init_scaffolds_a_project_and_find_walks_up(tmp_path):
    project = init_project(tmp_path / "某区财政局-2024")
    root = project.root
    for name in (PROJECT_FILE, "README.md", ".gitignore"):
        assert (root / name).is_file(), name
    for folder in ("inputs", "params", "outputs", "notebooks"):
        assert (root / folder).is_dir(), folder
    assert "outputs/" in (root / ".gitignore").read_text(encoding="utf-8")
    assert "jixiao add" in (root / "README.md").read_text(encoding="utf-8")
    deep = root / "params" / "sub"
    deep.mkdir()
    assert find_project(deep).root == root
    assert load_project(root).settings.grade_bands == {"优": 90, "良": 80, "中": 60}


def test_outside_any_project_commands_say_so_in_one_chinese_line(tmp_path):
    with pytest.raises(ProjectNotFoundError, match="jixiao init"):
        find_project(tmp_path)
    res = invoke("list", cwd=tmp_path)
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "jixiao init" in lines[0] and "Traceback" not in res.output


def test_init_with_samples_adds_three_runnable_units(tmp_path):
    project = init_project(tmp_path / "demo", samples=True)
    params = sorted(p.name for p in project.params_dir.glob("*.yaml"))
    assert params == sorted(SAMPLE_UNITS)
    for name in params:
        unit = load_params(project.params_dir / name, project.settings)
        assert all(path.is_file() and path.is_relative_to(project.root) for path in unit.inputs.values())


def test_add_detects_kind_name_and_year_and_writes_one_params_file(tmp_path):
    project = init_project(tmp_path / "p")
    detected = detect_input(TABLE)
    assert detected.kind == "self_evaluation" and detected.year == 2023 and "新虹" in detected.unit_name
    assert detect_input(DECLARATION).kind == "declaration"
    assert detect_input(REPORT).kind == "report"

    res = invoke("add", TABLE, DECLARATION, "--id", "xinhong-2023", cwd=project.root / "params")
    assert res.exit_code == 0, res.output
    assert "自评表" in res.output and "绩效目标申报表" in res.output and "2023" in res.output
    path = project.params_dir / "xinhong-2023.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "overrides" in text  # commented, ready to edit
    unit = load_params(path, project.settings)
    assert unit.self_evaluation == project.inputs_dir / TABLE.name
    assert unit.declaration == project.inputs_dir / DECLARATION.name
    result = evaluate_unit(unit)
    assert len(result.self_eval.scored) == 56 and result.declaration is not None and not result.findings.empty

    again = invoke("add", TABLE, "--id", "xinhong-2023", cwd=project.root)
    assert again.exit_code == 2 and "已登记" in again.output


def test_add_refuses_unsafe_ids_and_two_files_of_one_kind(tmp_path):
    project = init_project(tmp_path / "p")
    with pytest.raises(ParamsError, match="单位编号"):
        add_inputs(project, [TABLE], unit_id="../evil")
    with pytest.raises(ParamsError, match="多个自评表"):
        add_inputs(project, [TABLE, SAMPLES / "xinhong_2023_self_evaluation.txt"])
    assert list(project.params_dir.glob("*")) == []


def test_list_shows_units_inputs_and_status(tmp_path):
    project = init_project(tmp_path / "demo", samples=True)
    rows = {row["unit"]: row for row in unit_statuses(project)}
    assert set(rows) == {Path(name).stem for name in SAMPLE_UNITS}
    assert rows["xinhong-2023"]["status"] == "未运行" and "自评表" in rows["xinhong-2023"]["inputs"]
    res = invoke("--project", project.root, "list")
    assert res.exit_code == 0 and "xinhong-2023" in res.output and "未运行" in res.output


def test_project_notebooks_override_the_shipped_templates(tmp_path):
    project = init_project(tmp_path / "p")
    assert project.template("unit_report.py") == resource_path("notebooks", "unit_report.py")
    own = project.notebooks_dir / "unit_report.py"
    own.write_text("# %%\nprint('firm template')\n", encoding="utf-8")
    assert project.template("unit_report.py") == own


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[project\nname = 1\n", "第 1 行"),
        ('[project]\nname："x"\n', "全角"),
        ('[defaults]\ntolerances = { score = "x" }\n', "defaults.tolerances.score"),
        ("[unknown]\n", "未知的设置节"),
    ],
)
def test_project_settings_errors_are_chinese_and_name_the_file(tmp_path, text, expected):
    (tmp_path / PROJECT_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ProjectSettingsError) as err:
        load_project(tmp_path)
    message = str(err.value)
    assert message.startswith("项目设置文件「") and expected in message
    assert "Expected" not in message and "line" not in message


def _codes(project_root: Path) -> list[str]:
    project = load_project(project_root)
    unit = load_params(project.params_dir / "xinhong-2023.yaml", project.settings)
    return sorted(evaluate_unit(unit).findings["code"])


def test_tolerances_in_jixiao_toml_and_in_params_change_the_findings(tmp_path):
    project = init_project(tmp_path / "p", samples=True)
    toml = project.root / PROJECT_FILE
    strict = _codes(project.root)
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "tolerances = { score = 0.1, money = 0.01, rate = 0.01 }",
            "tolerances = { score = 50, money = 100, rate = 50 }",
        ),
        encoding="utf-8",
    )
    loose = _codes(project.root)
    assert len(loose) < len(strict), "wide tolerances in jixiao.toml must drop arithmetic findings"

    params = project.params_dir / "xinhong-2023.yaml"
    params.write_text(
        params.read_text(encoding="utf-8") + "tolerances:\n  score: 0.1\n  money: 0.01\n  rate: 0.01\n",
        encoding="utf-8",
    )
    assert _codes(project.root) == strict, "a unit's own tolerances override the project's"


def test_repository_params_are_the_shipped_sample_params():
    """The repository is itself a project over samples/; its params equal the shipped ones but for that folder."""
    from tests.conftest import ROOT

    shipped = resource_path("sample_params")
    for name in SAMPLE_UNITS:
        ours = (ROOT / "params" / name).read_text(encoding="utf-8")
        theirs = (shipped / name).read_text(encoding="utf-8")
        assert ours == theirs.replace("../inputs/", "../samples/"), name


def test_user_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    from jixiao.run.usercache import CACHE_ENV, user_cache_dir

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert user_cache_dir() == tmp_path / "c"
    for off in ("off", "", " OFF "):
        monkeypatch.setenv(CACHE_ENV, off)
        assert user_cache_dir() is None
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):  # platformdirs' folder elsewhere
        assert user_cache_dir() == tmp_path / "xdg" / "jixiao"
