"""Read input files into grids of cells; the only module here that touches disk.

A *grid* is a sheet as rows of cell values (str, float, datetime, time or None),
with merged cells filled down their first column as Excel shows them. Layout
recognition (``layouts.py``) works on grids, so ``.xlsx``, ``.csv`` and the
tab-separated text exports of published tables all go through the same code.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import zipfile
from pathlib import Path

from jixiao.core.errors import InputFileError, NoIndicatorTableError
from jixiao.core.model import Evaluation
from jixiao.read.grid import Grid
from jixiao.read.layouts import parse_grids

__all__ = ["read_grids", "load_evaluation", "file_sha256", "read_text_file"]

SUPPORTED = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_text_file(path: str | Path) -> str:
    """Decode a text file (UTF-8 with or without BOM, else GB18030); Chinese errors."""
    p = Path(path)
    data = _read_bytes(p)
    if b"\x00" in data[:4096]:
        raise InputFileError("文件不是文本文件（含二进制内容），无法读取。", path=str(p))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError("无法识别文件编码（支持 UTF-8 和 GBK/GB18030）。", path=str(p))


def _read_bytes(p: Path) -> bytes:
    if not p.exists():
        raise InputFileError("文件不存在。", path=str(p))
    if p.is_dir():
        raise InputFileError("这是一个文件夹，不是文件。", path=str(p))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"无法读取文件（{exc.strerror or exc}）。", path=str(p)) from None
    if not data.strip():
        raise InputFileError("文件为空。", path=str(p))
    return data


def read_grids(path: str | Path) -> list[Grid]:
    """Read every sheet of a file into grids.

    Raises:
        InputFileError: missing, empty, unreadable or unsupported file (Chinese message).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".xls":
        raise InputFileError("暂不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。", path=str(p))
    if suffix not in SUPPORTED:
        raise InputFileError(
            f"不支持的文件类型「{p.suffix or '无扩展名'}」，支持：{'、'.join(SUPPORTED)}。", path=str(p)
        )
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p)
    text = read_text_file(p)
    return [_text_grid(text, str(p), csv_mode=(suffix == ".csv"))]


def _text_grid(text: str, path: str, *, csv_mode: bool) -> Grid:
    lines = text.splitlines()
    if csv_mode:
        sample = "\n".join(lines[:50])
        delimiter = ","
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        except csv.Error:
            pass
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    else:
        rows = [line.split("\t") for line in lines]
    cells = [[c if c.strip() else None for c in row] for row in rows]
    return Grid(path=path, sheet=None, rows=cells, row_numbers=list(range(1, len(cells) + 1)))


def _read_xlsx(p: Path) -> list[Grid]:
    import openpyxl  # local import: only the Excel path needs it

    _read_bytes(p)  # existence / emptiness checks with Chinese messages
    try:
        wb = openpyxl.load_workbook(p, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise InputFileError(
            f"无法打开 Excel 文件（文件可能已损坏或不是 .xlsx 格式：{type(exc).__name__}）。", path=str(p)
        ) from None
    grids = []
    for ws in wb.worksheets:
        grids.append(_sheet_grid(ws, str(p)))
    wb.close()
    return grids


def _cell_value(cell) -> object:
    value = cell.value
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
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


def _sheet_grid(ws, path: str) -> Grid:
    max_row = ws.max_row or 0
    max_col = ws.max_column or 0
    rows: list[list[object]] = []
    for r in range(1, max_row + 1):
        rows.append([_cell_value(ws.cell(row=r, column=c)) for c in range(1, max_col + 1)])
    # Merged cells: the value sits in the top-left cell; Excel shows it over the whole
    # range. Fill it down the first column of the range (vertical merges carry the
    # 一级/二级指标 of every row); horizontal spans keep the value once.
    for rng in ws.merged_cells.ranges:
        top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(rows) else None
        if top is None:
            continue
        for r in range(rng.min_row + 1, rng.max_row + 1):
            if r - 1 < len(rows) and rows[r - 1][rng.min_col - 1] is None:
                rows[r - 1][rng.min_col - 1] = top
    return Grid(path=path, sheet=ws.title, rows=rows, row_numbers=list(range(1, len(rows) + 1)))


def load_evaluation(path: str | Path, *, sheet: str | None = None) -> Evaluation:
    """Read a unit's self-evaluation table, declaration or tidy template.

    Detects the layout (see ``layouts.parse_grids``) and returns an Evaluation whose
    ``notes`` table records everything the reader had to guess.

    Raises:
        InputFileError: the file cannot be read.
        NoIndicatorTableError: the file holds no recognisable indicator table.
    """
    p = Path(path)
    grids = read_grids(p)
    if sheet is not None:
        grids = [g for g in grids if g.sheet == sheet]
        if not grids:
            raise InputFileError(f"找不到工作表「{sheet}」。", path=str(p), sheet=sheet)
    if not any(any(c is not None for c in row) for g in grids for row in g.rows):
        raise InputFileError("文件中没有任何内容。", path=str(p))
    evaluation = parse_grids(grids)
    evaluation.source.path = str(p)
    evaluation.source.sha256 = file_sha256(p)
    return evaluation


__all__ += ["NoIndicatorTableError"]
