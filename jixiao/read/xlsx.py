"""Read the sheets of an ``.xlsx`` workbook into grids, streaming and within limits.

The workbook is opened read-only (openpyxl streams the sheet XML) and only the cells
that exist are looked at, so a stray cell at ``XFD1048576`` or a sheet whose stated
dimensions are absurd costs nothing; the limits of ``limits.py`` bound rows, columns,
cell text and the unpacked size of the archive. A second streaming pass over each
sheet's XML collects merged ranges and formulas that have no saved result. Every
failure of the archive or XML ends in one ``InputFileError`` naming the file and sheet.
"""

from __future__ import annotations

import datetime as _dt
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import iterparse

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from jixiao.core.errors import InputFileError
from jixiao.read.grid import Grid
from jixiao.read.limits import CELL_CHARS, COLUMNS, ROWS, XLSX_PART_BYTES, check_input_file

__all__ = ["read_xlsx"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CORRUPT = "无法打开 Excel 文件：文件已损坏或不是 .xlsx 格式（请在 Excel 中打开并另存为 .xlsx 后再导入）。"
_MAX_FORMULA_NOTES = 50


def read_xlsx(p: Path) -> list[Grid]:
    """Every worksheet of an ``.xlsx``/``.xlsm`` file as a grid (hidden sheets flagged, not dropped)."""
    check_input_file(p)
    try:
        with zipfile.ZipFile(p) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputFileError(_CORRUPT, path=str(p)) from None
    if unpacked > XLSX_PART_BYTES.value:
        raise InputFileError(XLSX_PART_BYTES.exceeded(f"解压后大小 {unpacked:,} 字节"), path=str(p))
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure of a corrupt archive is one Chinese message
        raise InputFileError(_CORRUPT, path=str(p)) from None
    try:
        grids = []
        with zipfile.ZipFile(p) as zf:
            for ws in wb.worksheets:
                try:
                    grids.append(_sheet_grid(ws, zf, str(p)))
                except InputFileError:
                    raise
                except Exception:  # noqa: BLE001 - malformed XML, bad shared-string index, …
                    raise InputFileError(
                        "工作表内容已损坏，无法读取（请在 Excel 中打开并另存为 .xlsx 后再导入）。",
                        path=str(p),
                        sheet=ws.title,
                    ) from None
        return grids
    finally:
        wb.close()


def _cell_value(cell, path: str, sheet: str, max_chars: int) -> object:
    value = cell.value
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > max_chars:
            raise InputFileError(
                CELL_CHARS.exceeded(f"单元格有 {len(value):,} 个字符"),
                path=path,
                sheet=sheet,
                row=cell.row,
                column=get_column_letter(cell.column),
            )
        return value if value.strip() else None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise InputFileError(
                "单元格中的数超出范围（不是有限的数），请更正。",
                path=path,
                sheet=sheet,
                row=cell.row,
                column=get_column_letter(cell.column),
            )
        fmt = cell.number_format or ""
        if "%" in fmt:
            decimals = 0
            if "." in fmt:
                decimals = len(fmt.split(".", 1)[1].split("%", 1)[0])
            pct = round(value * 100, max(decimals, 2))
            text = f"{pct:.{max(decimals, 0)}f}" if decimals else _fmt_number(pct)
            return f"{text}%"
        return value
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value
    return str(value)


def _fmt_number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _sheet_grid(ws, zf: zipfile.ZipFile, path: str) -> Grid:
    sheet = ws.title
    extras = _sheet_extras(zf, getattr(ws, "_worksheet_path", ""), path, sheet)
    rows: list[list[object]] = []
    if extras.last_row and extras.last_col:
        ws.reset_dimensions()  # the stated dimensions may be absurd; the cells with content set the extent
        max_chars = CELL_CHARS.value  # read once per sheet, not per cell
        for row in ws.iter_rows(max_row=extras.last_row, max_col=extras.last_col):
            rows.append([None if cell.value is None else _cell_value(cell, path, sheet, max_chars) for cell in row])
    width = extras.last_col
    for row in rows:
        row.extend([None] * (width - len(row)))
    _fill_merges(rows, extras.merges)
    notes = []
    for ref_row, ref_col in extras.formulas:
        if ref_row <= len(rows) and ref_col <= width and rows[ref_row - 1][ref_col - 1] is not None:
            continue
        notes.append(
            {
                "code": "formula_no_value",
                "row": ref_row,
                "column": get_column_letter(ref_col),
                "value": "",
                "message": f"工作表「{sheet}」{get_column_letter(ref_col)}{ref_row} 单元格是公式，但文件中没有保存"
                "计算结果，按空白读取；请在 Excel 中打开并保存后再导出。",
            }
        )
    return Grid(
        path=path,
        sheet=sheet,
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        hidden=getattr(ws, "sheet_state", "visible") != "visible",
        notes=notes,
    )


def _fill_merges(rows: list[list[object]], merges: list[tuple[int, int, int, int]]) -> None:
    """Merged cells: the value sits in the top-left cell; Excel shows it over the whole range.

    Fill it down the first column of the range (vertical merges carry the 一级/二级指标 of
    every row); horizontal spans keep the value once.
    """
    for min_col, min_row, _max_col, max_row in merges:
        if min_row - 1 >= len(rows) or min_col - 1 >= len(rows[min_row - 1]):
            continue
        top = rows[min_row - 1][min_col - 1]
        if top is None:
            continue
        for r in range(min_row + 1, min(max_row, len(rows)) + 1):
            if rows[r - 1][min_col - 1] is None:
                rows[r - 1][min_col - 1] = top


@dataclass
class _Extras:
    last_row: int = 0  # extent of the cells with content (1-based; 0 = none)
    last_col: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_col, min_row, max_col, max_row)
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, col) of formulas without a saved value


def _sheet_extras(zf: zipfile.ZipFile, member: str, path: str, sheet: str) -> _Extras:
    """One streaming pass over a sheet's XML: content extent (within limits), merges, unsaved formulas."""
    out = _Extras()
    if not member:
        return out
    row, col = 0, 0  # cells and rows may omit their "r" reference: count them as Excel does
    limits = (ROWS.value, COLUMNS.value)  # read once per sheet, not per cell
    with zf.open(member.lstrip("/")) as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == f"{_NS}row":
                    r = el.get("r", "")
                    row, col = (int(r) if r.isdigit() else row + 1), 0
                continue
            if tag == f"{_NS}c":
                ref = el.get("r", "")
                col = range_boundaries(ref)[0] if ref else col + 1
                _note_cell(el, row, col, out, path, sheet, limits)
                el.clear()
            elif tag == f"{_NS}row":
                el.clear()
            elif tag == f"{_NS}mergeCell":
                bounds = range_boundaries(el.get("ref", ""))
                if None not in bounds:
                    out.merges.append(bounds)
    return out


def _note_cell(el, row: int, col: int, out: _Extras, path: str, sheet: str, limits: tuple[int, int]) -> None:
    has_value = bool((el.findtext(f"{_NS}v") or "").strip()) or el.find(f"{_NS}is") is not None
    if not has_value:
        if el.find(f"{_NS}f") is not None and len(out.formulas) < _MAX_FORMULA_NOTES:
            out.formulas.append((row, col))
        return
    max_rows, max_cols = limits
    if row > max_rows:
        raise InputFileError(ROWS.exceeded(f"第 {row:,} 行仍有内容"), path=path, sheet=sheet, row=row)
    if col > max_cols:
        raise InputFileError(
            COLUMNS.exceeded(f"第 {col:,} 列仍有内容"), path=path, sheet=sheet, row=row, column=get_column_letter(col)
        )
    out.last_row = max(out.last_row, row)
    out.last_col = max(out.last_col, col)
