"""The Word report (.docx): a docxtpl template (cover, header, footer) filled, then the body blocks.

Why docxtpl: a firm's own Word template (its letterhead, styles and cover) is an ordinary
.docx in which the firm writes Jinja tags (``{{ unit_name }}``, ``{{ client }}``,
``{% if draft %}征求意见稿{% endif %}`` …) where Word splits text into runs at will; docxtpl
(on python-docx) merges those runs and renders the tags, which hand-written XML handling
would not do reliably. The body (headings, paragraphs, editable tables, charts) is added
with python-docx where the template has a paragraph reading ``{{ body }}``, using the
template's styles, so the firm's styles apply. Without a firm template a default one is
built here (:func:`default_template`): A4, 公文 margins (GB/T 9704: 37/35/28/26 mm),
方正小标宋/黑体/楷体/仿宋 by name, page numbers, 征求意见稿 in the header while pending.

Template variables: ``unit_name``, ``kicker``, ``subtitle``, ``client``, ``firm``,
``report_number``, ``report_date``, ``draft`` (bool), ``draft_mark``, ``figures`` and
``meta`` (lists of {label, value}: the key figures and the lines of the HTML cover),
``team`` (list of {name, role}), ``body`` (the marker).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import _Cell
from docxtpl import DocxTemplate

from jixiao.report.chartstyle import print_key
from jixiao.report.docblocks import Block, Figure, Heading, Para, Table, Toc

__all__ = ["BODY_MARKER", "FONTS", "LANDSCAPE_FROM", "default_template", "build_docx"]

BODY_MARKER = "JIXIAO-BODY-7f3a"
#: East Asian fonts by role (names as Word lists them); Latin text uses Times New Roman.
FONTS = {"title": "方正小标宋简体", "h1": "黑体", "h2": "楷体", "h3": "仿宋", "body": "仿宋", "table": "仿宋"}
_SIZES = {"title": 22, "h1": 16, "h2": 16, "h3": 15, "body": 14, "table": 9, "caption": 10.5}
_SHADES = {"lost": "FCE8E6", "sev-error": "FCE8E6", "sev-warn": "FEF3E0", "mismatch": "FEF3E0", "total": "EEF1F5"}
_CONTENT_WIDTH_CM = 15.6
#: The heading from which the report is set in landscape (the scoring annex has 14 columns).
LANDSCAPE_FROM = "附件四"  # A4 21 cm less 28 + 26 mm margins


def _fonts(target: Any, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set Latin and East Asian font names (and size/bold) on a style's or run's font."""
    font = target.font
    font.name = "Times New Roman"
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:ascii"), "Times New Roman")
    rfonts.set(qn("w:hAnsi"), "Times New Roman")


def _field(paragraph: Any, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE …) in one paragraph, with its cached result."""
    _field_start(paragraph, instruction)
    paragraph.add_run(shown)
    _field_end(paragraph)


def _field_char(paragraph: Any, kind: str) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(element)


def _field_start(paragraph: Any, instruction: str) -> None:
    """Begin a field that spans paragraphs: begin, instruction, separate (its shown result follows)."""
    _field_char(paragraph, "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    _field_char(paragraph, "separate")


def _field_end(paragraph: Any) -> None:
    _field_char(paragraph, "end")


#: Word's text watermark (a VML WordArt shape behind the page, as Word's own 水印 writes it); {text} is the mark.
_WATERMARK = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><w:pict>
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e">
<v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>
<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/>
<v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>
<v:f eqn="sum @6 0 @5"/></v:formulas>
<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"
 o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/>
<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>
</v:shapetype>
<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s20{n}" type="#_x0000_t136" o:allowincell="f"
 style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:105pt;rotation:315;z-index:-251654144;
mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;
mso-position-vertical-relative:margin" fillcolor="silver" stroked="f"><v:fill opacity=".4"/>
<v:textpath style="font-family:&quot;黑体&quot;;font-size:1pt" string="{text}"/></v:shape></w:pict></w:r>"""


def _watermark(doc: Any, text: str) -> None:
    """Put the watermark in every header of every section (the first-page header too)."""
    seen: set[int] = set()
    n = 50
    for section in doc.sections:
        for header in (section.header, section.first_page_header):
            if header.is_linked_to_previous or id(header._element) in seen:
                continue
            seen.add(id(header._element))
            paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            n += 1
            paragraph._p.append(parse_xml(_WATERMARK.format(n=n, text=escape(text))))


def _style_document(doc: Any) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, FONTS["body"], _SIZES["body"])
    normal.paragraph_format.line_spacing = Pt(26)
    normal.paragraph_format.first_line_indent = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for level, key in ((1, "h1"), (2, "h2"), (3, "h3")):
        style = styles[f"Heading {level}"]
        _fonts(style, FONTS[key], _SIZES[key], bold=level != 2)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        fmt = style.paragraph_format
        fmt.first_line_indent = Pt(0) if level == 1 else Pt(28)
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(10), Pt(6), Pt(26)
        fmt.keep_with_next = True
    title = styles["Title"]
    _fonts(title, FONTS["title"], _SIZES["title"], bold=False)
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    for border in title.element.xpath(".//w:pBdr"):  # the default Title has a rule under it
        border.getparent().remove(border)
    caption = styles["Caption"]
    _fonts(caption, FONTS["body"], _SIZES["caption"], bold=False)
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)
    for name, size in (("jixiao 表格文字", _SIZES["table"]), ("jixiao 引文", 12)):
        style = styles.add_style(name, 1)
        style.base_style = normal
        _fonts(style, FONTS["table"], size)
        style.paragraph_format.first_line_indent = Pt(0)
        style.paragraph_format.line_spacing = 1.0 if size < 12 else Pt(20)
    settings = doc.settings.element  # ask Word to refresh the TOC and page fields when the file is opened
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _page_setup(section: Any) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(18)


def default_template() -> bytes:
    """The default report template (a docxtpl template): cover with tags, header mark, page numbers, body marker."""
    doc = Document()
    _style_document(doc)
    section = doc.sections[0]
    _page_setup(section)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    mark = header.add_run("{% if draft %}{{ draft_mark }}{% endif %}")
    _fonts(mark, FONTS["h1"], 12, bold=True)
    mark.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = first.add_run("{% if draft %}{{ draft_mark }}{% endif %}")
    _fonts(run, FONTS["h1"], 16, bold=True)
    run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _field(footer, "PAGE", "1")
    footer.add_run(" —")

    def centred(text: str, style: str | None = None, size: float | None = None, font: str = "") -> None:
        p = doc.add_paragraph(style=style)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        r = p.add_run(text)
        if font:
            _fonts(r, font, size)

    for _ in range(3):
        doc.add_paragraph()
    centred("{{ kicker }}", size=15, font=FONTS["h1"])
    centred("{{ unit_name }}", style="Title")
    centred("{{ subtitle }}", size=18, font=FONTS["h2"])
    doc.add_paragraph()
    centred(
        "{% for f in figures %}{{ f.label }}：{{ f.value }}{% if not loop.last %}　　{% endif %}{% endfor %}",
        size=16,
        font=FONTS["h1"],
    )
    doc.add_paragraph()
    centred("{%p for m in meta %}", size=14, font=FONTS["body"])  # the cover's lines, as on the HTML cover
    centred("{{ m.label }}：{{ m.value }}", size=14, font=FONTS["body"])
    centred("{%p endfor %}", size=14, font=FONTS["body"])
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("{{ body }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


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
    _ensure_styles(doc)
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
        _watermark(doc, str(context.get("draft_mark") or "征求意见稿"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _ensure_styles(doc: Any) -> None:
    """A firm template may lack the styles the body uses: add them (its own styles are kept)."""
    names = {s.name for s in doc.styles}
    for name, size in (("jixiao 表格文字", _SIZES["table"]), ("jixiao 引文", 12)):
        if name not in names:
            style = doc.styles.add_style(name, 1)
            _fonts(style, FONTS["table"], size)
            style.paragraph_format.first_line_indent = Pt(0)


class _Writer:
    def __init__(self, doc: Any, print_copies: dict[str, bytes]) -> None:
        self.doc = doc
        self.print_copies = print_copies
        self.tables = 0
        self.figures = 0
        self.text_width = _CONTENT_WIDTH_CM
        self.headings: list[Heading] = []
        self.table_style = doc.styles["jixiao 表格文字"].style_id

    def add(self, block: Block) -> None:
        if isinstance(block, Heading):
            if block.text.startswith(LANDSCAPE_FROM) and self.text_width == _CONTENT_WIDTH_CM:
                self.landscape()
            self.doc.add_heading(block.text, level=min(block.level, 3))
        elif isinstance(block, Para):
            self.para(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, Toc):
            self.toc(self.headings)

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
            p = self.doc.add_paragraph(block.text, style="jixiao 引文")
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
        head = self.doc.add_paragraph("目　录", style="Title")
        head.paragraph_format.space_after = Pt(12)
        lines = [e for e in entries if e.level <= 2] or [Heading(1, "")]
        for i, entry in enumerate(lines):
            p = self.doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(0 if entry.level == 1 else 28)
            if i == 0:
                _field_start(p, 'TOC \\o "1-2" \\h \\z \\u')
            p.add_run(entry.text)
            if i == len(lines) - 1:
                _field_end(p)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, block: Table) -> None:
        width = len(block.header) or max((len(r) for r in block.rows), default=0)
        if width == 0:
            return
        if block.caption:
            self.tables += 1
            cap = self.doc.add_paragraph(f"表{self.tables}　{block.caption}", style="Caption")
            cap.paragraph_format.keep_with_next = True
        header_rows = 1 if block.header else 0
        table = self.doc.add_table(rows=header_rows + len(block.rows), cols=width)
        table.style = "Table Grid"
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        # one pass over the cell elements (python-docx's table.cell() walks the whole grid each call)
        grid = [[_Cell(tc, table) for tc in row._tr.tc_lst] for row in table.rows]
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
            grid[top][j].merge(grid[bottom][j])
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
            for row in grid:
                row[j].width = Cm(cm)

    def _cell(self, cell: Any, text: str, numeric: bool = False, bold: bool = False, shade: str | None = None) -> None:
        p = cell.paragraphs[0]
        p._p.style = self.table_style  # the style id, set directly (a lookup by name per cell is slow)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
        run = p.add_run(text)
        run.bold = bold or None
        if shade:
            props = cell._tc.get_or_add_tcPr()
            fill = OxmlElement("w:shd")
            fill.set(qn("w:val"), "clear")
            fill.set(qn("w:color"), "auto")
            fill.set(qn("w:fill"), shade)
            props.append(fill)

    def figure(self, block: Figure) -> None:
        png = self.print_copies.get(print_key(block.key), block.png)
        self.figures += 1
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(png), width=Cm(_CONTENT_WIDTH_CM))
        self.doc.add_paragraph(f"图{self.figures}　{block.caption}", style="Caption")


def _display_width(text: str) -> int:
    """Width in half-width characters (a CJK character counts two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _repeat_header(row: Any) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)
