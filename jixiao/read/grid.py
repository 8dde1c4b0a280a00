"""A sheet of cells as the readers hand it to the layouts."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Grid"]


@dataclass
class Grid:
    """One sheet of cells."""

    path: str
    sheet: str | None
    rows: list[list[object]]
    row_numbers: list[int]  # 1-based row number in the source for each entry of rows
    hidden: bool = False  # a hidden worksheet (skipped unless named)
    notes: list[dict] = field(default_factory=list)  # reader notes (NOTE_COLUMNS) found while reading the sheet

    def cell(self, r: int, c: int) -> object:
        row = self.rows[r]
        return row[c] if c < len(row) else None
