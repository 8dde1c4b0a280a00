"""``jixiao template``: the tidy workbook a firm sends to units (self-evaluation, or with --declaration the target form).

Sheets: 填写说明 (Chinese instructions), 单位信息, 指标 (one row per 三级指标, drop-downs for
一级/二级指标, 指标性质, 方向 and 计量单位 hints), 预算执行 (the budget block). Header rows are
protected (the sheet is protected, data cells are unlocked; no password: it guards against
slips, not people). What a unit fills in reads back with jixiao's reader as it was typed.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from jixiao.core.vocab import DIRECTIONS, LEVEL1_NAMES, LEVEL2_NAMES, NATURES, UNIT_HINTS

__all__ = ["SELF_COLUMNS", "DECLARATION_COLUMNS", "BUDGET_LINES", "template_workbook"]

#: (header, width, note) of the indicator sheet of a self-evaluation template; headers the reader knows.
SELF_COLUMNS = [
    ("一级指标", 14, "从下拉列表选择"),
    ("一级权重", 9, "一级指标的权重（分），同一一级指标各行相同"),
    ("二级指标", 16, "从下拉列表选择；地方指标体系的名称也可直接填写"),
    ("三级指标", 24, "指标名称，不要把指标值写进名称"),
    ("分值", 7, "数字（分）"),
    ("指标性质", 9, "定量 / 定性"),
    ("方向", 7, "≥ / ≤ / ="),
    ("年度指标值", 14, "如 95、2024年10月、建立健全；百分数写数字并在计量单位选 %"),
    ("计量单位", 10, "如 %、人次、万元；可从列表选择或自行填写"),
    ("全年完成值", 14, "实际完成的数值，不要照抄指标值"),
    ("偏差及原因分析", 28, "未完成或超额完成时必填"),
    ("自评分", 8, "数字，不超过分值"),
    ("评(扣)分标准", 28, "如：达到指标值得满分，否则按比例得分"),
    ("指标解释", 24, "可选"),
]
_DECLARATION_DROPPED = ("全年完成值", "偏差及原因分析", "自评分")
DECLARATION_COLUMNS = [c for c in SELF_COLUMNS if c[0] not in _DECLARATION_DROPPED]
#: Budget lines of the 预算执行 block.
BUDGET_LINES = ("财政拨款", "其他资金", "基本支出", "项目支出", "合计")
_ROWS = 200  # rows with drop-downs and unlocked cells

_INSTRUCTIONS = [
    ("填写说明", ""),
    ("用途", "{purpose}"),
    ("工作表「单位信息」", "填写单位名称、主管部门和年度{total}。"),
    ("工作表「指标」", "每行一个三级指标。第一行是表头，请勿修改或移动；表头已锁定。"),
    ("一级指标、二级指标", "从下拉列表选择。二级指标可填写本地指标体系的名称（会提示，但允许）。"),
    ("指标性质、方向", "指标性质选「定量」或「定性」；方向选 ≥（越大越好）、≤（越小越好）或 =（等于）。"),
    ("指标值与完成值", "定量指标只填数字，计量单位写在「计量单位」列（如 95 和 %）；不要照抄指标值作为完成值。"),
    ("计量单位", "可从列表选择，列表中没有的单位可直接填写。"),
    ("分值与自评分", "{scores}"),
    ("工作表「预算执行」", "{budget}"),
    ("金额单位", "金额以元为单位；以万元填写时请在「金额单位」一格改为万元。"),
    ("提交", "填写完毕后保存为 .xlsx 文件，不要改变工作表名称。"),
]


def template_workbook(declaration: bool = False) -> bytes:
    """The unit template (bytes): self-evaluation by default, the target declaration with ``declaration``."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    head = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "locked": True})
    free = book.add_format({"locked": False, "text_wrap": True, "valign": "top"})
    number = book.add_format({"locked": False, "num_format": "0.00"})
    money = book.add_format({"locked": False, "num_format": "#,##0.00"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 14})
    kind = "绩效目标申报表" if declaration else "绩效自评表"
    _instructions(book.add_worksheet("填写说明"), declaration, kind, title, wrap, head)
    _unit_sheet(book.add_worksheet("单位信息"), declaration, head, free)
    _indicator_sheet(book, declaration, head, free, number)
    _budget_sheet(book.add_worksheet("预算执行"), declaration, head, free, money)
    book.close()
    return buffer.getvalue()


def _instructions(ws: Any, declaration: bool, kind: str, title: Any, wrap: Any, head: Any) -> None:
    values = {
        "purpose": f"本模板用于单位填报{kind}，由评价机构读取、逐项复核计分。",
        "total": "" if declaration else "，以及自评总分",
        "scores": "申报表可不填分值；填写时分值为数字。"
        if declaration
        else "分值和自评分只填数字；自评分不超过分值，各三级指标分值之和等于一级权重。",
        "budget": "填写全年预算数（申报数）。"
        if declaration
        else "填写年初预算数、全年预算数和全年执行数；执行率可不填，复核时重算。",
    }
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, f"预算{kind}填报模板", title)
    for i, (label, text) in enumerate(_INSTRUCTIONS[1:], 2):
        ws.write_string(i, 0, label, head)
        ws.write_string(i, 1, text.format(**values), wrap)
    ws.protect("", {"select_locked_cells": True})


def _unit_sheet(ws: Any, declaration: bool, head: Any, free: Any) -> None:
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 40, free)
    labels = ["单位名称", "主管部门", "年度"] + ([] if declaration else ["总分"])
    for i, label in enumerate(labels):
        ws.write_string(i, 0, label, head)
        ws.write_blank(i, 1, None, free)
    ws.data_validation(2, 1, 2, 1, {"validate": "any", "input_title": "年度", "input_message": "如 2024年"})
    ws.protect("", {"select_locked_cells": True})


def _indicator_sheet(book: Any, declaration: bool, head: Any, free: Any, number: Any) -> None:
    ws = book.add_worksheet("指标")
    columns = DECLARATION_COLUMNS if declaration else SELF_COLUMNS
    for j, (name, width, note) in enumerate(columns):
        fmt = number if name in ("一级权重", "分值", "自评分") else free
        ws.set_column(j, j, width, fmt)
        ws.write_string(0, j, name, head)
        ws.write_comment(0, j, note, {"x_scale": 1.6})
        for i in range(1, _ROWS + 1):  # unlocked cells (a column format alone is not seen by every reader)
            ws.write_blank(i, j, None, fmt)
    where = {name: j for j, (name, _, _) in enumerate(columns)}
    lists = {
        "一级指标": (LEVEL1_NAMES, "stop"),
        "二级指标": (LEVEL2_NAMES, "warning"),
        "指标性质": (NATURES, "stop"),
        "方向": (DIRECTIONS, "stop"),
        "计量单位": (UNIT_HINTS, "information"),
    }
    for name, (choices, error_type) in lists.items():
        j = where[name]
        ws.data_validation(
            1,
            j,
            _ROWS,
            j,
            {
                "validate": "list",
                "source": list(choices),
                "error_type": error_type,
                "error_title": name,
                "error_message": f"{name}请从列表中选择：{'、'.join(choices[:8])}{'……' if len(choices) > 8 else ''}",
                "input_title": name,
                "input_message": columns[j][2],
            },
        )
    for name in ("一级权重", "分值") + (() if declaration else ("自评分",)):
        ws.data_validation(
            1,
            where[name],
            _ROWS,
            where[name],
            {"validate": "decimal", "criteria": ">=", "value": 0, "error_message": f"{name}应为不小于 0 的数字"},
        )
    ws.freeze_panes(1, 0)
    ws.protect("", {"select_locked_cells": True, "insert_rows": True, "delete_rows": True, "sort": True})


def _budget_sheet(ws: Any, declaration: bool, head: Any, free: Any, money: Any) -> None:
    headers = ["项目", "全年预算数"] if declaration else ["项目", "年初预算数", "全年预算数", "全年执行数", "执行率"]
    for j, name in enumerate(headers):
        ws.write_string(0, j, name, head)
        ws.set_column(j, j, 16 if j else 12, money if j else free)
    for i, line in enumerate(BUDGET_LINES, 1):
        ws.write_string(i, 0, line, head)
        for j in range(1, len(headers)):
            ws.write_blank(i, j, None, money)
    ws.write_string(len(BUDGET_LINES) + 2, 0, "金额单位", head)
    ws.write_string(len(BUDGET_LINES) + 2, 1, "元", free)
    ws.protect("", {"select_locked_cells": True})
