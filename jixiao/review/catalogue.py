"""The findings table (复核发现) and the catalogue of check codes.

Every check code is listed in ``jixiao/resources/catalogue/findings.toml`` (severity, title,
meaning, fix, group), loaded when this module is imported, so the catalogue is complete in a
fresh interpreter; it is the one place the report cites.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files

import pandas as pd

from jixiao.core.vocab import SEVERITIES

__all__ = [
    "SEVERITIES",
    "FINDING_COLUMNS",
    "CheckCode",
    "get_code",
    "catalogue",
    "make_finding",
    "findings_frame",
    "reader_note_codes",
]


#: Columns of every findings table.
FINDING_COLUMNS = [
    "code",  # stable code, e.g. "T03"
    "severity",  # 错误 / 警告 / 提示
    "where",  # Chinese location: "指标「招募辅警人数」(第34行)", "预算「基本支出」", "报告「一、部门概况」"
    "scope",  # "indicator" / "budget" / "section" / "unit"
    "indicator_id",  # indicator_id when scope == indicator, else ""
    "message",  # Chinese message
    "expected",  # expected value as text ("" if none)
    "reported",  # reported value as text ("" if none)
    "reader_note",  # True for a reader note (读取说明: how the table was read), not a finding on the unit
]


#: Every check code: code, severity, title, meaning, fix, group (DOMAIN §4.2). Complete at import.


@dataclass(frozen=True)
class CheckCode:
    """One entry of the catalogue."""

    code: str
    severity: str
    title: str  # short Chinese title
    meaning: str  # what it means (Chinese)
    fix: str  # how to fix it (Chinese); narrative suggestions reuse it
    group: str = ""  # DOMAIN §4.2 group: A/B/C/D/E
    reader_note: bool = False  # a note on how the table was read (analyst outputs only), not a finding


#: The catalogue file shipped with the package.
CATALOGUE_FILE = files("jixiao.resources") / "catalogue" / "findings.toml"


def _load() -> dict[str, CheckCode]:
    """Every code of the catalogue file, in file order (TOML refuses a code listed twice)."""
    data = tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    out: dict[str, CheckCode] = {}
    for code, fields in data.items():
        entry = CheckCode(code=code, **fields)
        if entry.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {entry.severity!r} for {entry.code}")
        out[code] = entry
    return out


_CATALOGUE: dict[str, CheckCode] = _load()


def get_code(code: str) -> CheckCode:
    """The catalogue entry of ``code``."""
    return _CATALOGUE[code]


def catalogue() -> pd.DataFrame:
    """All registered codes as a table, sorted by code (a fresh copy of the table built at import)."""
    return _CATALOGUE_FRAME.copy()


def _catalogue_frame() -> pd.DataFrame:
    rows = [vars(c) for c in sorted(_CATALOGUE.values(), key=lambda c: c.code)]
    return pd.DataFrame(rows, columns=["code", "severity", "title", "meaning", "fix", "group", "reader_note"])


_CATALOGUE_FRAME = _catalogue_frame()


def reader_note_codes() -> frozenset[str]:
    """Codes whose findings are reader notes (读取说明), kept out of the client report."""
    return frozenset(c.code for c in _CATALOGUE.values() if c.reader_note)


def make_finding(
    code: str,
    where: str,
    message: str,
    *,
    scope: str = "unit",
    indicator_id: str = "",
    expected: object = "",
    reported: object = "",
    severity: str | None = None,
) -> dict:
    """Build one finding row; severity defaults to the code's catalogue severity."""
    entry = _CATALOGUE.get(code)
    if entry is None:
        raise KeyError(f"unregistered check code {code}")
    return {
        "code": code,
        "severity": severity or entry.severity,
        "where": where,
        "scope": scope,
        "indicator_id": indicator_id,
        "message": message,
        "expected": _text(expected),
        "reported": _text(reported),
        "reader_note": entry.reader_note,
    }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def findings_frame(rows: list[dict]) -> pd.DataFrame:
    """A findings table from rows, sorted by severity then code, with a clean index."""
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    if frame.empty:
        return frame.astype("object")
    notes = reader_note_codes()
    frame["reader_note"] = frame["code"].map(lambda c: c in notes)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    frame = frame.assign(_s=frame["severity"].map(order)).sort_values(["_s", "code"], kind="stable")
    return frame.drop(columns="_s").reset_index(drop=True)
