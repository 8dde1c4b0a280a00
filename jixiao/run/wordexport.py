"""The Word report of a unit, from its executed notebook: the same sections, tables and charts as the HTML.

The notebook's markdown headings and HTML displays are read back into document blocks
(:mod:`jixiao.report.docblocks`); the cover's facts and the report settings fill the Word
template (the firm's ``word_template`` or the default one); charts use the print copies the
notebook handed over (:func:`jixiao.run.handoff.extract_figures`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.core.errors import ParamsError
from jixiao.report.docblocks import Block, Heading, Toc, cover_facts, html_blocks
from jixiao.report.engagement import DRAFT_MARK, apparatus_of
from jixiao.report.word import build_docx
from jixiao.run.handoff import RESULT_TAG, extract_figures

__all__ = ["notebook_blocks", "word_report"]

_TOC_TAG = "jixiao-toc"


def notebook_blocks(nb: Any) -> tuple[list[Block], dict[str, Any]]:
    """(body blocks, cover facts) of an executed unit notebook, in reading order."""
    blocks: list[Block] = []
    cover: dict[str, Any] = {}
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if RESULT_TAG in tags or "parameters" in tags:
            continue
        if cell.get("cell_type") == "markdown":
            if _TOC_TAG in tags:
                blocks.append(Toc())
                continue
            for line in str(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    level = max(1, len(line) - len(line.lstrip("#")) - 1)
                    blocks.append(Heading(level, line.lstrip("#").strip()))
            continue
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if not html:
                continue
            html = "".join(html) if isinstance(html, list) else str(html)
            if "jx-cover" in html and not cover:
                cover = cover_facts(html)
                continue
            blocks.extend(html_blocks(html))
    return blocks, cover


def word_report(nb: Any, doc: dict[str, Any], template_bytes: bytes | None = None) -> bytes:
    """The unit's .docx: template (the firm's, else the default) filled with the cover and settings, then the body.

    ``template_bytes``: the firm's template itself, instead of reading the file the settings
    name (a Dask worker has no access to the project's files).

    Raises:
        ParamsError: the firm's template is missing or not a Word file.
    """
    blocks, cover = notebook_blocks(nb)
    app = apparatus_of(doc)
    meta = {m["label"]: m["value"] for m in cover.get("meta", [])}
    context = {
        "unit_name": cover.get("title") or doc.get("unit", {}).get("name", ""),
        "kicker": cover.get("kicker", ""),
        "subtitle": cover.get("subtitle", ""),
        "client": app.get("client", ""),
        "firm": app.get("firm", ""),
        "report_number": app.get("number", ""),
        "report_date": meta.get("报告日期", ""),
        "draft": bool(cover.get("draft")),
        "draft_mark": DRAFT_MARK,
        "figures": cover.get("figures", []),
        "meta": cover.get("meta", []),
        "team": app.get("team", []),
    }
    template = template_bytes
    if template is None and app.get("word_template"):
        path = Path(app["word_template"])
        try:
            template = path.read_bytes()
        except OSError:
            raise ParamsError("找不到 Word 报告模板", path=str(path)) from None
    return build_docx(blocks, context, template, extract_figures(nb))
