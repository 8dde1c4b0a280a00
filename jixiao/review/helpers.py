"""Small helpers shared by the review check families: numbers, cell text and finding builders."""

from __future__ import annotations

import math
import re

import pandas as pd

from jixiao.core.frames import records
from jixiao.core.textnorm import clean_cell
from jixiao.review.catalogue import make_finding

__all__ = [
    "CONFIRMATION_COLUMNS",
    "ReportOutcome",
    "fmt_money",
    "close",
    "EPS",
    "fmt2",
    "num",
    "over",
    "text",
    "where",
    "indicator_finding",
    "budget_finding",
    "records",
    "join_names",
    "has_column",
    "no_spaces",
    "placed_under",
]

#: Float noise below which two numbers are equal.
EPS = 1e-9

#: Columns of a confirmation (a check that passed), beside the findings.
CONFIRMATION_COLUMNS = ["code", "where", "item", "expected", "reported", "message"]


def fmt2(x: float) -> str:
    """A number for display: 2 decimals."""
    return f"{x:.2f}"


def num(value: object) -> float | None:
    """A float cell as float, or None for NaN/None/text."""
    if value is None or isinstance(value, str):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def over(diff: float, tol: float) -> bool:
    """True when |diff| is strictly above the tolerance (float noise ignored)."""
    return abs(diff) > tol + EPS


def text(value: object) -> str:
    """A cell's normalised text; "" for blanks and placeholders ("—", "/", "无")."""
    return clean_cell(value)


_SPACES = re.compile(r"\s+")


def no_spaces(value: object) -> str:
    """The cell's text without any whitespace (``None`` → "")."""
    return _SPACES.sub("", str(value or ""))


def placed_under(level1: str, level2: str) -> str:
    """Where an indicator is listed, for findings: 「一级—二级」, or one of them when they coincide or one is empty."""
    return f"「{level1}—{level2}」" if level2 and level2 != level1 else f"「{level1 or level2}」"


def where(row) -> str:
    """Where an indicator finding points: the indicator's name and its source row."""
    src = row.get("source_row")
    line = f"(第{int(src)}行)" if src is not None and not pd.isna(src) else ""
    return f"指标「{row['name']}」{line}"


def indicator_finding(code: str, row, message: str, *, expected: object = "", reported: object = "") -> dict:
    """A finding about one indicator row."""
    return make_finding(
        code,
        where(row),
        message,
        scope="indicator",
        indicator_id=str(row["indicator_id"]),
        expected=expected,
        reported=reported,
    )


def budget_finding(
    code: str, name: str, message: str, expected: object, reported: object, severity: str | None = None
) -> dict:
    """A finding about one line of the budget block."""
    return make_finding(
        code, f"预算「{name}」", message, scope="budget", expected=expected, reported=reported, severity=severity
    )


def join_names(rows: list[dict], limit: int = 60) -> str:
    """Indicator names joined with 、, cut after ``limit`` with a count."""
    names = [str(r["name"]) for r in rows]
    more = f" 等{len(names)}项" if len(names) > limit else ""
    return "、".join(names[:limit]) + more


class ReportOutcome:
    """Findings (problems) and confirmations (what was checked and agrees) of one report review."""

    def __init__(self) -> None:
        self.findings: list[dict] = []
        self.confirmed: list[dict] = []

    def find(self, code, where, message, *, scope, expected="", reported="", indicator_id="") -> None:
        self.findings.append(
            make_finding(
                code, where, message, scope=scope, indicator_id=indicator_id, expected=expected, reported=reported
            )
        )

    def ok(self, code, where, item, expected, reported, message) -> None:
        values = (code, where, item, str(expected), str(reported), message)
        self.confirmed.append(dict(zip(CONFIRMATION_COLUMNS, values)))


def has_column(evaluation, field: str) -> bool:
    """True unless the reader recorded the indicator header's fields and ``field`` is not among them.

    A table without a 得分 or 偏差原因 column (a report's 指标表, a 部门整体 table of Chongqing)
    did not ask for those cells: leaving them empty is not the unit's omission.
    """
    columns = (getattr(evaluation, "extras", None) or {}).get("indicator_columns")
    return columns is None or field in columns


def fmt_money(x: float) -> str:
    """A money amount for display: thousands separators, 2 decimals."""
    return f"{x:,.2f}"


def close(a: float, b: float, tol: float) -> bool:
    """True when a and b differ by at most ``tol`` (float noise ignored)."""
    return abs(a - b) <= tol + EPS
