"""What ``jixiao list`` shows: each unit of a project, its inputs, its last run and status."""

from __future__ import annotations

import json

from jixiao.core.errors import JixiaoError
from jixiao.core.vocab import INPUT_KINDS
from jixiao.run.params import list_units, load_params
from jixiao.run.project import Project

__all__ = ["unit_statuses"]

_STATUS = {"ok": "成功", "failed": "失败"}


def unit_statuses(project: Project) -> list[dict[str, str]]:
    """One row per params file of the project: unit, name, year, inputs, last_run, status (Chinese)."""
    rows = []
    folder = project.params_dir
    for path in list_units(folder) if folder.is_dir() else []:
        row = {"unit": path.stem, "name": "", "year": "", "inputs": "", "last_run": "—", "status": "未运行"}
        try:
            params = load_params(path, project.settings)
        except JixiaoError as err:
            row.update(status=f"参数错误：{getattr(err, 'reason', err)}")
            rows.append(row)
            continue
        row.update(
            name=params.display_name,
            year=str(params.year),
            inputs="、".join(f"{INPUT_KINDS[k]} {p.name}" for k, p in params.inputs.items()),
        )
        record = _read(project.outputs_dir / params.unit_id / ".cache.json")
        if record:
            row["status"] = _STATUS.get(str(record.get("status")), str(record.get("status")))
            row["last_run"] = str(record.get("finished_at", "—"))[:19].replace("T", " ")
        rows.append(row)
    return rows


def _read(path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
