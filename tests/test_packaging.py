"""environment.yml and pyproject.toml must name the same dependencies with the same bounds."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT


def _norm(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    assert m, spec
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    return name, m.group(2).replace(" ", "")


def _pyproject() -> set[tuple[str, str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = list(data["project"]["dependencies"]) + list(data["project"]["optional-dependencies"]["test"])
    return {_norm(d) for d in deps}


def _environment() -> set[tuple[str, str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                if not pip_dep.startswith("-e"):
                    out.add(_norm(pip_dep))
        elif not dep.startswith(("python", "pip")):
            out.add(_norm(dep))
        elif dep.startswith("python") and not dep.startswith("python-"):
            continue
    return out


def test_environment_matches_pyproject():
    py, env = _pyproject(), _environment()
    assert py - env == set(), f"in pyproject.toml only: {sorted(py - env)}"
    assert env - py == set(), f"in environment.yml only: {sorted(env - py)}"


def test_environment_installs_the_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip[-1] == "-e .[test]"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in ci
    assert "bash scripts/setup.sh" in readme


def test_public_api_resolves():
    import jixiao

    for name in jixiao.__all__:
        assert getattr(jixiao, name) is not None, name
