"""A unit as a Dask task: the job, its params text with relative paths, and its files by content.

Prepared on the client by :func:`cluster_task`; a worker lays the files out again and runs the
unit (:mod:`jixiao.run.clusterworker`). Files travel by SHA-256, so a file many units use is
sent once.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from jixiao.core.errors import JixiaoError
from jixiao.run.htmlexport import HtmlStyle, default_style
from jixiao.run.params import UnitParams, load_params_document
from jixiao.run.unitjob import UnitJob

__all__ = ["ClusterTask", "cluster_task", "dask_distributed"]


@dataclass
class ClusterTask:
    """One unit for a worker: the job, the params text (paths relative) and which blobs go where."""

    job: UnitJob
    params_name: str  # file name of the params file
    params_text: str  # the params file, its input and evidence paths rewritten relative to it
    depth: int  # folder levels the relative paths climb above the params folder
    files: dict[str, str]  # path relative to the params folder → sha256 of the content
    client_paths: dict[str, str]  # path relative to the params folder → the client's absolute path
    client_params: str  # the client's params file path
    client_project: str  # the client's project folder ("" without a project)
    project_toml: str = ""  # sha256 of jixiao.toml ("" without a project)
    default_style: bool = True  # use the worker's own copy of the report design
    style: HtmlStyle | None = None
    timeout: float = 600
    warmup: tuple[str, ...] = ()


def cluster_task(job: UnitJob, params: UnitParams, project_root: Path | None, style: HtmlStyle, **options: Any):
    """The task of a unit and the files it needs ({sha256: path}), prepared on the client."""
    base = params.path.parent
    doc = load_params_document(params.path)
    wanted: dict[str, Path] = {}
    for kind, path in params.inputs.items():
        rel = Path(os.path.relpath(path, base)).as_posix()
        doc["inputs"][kind] = rel
        wanted[rel] = path
    for spec in (doc.get("evidence") or {}).values():
        if isinstance(spec, dict) and spec.get("file"):
            path = (base / spec["file"]).resolve()
            rel = Path(os.path.relpath(path, base)).as_posix()
            spec["file"] = rel
            wanted[rel] = path
    hashes = {rel: _sha256(path) for rel, path in wanted.items()}
    blobs = {hashes[rel]: path for rel, path in wanted.items()}
    toml = project_root / "jixiao.toml" if project_root is not None else None
    toml_sha = ""
    if toml is not None and toml.is_file():
        toml_sha = _sha256(toml)
        blobs[toml_sha] = toml
    word = params.apparatus.get("word_template") if params.apparatus else ""
    if word and Path(word).is_file():
        job.word_template = Path(word).read_bytes()
    depth = max((Path(rel).parts.count("..") for rel in wanted), default=0)
    task = ClusterTask(
        job=job,
        params_name=params.path.name,
        params_text=_dump(doc),
        depth=depth,
        files=hashes,
        client_paths={rel: str(path) for rel, path in wanted.items()},
        client_params=str(params.path),
        client_project=str(project_root) if project_root is not None else "",
        project_toml=toml_sha,
        default_style=style == default_style(),
        style=None if style == default_style() else style,
        **options,
    )
    return task, blobs


def dask_distributed() -> Any:
    """The ``distributed`` package, imported on first use (an optional extra; a heavy import).

    Raises:
        JixiaoError: it is not installed (says what to install).
    """
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise JixiaoError(
            "未安装 Dask：请先运行 pip install 'jixiao[dask]'（或 pip install 'dask[distributed]'）"
        ) from None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dump(doc: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.allow_unicode = True
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()
