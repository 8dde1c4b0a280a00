"""How the narrative writes numbers and names, and the Jinja2 environment of its templates.

Money with thousands separators, 2 decimals and the source's own unit (元 or 万元); scores
with 2 decimals; rates with 2 decimals and "%". Rounding is half-up on the decimal value
(:func:`jixiao.core.numbers.round_half_up`) and happens only here, at display.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from jixiao.core.numbers import round_half_up
from jixiao.report.assets import TEMPLATES_DIR
from jixiao.report.facts import num

__all__ = [
    "LIST_LIMIT",
    "fmt_score",
    "fmt_span",
    "fmt_money",
    "fmt_rate",
    "fmt_signed",
    "quote",
    "join_quoted",
    "plain",
    "environment",
    "render_paragraphs",
    "render_macro",
    "join_words",
]

#: Names listed before "等 N 项".
LIST_LIMIT = 6


def fmt_score(value: object) -> str:
    """Score or points with 2 decimals ("89.99"); "—" when missing."""
    x = num(value)
    return "—" if x is None else f"{round_half_up(x):.2f}"


def fmt_span(low: object, high: object) -> str:
    """A score, or its range "45.89–97.99" while the two ends differ (a 待核实 part); "—" when missing."""
    lo, hi = num(low), num(high)
    if lo is None or hi is None or round_half_up(lo) == round_half_up(hi):
        return fmt_score(lo if lo is not None else hi)
    return f"{fmt_score(lo)}–{fmt_score(hi)}"


def fmt_money(value: object, unit: str = "元") -> str:
    """Money with thousands separators, 2 decimals and its unit ("5,650.61 万元")."""
    x = num(value)
    return "—" if x is None else f"{round_half_up(x):,.2f} {unit}".rstrip()


def fmt_rate(value: object) -> str:
    """Percentage with 2 decimals ("98.88%")."""
    x = num(value)
    return "—" if x is None else f"{round_half_up(x):.2f}%"


def fmt_signed(value: object) -> str:
    """Signed difference with 2 decimals ("+1.00", "-5.00", "0.00")."""
    x = num(value)
    if x is None:
        return "—"
    x = round_half_up(x)
    return f"{x:+.2f}" if x != 0 else "0.00"


def quote(value: object) -> str:
    """A name from an input file in corner brackets, whitespace runs collapsed."""
    return "「" + " ".join(str(value if value is not None else "").split()) + "」"


def join_quoted(values: Any, limit: int = LIST_LIMIT, unit: str = "项") -> str:
    """「a」「b」「c」等 N 项 (all of them when there are few)."""
    values = [v for v in values if str(v).strip()]
    shown = "".join(quote(v) for v in values[:limit])
    return shown if len(values) <= limit else f"{shown}等 {len(values)} {unit}"


def plain(text: object) -> str:
    """Text with whitespace runs collapsed and trailing punctuation removed (to end a sentence anew)."""
    return " ".join(str(text or "").split()).rstrip("。；; ")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the narrative templates, with the number filters (compiled once)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,  # plain text; sections.py escapes everything it puts into HTML
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters.update(
        score=fmt_score,
        span=lambda pair: fmt_span(*pair),
        money=fmt_money,
        rate=fmt_rate,
        signed=fmt_signed,
        q=quote,
        names=join_quoted,
        plain=plain,
        abs=lambda x: abs(num(x) or 0.0),
        n=lambda x: "—" if num(x) is None else f"{num(x):g}",
    )
    return env


def render_paragraphs(template: str, **context: Any) -> list[str]:
    """Render a narrative template; paragraphs are separated by blank lines, lines are joined."""
    text = environment().get_template(template).render(**context)
    paragraphs, current = [], []
    for line in text.splitlines() + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("".join(current))
            current = []
    return paragraphs


def render_macro(template: str, name: str, **context: Any) -> str:
    """Call one macro of a narrative template; its lines joined."""
    text = str(getattr(environment().get_template(template).module, name)(**context))
    return "".join(line.strip() for line in text.splitlines())


def join_words(head: str, tail: str) -> str:
    """``head + tail`` without the word they share ("投入管理指标" + "指标计分" → "投入管理指标计分")."""
    head, tail = str(head or ""), str(tail or "")
    for n in range(min(len(head), len(tail)), 1, -1):
        if head.endswith(tail[:n]):
            return head + tail[n:]
    return head + tail
