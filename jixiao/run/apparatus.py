"""The report's apparatus: who commissioned it, who made it, on what basis and how.

``jixiao.toml`` sets it for the engagement (``[project] client/firm`` and the ``[report]``
section); a unit's params may override any key under ``report:``. The merged settings are
a plain dict (JSON-able, carried in ``result.params["report"]``) that the report sections,
the Word report and the working papers read. A report never shows a placeholder: a
required setting that is missing is named by :func:`missing_settings`, and ``jixiao run``
stops that unit with the message.

Keys of ``[report]`` (and of ``report:`` in params)::

    number          报告文号; "{unit_id}" is replaced by the unit's id
    team            项目组: [{name = "…", role = "…"}, …]
    basis           评价依据 added to the national defaults (DEFAULT_BASIS)
    documents       资料审阅 besides the unit's input files
    site_visits     现场核查
    interviews      访谈
    questionnaires  问卷调查
    limitations     局限性 added to those the data show
    word_template   the firm's Word template (.docx), relative to the project folder
    client, firm    (params only) override [project] client / firm
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from jixiao.core.vocab import DEFAULT_BASIS, TARGETS_BASIS

__all__ = [
    "REPORT_KEYS",
    "SOURCE_KINDS",
    "REQUIRED_SETTINGS",
    "check_report_settings",
    "merge_apparatus",
    "missing_settings",
    "check_evidence",
]

#: Work-process keys and their Chinese names (评价工作过程 / 数据来源).
SOURCE_KINDS = {"documents": "资料审阅", "site_visits": "现场核查", "interviews": "访谈", "questionnaires": "问卷调查"}
_LISTS = ("basis", *SOURCE_KINDS, "limitations")
#: Keys allowed under [report] (jixiao.toml) and report: (params).
REPORT_KEYS = ("number", "team", "word_template", *_LISTS)
_UNIT_KEYS = ("client", "firm", *REPORT_KEYS)
#: Required settings: key → (Chinese name, where to set it).
REQUIRED_SETTINGS = {
    "client": ("委托方", "jixiao.toml 的 [project] client，或单位参数的 report.client"),
    "firm": ("评价机构", "jixiao.toml 的 [project] firm，或单位参数的 report.firm"),
    "number": ("报告文号", "jixiao.toml 的 [report] number（可含 {unit_id}），或单位参数的 report.number"),
    "team": ("项目组成员", 'jixiao.toml 的 [report] team，如 team = [{ name = "张三", role = "项目负责人" }]'),
}

Fail = Callable[[str, str], NoReturn]


def check_report_settings(data: Any, fail: Fail, *, unit: bool = False) -> dict[str, Any]:
    """Validate a ``[report]`` table (or a params ``report:`` mapping when ``unit``); ``fail(key, message)`` raises."""
    if not isinstance(data, dict):
        fail("report", "应为「键 = 值」设置节")
    allowed = _UNIT_KEYS if unit else REPORT_KEYS
    out: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        if key not in allowed:
            fail(f"report.{key}", f"未知的报告设置「{key}」，可用：{'、'.join(allowed)}")
        if key in ("number", "word_template", "client", "firm"):
            if not isinstance(value, str) or not value.strip():
                fail(f"report.{key}", f"应为非空文字，这里是「{value}」")
            out[key] = value.strip()
        elif key == "team":
            out[key] = _team(value, fail)
        else:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                fail(f"report.{key}", '应为文字列表，如 ["……", "……"]')
            out[key] = [v.strip() for v in value]
    return out


def _team(value: Any, fail: Fail) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        fail("report.team", '应为成员列表，如 [{ name = "张三", role = "项目负责人" }]')
    members = []
    for i, member in enumerate(value, 1):
        if not isinstance(member, dict) or set(member) - {"name", "role"}:
            fail("report.team", f'第 {i} 位成员应写作 {{ name = "姓名", role = "职责" }}')
        name, role = member.get("name"), member.get("role", "")
        if not isinstance(name, str) or not name.strip() or not isinstance(role, str):
            fail("report.team", f"第 {i} 位成员缺少姓名（name）")
        members.append({"name": name.strip(), "role": role.strip()})
    return members


def merge_apparatus(
    client: str, firm: str, project: dict[str, Any], unit: dict[str, Any], unit_id: str, base: Path | None = None
) -> dict[str, Any]:
    """The unit's apparatus: the project's settings, overridden (scalars, team) or extended (lists) by the unit's.

    Lists of 评价依据, data sources and limitations are the project's followed by the unit's.
    ``basis`` is the national defaults followed by the local ones; 财预〔2021〕101号 is kept
    apart in ``targets_basis`` (the report adds it where targets are involved).
    """
    merged: dict[str, Any] = {"client": client, "firm": firm, "number": "", "team": [], "word_template": ""}
    for source in (project, unit):
        for key in ("client", "firm", "number", "word_template", "team"):
            if source.get(key):
                merged[key] = source[key]
    for key in _LISTS:
        merged[key] = list(dict.fromkeys([*project.get(key, []), *unit.get(key, [])]))
    merged["basis"] = list(dict.fromkeys([*DEFAULT_BASIS, *merged["basis"]]))
    merged["targets_basis"] = TARGETS_BASIS
    merged["number"] = merged["number"].replace("{unit_id}", unit_id)
    if unit.get("word_template") and base is not None:  # a unit's own template, relative to its params file
        merged["word_template"] = str((base / unit["word_template"]).resolve())
    return merged


def missing_settings(apparatus: dict[str, Any]) -> list[str]:
    """One Chinese line per required setting that is missing (empty when the report can be signed)."""
    lines = []
    for key, (name, where) in REQUIRED_SETTINGS.items():
        if not apparatus.get(key):
            lines.append(f"缺少{name}：请在 {where} 中填写")
    template = apparatus.get("word_template")
    if template and not Path(template).is_file():
        lines.append(f"找不到 Word 报告模板「{template}」：请检查 jixiao.toml 的 [report] word_template")
    return lines


def check_evidence(node: Any, fail: Fail, base: Path) -> dict[str, dict[str, str]]:
    """Validate a params ``evidence:`` mapping: indicator → a note, or {file, note} (file relative to ``base``)."""
    if not isinstance(node, dict):
        fail("evidence", "应为「指标名称或编号: {file: 文件, note: 说明}」映射")
    out = {}
    for indicator, spec in node.items():
        key = f"evidence.{indicator}"
        if isinstance(spec, str):
            spec = {"note": spec}
        if not isinstance(spec, dict) or set(spec) - {"file", "note"}:
            fail(key, "应写作 {file: 文件, note: 说明}，或只写一段说明")
        if any(v is not None and (not isinstance(v, str) or not v.strip()) for v in spec.values()):
            fail(key, "文件（file）和说明（note）应为非空文本")
        if not spec.get("file") and not spec.get("note"):
            fail(key, "佐证材料应写明文件（file）或说明（note）")
        item = {}
        if spec.get("file"):
            path = (base / spec["file"]).resolve()
            if not path.is_file():
                fail(f"{key}.file", f"佐证材料文件不存在：{path}（相对路径按参数文件所在目录解析）")
            item["file"] = os.path.relpath(path, base)
        if spec.get("note"):
            item["note"] = str(spec["note"]).strip()
        out[str(indicator)] = item
    return out
