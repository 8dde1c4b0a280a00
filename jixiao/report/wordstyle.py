"""House style of the Word report: fonts, sizes, page setup, fields, the 征求意见稿 watermark, the default template.

The default template is a docxtpl template built here with python-docx (nothing binary is
shipped): A4 with 公文 margins (GB/T 9704: 37/35/28/26 mm), 方正小标宋 / 黑体 / 楷体 / 仿宋 set
by name as East Asian fonts (Word falls back to what it has), the cover's tags, the
征求意见稿 mark in the header while ``draft``, page numbers in the footer, and the
paragraph reading ``{{ body }}`` where :func:`jixiao.report.word.build_docx` puts the body.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

__all__ = [
    "FONTS",
    "SIZES",
    "TABLE_STYLE",
    "QUOTE_STYLE",
    "set_fonts",
    "add_field",
    "field_start",
    "field_end",
    "add_watermark",
    "page_setup",
    "default_template",
    "ensure_styles",
]

TABLE_STYLE = "jixiao 表格文字"
QUOTE_STYLE = "jixiao 引文"
#: East Asian fonts by role (names as Word lists them); Latin text uses Times New Roman.
FONTS = {"title": "方正小标宋简体", "h1": "黑体", "h2": "楷体", "h3": "仿宋", "body": "仿宋", "table": "仿宋"}
SIZES = {"title": 22, "h1": 16, "h2": 16, "h3": 15, "body": 14, "table": 9, "caption": 10.5}


def set_fonts(target: Any, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
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


def add_field(paragraph: Any, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE …) in one paragraph, with its cached result."""
    field_start(paragraph, instruction)
    paragraph.add_run(shown)
    field_end(paragraph)


def _field_char(paragraph: Any, kind: str) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(element)


def field_start(paragraph: Any, instruction: str) -> None:
    """Begin a field that spans paragraphs: begin, instruction, separate (its shown result follows)."""
    _field_char(paragraph, "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    _field_char(paragraph, "separate")


def field_end(paragraph: Any) -> None:
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


def add_watermark(doc: Any, text: str) -> None:
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
    set_fonts(normal, FONTS["body"], SIZES["body"])
    normal.paragraph_format.line_spacing = Pt(26)
    normal.paragraph_format.first_line_indent = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for level, key in ((1, "h1"), (2, "h2"), (3, "h3")):
        style = styles[f"Heading {level}"]
        set_fonts(style, FONTS[key], SIZES[key], bold=level != 2)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        fmt = style.paragraph_format
        fmt.first_line_indent = Pt(0) if level == 1 else Pt(28)
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(10), Pt(6), Pt(26)
        fmt.keep_with_next = True
    title = styles["Title"]
    set_fonts(title, FONTS["title"], SIZES["title"], bold=False)
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    for border in title.element.xpath(".//w:pBdr"):  # the default Title has a rule under it
        border.getparent().remove(border)
    caption = styles["Caption"]
    set_fonts(caption, FONTS["body"], SIZES["caption"], bold=False)
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)
    for name, size in ((TABLE_STYLE, SIZES["table"]), (QUOTE_STYLE, 12)):
        style = styles.add_style(name, 1)
        style.base_style = normal
        set_fonts(style, FONTS["table"], size)
        style.paragraph_format.first_line_indent = Pt(0)
        style.paragraph_format.line_spacing = 1.0 if size < 12 else Pt(20)
    settings = doc.settings.element  # ask Word to refresh the TOC and page fields when the file is opened
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def page_setup(section: Any) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(18)


@lru_cache(maxsize=1)
def default_template() -> bytes:
    """The default report template (a docxtpl template): cover with tags, header mark, page numbers, body marker.

    Built once per process (the same bytes for every unit).
    """
    doc = Document()
    _style_document(doc)
    section = doc.sections[0]
    page_setup(section)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    mark = header.add_run("{% if draft %}{{ draft_mark }}{% endif %}")
    set_fonts(mark, FONTS["h1"], 12, bold=True)
    mark.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = first.add_run("{% if draft %}{{ draft_mark }}{% endif %}")
    set_fonts(run, FONTS["h1"], 16, bold=True)
    run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    add_field(footer, "PAGE", "1")
    footer.add_run(" —")

    def centred(text: str, style: str | None = None, size: float | None = None, font: str = "") -> None:
        p = doc.add_paragraph(style=style)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        r = p.add_run(text)
        if font:
            set_fonts(r, font, size)

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


def ensure_styles(doc: Any) -> None:
    """A firm template may lack the styles the body uses: add them (its own styles are kept)."""
    names = {s.name for s in doc.styles}
    for name, size in ((TABLE_STYLE, SIZES["table"]), (QUOTE_STYLE, 12)):
        if name not in names:
            style = doc.styles.add_style(name, 1)
            set_fonts(style, FONTS["table"], size)
            style.paragraph_format.first_line_indent = Pt(0)
