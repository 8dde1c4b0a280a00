"""``jixiao lab``: JupyterLab at the project, with the text notebooks opening as notebooks.

JupyterLab opens ``*.py`` files in the text editor unless a setting says otherwise. The
tool ships a settings override (``resources/jupyter/lab_settings/overrides.json``)
that makes jupytext's "Jupytext Notebook" the default viewer for Python files, as
jupytext's documentation recommends, and starts JupyterLab with it as its
``app_settings_dir``: the analyst's own user settings still apply on top.

The notebooks are py:percent text files, **unpaired** (no ``formats: ipynb,...`` in the
header) and with the jupytext version filtered out of the header: saving rewrites the
``.py`` byte for byte when nothing changed and never creates an ``.ipynb`` twin, so the
project's versioned files stay quiet. Outputs are not kept on disk; re-run the cells.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jixiao.run.project import Project, resource_path

__all__ = ["LAB_SETTINGS", "lab_command", "lab_environment", "lab_url_path", "notebook_exists"]

LAB_SETTINGS = resource_path("jupyter", "lab_settings")


def lab_url_path(project: Project, notebook: str = "explore.py") -> str:
    """The ``/lab/tree/...`` path that opens ``notebook`` of the project's notebooks folder."""
    folder = project.notebooks_dir.resolve().relative_to(project.root.resolve())
    return "/lab/tree/" + "/".join((*folder.parts, notebook))


def lab_command(
    project: Project, notebook: str = "explore.py", port: int | None = None, open_browser: bool = True
) -> list[str]:
    """The command line that starts JupyterLab at the project root with ``notebook`` open as a notebook."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={project.root.resolve()}",
        f"--LabApp.app_settings_dir={LAB_SETTINGS}",
        f"--LabApp.default_url={lab_url_path(project, notebook)}",
    ]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers: JupyterLab refuses root without it
        command.append("--allow-root")
    return command


def notebook_exists(project: Project, notebook: str) -> Path | None:
    """The notebook file when it is in the project's notebooks folder, else ``None``."""
    path = project.notebooks_dir / notebook
    return path if path.is_file() else None


def lab_environment() -> dict[str, str]:
    """The environment for JupyterLab: the current one (kept separate so tests can extend it)."""
    return dict(os.environ)
