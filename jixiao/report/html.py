"""Escaped HTML building blocks of the report: tables, key figures, badges, quotes, figures.

Every value is escaped here (``esc``); callers pass plain text and numbers. Tables are
built by hand (not pandas ``to_html``) so that rows and cells carry the CSS classes that
colour deductions, differences and severities (``templates/report.css``), and runs of
equal group cells merge (rowspan). Numbers use the narrative's formatting.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jixiao.core.frames import records
from jixiao.report import chartstyle
from jixiao.report.facts import TOL, num
from jixiao.report.wording import fmt_money, fmt_score, fmt_signed, fmt_span

__all__ = [
    "findings_table",
    "SEVERITY_CLASSES",
    "GRADE_CLASSES",
    "QUOTE_LIMIT",
    "Col",
    "esc",
    "paragraphs",
    "h3",
    "cn_numeral",
    "figure_box",
    "badge",
    "pairs",
    "quote_block",
    "excerpt",
    "cell",
    "table",
    "runs",
    "figure",
]

#: CSS class per severity (and "扣分" for indicators that lost points).
SEVERITY_CLASSES = {"错误": "sev-error", "警告": "sev-warn", "提示": "sev-info", "扣分": "sev-lost"}
#: CSS class per grade.
GRADE_CLASSES = {"优": "grade-a", "良": "grade-b", "中": "grade-c", "差": "grade-d"}
QUOTE_LIMIT = 600  # characters of a unit's own text quoted before "……"


def cn_numeral(n: int) -> str:
    """Chinese numeral for 1..99 (一, 十, 十一, 二十一)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


@dataclass(frozen=True)
class Col:
    """A table column: row key, header, kind (text/score/span/money/diff/int/sev), CSS class, merged runs."""

    key: str
    header: str
    kind: str = "text"
    cls: str = ""
    group: bool = False  # merge runs of equal values (rowspan)


def esc(value: object) -> str:
    """HTML-escaped text; "" for None and NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value))


def paragraphs(texts: Iterable[str]) -> str:
    """One ``<p>`` per text."""
    return "".join(f"<p>{esc(t)}</p>" for t in texts)


def h3(text: str) -> str:
    """A sub-section heading."""
    return f"<h3>{esc(text)}</h3>"


def figure_box(label: str, value: str, unit: str, cls: str) -> str:
    """A key figure: small label above a large value with its unit (cover boxes, summary cards)."""
    unit_html = f'<span class="unit">{esc(unit)}</span>' if unit else ""
    return (
        f'<div class="{esc(cls)}"><span class="label">{esc(label)}</span>'
        f'<span class="value">{esc(value)}{unit_html}</span></div>'
    )


def badge(severity: str) -> str:
    """A coloured severity label."""
    return f'<span class="jx-badge {SEVERITY_CLASSES.get(severity, "")}">{esc(severity)}</span>'


def pairs(values: dict[str, object], cls: str = "jx-pairs") -> str:
    """A two-column label/value table; empty values are left out."""
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in values.items() if str(v or "").strip())
    return f'<table class="{cls}">{rows}</table>'


def quote_block(label: str, text: str, source: str) -> str:
    """A unit's own text, quoted with its source and cut at ``QUOTE_LIMIT`` (see :func:`excerpt`); "" if empty."""
    kept = excerpt(str(text or ""), QUOTE_LIMIT)
    if not kept:
        return ""
    lines = "".join(f"<p>{esc(line)}</p>" for line in kept)
    return (
        f'<blockquote class="jx-quote"><p class="jx-quote-label">{esc(label)}（{esc(source)}）</p>{lines}</blockquote>'
    )


def excerpt(text: str, limit: int) -> list[str]:
    """Whole lines (else whole sentences) of ``text`` up to about ``limit`` characters; "……" marks a cut."""
    lines, used = [], 0
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        if used + len(line) > limit:
            if not lines:  # one long line: cut after the last full stop that fits
                stop = line.rfind("。", 0, limit)
                lines.append(line[: stop + 1] if stop > 0 else line[:limit])
            lines[-1] += "……"
            break
        lines.append(line)
        used += len(line)
    return lines


def cell(value: object, kind: str) -> tuple[str, str]:
    """(escaped text, class) of one table cell."""
    if kind == "sev":
        return badge(str(value)), "sev"
    if kind == "span":  # (low, high): a score, or a range while 待核实
        low, high = value if isinstance(value, tuple) else (value, value)
        return esc(fmt_span(low, high) if num(low) is not None or num(high) is not None else ""), "num"
    x = num(value)
    if kind == "score":
        return ("" if x is None else fmt_score(x)), "num"
    if kind == "money":
        return ("" if x is None else fmt_money(x, "")), "num"
    if kind == "int":
        return ("" if x is None else str(int(x))), "num"
    if kind == "diff":
        if x is None:
            return "", "num"
        return fmt_signed(x), "num " + ("neg" if x <= -TOL else "pos" if x >= TOL else "")
    return esc(value), ""


def table(rows: list[dict], columns: list[Col], caption: str, row_class: Callable[[dict], str] | None = None) -> str:
    """A hand-built, fully escaped table with a numbered caption; runs of equal ``group`` cells merged."""
    if not rows:
        return ""
    head = "".join(f'<th class="{c.kind} {c.cls}">{esc(c.header)}</th>' for c in columns)
    spans = {c.key: runs([r.get(c.key) for r in rows]) for c in columns if c.group}
    body = []
    for i, row in enumerate(rows):
        cells = []
        for c in columns:
            if c.group:
                span = spans[c.key][i]
                if span == 0:
                    continue
                rowspan = f' rowspan="{span}"' if span > 1 else ""
                cells.append(f'<td class="group"{rowspan}>{esc(row.get(c.key))}</td>')
                continue
            text, cls = cell(row.get(c.key), c.kind)
            cells.append(f'<td class="{(cls + " " + c.cls).strip()}">{text}</td>')
        cls = row_class(row) if row_class else ""
        body.append(f'<tr class="{esc(cls)}">' + "".join(cells) + "</tr>" if cls else "<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="jx-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def runs(values: list[object]) -> list[int]:
    """Rowspan per row: the run length on its first row, 0 on the rows it covers."""
    spans, i = [0] * len(values), 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        spans[i] = j - i + 1
        i = j + 1
    return spans


def figure(fig: Any, alt: str) -> str:
    """A chart as an embedded PNG with alt text and a numbered caption (CSS counter)."""
    uri = chartstyle.figure_to_data_uri(fig)
    return f'<figure class="jx-figure"><img src="{uri}" alt="{esc(alt)}"><figcaption>{esc(alt)}</figcaption></figure>'


def findings_table(found: Any, caption: str, message: str = "问题", values: bool = True) -> str:
    """A findings frame as a numbered table coloured by severity (message header ``message``;
    the 应为/填报 columns when ``values``)."""
    rows = [dict(r, no=i + 1) for i, r in enumerate(records(found))]
    columns = [
        Col("no", "序号", "int"),
        Col("severity", "严重程度", "sev"),
        Col("code", "编号"),
        Col("where", "位置", cls="where"),
        Col("message", message, cls="note"),
    ]
    if values:
        columns += [Col("expected", "应为", cls="short"), Col("reported", "填报", cls="short")]
    return table(rows, columns, caption, row_class=lambda r: SEVERITY_CLASSES.get(r["severity"], ""))
