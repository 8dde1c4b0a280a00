"""Typed values parsed from 指标值 / 完成值 text (the contract between parse and rules)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

__all__ = ["ParsedValue", "KINDS", "OPERATORS"]

#: Every kind a parsed value can have.
KINDS = (
    "number",  # a quantity: op + number + unit ("≥95%", "15条", "约150平方米" with approx=True)
    "range",  # an interval: low/high + unit ("90%-95%", "[80,90)")
    "compound",  # several quantities in one cell: parts ("100人次 车辆50次")
    "deadline",  # a date or deadline: date ("2023年9月", "9月底前", "年内")
    "periodic",  # a recurring deadline: period ("每月", "每月末", "每季度")
    "direction",  # a trend with or without magnitude: trend (+ number/unit) ("降低", "同比下降10%")
    "qualitative",  # a qualitative word: word ("规范", "合理", "建立健全", "完成")
    "time_artifact",  # an Excel time/date artefact such as "15:01:00"
    "empty",  # blank, "—", "/", "无"
    "unparsed",  # anything else; raw text is kept
)

#: Canonical comparison operators. "≈" marks approximations (约150, 150左右).
OPERATORS = (">=", "<=", "=", ">", "<", "≈")


@dataclass(frozen=True)
class ParsedValue:
    """One parsed 指标值 or 完成值.

    ``raw`` always keeps the original text. Numbers are floats in the unit given by
    ``unit`` (percent values stay in percent: "95%" -> number=95.0, unit="%").
    """

    raw: str
    kind: str
    op: str | None = None  # one of OPERATORS, or None when the text had none
    number: float | None = None
    unit: str | None = None  # canonical unit: "%", "‰", "人", "万元", "小时", ...
    low: float | None = None  # for kind == "range"
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    parts: tuple[ParsedValue, ...] = ()  # for kind == "compound"
    date: _dt.date | None = None  # for kind == "deadline": last day allowed
    period: str | None = None  # for kind == "periodic": "日", "周", "月", "季度", "半年", "年"
    periods_per_year: int | None = None
    trend: str | None = None  # for kind == "direction": "up", "down", "flat"
    basis: str | None = None  # for direction: "同比", "环比", "较上年", ...
    word: str | None = None  # for kind == "qualitative": the normalised word
    approx: bool = False  # 约 / 左右 / 大约
    op_implicit: bool = False  # True when no operator was written and op is a default
    notes: tuple[str, ...] = field(default=())  # short Chinese notes on what was guessed

    @property
    def is_numeric(self) -> bool:
        """True for a single quantity with a number."""
        return self.kind == "number" and self.number is not None
