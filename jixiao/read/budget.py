"""The budget block of a table: 年初预算数, 全年预算数 (调整后), 全年执行数, 分值, 执行率, 得分 (pure).

Columns are recognised by their header text in any order (``headers.BUDGET_HEADER_SYNONYMS``).
Execution is computed on 全年预算数; on 年初预算数 only when that is all the line gives (a
reader note says so). Amounts written with their unit ("150万") are read as numbers;
placeholder cells ("—", "/") and long explanation cells are not part of a line.
"""

from __future__ import annotations

import math
import re

from jixiao.core.numbers import round_half_up
from jixiao.core.textnorm import BLANKS, to_number
from jixiao.read.align import Token, align_tokens, is_plain_number, tokenize
from jixiao.read.blocks import Notes, token_text
from jixiao.read.grid import Grid
from jixiao.read.headers import budget_header_match

__all__ = ["read_budget", "split_budget_totals"]

_LINE_KEYS = (
    ("财政拨款", "财政拨款"),
    ("财政资金", "财政拨款"),
    ("公共预算拨款", "财政拨款"),
    ("一般公共预算", "财政拨款"),
    ("其他资金", "其他资金"),
    ("单位资金", "其他资金"),
    ("财政专户", "其他资金"),
    ("上年结转", "上年结转"),
    ("基本支出", "基本支出"),
    ("项目支出", "项目支出"),
    ("预算总额", "合计"),
    ("资金总额", "合计"),
    ("总额", "合计"),
    ("合计", "合计"),
    ("总计", "合计"),
    ("整体支出规模", "合计"),
)

_DEFAULT_GROUP = {
    "合计": "合计",
    "财政拨款": "资金来源",
    "其他资金": "资金来源",
    "上年结转": "资金来源",
    "基本支出": "资金结构",
    "项目支出": "资金结构",
}

_AMOUNT = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(万元|万|元|%)?$")


def _line_name(label: str) -> str | None:
    if label.replace(" ", "") == "其他":
        return "其他资金"  # "其他 | 0.00" under the 财政资金 line
    for key, name in _LINE_KEYS:
        if key in label:
            return name
    return None


def _money_unit(texts: list[str]) -> str:
    return "万元" if any("万元" in t for t in texts) else "元"


def _unit_labels(grid: Grid, r0: int) -> list[str]:
    """A "金额单位: | 万元" cell pair in the rows just above the budget header, as one text."""
    out = []
    for r in range(max(0, r0 - 3), r0):
        texts = [token_text(v) for v in grid.rows[r] if v is not None]
        for i, t in enumerate(texts):
            if t.replace(" ", "").startswith(("金额单位", "资金单位")):
                out.append(t + (texts[i + 1] if i + 1 < len(texts) else ""))
    return out


def _is_amount(text: str) -> bool:
    return bool(_AMOUNT.match(text.replace(" ", "")))


def _amount(text: str, unit: str) -> float | None:
    m = _AMOUNT.match(text.replace(" ", ""))
    if not m:
        return None
    value = to_number(m.group(1))
    if value is not None and m.group(2) in ("万", "万元") and unit == "元":
        value *= 1e4
    return value


def _budget_fit(field: str, tok: Token) -> float | None:
    if not _is_amount(tok.text):
        return None
    if field == "reported_rate":
        return 2.0 if tok.text.endswith("%") else 0.5
    return None if tok.text.endswith("%") else 1.5


def _header_fields(tokens: list[Token]) -> list[tuple[str, int]]:
    best: dict[str, tuple[int, int]] = {}
    for t in tokens:
        hit = budget_header_match(t.value)
        if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], t.col)
    return sorted(((f, c) for f, (_, c) in best.items()), key=lambda fc: fc[1])


def read_budget(grid: Grid, stop_row: int, notes: Notes) -> tuple[list[dict], set[int]]:
    """Budget lines above ``stop_row`` and the grid rows they used."""
    header = None
    for r in range(min(stop_row, len(grid.rows))):
        tokens = tokenize(grid.rows[r], token_text)
        fields = _header_fields(tokens)
        names = {f for f, _ in fields}
        if len(names) >= 2 and {"budget", "spent", "initial_budget"} & names:
            header = (r, fields, [t.text for t in tokens])
            break
    if header is None:
        return _declaration_lines(grid, stop_row)
    r0, fields, htexts = header
    unit = _money_unit(htexts + [token_text(v) for v in grid.rows[max(0, r0 - 1)] if v] + _unit_labels(grid, r0))
    lines: list[dict] = []
    field_cols = {c for _, c in fields}
    used = {r0}
    group = ""
    paired = _paired_columns(grid, r0)
    for r in range(r0 + (0 if paired else 1), min(stop_row, len(grid.rows))):
        tokens = [t for t in tokenize(grid.rows[r], token_text) if t.text not in BLANKS]
        first_amount = min((t.col for t in tokens if _is_amount(t.text)), default=None)
        # a text right of the amounts is an explanation (原因, 偏差原因分析, 填表说明), not the line's
        # label; one under a column headed as no budget field is too (得分计算方法 …)
        tokens = [
            t
            for t in tokens
            if first_amount is None or t.col < first_amount or _is_amount(t.text) or t.col in field_cols
        ]
        if not tokens:
            continue
        label_tokens = [t for t in tokens if not _is_amount(t.text)]
        # side-by-side lines repeat their label before each amount: the first one names the line
        label = "".join(t.text for t in label_tokens[: 1 if paired else None])
        name = _line_name(label)
        if name is None and (not label or (paired and r == r0)) and not lines:
            name = "合计"  # the line right under the header carries no label: the total
        if name is None:
            break
        used.add(r)
        group = "资金来源" if "资金来源" in label else "资金结构" if "资金结构" in label else group
        nums = [t for t in tokens if t not in label_tokens]
        if not nums:
            continue
        if paired:
            fit = (0.0, {paired[t.col]: t for t in nums if paired.get(t.col)}) if nums[0].col in paired else None
        else:
            fit = align_tokens(nums, fields, _budget_fit)
        if fit is None:
            notes.add("budget_unreadable", grid.row_numbers[r], f"预算行「{label}」的数字无法对应到表头，已跳过。")
            continue
        lines.append(_budget_line(name, group, fit[1], unit, grid.row_numbers[r], notes))
    _drop_repeated_weights(lines, notes)
    return lines, used


def _paired_columns(grid: Grid, r0: int) -> dict[int, str | None]:
    """Budget field by column when the header row holds its own amounts, each right of its label
    (预算数 | 6.84 | 到位数 | 6.84 | 执行数 | 6.84 | 100.00, the lines below repeating the pattern:
    其中:财政资金 | 6.84 | …); an amount with no label of its own takes the header above it
    (预算执行进度(%)). Empty when the header row is a plain header."""
    tokens = [t for t in tokenize(grid.rows[r0], token_text) if t.text not in BLANKS]
    if not any(_is_amount(t.text) for t in tokens):
        return {}
    above = {t.col: t.text for t in tokenize(grid.rows[r0 - 1], token_text)} if r0 > 0 else {}
    out: dict[int, str | None] = {}
    pairs = 0
    for i, t in enumerate(tokens):
        if not _is_amount(t.text):
            continue
        prev = tokens[i - 1] if i > 0 and not _is_amount(tokens[i - 1].text) else None
        hit = budget_header_match(prev.value if prev is not None else above.get(t.col, ""))
        out[t.col] = hit[0] if hit else None
        pairs += prev is not None and hit is not None
    return out if pairs >= 2 else {}  # at least two "label | amount" pairs, else a plain header


def _declaration_lines(grid: Grid, stop_row: int) -> tuple[list[dict], set[int]]:
    """Declarations: "部门整体预算总额（元） | 672063140" rows, one amount each."""
    lines: list[dict] = []
    used: set[int] = set()
    unit, group = "元", ""
    for r in range(min(stop_row, len(grid.rows))):
        tokens = tokenize(grid.rows[r], token_text)
        if not tokens:
            continue
        label = "".join(t.text for t in tokens if not is_plain_number(t.text))
        name = _line_name(label)
        nums = [t for t in tokens if is_plain_number(t.text)]
        if name is None or len(nums) != 1 or not label or label.startswith("年") or label.endswith("表"):
            continue
        if "万元" in label:
            unit = "万元"
        group = "资金来源" if "资金来源" in label else "资金结构" if "资金结构" in label else group
        used.add(r)
        line_group = group if name != "合计" else "合计"
        lines.append(_budget_line(name, line_group, {"budget": nums[0]}, unit, grid.row_numbers[r], None))
    return lines, used


def _budget_line(name: str, group: str, fields: dict[str, Token], unit: str, row: int, notes: Notes | None) -> dict:
    def num(f):
        tok = fields.get(f)
        v = _amount(tok.text, unit if f in ("initial_budget", "budget", "spent") else "") if tok else None
        return math.nan if v is None else v

    initial, budget, spent = num("initial_budget"), num("budget"), num("spent")
    base = budget
    if math.isnan(budget) and not math.isnan(initial):
        base = initial
        said = notes is not None and any(n["code"] == "rate_on_initial" for n in notes.rows)
        if notes is not None and not math.isnan(spent) and not said:  # once per table: the lines below follow
            notes.add(
                "rate_on_initial",
                row,
                f"预算行「{name}」只有年初预算数，执行率按年初预算数计算。",
                column="年初预算数",
                value=fields["initial_budget"].text,
            )
    rate = math.nan
    if not math.isnan(base) and not math.isnan(spent) and base != 0:
        rate = round_half_up(spent / base * 100)
    return {
        "name": name,
        "group": group or _DEFAULT_GROUP.get(name, ""),
        "initial_budget": initial,
        "budget": budget,
        "spent": spent,
        "reported_rate": num("reported_rate"),
        "rate": rate,
        "weight": num("weight"),
        "reported_score": num("reported_score"),
        "money_unit": unit,
        "source_row": row,
    }


def _drop_repeated_weights(lines: list[dict], notes: Notes) -> None:
    """The 分值/得分 of the execution-rate line belong to the total line; a sub-line that repeats
    them (财政拨款 10 | 10 under 年度资金总额 10 | 10) does not add another 10 points."""
    total = next((ln for ln in lines if ln["name"] == "合计" and not math.isnan(ln["weight"])), None)
    if total is None:
        return
    for ln in lines:
        if ln is not total and not math.isnan(ln["weight"]):
            notes.add(
                "budget_weight_repeated",
                ln["source_row"],
                f"预算行「{ln['name']}」重复填写了分值，预算执行率分值按资金总额行计。",
                column="分值",
                value=ln["weight"],
            )
            ln["weight"], ln["reported_score"] = math.nan, math.nan


def split_budget_totals(lines: list[dict], notes: Notes) -> tuple[float | None, float | None]:
    """A budget line whose 分值 is 100 or more carries the table's total (分值 100, 得分 98),
    not the execution-rate line's points: return (score total, weight total) and clear them."""
    for ln in lines:
        weight = ln["weight"]
        if not math.isnan(weight) and weight >= 100:
            score = None if math.isnan(ln["reported_score"]) else ln["reported_score"]
            notes.add(
                "budget_total_row",
                ln["source_row"],
                f"预算行「{ln['name']}」的分值 {weight:g} 是全表总分值，得分按表中总分读取，不作为预算执行率分值。",
                column="分值",
                value=weight,
            )
            ln["weight"], ln["reported_score"] = math.nan, math.nan
            return score, weight
    return None, None
