"""One unit's run, from its parameterized notebook to the bytes of its output files.

The local runner (:mod:`jixiao.run.runner`) and a Dask worker (:mod:`jixiao.run.distributed`)
go through the same steps: :func:`execute_job` runs the notebook in a fresh kernel,
:func:`finish_job` turns the executed notebook into the unit's files (notebook, client and
analyst HTML, result.json, Word report, working papers — or the failed notebook and its
HTML) as bytes, and :func:`write_product` writes them atomically into ``outputs/<unit>/``.
Everything the files show about the client's machine (paths, hashes, versions) is in the
:class:`UnitJob`, computed where the project lives, so a worker elsewhere produces the same
bytes.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from jixiao.core import errors
from jixiao.core.errors import JixiaoError
from jixiao.core.jsondata import json_ready
from jixiao.core.vocab import kind_of_inputs, report_wording
from jixiao.run.atomic import atomic_write_bytes, atomic_write_json
from jixiao.run.engine import Kernel, parameterize
from jixiao.run.execution import add_error_banner, execute_notebook, notebook_seconds
from jixiao.run.handoff import drop_handed_over, extract_result
from jixiao.run.headings import retitle
from jixiao.run.htmlexport import HtmlRenderer
from jixiao.run.params import UnitParams
from jixiao.run.runrecord import UnitOutcome, now_iso, schema_problem, sha256_file, shown_path
from jixiao.run.textcheck import add_check_cell, client_text_problems
from jixiao.run.wordexport import word_report
from jixiao.run.workpapers import unit_workpapers

__all__ = [
    "SUCCESS_FILES",
    "FAILURE_FILES",
    "UnitJob",
    "UnitProduct",
    "make_job",
    "execute_job",
    "finish_job",
    "write_product",
    "json_bytes",
    "notebook_json",
    "error_line",
    "failure_text",
    "relocate",
]

#: Output keys (see ``runrecord.unit_output_paths``) of a successful and of a failed run.
SUCCESS_FILES = ("notebook", "analyst_html", "client_html", "result", "word", "workpapers")
FAILURE_FILES = ("failed_notebook", "failed_html")


@dataclass
class UnitJob:
    """What a unit's run needs besides the notebook template (picklable; built where the project is).

    Attributes:
        unit_id, display_name, year: The unit.
        key: Cache key of this run (inputs, params, template, library, settings).
        parameters: The notebook parameters as the outputs show them.
        template_path: The template's path, recorded in the notebook's papermill metadata.
        notebook_path: The executed notebook's path, recorded likewise.
        provenance: result.json's ``provenance`` except ``run`` (times are added when it ran).
        word_template: The firm's Word template as bytes, when it is not to be read from
            the path in the settings (a worker without the project's files).
    """

    unit_id: str
    display_name: str
    year: int
    key: str
    parameters: dict[str, Any]
    template_path: str
    notebook_path: str
    provenance: dict[str, Any]
    word_template: bytes | None = None
    kind: str = "self"  # report kind by the unit's inputs (core.vocab.kind_of_inputs)

    @property
    def title(self) -> str:
        return f"{self.display_name}（{self.year}年度）{report_wording(self.kind).title}"


@dataclass
class UnitProduct:
    """A finished unit: its status and its files as bytes, keyed like ``unit_output_paths``."""

    unit_id: str
    status: str  # "ok" | "failed"
    error: str = ""
    notebook_seconds: float | None = None
    total: float | None = None
    grade: str | None = None
    total_high: float | None = None  # high end of the total while indicators are 待核实
    pending: int = 0  # 待核实 indicators (a 征求意见稿 while > 0)
    files: dict[str, bytes] = field(default_factory=dict)
    kind: str = "self"  # report kind (core.vocab.REPORT_WORDING)
    text_problems: list[str] = field(default_factory=list)  # client-text check (run/textcheck.py)

    def outcome(self, display_name: str, paths: dict[str, Path]) -> UnitOutcome:
        """The runner's record of this unit (``seconds`` is set by the caller)."""
        outcome = UnitOutcome(self.unit_id, self.status, display_name, error=self.error)
        outcome.notebook_seconds, outcome.total, outcome.grade = self.notebook_seconds, self.total, self.grade
        outcome.total_high, outcome.pending = self.total_high, self.pending
        outcome.kind, outcome.text_problems = self.kind, list(self.text_problems)
        outcome.outputs = {k: paths[k] for k in self.files if k != "cache"}
        return outcome


def make_job(
    params: UnitParams,
    params_path: Path,
    *,
    key: str,
    notebook_path: Path,
    root: Path,
    project_dir: str,
    template: Path,
    template_sha: str,
    package_sha: str,
    versions: dict[str, str],
) -> UnitJob:
    """A unit's job: everything about its run that depends on this machine (paths, hashes, versions)."""
    provenance = {
        "unit_id": params.unit_id,
        "params_file": shown_path(params_path, root),
        "params_sha256": sha256_file(params_path),
        "params": json_ready(params.to_dict()),
        "inputs": {k: {"path": shown_path(p, root), "sha256": sha256_file(p)} for k, p in params.inputs.items()},
        "template": {"path": shown_path(template, root), "sha256": template_sha},
        "jixiao_source_sha256": package_sha,
        "versions": versions,
    }
    return UnitJob(
        unit_id=params.unit_id,
        display_name=params.display_name,
        year=params.year,
        key=key,
        parameters={"unit_id": params.unit_id, "params_path": str(params_path), "project_dir": project_dir},
        template_path=str(template),
        notebook_path=str(notebook_path),
        provenance=provenance,
        kind=kind_of_inputs(params.inputs),
    )


async def execute_job(
    template: Any,
    job: UnitJob,
    kernel: Kernel,
    *,
    timeout: float | None,
    parameters: dict[str, Any] | None = None,
) -> Any:
    """Parameterize ``template`` for ``job`` and execute it in ``kernel`` (not shut down here).

    ``parameters`` replace ``job.parameters`` for the execution (a worker's own paths);
    the caller maps them back with :func:`relocate`.
    """
    nb = parameterize(
        template,
        parameters if parameters is not None else job.parameters,
        input_path=job.template_path,
        output_path=job.notebook_path,
    )
    return await execute_notebook(nb, kernel, timeout=timeout)


def finish_job(
    job: UnitJob,
    nb: Any,
    renderer: HtmlRenderer,
    validator: Any,
    began: float,
    started_at: str,
) -> UnitProduct:
    """Banner or result, then every file of the unit as bytes (a failure is a product too)."""
    product = UnitProduct(job.unit_id, "failed", notebook_seconds=notebook_seconds(nb), kind=job.kind)
    try:
        error = add_error_banner(nb)
        result = None if error else extract_result(nb)
        if error is not None:
            product.error = error_line(error)
        elif result is None:
            product.error = "笔记本没有交回复核结果（缺少标记为 jixiao-result 的单元格）"
        else:
            retitle(nb, job.kind)  # the headings of a 目标审核 / 自评报告审核
            doc = result_document(job, result, started_at, began, product.notebook_seconds)
            product.error = schema_problem(validator, doc)
            if not product.error:
                client, word = renderer.client(nb, job.title), word_report(nb, doc, job.word_template)
                drop_handed_over(nb)  # now in result.json and the Word report
                product.text_problems = doc["text_check"] = client_text_problems(client, word, doc)
                if product.text_problems:  # produced all the same, flagged for the analyst (run/textcheck.py)
                    add_check_cell(nb, product.text_problems)
                product.files = {
                    "notebook": notebook_json(nb),
                    "analyst_html": renderer.analyst(nb, job.title + "（分析版）").encode("utf-8"),
                    "client_html": client.encode("utf-8"),
                    "result": json_bytes(doc),
                    "word": word,
                    "workpapers": unit_workpapers(doc),
                }
                product.status = "ok"
                product.total, product.grade = doc["totals"].get("review_total"), doc["totals"].get("grade")
                product.total_high = doc["totals"].get("review_total_high")
                product.pending = int(doc["totals"].get("pending_count") or 0)
        if product.status == "failed":
            product.files = {
                "failed_notebook": notebook_json(nb),
                "failed_html": renderer.analyst(nb, job.title + "（运行失败）").encode("utf-8"),
            }
    except Exception as exc:  # one unit's failure never stops the others
        product.status, product.error, product.files = "failed", failure_text(exc), {}
    return product


def write_product(paths: dict[str, Path], product: UnitProduct, key: str) -> None:
    """Write a product's files atomically, drop the other outcome's stale files, then the cache record."""
    for name, data in product.files.items():
        atomic_write_bytes(paths[name], data)
    if product.status == "ok":
        for stale in FAILURE_FILES:
            paths[stale].unlink(missing_ok=True)
    record = {"status": product.status, "key": key, "error": product.error, "finished_at": now_iso()}
    atomic_write_json(paths["cache"], record)


def result_document(job: UnitJob, result: dict, started_at: str, began: float, nb_seconds: float | None) -> dict:
    """result.json: the notebook's result plus the job's provenance and the run's times."""
    doc = json_ready(dict(result))
    provenance = dict(job.provenance)
    provenance["run"] = {
        "started_at": started_at,
        "finished_at": now_iso(),
        "seconds": round(time.perf_counter() - began, 3),
        "notebook_seconds": nb_seconds,
    }
    doc["provenance"] = provenance
    return doc


def notebook_json(nb: Any) -> bytes:
    """The notebook file's bytes: what ``nbformat.writes`` gives, without its schema validation of the whole
    notebook (outputs included; it only logs, and the runner made the notebook from a valid template)."""
    return nbformat.v4.writes(nb).encode("utf-8")


def json_bytes(obj: Any) -> bytes:
    """``obj`` as :func:`jixiao.run.atomic.atomic_write_json` writes it (NaN is an error)."""
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False) + "\n").encode("utf-8")


def error_line(error: Any) -> str:
    """One Chinese line for papermill's execution error: which cell, which exception."""
    lines = [line.strip() for line in str(error.evalue).splitlines() if re.search(r"\w", line)]
    last = lines[-1] if lines else ""
    # A timeout or a dead kernel is described in Chinese by the engine; other errors keep their exception name.
    # jixiao's own errors (InputFileError …) carry a full Chinese message: no English class name in front.
    own = error.ename in ("CellTimeoutError", "TimeoutError", "DeadKernelError", *errors.__all__)
    text = (last if own else f"{error.ename}: {last}".strip().rstrip(":")).rstrip("。")
    return f"第 {error.exec_count} 个代码单元格出错：{text}"


def failure_text(exc: BaseException) -> str:
    """A runner-side failure in Chinese (file errors by their cause and file, never bare English)."""
    if isinstance(exc, JixiaoError) or re.search(r"[\u4e00-\u9fff]", str(exc)):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"：{exc.filename}" if exc.filename else ""
        return f"文件读写出错（{exc.strerror or '系统错误'}）{where}"
    return f"运行出错（{type(exc).__name__}）：{exc}"


def relocate(obj: Any, mapping: dict[str, str]) -> Any:
    """``obj`` (a notebook, a dict, a list, a string) with every occurrence of each key replaced.

    Longest keys first, so a file path is mapped before the folder that contains it. Used
    on a worker's executed notebook: its own paths become the client's.
    """
    pairs = sorted(mapping.items(), key=lambda kv: -len(kv[0]))

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            for old, new in pairs:
                if old in value:
                    value = value.replace(old, new)
            return value
        if isinstance(value, dict):
            for k in list(value):
                value[k] = fix(value[k])
            return value
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    return fix(obj)
