"""Per-unit parameters: ``params/<unit>.yaml`` → a validated, frozen :class:`UnitParams`.

The YAML keys (a commented example is in ``params/README.md``)::

    unit_id: xinhong-2023            # required; equals the file name without .yaml
    display_name: 上海市闵行区新虹街道办事处  # required
    year: 2023                       # required
    inputs:                          # required, at least one of the three
      self_evaluation: ../samples/xinhong_2023_self_evaluation.xlsx
      declaration: ../samples/xinhong_2024_declaration.xlsx
      report: ../samples/hongqiao_2024_report.txt
    weight_scheme: table             # table | caiyu_2020_10 | {一级指标: 权重, ...} summing to 100
    grade_bands: {优: 90, 良: 80, 中: 60}   # lower bounds, inclusive; 差 is below 中
    tolerances: {score: 0.1, money: 0.01, rate: 0.01}
    evaluator: 张三
    overrides:                       # the evaluator's review scores, by indicator name or id
      招募辅警人数: {score: 3.5, reason: 佐证材料只覆盖上半年, tier: 部分达成}

Relative input paths are resolved against the directory of the YAML file (so a
params folder can be moved together with its inputs). Loading uses ruamel.yaml in
round-trip mode; :func:`load_params_document` returns the commented document so
that overrides can be written back with their comments kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from jixiao.core.errors import ParamsError
from jixiao.core.vocab import DEFAULT_GRADE_BANDS, INPUT_KINDS, Tolerances
from jixiao.run.apparatus import check_evidence, check_report_settings, merge_apparatus
from jixiao.run.params_check import ParamsValidator, shown
from jixiao.run.params_yaml import load_params_document
from jixiao.run.project import ProjectNotFoundError, ProjectSettings, find_project, unit_id_problem
from jixiao.score.overrides import Override

__all__ = [
    "UnitParams",
    "load_params",
    "load_unit",
    "load_params_document",
    "params_from_document",
    "find_params",
    "list_units",
    "check_unique_units",
    "shown",
]

_REQUIRED = ("unit_id", "display_name", "year", "inputs")
_OPTIONAL = ("weight_scheme", "grade_bands", "tolerances", "evaluator", "overrides", "report", "evidence")


@dataclass(frozen=True)
class UnitParams:
    """A unit's validated parameters. Input paths are absolute."""

    unit_id: str
    display_name: str
    year: int
    self_evaluation: Path | None = None
    declaration: Path | None = None
    report: Path | None = None
    weight_scheme: str | dict[str, float] = "table"
    grade_bands: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GRADE_BANDS))
    tolerances: Tolerances = field(default_factory=Tolerances)
    evaluator: str = ""
    overrides: tuple[Override, ...] = ()
    path: Path | None = None  # the YAML file
    apparatus: dict[str, Any] = field(default_factory=dict)  # the report's apparatus, merged (run.apparatus)
    evidence: dict[str, dict[str, str]] = field(default_factory=dict)  # indicator → {file, note} (佐证材料)
    evidence_resolves_pending: bool = True  # jixiao.toml [review]: recorded evidence resolves a 待核实

    @property
    def inputs(self) -> dict[str, Path]:
        """The unit's input files by kind (only those given)."""
        return {k: getattr(self, k) for k in INPUT_KINDS if getattr(self, k) is not None}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; input paths relative to the YAML file's directory."""
        base = self.path.parent if self.path else Path.cwd()
        return {
            "unit_id": self.unit_id,
            "display_name": self.display_name,
            "year": self.year,
            "inputs": {k: os.path.relpath(p, base) for k, p in self.inputs.items()},
            "weight_scheme": self.weight_scheme if isinstance(self.weight_scheme, str) else dict(self.weight_scheme),
            "grade_bands": dict(self.grade_bands),
            "tolerances": vars(self.tolerances).copy(),
            "evaluator": self.evaluator,
            "overrides": [vars(o).copy() for o in self.overrides],
            "apparatus": dict(self.apparatus),
            "evidence": {k: dict(v) for k, v in self.evidence.items()},
        }


def list_units(params_dir: str | os.PathLike[str]) -> list[Path]:
    """The params files of a folder, sorted (``*.yaml``/``*.yml``; names starting with ``.`` or ``_`` skipped).

    Raises:
        ParamsError: the folder does not exist.
    """
    folder = Path(params_dir)
    if not folder.is_dir():
        raise ParamsError(f"参数文件夹不存在：{folder}（请检查 jixiao.toml 的 [paths] params 或命令中的路径）")
    files = [p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith((".", "_"))]
    return sorted(files)


def check_unique_units(files: list[Path]) -> list[Path]:
    """``files`` unchanged when no two of them name the same unit (``x.yaml`` and ``x.yml``).

    Raises:
        ParamsError: two params files share a unit id; names both (they would overwrite each other's outputs).
    """
    seen: dict[str, Path] = {}
    for path in files:
        twin = seen.setdefault(path.stem.casefold(), path)
        if twin is not path:
            raise ParamsError(
                f"与「{twin}」是同一个单位编号「{path.stem}」：两个单位会写入同一个输出目录，请删除或改名其中一个",
                path=str(path),
            )
    return files


def find_params(unit_id: str = "", params_path: str = "", params_dir: str | os.PathLike[str] = "params") -> Path:
    """A notebook's params file: ``params_path`` when given, else ``<params_dir>/<unit_id>.yaml``.

    Raises:
        ParamsError: neither is given.
    """
    if params_path:
        return Path(params_path)
    if not unit_id:
        raise ParamsError("请给出参数 unit_id（单位编号）或 params_path（参数文件路径）")
    return Path(params_dir) / f"{unit_id}.yaml"


def load_unit(unit_id: str = "", params_path: str = "", project_dir: str = "") -> UnitParams:
    """A unit's params as a notebook needs them: found in the project (``project_dir``, else the
    project above the working directory) and completed with the project's defaults.

    A ``params_path`` outside any project loads with the built-in defaults.

    Raises:
        ParamsError: no unit named, no such params file, or invalid params.
        ProjectNotFoundError: only ``unit_id`` is given and no project is found.
    """
    if project_dir:
        project = find_project(project_dir)
    else:
        try:
            project = find_project(Path(params_path).resolve().parent if params_path else None)
        except ProjectNotFoundError:
            if not params_path:
                raise
            project = None
    folder = project.params_dir if project else Path(".")
    path = find_params(unit_id, params_path, folder)
    return load_params(path, project.settings if project else None)


def load_params(path: str | os.PathLike[str], defaults: ProjectSettings | None = None) -> UnitParams:
    """Load and validate one unit's params file.

    Raises:
        ParamsError: unknown or missing key, wrong type, missing input file,
            override without a reason, negative score… (message names file and key).
    """
    source = Path(path).resolve()
    return params_from_document(load_params_document(source), source, defaults)


def params_from_document(
    doc: CommentedMap, path: str | os.PathLike[str], defaults: ProjectSettings | None = None
) -> UnitParams:
    """Validate a params document (as :func:`load_params_document` reads it) that belongs at ``path``.

    Lets an edited document be checked before it is written; relative input paths
    resolve against ``path``'s directory and ``unit_id`` must equal its file name.

    ``defaults`` (the project's ``jixiao.toml``) fill weight scheme, grade bands and
    tolerances where the unit's params do not set them.

    Raises:
        ParamsError: as :func:`load_params`.
    """
    base = defaults or ProjectSettings()
    source = Path(path).resolve()
    v = ParamsValidator(source, doc)
    v.check_keys(doc, _REQUIRED + _OPTIONAL, "", required=_REQUIRED)

    unit_id = v.text(doc, "unit_id")
    problem = unit_id_problem(unit_id)
    if problem:
        v.fail("unit_id", problem)
    if unit_id != source.stem:
        v.fail("unit_id", f"应与文件名一致：文件名为「{source.stem}」，这里写的是「{unit_id}」")
    inputs = v.inputs(doc["inputs"])
    return UnitParams(
        unit_id=unit_id,
        display_name=v.text(doc, "display_name"),
        year=v.year(doc["year"]),
        **inputs,
        weight_scheme=v.weight_scheme(doc["weight_scheme"]) if "weight_scheme" in doc else base.weight_scheme,
        grade_bands=v.grade_bands(doc["grade_bands"]) if doc.get("grade_bands") else dict(base.grade_bands),
        tolerances=v.tolerances(doc["tolerances"], base.tolerances) if doc.get("tolerances") else base.tolerances,
        evaluator=v.text(doc, "evaluator", required=False),
        overrides=v.overrides(doc.get("overrides") or {}),
        path=source,
        apparatus=merge_apparatus(
            base.client,
            base.firm,
            base.report,
            check_report_settings(doc.get("report") or {}, v.fail, unit=True),
            unit_id,
            source.parent,
        ),
        evidence=check_evidence(doc.get("evidence") or {}, v.fail, source.parent),
        evidence_resolves_pending=base.evidence_resolves_pending,
    )
