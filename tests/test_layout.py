"""The package layout: stages depend one way, no private names cross modules, lint and format are clean,
and the README's module map is the real tree."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "jixiao"
LINTED = ["jixiao", "tests", "benchmarks", "scripts"]


def _tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; it is in the test extras (pip install -e '.[test]')")
    return path


def test_import_linter_layers_contract_is_kept():
    done = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_ruff_check_passes():
    done = subprocess.run([_tool("ruff"), "check", *LINTED], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_check_passes():
    done = subprocess.run([_tool("ruff"), "format", "--check", *LINTED], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_private_name_is_imported_from_another_module():
    crossings = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jixiao"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        crossings.append(f"{_module_name(path)}: from {node.module} import {alias.name}")
    assert crossings == []


def test_readme_module_map_lists_every_subpackage():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme[readme.index("jixiao/\n├──") :]
    tree = tree[: tree.index("```")]
    listed = set(re.findall(r"[├└]── (\w+)/", tree))
    actual = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert listed == actual
    assert "cli.py" in tree


def test_repository_explore_notebook_is_the_shipped_template():
    shipped = PACKAGE / "resources" / "notebooks" / "explore.py"
    assert (ROOT / "notebooks" / "explore.py").read_bytes() == shipped.read_bytes()
