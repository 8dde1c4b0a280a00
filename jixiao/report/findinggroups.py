"""Findings grouped by check code for the report (most severe first), with their catalogue words."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.vocab import SEVERITIES

__all__ = ["NAME_IN_WHERE", "finding_groups"]

#: The name in 「」 of a finding's location (指标「…」, 报告绩效实现「…」).
NAME_IN_WHERE = re.compile(r"「(.+?)」")


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def finding_groups(findings: pd.DataFrame, codes: pd.DataFrame | None) -> list[dict]:
    """Findings grouped by code, most severe first, then by code.

    Each group: code, severity, title, meaning, fix, group (catalogue fields; from the
    findings themselves when ``codes`` is None), count, messages, wheres, names (the names
    in 「」 of each location, deduplicated), indicator_ids.
    """
    if findings is None or findings.empty:
        return []
    info: dict[Any, dict] = {}
    for entry in records(codes) if codes is not None and not codes.empty else []:
        info.setdefault(entry["code"], entry)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    parts: dict[Any, list[dict]] = {}  # code -> its findings, codes in order of appearance
    for row in records(findings):
        if not _missing(row["code"]):  # as groupby: no group for a missing code
            parts.setdefault(row["code"], []).append(row)
    groups = []
    for code, part in parts.items():
        entry = info.get(code)
        severity = min((r["severity"] for r in part), key=lambda s: rank.get(s, 9))
        wheres = [str(r["where"]) for r in part]
        names = [m.group(1) for m in map(NAME_IN_WHERE.search, wheres) if m]
        groups.append(
            {
                "code": str(code),
                "severity": severity,
                "title": str(entry["title"]) if entry is not None else str(code),
                "meaning": str(entry["meaning"]) if entry is not None else "",
                "fix": str(entry["fix"]) if entry is not None else "",
                "group": str(entry["group"]) if entry is not None else "",
                "count": len(part),
                "messages": [str(r["message"]) for r in part],
                "wheres": wheres,
                "names": list(dict.fromkeys(names)),
                "indicator_ids": [str(r["indicator_id"]) for r in part],
            }
        )
    return sorted(groups, key=lambda g: (rank.get(g["severity"], 9), g["code"]))
