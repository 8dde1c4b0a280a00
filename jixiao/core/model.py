"""The Evaluation model and the column names of every table, defined once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "Evaluation",
    "UnitInfo",
    "SourceInfo",
    "INDICATOR_COLUMNS",
    "BUDGET_COLUMNS",
    "NOTE_COLUMNS",
    "SCORED_COLUMNS",
    "TABLE_TYPES",
    "LEVEL1_COLUMNS",
    "TOTAL_KEYS",
    "empty_indicators",
    "empty_budget",
    "empty_notes",
]

#: Table types the readers recognise (values of ``UnitInfo.table_type``).
TABLE_TYPES = {
    "unit_self_eval": "部门（单位）整体支出绩效自评表",
    "declaration": "单位整体支出绩效目标申报表",
    "project_self_eval": "项目支出绩效自评表",
    "tidy": "标准模板（每行一个三级指标）",
    "report": "部门整体支出预算绩效自评报告",
}

# --- indicator table: one row per 三级指标 ---------------------------------------
# Raw texts are kept as given (str, "" when blank); numbers are float or NaN.
INDICATOR_COLUMNS = [
    "indicator_id",  # "I01", "I02", ... in table order
    "level1",  # 一级指标 as normalised (产出指标 ...); "" if unknown
    "level1_weight",  # 一级权重 declared on the table (float/NaN)
    "level2",  # 二级指标
    "name",  # 三级指标
    "weight",  # 分值 (float/NaN)
    "nature",  # "定量" / "定性" / ""
    "direction",  # 方向 column as given ("≥", "=", ...) or ""
    "target",  # 年度指标值 raw text
    "unit",  # 计量单位 column raw text ("" when the table has none)
    "actual",  # 全年完成值 raw text
    "deviation_note",  # 偏差及原因分析 raw text
    "self_score",  # 自评分 (float/NaN)
    "rule_text",  # 评(扣)分标准 raw text
    "definition",  # 指标解释 raw text
    "source_row",  # 1-based row number in the source file/sheet
]

# --- budget lines ------------------------------------------------------------------
BUDGET_COLUMNS = [
    "name",  # "财政拨款", "其他资金", "基本支出", "项目支出", "合计"
    "group",  # "资金来源" / "资金结构" / "合计"
    "initial_budget",  # 年初预算数 (float/NaN)
    "budget",  # 全年预算数 (float/NaN)
    "spent",  # 全年执行数 (float/NaN)
    "reported_rate",  # 执行率 as printed, in percent (float/NaN)
    "rate",  # recomputed spent / budget * 100, percent, 2 decimals (float/NaN)
    "weight",  # 分值 of the execution-rate line when the table scores it
    "reported_score",  # 得分 of that line
    "money_unit",  # "元" or "万元"
    "source_row",
]

# --- reader notes: what the reader had to guess ---------------------------------------
NOTE_COLUMNS = ["code", "row", "column", "value", "message"]

# --- scored indicator table (scoring adds these to INDICATOR_COLUMNS) ------------------
SCORED_COLUMNS = [
    "target_value",  # the parsed 指标值 (ParsedValue): parsed once here, reused by the review
    "actual_value",  # the parsed 完成值 (ParsedValue)
    "target_kind",
    "target_op",
    "target_number",
    "target_unit",
    "actual_kind",
    "actual_op",
    "actual_number",
    "actual_unit",
    "rule",  # rule id from the registry
    "rule_label",  # Chinese label of the rule
    "rule_source",  # "评分标准" / "方向与值" / "参数覆盖"
    "met",  # True / False / None (undecidable)
    "rule_score_raw",  # before floor/cap/round (float/NaN)
    "rule_score",  # floored at 0, capped at weight, rounded to 2 decimals (float/NaN)
    "explanation",  # one Chinese line
    "review_score",  # rule score unless overridden in params; NaN while 待核实 (core.status)
    "review_note",  # the evaluator's reason when overridden
    "status",  # 确定 / 待核实 / 评价人判定 ("" for an indicator without 分值)
    "status_reason",  # reason code of a 待核实 (core.status.PENDING_REASONS), else ""
    "review_low",  # low end of the review score (= review_score unless 待核实)
    "review_high",  # high end of the review score (= review_score unless 待核实)
]


def empty_indicators() -> pd.DataFrame:
    """An indicator table with no rows and the canonical columns."""
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in INDICATOR_COLUMNS})


def empty_budget() -> pd.DataFrame:
    """A budget table with no rows and the canonical columns."""
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in BUDGET_COLUMNS})


def empty_notes() -> pd.DataFrame:
    """A reader-notes table with no rows."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in NOTE_COLUMNS})


_FLOAT_COLUMNS = {
    "level1_weight",
    "weight",
    "self_score",
    "initial_budget",
    "budget",
    "spent",
    "reported_rate",
    "rate",
    "reported_score",
}


def _dtype(column: str) -> str:
    if column in _FLOAT_COLUMNS:
        return "float64"
    if column == "source_row":
        return "Int64"
    return "object"


@dataclass
class UnitInfo:
    """Who the table is about."""

    name: str = ""  # 单位名称 / 街镇名称
    department: str = ""  # 主管部门 / 所属部门
    year: int | None = None
    period: str = ""  # 申报时段 text as printed
    table_type: str = ""  # a key of TABLE_TYPES
    extra: dict[str, Any] = field(default_factory=dict)  # 下属单位个数, 年末在职人数 ...


@dataclass
class SourceInfo:
    """Where the Evaluation came from."""

    path: str = ""
    sheet: str | None = None
    sha256: str = ""
    layout: str = ""  # which reader layout matched


@dataclass
class Evaluation:
    """A unit's tables after reading and normalising, before scoring."""

    unit: UnitInfo
    indicators: pd.DataFrame  # INDICATOR_COLUMNS
    budget: pd.DataFrame  # BUDGET_COLUMNS
    texts: dict[str, str] = field(default_factory=dict)
    reported_total: float | None = None  # 总分 as printed
    declared_weight_total: float | None = None  # 分值 total as printed (usually 100)
    notes: pd.DataFrame = field(default_factory=empty_notes)  # NOTE_COLUMNS
    source: SourceInfo = field(default_factory=SourceInfo)
    extras: dict[str, Any] = field(default_factory=dict)  # layout-specific (e.g. 投入管理 citations)

    @property
    def level1_declared(self) -> pd.DataFrame:
        """Declared 一级权重 per level 1, in table order (name, declared_weight)."""
        ind = self.indicators
        if ind.empty:
            return pd.DataFrame({"name": [], "declared_weight": []})
        first = ind.drop_duplicates("level1")[["level1", "level1_weight"]]
        return first.rename(columns={"level1": "name", "level1_weight": "declared_weight"}).reset_index(drop=True)


# --- aggregates (aggregate.py produces them; charts/narrative/report read them) -------
#: One row per level 1, in table order.
LEVEL1_COLUMNS = [
    "name",  # 一级指标
    "declared_weight",  # 一级权重 as printed (NaN if none)
    "weight_sum",  # Σ 分值 of its indicators as read
    "scheme_weight",  # weight under the active weight scheme
    "self_score_sum",  # Σ 自评分
    "rule_score_sum",  # Σ rule scores
    "review_score_sum",  # Σ review scores (待核实 indicators at their low end)
    "self_rate",  # self_score_sum / weight_sum * 100 (percent, 2 decimals)
    "review_rate",  # review_score_sum / weight_sum * 100
    "review_low_sum",  # Σ low ends (= review_score_sum)
    "review_high_sum",  # Σ high ends (> review_low_sum while anything is 待核实)
    "review_rate_low",  # rates of the two ends
    "review_rate_high",
    "pending_count",  # 待核实 indicators in this level 1
]

#: Keys of the totals dict.
TOTAL_KEYS = [
    "weight_sum",  # Σ 分值
    "self_score_sum",  # Σ 自评分 as given
    "self_score_capped_sum",  # Σ min(自评分, 分值)
    "reported_total",  # 总分 as printed (None if absent)
    "rule_total",  # Σ rule scores (+ budget score when the table scores it)
    "review_total",  # Σ review scores (待核实 indicators at their low end: = review_total_low)
    "review_total_low",  # Σ low ends
    "review_total_high",  # Σ high ends
    "pending_count",  # 待核实 indicators (with a 分值)
    "grade",  # grade of the range when it sits in one band: 优/良/中/差; else 待定
    "self_grade",  # grade of reported_total (or self_score_sum)
]
