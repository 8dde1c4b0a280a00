"""Size limits of the readers and the one safe way to read an input file's bytes.

Every limit names the environment variable that raises it, so a message can say how.
Limits are far above any real self-evaluation table (a few hundred rows, a few
thousand characters per cell) and far below what would exhaust memory.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from jixiao.core.errors import InputFileError

__all__ = [
    "Limit",
    "FILE_BYTES",
    "XLSX_PART_BYTES",
    "ROWS",
    "COLUMNS",
    "CELL_CHARS",
    "REPORT_CHARS",
    "read_input_bytes",
    "check_input_file",
]


@dataclass(frozen=True)
class Limit:
    """One reader limit: its default, the variable that overrides it, and its Chinese name."""

    default: int
    env: str
    label: str

    @property
    def value(self) -> int:
        raw = os.environ.get(self.env, "").strip()
        if raw.isdigit() and int(raw) > 0:
            return int(raw)
        return self.default

    def exceeded(self, what: str) -> str:
        """The Chinese message for ``what`` going over this limit, saying how to raise it."""
        return f"{what}，超过{self.label}上限 {self.value:,}；如确需读取，请设置环境变量 {self.env} 后重试。"


FILE_BYTES = Limit(50 * 1024 * 1024, "JIXIAO_MAX_FILE_BYTES", "文件大小（字节）")
XLSX_PART_BYTES = Limit(24 * 1024 * 1024, "JIXIAO_MAX_XLSX_PART_BYTES", "Excel 文件解压后各部分合计大小（字节）")
ROWS = Limit(20_000, "JIXIAO_MAX_ROWS", "工作表行数")
COLUMNS = Limit(200, "JIXIAO_MAX_COLUMNS", "工作表列数")
CELL_CHARS = Limit(32_767, "JIXIAO_MAX_CELL_CHARS", "单元格字符数")
REPORT_CHARS = Limit(500_000, "JIXIAO_MAX_REPORT_CHARS", "自评报告字符数")


def check_input_file(p: Path) -> os.stat_result:
    """Stat an input path: it must exist and be a regular file (links are followed) within the size limit."""
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputFileError("文件不存在。", path=str(p)) from None
    except OSError as exc:
        raise InputFileError(f"无法读取文件（{exc.strerror or '系统错误'}）。", path=str(p)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError("这是一个文件夹，不是文件；请给出文件夹中的表格文件。", path=str(p))
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError("这不是普通文件（可能是管道、设备或指向它们的链接），无法读取。", path=str(p))
    if st.st_size > FILE_BYTES.value:
        raise InputFileError(FILE_BYTES.exceeded(f"文件大小 {st.st_size:,} 字节"), path=str(p))
    return st


def read_input_bytes(p: Path) -> bytes:
    """The bytes of an input file, refusing non-regular files, oversized files and empty files."""
    check_input_file(p)
    limit = FILE_BYTES.value
    try:
        with open(p, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputFileError(f"无法读取文件（{exc.strerror or '系统错误'}）。", path=str(p)) from None
    if len(data) > limit:
        raise InputFileError(FILE_BYTES.exceeded("文件大小"), path=str(p))
    if not data.strip():
        raise InputFileError("文件为空。", path=str(p))
    return data
