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

import difflib
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent

from jixiao.core.errors import ParamsError
from jixiao.core.textnorm import normalize_text
from jixiao.core.vocab import DEFAULT_GRADE_BANDS, INPUT_KINDS, TIER_ALIASES, TIERS, WEIGHT_SCHEMES, Tolerances
from jixiao.run.apparatus import check_evidence, check_report_settings, merge_apparatus
from jixiao.run.project import ProjectNotFoundError, ProjectSettings, find_project, unit_id_problem
from jixiao.run.yaml_slips import describe_yaml_error, find_slip, indentation_slip
from jixiao.score.overrides import Override

if TYPE_CHECKING:
    pass

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

#: A params file is a page of YAML; anything far larger is not one.
MAX_PARAMS_BYTES = 256 * 1024
MAX_FLOW_DEPTH = 32
_REQUIRED = ("unit_id", "display_name", "year", "inputs")
_OPTIONAL = ("weight_scheme", "grade_bands", "tolerances", "evaluator", "overrides", "report", "evidence")
_OVERRIDE_KEYS = ("score", "reason", "tier")
_TOLERANCE_KEYS = ("score", "money", "rate")
# Chinese words users may write instead of a key: used for "did you mean" only.
_KEY_HINTS = {
    "单位编号": "unit_id",
    "单位名称": "display_name",
    "名称": "display_name",
    "年度": "year",
    "年份": "year",
    "输入": "inputs",
    "输入文件": "inputs",
    "权重方案": "weight_scheme",
    "权重": "weight_scheme",
    "等级": "grade_bands",
    "等级划分": "grade_bands",
    "容差": "tolerances",
    "评价人": "evaluator",
    "复核人": "evaluator",
    "覆盖": "overrides",
    "复核调整": "overrides",
    "自评表": "self_evaluation",
    "申报表": "declaration",
    "报告": "report",
    "自评报告": "report",
    "分数": "score",
    "得分": "score",
    "理由": "reason",
    "原因": "reason",
    "档次": "tier",
}


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


def load_params_document(path: str | os.PathLike[str]) -> CommentedMap:
    """Read a params file in ruamel round-trip mode (comments kept); syntax errors → ParamsError."""
    source = Path(path)
    if source.is_dir():
        raise ParamsError("这是一个文件夹，不是参数文件；请改名或移出 params/", path=str(source))
    if source.exists() and not source.is_file():
        raise ParamsError("这不是普通文件（可能是管道或设备），无法读取", path=str(source))
    try:
        if source.stat().st_size > MAX_PARAMS_BYTES:
            raise ParamsError(f"参数文件过大（超过 {MAX_PARAMS_BYTES // 1024} KB），请检查内容", path=str(source))
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError("参数文件不存在", path=str(source)) from None
    except UnicodeDecodeError:
        raise ParamsError("参数文件不是 UTF-8 编码的文本", path=str(source)) from None
    except OSError as exc:
        raise ParamsError(f"无法读取参数文件（{exc.strerror or '系统错误'}）", path=str(source)) from None
    slip = indentation_slip(text)
    if slip:
        raise ParamsError(slip.message(), path=str(source))
    try:
        depth = _flow_depth(text)
        if depth > MAX_FLOW_DEPTH:
            raise ParamsError(f"参数文件中的「[」「{{」嵌套过深（{depth} 层），请检查内容", path=str(source))
        alias = _first_alias(text)
        if alias is not None:
            raise ParamsError(
                f"参数文件中不能使用 YAML 锚点和别名（第 {alias} 行的「&」「*」），请把值直接写出", path=str(source)
            )
        doc = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ParamsError(describe_yaml_error(text, mark.line + 1 if mark else None), path=str(source)) from None
    except (ValueError, OverflowError, RecursionError):  # a 10,000-digit number, nesting thousands deep …
        raise ParamsError("参数文件中有无法读取的值（数字过长或嵌套过深），请检查内容", path=str(source)) from None
    if not isinstance(doc, dict):
        slip = find_slip(text)
        raise ParamsError(slip.message() if slip else "参数文件的顶层应为「键: 值」映射", path=str(source))
    return doc


def _flow_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside quotes and comments (the YAML parser slows down cubically with it)."""
    depth = deepest = 0
    quote = ""
    previous = "\n"
    comment = False
    for ch in text:
        if comment:
            comment = ch != "\n"
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'" and previous in " \t\n[{,:":
            quote = ch
        elif ch == "#" and previous in " \t\n":
            comment = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
        previous = ch
    return deepest


def _first_alias(text: str) -> int | None:
    """1-based line of the first anchor or alias of a YAML text (parse events only: nothing is expanded)."""
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            return mark.line + 1 if mark else 0
    return None


def shown(value: Any, limit: int = 40) -> str:
    """A value as a message may show it: mappings and lists by kind, text cut to ``limit`` characters."""
    if isinstance(value, dict):
        return "（映射）"
    if isinstance(value, (list, tuple, set)):
        return "（列表）"
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


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
    v = _Validator(source, doc)
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


def _p(params: UnitParams) -> str | None:
    return str(params.path) if params.path else None


def _did_you_mean(word: str, choices: list[str]) -> str:
    hint = _KEY_HINTS.get(normalize_text(word))
    if hint in choices:
        return f"，是否想写「{hint}」？"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"，是否想写「{close[0]}」？" if close else ""


class _Validator:
    """Field checks that raise ParamsError naming the file, the key and the line."""

    def __init__(self, path: Path, doc: CommentedMap) -> None:
        self.path = path
        self.doc = doc

    def fail(self, key: str, message: str, node: Any = None, name: Any = None) -> NoReturn:
        line = _line_of(node if node is not None else self.doc, name if name is not None else key.split(".")[-1])
        suffix = f"（第 {line} 行）" if line else ""
        raise ParamsError(message + suffix, path=str(self.path), key=key)

    def check_keys(self, node: Any, allowed: tuple[str, ...], prefix: str, required: tuple[str, ...] = ()) -> None:
        if not isinstance(node, dict):
            self.fail(prefix.rstrip("."), "应为「键: 值」映射")
        for key in node:
            if str(key) not in allowed:
                hint = _did_you_mean(str(key), list(allowed))
                self.fail(prefix + str(key), f"未知的键{hint or '。'}可用的键：{'、'.join(allowed)}", node, key)
        for key in required:
            if key not in node or node[key] is None:
                self.fail(prefix + key, "缺少必填的键")

    def text(self, node: dict, key: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"应为非空文本，这里是「{shown(value)}」")
        return str(value).strip()

    def year(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
            self.fail("year", f"应为四位数的年度（如 2023），这里是「{shown(value)}」")
        return int(value)

    def number(self, value: Any, key: str, node: Any, name: Any, minimum: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(key, f"应为有限的数字，这里是「{shown(value)}」", node, name)
        if value < minimum:
            self.fail(key, f"不能为负数，这里是 {value:g}", node, name)
        return float(value)

    def inputs(self, node: Any) -> dict[str, Path | None]:
        self.check_keys(node, tuple(INPUT_KINDS), "inputs.")
        given = {k: v for k, v in node.items() if v not in (None, "")}
        if not given:
            choices = "、".join(f"{k}（{v}）" for k, v in INPUT_KINDS.items())
            self.fail("inputs", f"至少要给出一个输入文件：{choices}")
        resolved: dict[str, Path | None] = dict.fromkeys(INPUT_KINDS)
        for kind, raw in given.items():
            if not isinstance(raw, str):
                self.fail(f"inputs.{kind}", f"应为文件路径，这里是「{shown(raw)}」", node, kind)
            path = (self.path.parent / raw).resolve()
            if not path.is_file():
                self.fail(
                    f"inputs.{kind}",
                    f"{INPUT_KINDS[kind]}文件不存在：{path}（相对路径按参数文件所在目录解析）",
                    node,
                    kind,
                )
            resolved[kind] = path
        return resolved

    def weight_scheme(self, value: Any) -> str | dict[str, float]:
        if isinstance(value, str):
            if value not in WEIGHT_SCHEMES:
                choices = "、".join(f"{k}（{v}）" for k, v in WEIGHT_SCHEMES.items())
                hint = _did_you_mean(value, list(WEIGHT_SCHEMES))
                self.fail(
                    "weight_scheme", f"未知的权重方案「{shown(value)}」{hint}可选：{choices}，或按一级指标给出权重"
                )
            return str(value)
        if not isinstance(value, dict) or not value:
            self.fail("weight_scheme", "应为方案名称，或「一级指标: 权重」映射")
        weights = {normalize_text(k): self.number(v, f"weight_scheme.{k}", value, k) for k, v in value.items()}
        total = sum(weights.values())
        if abs(total - 100) > 0.01:
            self.fail("weight_scheme", f"各一级指标权重之和应为 100，这里是 {total:g}")
        return weights

    def grade_bands(self, node: Any) -> dict[str, float]:
        self.check_keys(node, tuple(DEFAULT_GRADE_BANDS), "grade_bands.")
        bands = dict(DEFAULT_GRADE_BANDS)
        for name, value in node.items():
            bands[str(name)] = self.number(value, f"grade_bands.{name}", node, name)
        edges = list(bands.values())
        if any(v > 100 for v in edges) or edges != sorted(edges, reverse=True) or len(set(edges)) < len(edges):
            shown = "、".join(f"{k} {v:g}" for k, v in bands.items())
            self.fail("grade_bands", f"等级下限应在 0–100 之间且 优 > 良 > 中，这里是 {shown}")
        return bands

    def tolerances(self, node: Any, base: Tolerances) -> Tolerances:
        self.check_keys(node, _TOLERANCE_KEYS, "tolerances.")
        values = {k: self.number(v, f"tolerances.{k}", node, k) for k, v in node.items()}
        return replace(base, **values)

    def overrides(self, node: Any) -> tuple[Override, ...]:
        if not isinstance(node, dict):
            self.fail("overrides", "应为「指标名称或编号: {score: 分数, reason: 理由}」映射")
        result = []
        for indicator, spec in node.items():
            key = f"overrides.{indicator}"
            if not isinstance(spec, dict):
                self.fail(key, "应为 {score: 分数, reason: 理由} 映射", node, indicator)
            self.check_keys(spec, _OVERRIDE_KEYS, key + ".")
            if "score" not in spec:
                self.fail(key + ".score", "缺少复核分", node, indicator)
            score = self.number(spec["score"], key + ".score", spec, "score")
            reason = spec.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                self.fail(key + ".reason", "调整复核分必须写明理由（reason）", node, indicator)
            tier = spec.get("tier")
            if tier is not None:
                tier = TIER_ALIASES.get(normalize_text(tier), normalize_text(tier))
                if tier not in TIERS:
                    self.fail(
                        key + ".tier", f"未知的档次「{shown(spec['tier'])}」，可选：{'、'.join(TIERS)}", spec, "tier"
                    )
            result.append(Override(str(indicator), score, str(reason).strip(), tier))
        return tuple(result)


def _line_of(node: Any, key: Any) -> int | None:
    """1-based line of ``key`` in a ruamel mapping, or None."""
    try:
        return node.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None
