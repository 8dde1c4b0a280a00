"""Planning a batch run: which params files, and for each unit whether it runs, is skipped
(unchanged since its last successful run) or fails before running; the cache key."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jixiao.core.errors import JixiaoError, ParamsError
from jixiao.run.apparatus import missing_settings
from jixiao.run.atomic import atomic_write_json, remove_stale_temps
from jixiao.run.htmlexport import HtmlStyle
from jixiao.run.params import UnitParams, check_unique_units, list_units, load_params
from jixiao.run.project import ProjectSettings, unit_id_problem
from jixiao.run.runrecord import UnitOutcome, read_json, sha256_file, unit_output_paths
from jixiao.run.unitjob import UnitJob, make_job

__all__ = ["PlanContext", "UnitPlan", "cache_key", "plan_unit", "resolve_selection"]


@dataclass(frozen=True)
class PlanContext:
    """What planning needs from the run: where outputs go, the project's settings, the template and versions."""

    outputs_dir: Path
    settings: ProjectSettings | None
    require_apparatus: bool
    force: bool
    root: Any
    project_dir: Any
    template: Path
    template_sha: str
    package_sha: str
    versions: dict
    style: HtmlStyle | None


@dataclass
class UnitPlan:
    """One unit of the run and what was decided for it."""

    unit_id: str
    params_path: Path
    params: UnitParams | None = None
    key: str = ""
    outcome: UnitOutcome | None = None  # set when decided without running (skipped, bad params)
    job: UnitJob | None = None  # what running it needs (see jixiao.run.unitjob)


def resolve_selection(selection: list[str] | None, params_dir: str | os.PathLike[str]) -> list[Path]:
    """Params files for unit names or paths (all of ``params_dir`` when empty), in order, without duplicates.

    Raises:
        ParamsError: a name that matches no params file (lists the available units).
    """
    folder = Path(params_dir)
    if not selection:
        return check_unique_units(list_units(folder))
    found: list[Path] = []
    for item in selection:
        candidate = Path(item)
        if not candidate.is_file():
            if unit_id_problem(item):
                raise ParamsError(unit_id_problem(item))
            candidate = folder / f"{item}.yaml"
        if not candidate.exists():  # a folder named x.yaml is loaded, and fails as that unit alone
            known = "、".join(p.stem for p in list_units(folder)) if folder.is_dir() else "（无）"
            raise ParamsError(f"找不到单位「{item}」的参数文件。可用的单位：{known}", path=str(candidate))
        resolved = candidate.resolve()
        if resolved in found:
            continue
        twin = next((f for f in found if f.stem == resolved.stem), None)
        if twin is not None:
            raise ParamsError(f"与「{twin}」同名：两个单位会写入同一个输出目录，请改名", path=str(resolved))
        found.append(resolved)
    return found


def plan_unit(params_path: Path, ctx: PlanContext) -> UnitPlan:
    """What to do with one params file: skip it (unchanged since its last good run), report it failed
    (unsafe id, bad params, report settings missing) or run it (its job and cache key)."""
    plan = UnitPlan(params_path.stem, params_path)
    try:
        paths = unit_output_paths(ctx.outputs_dir, plan.unit_id)
    except JixiaoError as exc:  # an unsafe unit id: nothing is written anywhere
        plan.outcome = UnitOutcome(plan.unit_id, "failed", error=f"参数文件「{params_path}」：{exc}")
        return plan
    remove_stale_temps(paths["dir"])
    try:
        plan.params = load_params(params_path, ctx.settings)
    except JixiaoError as exc:
        plan.outcome = UnitOutcome(plan.unit_id, "failed", error=str(exc))
        atomic_write_json(paths["cache"], {"status": "failed", "key": "", "error": str(exc)})
        return plan
    missing = missing_settings(plan.params.apparatus) if ctx.require_apparatus else []
    if missing:  # a report never shows a placeholder for 委托方, 评价机构, 文号 or 项目组
        error = "报告设置不全（" + "；".join(missing) + "）"
        plan.outcome = UnitOutcome(plan.unit_id, "failed", plan.params.display_name, error=error)
        atomic_write_json(paths["cache"], {"status": "failed", "key": "", "error": error})
        return plan
    plan.key = cache_key(plan.params, ctx)
    plan.job = make_job(
        plan.params,
        params_path,
        key=plan.key,
        notebook_path=paths["notebook"],
        root=ctx.root,
        project_dir=ctx.project_dir,
        template=ctx.template,
        template_sha=ctx.template_sha,
        package_sha=ctx.package_sha,
        versions=ctx.versions,
    )
    previous = read_json(paths["cache"])
    done = all(paths[k].is_file() for k in ("result", "client_html", "analyst_html", "notebook", "word", "workpapers"))
    if not ctx.force and done and previous.get("status") == "ok" and previous.get("key") == plan.key:
        result = read_json(paths["result"])
        totals = result.get("totals", {})
        plan.outcome = UnitOutcome(
            plan.unit_id,
            "skipped",
            plan.params.display_name,
            total=totals.get("review_total"),
            grade=totals.get("grade"),
            total_high=totals.get("review_total_high"),
            pending=int(totals.get("pending_count") or 0),
            outputs={k: paths[k] for k in ("notebook", "client_html", "result")},
        )
    return plan


def cache_key(params: UnitParams, ctx: PlanContext) -> str:
    """SHA-256 of everything a unit's outputs depend on: params, inputs, template, library, style, settings."""
    parts = {
        "params": sha256_file(params.path),
        "inputs": {k: sha256_file(p) for k, p in params.inputs.items()},
        "template": ctx.template_sha,
        "package": ctx.package_sha,
        "versions": ctx.versions,
        "style": repr(ctx.style),
        "settings": repr(ctx.settings),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
