"""The report's HTML fragments as a flat list of document blocks (headings, paragraphs, tables, figures).

The client HTML is the one rendering of the report's content; the Word report is built from
the same fragments, read back into blocks here, so that both carry the same words, tables
and charts. Only the markup this package writes is understood (``report.html``): headings,
paragraphs, quotes, lists, ``jx-table`` / ``jx-pairs`` tables (with merged group cells),
key-figure cards and ``<figure>`` charts. Text is unescaped once by the HTML parser; it is
plain text from then on.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import lxml.html

__all__ = ["Heading", "Para", "Cell", "Table", "Figure", "Toc", "Block", "html_blocks", "cover_facts"]


@dataclass
class Heading:
    level: int  # 1 一、 2 （一） 3 1.
    text: str


@dataclass
class Para:
    text: str
    style: str = "body"  # body, quote, label, item, small


@dataclass
class Cell:
    text: str
    numeric: bool = False
    rowspan: int = 1


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[Cell | None]]  # None where a merged cell above covers the position
    row_classes: list[str] = field(default_factory=list)
    pairs: bool = False  # a label/value table (no caption, no header)


@dataclass
class Figure:
    png: bytes  # the screen copy as embedded in the HTML
    key: str  # base64 text of the screen copy (chartstyle.print_key finds its print copy)
    caption: str


@dataclass
class Toc:
    pass


Block = Heading | Para | Table | Figure | Toc

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SKIP_CLASSES = ("jx-footer", "jx-cover")


def _text(el) -> str:
    """The element's text with runs of ASCII whitespace as one space (a full-width space is kept)."""
    text = _NOT_XML.sub("", "".join(el.itertext()))  # control characters from input cells cannot go into Word
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _heading_text(el) -> str:
    """A heading's text; a severity badge inside it becomes a bracketed word (（一）完成值缺失（警告）)."""
    badges = [b for b in el.iter() if "jx-badge" in _classes(b)]
    words = [_text(b) for b in badges]
    for badge in badges:
        badge.drop_tree()
    return _text(el) + "".join(f"（{w}）" for w in words if w)


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def html_blocks(fragment: str) -> list[Block]:
    """The blocks of one HTML fragment (a section's display), in reading order."""
    if not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    blocks: list[Block] = []
    _walk(root, blocks)
    return blocks


def _walk(el, out: list[Block]) -> None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        tag, classes = child.tag.lower(), _classes(child)
        if classes & set(_SKIP_CLASSES) or tag in ("style", "script", "footer"):
            continue
        if tag in ("h1", "h2"):
            out.append(Heading(1, _text(child)))
        elif tag == "h3":
            out.append(Heading(2, _heading_text(child)))
        elif tag in ("h4", "h5"):
            out.append(Heading(3, _text(child)))
        elif tag == "p":
            text = _text(child)
            if text:
                out.append(Para(text, "label" if "jx-quote-label" in classes else "body"))
        elif tag == "blockquote":
            for p in child.iter("p"):
                text = _text(p)
                if text:
                    out.append(Para(text, "label" if "jx-quote-label" in _classes(p) else "quote"))
        elif tag in ("ol", "ul"):
            for i, li in enumerate(child.findall("li"), 1):
                mark = f"{i}. " if tag == "ol" else "· "
                texts = [_text(p) for p in li.findall("p")] or [_text(li)]
                out.append(Para(mark + texts[0], "item"))
                out.extend(Para(t, "small") for t in texts[1:] if t)
        elif tag == "table":
            out.append(_table(child))
        elif tag == "figure":
            out.extend(_figure(child))
        elif "jx-cards" in classes:
            out.append(_cards(child))
        else:
            _walk(child, out)


def _table(el) -> Table:
    classes = _classes(el)
    caption = el.find("caption")
    header = [_text(th) for th in el.xpath("./thead/tr/th")]
    body_rows = el.xpath("./tbody/tr") or el.xpath("./tr")
    width = len(header) or max((len(r) for r in body_rows), default=0)
    rows: list[list[Cell | None]] = []
    covered: dict[tuple[int, int], bool] = {}
    row_classes = []
    for i, tr in enumerate(body_rows):
        row: list[Cell | None] = []
        cells = list(tr.xpath("./td|./th"))
        col = 0
        while col < width:
            if covered.get((i, col)):
                row.append(None)
                col += 1
                continue
            if not cells:
                row.append(Cell(""))
                col += 1
                continue
            td = cells.pop(0)
            span = int(td.get("rowspan") or 1)
            for k in range(1, span):
                covered[(i + k, col)] = True
            row.append(Cell(_text(td), numeric="num" in _classes(td), rowspan=span))
            col += 1
        rows.append(row)
        row_classes.append(tr.get("class") or "")
    pairs = "jx-pairs" in classes or "jx-cover-meta" in classes
    return Table(_text(caption) if caption is not None else "", header, rows, row_classes, pairs=pairs)


def _figure(el) -> list[Block]:
    img = el.find(".//img")
    caption = el.find(".//figcaption")
    src = img.get("src", "") if img is not None else ""
    if not src.startswith("data:image/png;base64,"):
        return []
    data = src.split(",", 1)[1]
    text = _text(caption) if caption is not None else (img.get("alt") or "")
    return [Figure(base64.b64decode(data), data, text)]


def _cards(el) -> Table:
    header, values = [], []
    for box in el:
        label = box.find(".//span[@class='label']")
        value = box.find(".//span[@class='value']")
        header.append(_text(label) if label is not None else "")
        values.append(Cell(_text(value) if value is not None else "", numeric=True))
    return Table("", header, [values])


def cover_facts(fragment: str) -> dict[str, object]:
    """What the HTML cover shows: kicker, title, subtitle, the key figures and the label/value lines."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    found: dict[str, object] = {"draft": bool(root.xpath(".//*[contains(@class,'jx-draft-mark')]"))}
    for key, cls in (("kicker", "jx-cover-kicker"), ("title", "jx-cover-title"), ("subtitle", "jx-cover-subtitle")):
        hit = root.xpath(f".//*[contains(concat(' ', @class, ' '), ' {cls} ')]")
        found[key] = _text(hit[0]) if hit else ""
    figures = []
    for box in root.xpath(".//div[contains(@class,'jx-cover-figures')]/div"):
        label, value = box.find(".//span[@class='label']"), box.find(".//span[@class='value']")
        figures.append(
            {"label": _text(label) if label is not None else "", "value": _text(value) if value is not None else ""}
        )
    found["figures"] = figures
    found["meta"] = [
        {"label": _text(tr.find("th")), "value": _text(tr.find("td"))}
        for tr in root.xpath(".//table[contains(@class,'jx-cover-meta')]//tr")
        if tr.find("th") is not None and tr.find("td") is not None
    ]
    return found
