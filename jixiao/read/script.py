"""Tables written in traditional characters are read in simplified ones (pure).

Header synonyms, level vocabularies and the review's word lists are simplified Chinese; a
table in traditional script (岳陽樓區…績效目標表) is converted cell by cell with OpenCC
before its layout is recognised. The raw cells are kept (``raw_rows``) for display.
"""

from __future__ import annotations

from jixiao.core.textnorm import is_traditional, to_simplified
from jixiao.read.grid import Grid

__all__ = ["simplify_grids"]


def simplify_grids(grids: list[Grid]) -> tuple[list[Grid], dict[int, list[str]] | None]:
    """The grids in simplified characters, and the raw text of each converted row by row number.

    Returns the grids unchanged and None when the file is not in traditional script.
    """
    text = "\n".join(v for g in grids for row in g.rows for v in row if isinstance(v, str))
    if not is_traditional(text):
        return grids, None
    raw_rows: dict[int, list[str]] = {}
    out = []
    for g in grids:
        rows = []
        for i, row in enumerate(g.rows):
            converted = [to_simplified(v) if isinstance(v, str) else v for v in row]
            if converted != row and g is grids[0]:
                raw_rows[g.row_numbers[i]] = [v for v in row if isinstance(v, str)]
            rows.append(converted)
        out.append(Grid(path=g.path, sheet=g.sheet, rows=rows, row_numbers=list(g.row_numbers)))
    return out, raw_rows
