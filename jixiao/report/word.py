"""The Word report (.docx): a docxtpl template (cover, header, footer) filled, then the body blocks.

Why docxtpl: a firm's own Word template (its letterhead, styles and cover) is an ordinary
.docx in which the firm writes Jinja tags (``{{ unit_name }}``, ``{{ client }}``,
``{% if draft %}征求意见稿{% endif %}`` …) where Word splits text into runs at will; docxtpl
(on python-docx) merges those runs and renders the tags, which hand-written XML handling
would not do reliably. The body (headings, paragraphs, editable tables, charts) is added
with python-docx where the template has a paragraph reading ``{{ body }}``, using the
template's styles, so the firm's styles apply. Without a firm template the default one of
:mod:`jixiao.report.wordstyle` is used. While anything is pending a 征求意见稿 watermark is
added to every header, whatever the template.

Template variables: ``unit_name``, ``kicker``, ``subtitle``, ``client``, ``firm``,
``report_number``, ``report_date``, ``draft`` (bool), ``draft_mark``, ``figures`` and
``meta`` (lists of {label, value}: the key figures and the lines of the HTML cover),
``team`` (list of {name, role}), ``body`` (the marker).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docxtpl import DocxTemplate
from lxml import etree

from jixiao.report.chartstyle import print_key
from jixiao.report.docblocks import Block, Figure, Heading, Para, Table, Toc
from jixiao.report.wordstyle import (
    QUOTE_STYLE,
    TABLE_STYLE,
    add_watermark,
    default_template,
    ensure_styles,
    field_end,
    field_start,
)

__all__ = ["BODY_MARKER", "LANDSCAPE_FROM", "build_docx"]

BODY_MARKER = "JIXIAO-BODY-7f3a"
_SHADES = {"lost": "FCE8E6", "sev-error": "FCE8E6", "sev-warn": "FEF3E0", "mismatch": "FEF3E0", "total": "EEF1F5"}
_CONTENT_WIDTH_CM = 15.6  # A4 21 cm less 28 + 26 mm margins
#: Qualified WordprocessingML names used when writing table cells.
_W = {
    n: qn(f"w:{n}")
    for n in (
        "pPr",
        "pStyle",
        "jc",
        "val",
        "r",
        "rPr",
        "b",
        "br",
        "tab",
        "t",
        "shd",
        "color",
        "fill",
        "type",
        "w",
        "tcW",
        "tc",
        "tr",
        "tcPr",
        "vMerge",
        "p",
    )
}
_BEFORE_VMERGE = {qn("w:cnfStyle"), qn("w:tcW"), qn("w:gridSpan"), qn("w:hMerge")}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The heading from which the report is set in landscape (the scoring annex has 14 columns).
LANDSCAPE_FROM = "附件四"


def build_docx(
    blocks: Iterable[Block],
    context: dict[str, Any],
    template: bytes | None = None,
    print_copies: dict[str, bytes] | None = None,
) -> bytes:
    """The report as .docx bytes: ``template`` (default: :func:`default_template`) rendered with ``context``,
    then the body ``blocks`` where the template reads ``{{ body }}`` (appended at the end if it has no such tag).

    Charts use their print copy (``print_copies`` by screen key) when there is one.
    """
    tpl = DocxTemplate(io.BytesIO(template or default_template()))
    tpl.render({**context, "body": BODY_MARKER}, autoescape=True)
    rendered = io.BytesIO()
    tpl.save(rendered)
    doc = Document(io.BytesIO(rendered.getvalue()))
    ensure_styles(doc)
    body = doc.element.body
    marker = next((p for p in doc.paragraphs if p.text.strip() == BODY_MARKER), None)
    before = len(body)
    writer = _Writer(doc, print_copies or {})
    blocks = list(blocks)
    writer.headings = [b for b in blocks if isinstance(b, Heading)]
    for block in blocks:
        writer.add(block)
    if marker is not None:  # move the new body elements (before the final sectPr) to the marker's place
        new = [el for el in list(body)[before - 1 :] if el.tag != qn("w:sectPr")]
        anchor = marker._p
        for el in new:
            anchor.addnext(el)
            anchor = el
        marker._p.getparent().remove(marker._p)
    if context.get("draft"):
        add_watermark(doc, str(context.get("draft_mark") or "征求意见稿"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class _Writer:
    def __init__(self, doc: Any, print_copies: dict[str, bytes]) -> None:
        self.doc = doc
        self.print_copies = print_copies
        self.tables = 0
        self.figures = 0
        self.text_width = _CONTENT_WIDTH_CM
        self.headings: list[Heading] = []
        self.table_style = doc.styles[TABLE_STYLE].style_id
        self.style_ids: dict[str, str] = {}
        self.grid_style = doc.part.get_style_id("Table Grid", WD_STYLE_TYPE.TABLE)

    def add(self, block: Block) -> None:
        if isinstance(block, Heading):
            if block.text.startswith(LANDSCAPE_FROM) and self.text_width == _CONTENT_WIDTH_CM:
                self.landscape()
            self.paragraph(block.text, f"Heading {min(block.level, 3)}")
        elif isinstance(block, Para):
            self.para(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, Toc):
            self.toc(self.headings)

    def paragraph(self, text: str, style: str) -> Any:
        """A paragraph in a style given by name; the id is looked up once (python-docx scans the styles per call)."""
        if style not in self.style_ids:
            self.style_ids[style] = self.doc.styles[style].style_id
        p = self.doc.add_paragraph(text)
        p._p.style = self.style_ids[style]
        return p

    def landscape(self) -> None:
        """From here on A4 landscape (the wide scoring annex), with the same header and page numbers."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(25), Mm(25)
        self.text_width = 24.7

    def para(self, block: Para) -> None:
        if block.style in ("quote", "label", "small"):
            p = self.paragraph(block.text, QUOTE_STYLE)
            p.paragraph_format.left_indent = Cm(0.8)
            if block.style == "label":
                for run in p.runs:
                    run.bold = True
        elif block.style == "item":
            p = self.doc.add_paragraph(block.text)
        else:
            self.doc.add_paragraph(block.text)

    def toc(self, entries: list[Heading]) -> None:
        """目录: a TOC field whose shown result lists the headings (Word refreshes it with page numbers)."""
        head = self.paragraph("目　录", "Title")
        head.paragraph_format.space_after = Pt(12)
        lines = [e for e in entries if e.level <= 2] or [Heading(1, "")]
        for i, entry in enumerate(lines):
            p = self.doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(0 if entry.level == 1 else 28)
            if i == 0:
                field_start(p, 'TOC \\o "1-2" \\h \\z \\u')
            p.add_run(entry.text)
            if i == len(lines) - 1:
                field_end(p)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, block: Table) -> None:
        width = len(block.header) or max((len(r) for r in block.rows), default=0)
        if width == 0:
            return
        if block.caption:
            self.tables += 1
            cap = self.paragraph(f"表{self.tables}　{block.caption}", "Caption")
            cap.paragraph_format.keep_with_next = True
        header_rows = 1 if block.header else 0
        table = self.doc.add_table(rows=header_rows + len(block.rows), cols=width)
        table._tbl.tblStyle_val = self.grid_style  # what ``table.style = "Table Grid"`` sets, looked up once
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        # one pass over the cell elements (python-docx's table.cell() walks the whole grid each call)
        grid = [tr.findall(_W["tc"]) for tr in table._tbl.findall(_W["tr"])]
        if block.header:
            for j, text in enumerate(block.header):
                self._cell(grid[0][j], text, bold=True, shade="E4E9F0")
            _repeat_header(table.rows[0])
        merges = []
        for i, row in enumerate(block.rows):
            cls = block.row_classes[i] if i < len(block.row_classes) else ""
            shade = next((_SHADES[c] for c in cls.split() if c in _SHADES), None)
            for j, cell in enumerate(row[:width]):
                if cell is None:
                    continue
                self._cell(grid[header_rows + i][j], cell.text, cell.numeric, block.pairs and j == 0, shade)
                if cell.rowspan > 1:
                    merges.append((header_rows + i, j, min(header_rows + i + cell.rowspan, len(grid)) - 1))
        self._widths(block, table, grid)
        for top, j, bottom in merges:
            _merge_down(grid, top, j, bottom)
        self.doc.add_paragraph()

    def _widths(self, block: Table, table: Any, grid: list[list[Any]]) -> None:
        """Column widths: numbers get what their longest value needs, text columns share the rest by length."""
        width = len(grid[0])
        need, text = [1.1] * width, [0.0] * width
        for j in range(width):
            cells = [row[j] for row in block.rows if j < len(row) and row[j] is not None]
            if cells and all(c.numeric or not c.text for c in cells):
                need[j] = max(1.1, 0.19 * max(len(c.text) for c in cells) + 0.45)
            else:
                lengths = [min(_display_width(c.text), 80) for c in cells] or [4]
                text[j] = sum(lengths) / len(lengths)  # the typical cell, not the longest
                text[j] = max(text[j], _display_width(block.header[j]) if j < len(block.header) else 0)
        spare = max(0.0, self.text_width - sum(need))
        for j in range(width):
            cm = need[j] + (spare * text[j] / sum(text) if sum(text) else spare / width)
            table.columns[j].width = Cm(cm)
            twips = str(Cm(cm).twips)
            for row in grid:  # what ``cell.width = Cm(cm)`` writes, without python-docx's per-call lookups
                props = _tc_props(row[j])
                tc_width = props.find(_W["tcW"])
                if tc_width is None:
                    tc_width = OxmlElement("w:tcW")
                    props.insert(0, tc_width)
                tc_width.set(_W["type"], "dxa")
                tc_width.set(_W["w"], twips)

    def _cell(self, tc: Any, text: str, numeric: bool = False, bold: bool = False, shade: str | None = None) -> None:
        """The cell's (``<w:tc>``) paragraph written as XML directly (python-docx's setters cost ~0.4 ms each, per cell)."""
        p = tc.find(_W["p"])
        props = etree.SubElement(p, _W["pPr"])
        etree.SubElement(props, _W["pStyle"]).set(_W["val"], self.table_style)
        etree.SubElement(props, _W["jc"]).set(_W["val"], "right" if numeric else "left")
        run = etree.SubElement(p, _W["r"])
        if bold:
            etree.SubElement(etree.SubElement(run, _W["rPr"]), _W["b"])
        for i, line in enumerate(text.split("\n")):
            if i:
                etree.SubElement(run, _W["br"])
            for j, piece in enumerate(line.split("\t")):
                if j:
                    etree.SubElement(run, _W["tab"])
                if piece:
                    t = etree.SubElement(run, _W["t"])
                    t.text = piece
                    if piece != piece.strip():
                        t.set(_XML_SPACE, "preserve")
        if shade:
            fill = etree.SubElement(_tc_props(tc), _W["shd"])
            fill.set(_W["val"], "clear")
            fill.set(_W["color"], "auto")
            fill.set(_W["fill"], shade)

    def figure(self, block: Figure) -> None:
        png = self.print_copies.get(print_key(block.key), block.png)
        self.figures += 1
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(png), width=Cm(_CONTENT_WIDTH_CM))
        self.paragraph(f"图{self.figures}　{block.caption}", "Caption")


def _merge_down(grid: list[list[Any]], top: int, column: int, bottom: int) -> None:
    """Merge a column's cells from row ``top`` to ``bottom``, as python-docx's ``merge`` writes it for
    cells below the first that are empty: ``<w:vMerge w:val="restart"/>`` then ``<w:vMerge/>``,
    placed in the schema's order (after ``tcW``/``gridSpan``, before ``shd``)."""
    if bottom <= top:
        return
    for i in range(top, bottom + 1):
        props = _tc_props(grid[i][column])
        at = 0
        while at < len(props) and props[at].tag in _BEFORE_VMERGE:
            at += 1
        mark = etree.Element(_W["vMerge"])
        if i == top:
            mark.set(_W["val"], "restart")
        props.insert(at, mark)


def _tc_props(tc: Any) -> Any:
    """The cell's ``<w:tcPr>`` (its first child), added if missing."""
    props = tc.find(_W["tcPr"])
    if props is None:
        props = etree.Element(_W["tcPr"])
        tc.insert(0, props)
    return props


def _display_width(text: str) -> int:
    """Width in half-width characters (a CJK character counts two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _repeat_header(row: Any) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)
