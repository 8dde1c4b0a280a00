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

When the kernel connects, JupyterLab writes the kernel's ``language_info`` into the notebook's
metadata; a header without it makes the tab show "unsaved" the moment the notebook opens. The
project's copy therefore carries the ``language_info`` of the interpreter that runs it
(:func:`stamp_kernel_language`, at ``jixiao init`` and again at ``jixiao lab`` when Python changed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jupytext
from ipykernel.ipkernel import IPythonKernel

from jixiao.run.atomic import atomic_write_text
from jixiao.run.project import Project, resource_path

__all__ = [
    "LAB_SETTINGS",
    "lab_command",
    "lab_environment",
    "lab_url_path",
    "notebook_exists",
    "stamp_kernel_language",
    "stamp_notebook_file",
]

_FORMAT = "py:percent"

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


def stamp_kernel_language(text: str) -> str:
    """The py:percent notebook ``text`` with this interpreter's kernel ``language_info`` in its header.

    The metadata filter keeps ``language_info`` so that saving from JupyterLab writes the same
    header back; cells are untouched (jupytext round-trips them byte for byte).
    """
    notebook = jupytext.reads(text, fmt=_FORMAT)
    notebook.metadata["language_info"] = dict(IPythonKernel.language_info)
    settings = notebook.metadata.setdefault("jupytext", {})
    kept = [part for part in str(settings.get("notebook_metadata_filter", "")).split(",") if part]
    if "language_info" not in kept:
        settings["notebook_metadata_filter"] = ",".join(["language_info", *kept])
    return jupytext.writes(notebook, fmt=_FORMAT)


def stamp_notebook_file(path: Path) -> bool:
    """Stamp the notebook file at ``path`` in place (atomically); ``True`` when it changed."""
    text = path.read_text(encoding="utf-8")
    stamped = stamp_kernel_language(text)
    if stamped == text:
        return False
    atomic_write_text(path, stamped)
    return True
