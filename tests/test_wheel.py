"""The installed wheel, used as a firm would: init a project anywhere, add a unit, run it.

Builds the wheel, installs it (not editable) into a fresh virtual environment and works in a
temporary folder outside the repository. Checks that the outputs land in the project and that
nothing is written into the installed package.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], check=True, cwd=work
    )
    wheel = next(dist.glob("jixiao-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=work)
    kernel = [str(py), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"]
    subprocess.run(kernel, check=True, capture_output=True, cwd=work)
    return env_dir / "bin"


def _clean_env(bindir: Path) -> dict[str, str]:
    """The environment of a user who has only the wheel: no checkout on the import path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    return env


def _jixiao(bindir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bindir / "jixiao"), *args], cwd=cwd, env=_clean_env(bindir), capture_output=True, text=True
    )


def test_wheel_init_add_run_outside_the_repository(installed, tmp_path):
    probe = "import jixiao, os; print(os.path.dirname(jixiao.__file__))"
    package = Path(
        subprocess.run(
            [str(installed / "python"), "-c", probe],
            cwd=tmp_path,
            env=_clean_env(installed),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    assert not package.is_relative_to(ROOT), "the wheel must be imported from the venv, not the checkout"
    before = _tree_digest(package)

    outside = _jixiao(installed, "list", cwd=tmp_path)
    assert outside.returncode == 2
    assert "jixiao init" in outside.stderr and "Traceback" not in outside.stderr

    project = tmp_path / "某区财政局-2024"
    done = _jixiao(installed, "init", str(project), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (project / "jixiao.toml").is_file() and (project / "notebooks" / "explore.py").is_file()

    sample = tmp_path / "单位自评表.xlsx"
    sample.write_bytes((SAMPLES / "xinhong_2023_self_evaluation.xlsx").read_bytes())
    sub = project / "params"  # commands find the project from a subfolder too
    added = _jixiao(installed, "add", str(sample), cwd=sub)
    assert added.returncode == 0, added.stderr
    assert "自评表" in added.stdout and "2023" in added.stdout
    [params] = list((project / "params").glob("*.yaml"))
    assert (project / "inputs" / "单位自评表.xlsx").is_file()

    unset = _jixiao(installed, "run", "--no-progress", cwd=project)  # a new project names no firm yet
    assert unset.returncode != 0 and "缺少评价机构" in unset.stdout + unset.stderr
    toml = project / "jixiao.toml"
    text = toml.read_text(encoding="utf-8").replace('firm = ""', 'firm = "某会计师事务所"')
    text = text.replace('client = ""', 'client = "某区财政局"').replace("# number = ", "number = ")
    toml.write_text(text.replace("# team = ", "team = "), encoding="utf-8")
    ran = _jixiao(installed, "run", "--no-progress", cwd=project)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    unit = params.stem
    out = project / "outputs" / unit
    for name in (f"{unit}.html", f"{unit}.ipynb", "result.json", f"{unit}.docx", f"{unit}_复核底稿.xlsx"):
        assert (out / name).is_file(), name
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["unit"]["id"] == unit and len(result["indicators"]) == 56
    assert (project / "outputs" / "index.html").is_file()

    listed = _jixiao(installed, "list", cwd=project)
    assert unit in listed.stdout and "成功" in listed.stdout
    assert _tree_digest(package) == before, "running must not write into the installed package"


def test_wheel_init_with_samples_runs_all_three(installed, tmp_path):
    project = tmp_path / "demo"
    assert _jixiao(installed, "init", str(project), "--samples", cwd=tmp_path).returncode == 0
    ran = _jixiao(installed, "--project", str(project), "run", "--jobs", "2", "--no-progress", cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for unit in ("xinhong-2023", "xinhong-2024-declaration", "hongqiao-2024"):
        assert (project / "outputs" / unit / f"{unit}.html").is_file(), unit
    assert not (tmp_path / "outputs").exists(), "nothing is written outside the project"
