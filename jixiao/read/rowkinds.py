"""What a row of the indicator region is when it is not an indicator (pure).

Every non-empty row under the indicator header ends up as exactly one of: an indicator, a
known non-indicator (listed here: total row, template placeholder, sub-item of the indicator
above, the end of the table) or an unreadable row (a reader note, finding A31). Placeholder
cells (``0``, ``/``, ``无``, ``-``, ``——``) in note columns never make a row unreadable.
"""

from __future__ import annotations

import re

from jixiao.core.textnorm import BLANKS, to_number
from jixiao.read.align import Token, is_plain_number
from jixiao.read.headers import header_match, is_ignored_header, is_level1_word, is_level2_word

__all__ = [
    "NON_INDICATOR_KINDS",
    "TOTAL_WORDS",
    "is_total_row",
    "total_numbers",
    "is_table_end",
    "is_placeholder_name",
    "is_placeholder_row",
    "is_sub_item",
    "is_bare_name",
    "is_header_row",
    "split_note_placeholders",
    "PLACEHOLDER_CELLS",
]

#: Kinds of rows that are read and deliberately not indicators (Chinese labels for the read check).
NON_INDICATOR_KINDS = {
    "header": "表头",
    "structure": "一级/二级指标标题行",
    "total": "合计/总分行",
    "placeholder": "模板占位行",
    "sub_item": "“其中”分项",
}

#: Labels of total rows: their numbers are the table's printed totals, never an indicator.
TOTAL_WORDS = (
    "总分",
    "合计",
    "总计",
    "得分合计",
    "综合得分",
    "自评总分",
    "自评得分",
    "总得分",
    "自评总得分",
    "分值合计",
    "合计得分",
    "评价得分",
    "自评分合计",
)

#: Cells that mean "nothing to note" in a note, rule or deviation column.
PLACEHOLDER_CELLS = BLANKS | {"0", "无。", "/。", "——", "—", "…", "……", "暂无", "没有", "未偏差", "无偏差"}

#: Columns whose placeholder cells are dropped before the row is read by shape.
_NOTE_FIELDS = ("deviation_note", "rule_text", "definition", "unit")

#: First cell of a row that ends the indicator region (sign-off, review opinions, conclusions).
_TABLE_END = re.compile(
    r"^(评价结论|自评结论|总体评价|其他需要?说明的?(事项|问题)|其他说明|财政部门.*意见|.{0,8}审核意见|.{0,8}初审意见"
    r"|项目负责人|财务负责人|单位负责人|填表人|填报人|联系电话|审核人|备注[:：]|注[:：\d]|说明[:：])"
)
_PLACEHOLDER_NAME = re.compile(r"^(指标\s*\d+\s*[:：]?\s*[/／…．.、—-]*|[…．.、/／—-]+|\.{2,}|…+)$")
_TOTAL_SCORE_WORDS = ("得分", "总分", "自评")


_SPACES = re.compile(r"\s+")


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


def is_total_row(tokens: list[Token]) -> bool:
    """A 合计 / 总分 / 自评得分 row (any of its cells is one of TOTAL_WORDS)."""
    return any(_compact(t.text) in TOTAL_WORDS for t in tokens)


def total_numbers(tokens: list[Token], header_cols: dict[str, int]) -> tuple[float | None, float | None]:
    """(printed score total, printed weight total) of a total row.

    Numbers are placed by their column (分值 → weight total, 得分 → score total); a row whose
    only number sits elsewhere is a score total when its label says 得分/总分, else the last
    number is the score and the one before it the weight (the historic reading).
    """
    nums = [t for t in tokens if is_plain_number(t.text)]
    if not nums:
        return None, None
    label = "".join(_compact(t.text) for t in tokens if t not in nums)
    if len(nums) == 1 and "得分" in label:
        return to_number(nums[0].value), None  # "自评得分 | 98": a score whatever its column
    score = weight = None
    placed = False
    for t in nums:
        if t.col == header_cols.get("weight"):
            weight, placed = to_number(t.value), True
        elif t.col == header_cols.get("self_score"):
            score, placed = to_number(t.value), True
    if placed:
        if score is None and nums[-1].col != header_cols.get("weight") and len(nums) >= 2:
            score = to_number(nums[-1].value)  # the 得分 cell sits off its column
        return score, weight
    if len(nums) == 1:
        if any(w in label for w in _TOTAL_SCORE_WORDS) or "weight" not in header_cols:
            return to_number(nums[0].value), None
        return None, to_number(nums[0].value)
    return to_number(nums[-1].value), to_number(nums[-2].value)


def is_header_row(tokens: list[Token]) -> bool:
    """A repeated header row (a table printed over several pages repeats 一级指标 | 二级指标 | …)."""
    fields = [header_match(t.text) for t in tokens]
    named = [f for f in fields if f]
    return len({f[0] for f in named}) >= 3 and all(f or is_ignored_header(t.text) for f, t in zip(fields, tokens))


def is_table_end(first: Token) -> bool:
    """The row's first cell starts the block after the indicator table."""
    return bool(_TABLE_END.match(_compact(first.text)))


def is_placeholder_name(text: str) -> bool:
    """A template's empty slot: ``指标2：``, ``指标1：/``, ``……``."""
    return bool(_PLACEHOLDER_NAME.match(_compact(text)))


def is_placeholder_row(assignment: dict[str, Token]) -> bool:
    """A row whose name is a template slot and whose other cells are all placeholders."""
    name = assignment.get("name")
    if name is None or not is_placeholder_name(name.text):
        return False
    values = [t for f, t in assignment.items() if f not in ("name", "level1", "level2", "level1_weight", "nature")]
    return all(_compact(t.text) in PLACEHOLDER_CELLS for t in values)


def is_bare_name(text: str) -> bool:
    """A name in the 三级指标 column with nothing else on its row that is still an indicator
    (not a 一级/二级 label, not a template slot, not a note running across the table)."""
    t = _compact(text)
    return bool(t) and len(t) <= 40 and not is_placeholder_name(t) and not is_level1_word(t) and not is_level2_word(t)


def is_sub_item(assignment: dict[str, Token], previous: dict | None) -> bool:
    """A "其中…" line breaking down the indicator above: no 分值 of its own while that one has one."""
    name = assignment.get("name")
    if name is None or not _compact(name.text).startswith("其中") or "weight" in assignment:
        return False
    return previous is not None and previous.get("weight") == previous.get("weight")  # not NaN


def split_note_placeholders(tokens: list[Token], fields: list[tuple[str, int]]) -> tuple[list[Token], dict[str, Token]]:
    """Tokens without the placeholder cells that sit in a note column, and those cells by field.

    A ``0`` in a note column is a placeholder only when the row's 得分 cell is filled (or the table
    has none): otherwise it may be a 得分 of 0 shifted one column right, and the row is read by shape.
    """
    by_col = {c: f for f, c in fields}
    score_filled = any(by_col.get(t.col) == "self_score" and is_plain_number(t.text) for t in tokens)
    score_filled = score_filled or "self_score" not in by_col.values()
    kept: list[Token] = []
    held: dict[str, Token] = {}
    for t in tokens:
        f = by_col.get(t.col)
        text = _compact(t.text)
        note = f in _NOTE_FIELDS and text in PLACEHOLDER_CELLS and (text != "0" or score_filled)
        if note or (f in ("weight", "self_score") and text in BLANKS):
            held[f] = t
        else:
            kept.append(t)
    return kept, held
