"""Exceptions for broken inputs. Data problems are findings, not exceptions."""

from __future__ import annotations

__all__ = [
    "JixiaoError",
    "InputFileError",
    "NoIndicatorTableError",
    "ValueParseError",
    "RuleError",
    "ParamsError",
    "ProjectSettingsError",
]


class JixiaoError(Exception):
    """Base class: every message is Chinese and names where the problem is."""


class InputFileError(JixiaoError):
    """An input file cannot be read, or a cell that must hold a number does not.

    Carries the location so that the CLI can print it and tests can check it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.path = path
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path:
            where.append(f"文件「{self.path}」")
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"列「{self.column}」")
        if self.value is not None:
            where.append(f"值「{self.value}」")
        prefix = "，".join(where)
        return f"{prefix}：{self.reason}" if prefix else self.reason


class NoIndicatorTableError(InputFileError):
    """The file was read but holds no recognisable indicator table."""


class ValueParseError(JixiaoError):
    """Raised only by strict helpers; ``parse_value`` itself never raises."""


class RuleError(JixiaoError):
    """An unknown scoring rule or bad rule parameters (from params)."""


class ParamsError(JixiaoError):
    """A unit's params file is invalid: names the file and the key."""

    file_label = "参数文件"

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        self.reason = message
        parts = []
        if path:
            parts.append(f"{self.file_label}「{path}」")
        if key:
            parts.append(f"键「{key}」")
        prefix = "，".join(parts)
        super().__init__(f"{prefix}：{message}" if prefix else message)


class ProjectSettingsError(ParamsError):
    """The project's ``jixiao.toml`` is invalid: names the file and the key."""

    file_label = "项目设置文件"
