"""The engagement project: a folder with ``jixiao.toml``, ``inputs/``, ``params/``, ``outputs/``.

A firm installs jixiao once and keeps one project per client and year. Commands find the
project by walking up from the working directory to the nearest ``jixiao.toml`` (as
jupytext, dbt and Quarto find theirs); ``--project DIR`` names it instead. Nothing here
depends on where the package is installed: the shipped notebook templates and schemas are
package resources (:func:`resource_path`), and a project's own ``notebooks/`` overrides them.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jixiao.core.errors import JixiaoError, ProjectSettingsError
from jixiao.core.vocab import DEFAULT_GRADE_BANDS, WEIGHT_SCHEMES, Tolerances
from jixiao.run.apparatus import REPORT_KEYS, check_report_settings

__all__ = [
    "PROJECT_FILE",
    "Project",
    "ProjectSettings",
    "ProjectNotFoundError",
    "find_project",
    "load_project",
    "resource_path",
    "unit_id_problem",
    "inside",
]

#: A unit id names a folder and files under outputs/: letters, digits, CJK, "-", "_" and
#: "." (not leading), at most 100 characters.
_UNIT_ID = re.compile(r"[0-9A-Za-z\u4e00-\u9fff_\-][0-9A-Za-z\u4e00-\u9fff_\-.]{0,99}")


def unit_id_problem(unit_id: str) -> str:
    """Why ``unit_id`` cannot name a unit's output folder (Chinese), or "" when it can."""
    if _UNIT_ID.fullmatch(unit_id or ""):
        return ""
    return (
        "单位编号只能由字母、数字、汉字、「-」「_」和「.」组成（不以「.」开头，不超过 100 个字符），"
        f"这里是「{unit_id[:40]!r}」"
    )


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` resolves (links followed) to ``folder`` or somewhere below it."""
    return path.resolve().is_relative_to(folder.resolve())


#: The file that marks a project's root.
PROJECT_FILE = "jixiao.toml"
_SECTIONS = {
    "project": ("firm", "client", "year", "name"),
    "paths": ("inputs", "params", "outputs", "notebooks"),
    "defaults": ("weight_scheme", "grade_bands", "tolerances"),
    "review": ("evidence_resolves_pending",),
    "report": REPORT_KEYS,
}


class ProjectNotFoundError(JixiaoError):
    """No ``jixiao.toml`` in the working directory or above it."""


def resource_path(*parts: str) -> Path:
    """A file shipped inside the package (``jixiao/resources/...``), e.g. ``("notebooks", "unit_report.py")``."""
    return Path(str(resources.files("jixiao.resources").joinpath(*parts)))


@dataclass(frozen=True)
class ProjectSettings:
    """What ``jixiao.toml`` sets: who evaluates for whom, and the defaults of every unit's params."""

    name: str = ""
    firm: str = ""  # 评价机构
    client: str = ""  # 委托方
    year: int | None = None
    weight_scheme: str | dict[str, float] = "table"
    grade_bands: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GRADE_BANDS))
    tolerances: Tolerances = field(default_factory=Tolerances)
    evidence_resolves_pending: bool = True  # evidence recorded in params resolves a 待核实 status
    report: dict[str, Any] = field(default_factory=dict)  # [report]: number, team, basis, sources… (run.apparatus)


@dataclass(frozen=True)
class Project:
    """A project folder and its settings; every path the commands use comes from here."""

    root: Path
    settings: ProjectSettings = field(default_factory=ProjectSettings)
    inputs_dir: Path = Path("inputs")
    params_dir: Path = Path("params")
    outputs_dir: Path = Path("outputs")
    notebooks_dir: Path = Path("notebooks")

    def template(self, name: str) -> Path:
        """The notebook template ``name`` (e.g. ``unit_report.py``): the project's own if it has one, else shipped."""
        own = self.notebooks_dir / name
        return own if own.is_file() else resource_path("notebooks", name)


def find_project(start: str | os.PathLike[str] | None = None) -> Project:
    """The project whose ``jixiao.toml`` is in ``start`` (default: the working directory) or the nearest parent.

    Raises:
        ProjectNotFoundError: no ``jixiao.toml`` up to the filesystem root.
        ParamsError: the file exists but is not valid.
    """
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return load_project(folder)
    raise ProjectNotFoundError(
        f"「{here}」及其上级目录中没有评价项目（{PROJECT_FILE}）。"
        "请先运行 jixiao init <目录> 建立项目，或用 --project <目录> 指定项目。"
    )


def _toml_message(text: str, parser_message: str) -> str:
    """A Chinese description of a TOML syntax error, with the line it is on (never the parser's English)."""
    found = re.search(r"line (\d+), column (\d+)", parser_message)
    if not found:
        return "格式错误（TOML）：请检查方括号、引号与等号"
    line, column = int(found.group(1)), int(found.group(2))
    lines = text.splitlines()
    shown = lines[line - 1].strip()[:80] if 0 < line <= len(lines) else ""
    hint = "请检查方括号、引号与等号（每行写作 键 = 值，文字值用英文引号括起）"
    if "：" in shown or "＝" in shown:
        hint = "这一行有全角符号（：或＝），请改为半角的 ="
    return f"第 {line} 行第 {column} 列附近格式错误（TOML）：「{shown}」。{hint}"


def load_project(root: str | os.PathLike[str]) -> Project:
    """Read ``<root>/jixiao.toml``.

    Raises:
        ProjectNotFoundError: the folder has no ``jixiao.toml``.
        ParamsError: TOML syntax error, unknown key or a value of the wrong type (names file and key).
    """
    folder = Path(root).resolve()
    path = folder / PROJECT_FILE
    if not path.is_file():
        raise ProjectNotFoundError(f"「{folder}」不是评价项目：没有 {PROJECT_FILE}。请先运行 jixiao init {folder}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProjectSettingsError("不是 UTF-8 编码的文本，请用 UTF-8 保存", path=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectSettingsError(_toml_message(text, str(exc)), path=str(path)) from None
    _check_keys(data, path)
    report = check_report_settings(data.get("report", {}), _failer(path))
    if report.get("word_template"):  # the firm's Word template, relative to the project folder
        report["word_template"] = str((folder / report["word_template"]).resolve())
    info, paths, defaults = data.get("project", {}), data.get("paths", {}), data.get("defaults", {})
    settings = ProjectSettings(
        name=_text(info, "name", path),
        firm=_text(info, "firm", path),
        client=_text(info, "client", path),
        year=_year(info.get("year"), path),
        weight_scheme=_scheme(defaults.get("weight_scheme", "table"), path),
        grade_bands=_bands(defaults.get("grade_bands"), path),
        tolerances=_tolerances(defaults.get("tolerances"), path),
        evidence_resolves_pending=bool(data.get("review", {}).get("evidence_resolves_pending", True)),
        report=report,
    )
    where = {k: folder / _text(paths, k, path, default=k) for k in ("inputs", "params", "outputs", "notebooks")}
    for key, value in where.items():
        if not value.resolve().is_relative_to(folder):
            raise ProjectSettingsError(f"路径应在项目目录之内，这里是「{value}」", path=str(path), key=f"paths.{key}")
    return Project(
        root=folder,
        settings=settings,
        inputs_dir=where["inputs"],
        params_dir=where["params"],
        outputs_dir=where["outputs"],
        notebooks_dir=where["notebooks"],
    )


# --- validation of jixiao.toml ----------------------------------------------------------------


def _check_keys(data: dict[str, Any], path: Path) -> None:
    for section, value in data.items():
        if section not in _SECTIONS:
            raise ProjectSettingsError(
                f"未知的设置节「[{section}]」，可用：{'、'.join(_SECTIONS)}", path=str(path), key=section
            )
        if not isinstance(value, dict):
            raise ProjectSettingsError(f"「{section}」应为一节（[{section}]）", path=str(path), key=section)
        for key in value:
            if key not in _SECTIONS[section]:
                allowed = "、".join(_SECTIONS[section])
                raise ProjectSettingsError(
                    f"未知的设置「{key}」，可用：{allowed}", path=str(path), key=f"{section}.{key}"
                )


def _failer(path: Path):
    def fail(key: str, message: str):
        raise ProjectSettingsError(message, path=str(path), key=key)

    return fail


def _text(table: dict, key: str, path: Path, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ProjectSettingsError(f"应为文字，这里是「{value}」", path=str(path), key=key)
    return value.strip()


def _year(value: Any, path: Path) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise ProjectSettingsError(
            f"评价年度应为 2000–2100 之间的整数，这里是「{value}」", path=str(path), key="project.year"
        )
    return value


def _number(value: Any, path: Path, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
        raise ProjectSettingsError(f"应为有限的数字，这里是「{value}」", path=str(path), key=key)
    return float(value)


def _scheme(value: Any, path: Path) -> str | dict[str, float]:
    if isinstance(value, str):
        if value not in WEIGHT_SCHEMES:
            choices = "、".join(f"{k}（{v}）" for k, v in WEIGHT_SCHEMES.items())
            raise ProjectSettingsError(
                f"未知的权重方案「{value}」，可选：{choices}", path=str(path), key="defaults.weight_scheme"
            )
        return value
    if isinstance(value, dict):
        weights = {str(k): _number(v, path, f"defaults.weight_scheme.{k}") for k, v in value.items()}
        if abs(sum(weights.values()) - 100) > 1e-6 or any(w < 0 for w in weights.values()):
            raise ProjectSettingsError(
                "各一级指标权重应不小于 0 且合计为 100", path=str(path), key="defaults.weight_scheme"
            )
        return weights
    raise ProjectSettingsError("应为方案名称或「一级指标 = 权重」表", path=str(path), key="defaults.weight_scheme")


def _bands(value: Any, path: Path) -> dict[str, float]:
    if value is None:
        return dict(DEFAULT_GRADE_BANDS)
    if not isinstance(value, dict) or set(value) != set(DEFAULT_GRADE_BANDS):
        raise ProjectSettingsError("等级应给出 优、良、中 三个下限", path=str(path), key="defaults.grade_bands")
    bands = {k: _number(value[k], path, f"defaults.grade_bands.{k}") for k in DEFAULT_GRADE_BANDS}
    if not 100 >= bands["优"] > bands["良"] > bands["中"] >= 0:
        raise ProjectSettingsError("等级下限应在 0–100 之间且 优 > 良 > 中", path=str(path), key="defaults.grade_bands")
    return bands


def _tolerances(value: Any, path: Path) -> Tolerances:
    if value is None:
        return Tolerances()
    if not isinstance(value, dict) or not set(value) <= {"score", "money", "rate"}:
        raise ProjectSettingsError("容差可设 score、money、rate", path=str(path), key="defaults.tolerances")
    numbers = {k: _number(v, path, f"defaults.tolerances.{k}") for k, v in value.items()}
    if any(v < 0 or v > 100 for v in numbers.values()):
        raise ProjectSettingsError("容差应在 0 到 100 之间", path=str(path), key="defaults.tolerances")
    return Tolerances(**numbers)
