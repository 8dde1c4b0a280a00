"""Papermill names outside its documented API are used in one module only, and still mean what we rely on."""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys

import nbformat
import papermill

from jixiao.run import papermill_compat as compat
from tests.conftest import ROOT


def test_installed_papermill_is_in_the_supported_range():
    assert compat.supported_version(), (
        f"papermill {papermill.__version__} is outside the range checked in jixiao/run/papermill_compat.py "
        f"({compat.SUPPORTED}); re-check the imports there and update the pin in pyproject.toml"
    )
    assert not compat.supported_version("3.0.0") and not compat.supported_version("2.5.0")


def test_pin_in_pyproject_matches_the_supported_range():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    low, high = compat.SUPPORTED
    assert f'"papermill>={low[0]}.{low[1]},<{high[0]}.{high[1]}"' in text


def test_only_the_compat_module_imports_papermill():
    importers = []
    for path in (ROOT / "jixiao").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == "papermill" or name.startswith("papermill.") for name in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["jixiao/run/papermill_compat.py"]


def test_private_names_keep_their_signatures_and_behaviour():
    assert list(inspect.signature(compat.prepare_notebook_metadata).parameters)[:3] == [
        "nb",
        "input_path",
        "output_path",
    ]
    assert list(inspect.signature(compat.remove_error_markers).parameters) == ["nb"]
    assert "%s" in compat.ERROR_MESSAGE_TEMPLATE and compat.ERROR_MARKER_TAG
    manager_args = inspect.signature(compat.NotebookExecutionManager).parameters
    for name in ("nb", "output_path", "progress_bar", "autosave_cell_every"):
        assert name in manager_args, name
    for method in ("notebook_start", "cell_start", "cell_exception", "cell_complete", "notebook_complete"):
        assert callable(getattr(compat.NotebookExecutionManager, method)), method

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})])
    nb.metadata["papermill"] = {"parameters": {}, "default_parameters": {}, "environment_variables": {}}
    for cell in nb.cells:
        cell.metadata.setdefault("papermill", {})
    nb = compat.parameterize_notebook(nb, {"unit_id": "单位"}, kernel_name="python3", language="python")
    tags = [cell.metadata.get("tags", []) for cell in nb.cells]
    assert ["injected-parameters"] in tags and "unit_id = " in nb.cells[1].source
    nb = compat.prepare_notebook_metadata(nb, "in.ipynb", "out.ipynb")
    assert nb.metadata.papermill["input_path"] == "in.ipynb"
    assert nb.metadata.papermill["output_path"] == "out.ipynb"


def _fresh_registries(seed: str) -> dict[str, list[str]]:
    code = (
        "import json, jixiao\n"
        "from jixiao.score.rules.registry import list_rules\n"
        "print(json.dumps({'codes': list(jixiao.catalogue()['code']), 'rules': list(list_rules()['rule_id'])}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_registries_are_complete_and_ordered_in_a_fresh_interpreter():
    """The findings catalogue and the rule registry do not depend on what else was imported."""
    from jixiao.review.catalogue import catalogue
    from jixiao.review.review import review  # noqa: F401  (imports every check module)
    from jixiao.score.rules.registry import list_rules

    first, second = _fresh_registries("1"), _fresh_registries("2")
    assert first == second, "registry order must not depend on hashing"
    assert first["codes"] == list(catalogue()["code"]) and len(first["codes"]) >= 60
    assert first["rules"] == list(list_rules()["rule_id"]) and len(first["rules"]) >= 10
