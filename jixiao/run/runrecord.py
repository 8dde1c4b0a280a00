"""What a run records: where a unit's outputs live, each unit's outcome and the run summary,
and the provenance helpers (file hashes, package fingerprint, versions) behind the cache
key and ``result.json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from jixiao import __version__
from jixiao.core.errors import ParamsError
from jixiao.core.vocab import report_wording
from jixiao.read.files import file_sha256
from jixiao.run.project import inside, resource_path, unit_id_problem

__all__ = [
    "RESULT_SCHEMA",
    "CACHE_FILE",
    "INTERRUPTED",
    "UnitOutcome",
    "RunSummary",
    "unit_output_paths",
    "result_validator",
    "schema_problem",
    "versions",
    "package_fingerprint",
    "sha256_file",
    "read_json",
    "shown_path",
    "now_iso",
]

RESULT_SCHEMA = resource_path("schemas", "result.schema.json")
#: The installed package folder (hashed into every unit's cache key).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
CACHE_FILE = ".cache.json"
#: Status of a unit that a Ctrl-C stopped before it finished; a run with one exits 130.
INTERRUPTED = "interrupted"


def unit_output_paths(outputs_dir: str | os.PathLike[str], unit_id: str) -> dict[str, Path]:
    """Where a unit's outputs live.

    Raises:
        ParamsError: the unit id is not a safe file name, or its folder would lie outside ``outputs_dir``.
    """
    problem = unit_id_problem(unit_id)
    if problem:
        raise ParamsError(problem, key="unit_id")
    d = Path(outputs_dir) / unit_id
    if not inside(d, Path(outputs_dir)) or d.resolve() == Path(outputs_dir).resolve():
        raise ParamsError(f"单位「{unit_id}」的输出目录不在 {outputs_dir} 之内，已拒绝写入", key="unit_id")
    return {
        "dir": d,
        "notebook": d / f"{unit_id}.ipynb",
        "client_html": d / f"{unit_id}.html",
        "analyst_html": d / f"{unit_id}.analyst.html",
        "result": d / "result.json",
        "word": d / f"{unit_id}.docx",
        "workpapers": d / f"{unit_id}_复核底稿.xlsx",
        "failed_notebook": d / f"{unit_id}.failed.ipynb",
        "failed_html": d / f"{unit_id}.failed.html",
        "cache": d / CACHE_FILE,
    }


@dataclass
class UnitOutcome:
    """What happened to one unit (or to the portfolio page)."""

    unit_id: str
    status: str  # "ok" | "skipped" | "failed"
    display_name: str = ""
    seconds: float = 0.0  # wall time, kernel wait to last file written
    notebook_seconds: float | None = None  # time spent executing cells
    total: float | None = None
    grade: str | None = None
    total_high: float | None = None  # high end of the total while indicators are 待核实
    pending: int = 0  # 待核实 indicators: the report is a 征求意见稿 while > 0
    error: str = ""
    outputs: dict[str, Path] = field(default_factory=dict)
    kind: str = "self"  # report kind: a 目标审核 or 自评报告审核 has no score (core.vocab.REPORT_WORDING)
    text_problems: list[str] = field(default_factory=list)  # the client-text check's problems (run/textcheck.py)

    def line(self) -> str:
        """One Chinese summary line."""
        name = f"{self.unit_id}（{self.display_name}）" if self.display_name else self.unit_id
        if self.status == INTERRUPTED:
            return f"■ {name}：{self.error or '运行被中断，未完成'}"
        if self.status == "skipped":
            return f"↷ {name}：输入、参数、模板和程序均未变化，已跳过（--force 可强制重跑）"
        if self.status == "failed":
            where = self.outputs.get("failed_notebook")
            tail = f"；出错的笔记本：{shown_path(where)}" if where else ""
            return f"✘ {name}：失败 —— {self.error}{tail}"
        if "html" in self.outputs:  # the portfolio page
            score = f"已生成 {shown_path(self.outputs['html'])}"
        else:
            unscored = report_wording(self.kind).verdict or "未计分"
            score = f"总分 {self.total:.2f}，等级 {self.grade}" if self.total is not None else unscored
            if self.total is not None and self.pending:
                high = f"–{self.total_high:.2f}" if self.total_high is not None else ""
                score = f"总分 {self.total:.2f}{high}，等级 {self.grade}，待核实 {self.pending} 项（征求意见稿）"
            elif self.total is not None:
                score += "，无待核实指标（终稿）"
        inner = f"，笔记本内 {self.notebook_seconds:.1f} 秒" if self.notebook_seconds is not None else ""
        return f"✔ {name}：{score}（{self.seconds:.1f} 秒{inner}）"

    def text_lines(self) -> list[str]:
        """The warning line of a unit whose client text failed the check (after its own line), else nothing."""
        if not self.text_problems:
            return []
        shown = "；".join(self.text_problems[:3]) + ("等" if len(self.text_problems) > 3 else "")
        return [
            f"  ⚠ {self.unit_id}：客户报告文字检查发现 {len(self.text_problems)} 处问题（报告已生成，交付前请修改；"
            f"全部问题见分析版 HTML 末尾「客户报告文字检查」）：{shown}"
        ]


@dataclass
class RunSummary:
    """Outcome of a run: one entry per unit, plus the portfolio page."""

    units: list[UnitOutcome]
    portfolio: UnitOutcome | None = None
    seconds: float = 0.0

    def count_text_problems(self) -> int:
        """Number of units produced with problems in their client text."""
        return sum(bool(u.text_problems) for u in self.units)

    def count(self, status: str) -> int:
        """Number of units with ``status``."""
        return sum(u.status == status for u in self.units)

    @property
    def failed(self) -> list[UnitOutcome]:
        """Failed units (and the portfolio if it failed)."""
        items = [u for u in self.units if u.status == "failed"]
        return items + ([self.portfolio] if self.portfolio and self.portfolio.status == "failed" else [])

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 130 after an interruption (Ctrl-C), 1 otherwise."""
        if self.count(INTERRUPTED):
            return 130
        return 1 if self.failed else 0

    def lines(self) -> list[str]:
        """The summary, in Chinese, one line per unit then a total line."""
        out = [line for u in self.units for line in (u.line(), *u.text_lines())]
        if self.portfolio is not None:
            out.append(self.portfolio.line())
        out.append(
            f"共 {len(self.units)} 个单位：成功 {self.count('ok')}，跳过 {self.count('skipped')}，"
            f"失败 {self.count('failed')}"
            + (f"，中断 {self.count(INTERRUPTED)}（已按 Ctrl-C 停止）" if self.count(INTERRUPTED) else "")
            + f"；用时 {self.seconds:.1f} 秒"
            + (f"；{flagged} 个单位的客户报告文字有问题（见 ⚠ 行）" if (flagged := self.count_text_problems()) else "")
        )
        return out

    def format(self) -> str:
        """The summary as text."""
        return "\n".join(self.lines())


def result_validator() -> Any:
    """A Draft 2020-12 validator for result.json."""
    import jsonschema

    schema = json.loads(RESULT_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def versions() -> dict[str, str]:
    """Versions of jixiao, Python and the libraries a result depends on."""
    versions = {"jixiao": __version__, "python": platform.python_version()}
    for dist in ("pandas", "papermill", "nbconvert", "nbclient", "matplotlib", "ipykernel"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = ""
    return versions


def package_fingerprint() -> str:
    """One hash over the jixiao package's source files (code, schemas, templates)."""
    h = hashlib.sha256()
    suffixes = {".py", ".json", ".j2", ".css", ".html", ".md", ".yaml", ".tpl"}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in suffixes and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def sha256_file(path: Path | None) -> str:
    """Hex SHA-256 of a file ("" for None)."""
    return file_sha256(path) if path else ""


def read_json(path: Path) -> dict:
    """A JSON file as a dict; {} when missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def shown_path(path: Path | None, root: Path | None = None) -> str:
    """A path relative to ``root`` (default: the working directory) when inside it, else absolute."""
    if path is None:
        return ""
    p = Path(path).resolve()
    try:
        return p.relative_to((root or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return str(p)


def schema_problem(validator: Any, doc: dict) -> str:
    """ "" when ``doc`` is a valid result.json, else a Chinese line naming the first problem."""
    errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return ""
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or "（顶层）"
    return f"复核结果不符合 result.json 格式约定（{where}）：{first.message}；共 {len(errors)} 处"


def now_iso() -> str:
    """Current UTC time, ISO 8601, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
