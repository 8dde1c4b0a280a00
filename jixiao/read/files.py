"""Read input files into grids of cells; the only module here that touches disk.

A *grid* is a sheet as rows of cell values (str, float, datetime, time or None),
with merged cells filled down their first column as Excel shows them. Layout
recognition (``layouts.py``) works on grids, so ``.xlsx``, ``.csv`` and the
tab-separated text exports of published tables all go through the same code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from jixiao.core.errors import InputFileError, NoIndicatorTableError
from jixiao.core.model import NOTE_COLUMNS, Evaluation
from jixiao.read.grid import Grid
from jixiao.read.layouts import parse_grids
from jixiao.read.limits import CELL_CHARS, COLUMNS, ROWS, read_input_bytes
from jixiao.read.sanity import sane_numbers
from jixiao.read.xlsx import read_xlsx

__all__ = ["read_grids", "load_evaluation", "file_sha256", "read_text_file"]

SUPPORTED = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (refuses pipes and devices, which would never end)."""
    if not Path(path).is_file():
        raise InputFileError("这不是普通文件，无法读取。", path=str(path))
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_text_file(path: str | Path) -> str:
    """Decode a text file (UTF-8 with or without BOM, UTF-16 with BOM or by shape, else GB18030); Chinese errors."""
    p = Path(path)
    data = read_input_bytes(p)
    utf16 = _utf16_codec(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            raise InputFileError(
                "文件看似 UTF-16 编码（Excel「Unicode 文本」），但内容无法解码。", path=str(p)
            ) from None
    if b"\x00" in data[:4096]:
        raise InputFileError("文件不是文本文件（含二进制内容），无法读取。", path=str(p))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError("无法识别文件编码（支持 UTF-8、UTF-16 和 GBK/GB18030）。", path=str(p))


def _utf16_codec(data: bytes) -> str:
    """``utf-16`` for a byte-order mark; for NUL bytes without one, the byte order whose decoding has no NUL."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if b"\x00" not in head or len(data) % 2:
        return ""
    odd, even = head[1::2].count(0), head[0::2].count(0)
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = head.decode(codec)
    except UnicodeDecodeError:
        return ""
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text)
    return codec if "\x00" not in text and printable >= 0.95 * len(text) else ""


def read_grids(path: str | Path) -> list[Grid]:
    """Read every sheet of a file into grids.

    Raises:
        InputFileError: missing, empty, unreadable, oversized or unsupported file (Chinese message).
    """
    p = Path(path)
    if p.is_dir():
        raise InputFileError("这是一个文件夹，不是文件；请给出文件夹中的表格文件。", path=str(p))
    suffix = p.suffix.lower()
    if suffix == ".xls":
        raise InputFileError("暂不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。", path=str(p))
    if suffix not in SUPPORTED:
        raise InputFileError(
            f"不支持的文件类型「{p.suffix or '无扩展名'}」，支持：{'、'.join(SUPPORTED)}。", path=str(p)
        )
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(p)
    text = read_text_file(p)
    return [_text_grid(text, str(p), csv_mode=(suffix == ".csv"))]


def _lines(text: str) -> Iterator[str]:
    """``text.splitlines()`` one line at a time (a 50 MB file of short lines never becomes one huge list)."""
    for raw in io.StringIO(text, newline=None):
        yield from raw.splitlines() or [""]


def _text_grid(text: str, path: str, *, csv_mode: bool) -> Grid:
    if csv_mode:
        sample = "\n".join(text[:16384].splitlines()[:50])
        delimiter = ","
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        except csv.Error:
            pass
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)  # any line ending, incl. CR only
        rows: Iterator[list[str]] = reader
    else:
        reader = None
        rows = (line.split("\t") for line in _lines(text))
    cells: list[list[object]] = []
    number = 0
    max_rows, max_cols, max_chars = ROWS.value, COLUMNS.value, CELL_CHARS.value  # read once, not per line
    try:
        for number, row in enumerate(rows, start=1):
            if number > max_rows:  # beyond the limit only blank lines may follow (they are dropped)
                if number > 50 * max_rows:
                    raise InputFileError(ROWS.exceeded(f"已读到第 {number:,} 行"), path=path)
                if any(c.strip() for c in row):
                    raise InputFileError(ROWS.exceeded(f"第 {number:,} 行仍有内容"), path=path, row=number)
                continue
            if len(row) > max_cols and any(c.strip() for c in row[max_cols:]):
                raise InputFileError(COLUMNS.exceeded(f"有 {len(row):,} 列"), path=path, row=number)
            for k, c in enumerate(row):
                if len(c) > max_chars:
                    raise InputFileError(
                        CELL_CHARS.exceeded(f"单元格有 {len(c):,} 个字符"), path=path, row=number, column=str(k + 1)
                    )
            cells.append([c if c.strip() else None for c in row[:max_cols]])
    except csv.Error:
        too_long = "field larger" in str(sys.exc_info()[1])
        message = CELL_CHARS.exceeded("单元格内容过长") if too_long else "CSV 格式有误，无法读取。"
        raise InputFileError(message, path=path, row=reader.line_num if reader else number) from None
    return Grid(path=path, sheet=None, rows=cells, row_numbers=list(range(1, len(cells) + 1)))


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
    notes: list[dict] = []
    if sheet is not None:
        grids = [g for g in grids if g.sheet == sheet]
        if not grids:
            raise InputFileError(f"找不到工作表「{sheet}」。", path=str(p), sheet=sheet)
    elif any(not g.hidden for g in grids):
        for g in grids:
            if g.hidden:
                notes.append(
                    {
                        "code": "hidden_sheet",
                        "row": None,
                        "column": "",
                        "value": g.sheet,
                        "message": f"工作表「{g.sheet}」在 Excel 中被隐藏，读取时已跳过；"
                        "如需读取，请取消隐藏或在参数中指定该工作表。",
                    }
                )
        grids = [g for g in grids if not g.hidden]
    if not any(any(c is not None for c in row) for g in grids for row in g.rows):
        raise InputFileError("文件中没有任何内容。", path=str(p))
    evaluation = parse_grids(grids)
    notes += [n for g in grids for n in g.notes]
    if notes:
        extra = pd.DataFrame(notes, columns=NOTE_COLUMNS)
        evaluation.notes = pd.concat([evaluation.notes, extra], ignore_index=True) if len(evaluation.notes) else extra
    sane_numbers(evaluation)
    evaluation.source.path = str(p)
    evaluation.source.sha256 = file_sha256(p)
    return evaluation


__all__ += ["NoIndicatorTableError"]
