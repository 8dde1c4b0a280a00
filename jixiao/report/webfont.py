"""The report's Chinese font, embedded in the client HTML as a subset (no font request to any host).

The client HTML must read the same on a machine without Chinese fonts (a fresh Linux
box, a headless browser) and must not fetch anything. :func:`font_face_css` subsets the
bundled Noto Sans SC (:mod:`jixiao.report.fonts`, SIL OFL 1.1, name table and licence kept) to
the characters a page uses and returns an ``@font-face`` rule with the font as a
``data:font/woff`` URI (about 60–110 KB for a report). The result is deterministic (no
timestamps), so the same page always gets the same bytes. The subset is assembled from
glyphs converted once per process (:mod:`jixiao.report.fontsubset`): after the first page
a page's font costs ~0.02–0.1 s instead of ~0.5 s. Runner side only; fontTools (a
matplotlib dependency) is imported on first use.
"""

from __future__ import annotations

import base64
import html
import re
import threading
from collections.abc import Callable

from jixiao.report.fonts import font_path
from jixiao.report.fontsubset import GlyphFont

__all__ = [
    "FONT_FAMILY",
    "FONT_SUBSET_VERSION",
    "page_characters",
    "glyph_font",
    "subset_font",
    "font_face_css",
    "embed_font",
]

#: CSS family name of the embedded subset (``templates/report.css`` puts it first).
FONT_FAMILY = "JixiaoSans"
#: Version of the subsets' making, part of the key of subsets cached on disk (a change of the
#: way subsets are made must not reuse files made the old way).
FONT_SUBSET_VERSION = "glyphfont-1"
#: Always in the subset: ASCII, CJK punctuation and full-width forms used in reports.
_BASE = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "，。、；：？！“”‘’（）《》〈〉「」『』【】〔〕—…·％＋－＝×÷≥≤＜＞≠±→①②③④⑤⑥⑦⑧⑨⑩"
)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
_TAG = re.compile(r"<[^>]*>")
_STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_LOCK = threading.Lock()


def page_characters(page: str) -> str:
    """The characters a page shows (text and attribute values, minus embedded data), sorted."""
    text = _DATA_URI.sub("", _STYLE_OR_SCRIPT.sub("", page))
    shown = set(html.unescape(_TAG.sub(" ", text)))
    for attribute in re.findall(r'(?:alt|title|aria-label)="([^"]*)"', text):
        shown.update(html.unescape(attribute))
    shown.update(_BASE)
    return "".join(sorted(c for c in shown if c.isprintable()))


_FONT: GlyphFont | None = None


def glyph_font() -> GlyphFont:
    """The process's subsetter of the embedded font (its converted glyphs can be exported and absorbed)."""
    global _FONT
    with _LOCK:
        if _FONT is None:
            _FONT = GlyphFont(font_path("sans"))
        return _FONT


def subset_font(characters: str) -> bytes:
    """The WOFF subset of the font covering ``characters`` (deterministic; glyphs converted once per process)."""
    return glyph_font().woff("".join(sorted(set(characters))))


def font_face_css(characters: str, subset: Callable[[str], bytes] = subset_font) -> str:
    """An ``@font-face`` rule for :data:`FONT_FAMILY` covering ``characters``.

    ``subset`` makes the WOFF (default :func:`subset_font`; the runner passes one backed by a
    cache on disk, keyed by the character set).
    """
    uri = "data:font/woff;base64," + base64.b64encode(subset("".join(sorted(set(characters))))).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: normal; font-weight: 400; '
        f'font-display: block; src: url("{uri}") format("woff"); }}'
    )


def embed_font(page: str, subset: Callable[[str], bytes] = subset_font) -> str:
    """``page`` with the subset font's ``@font-face`` rule in a ``<style>`` before ``</head>``."""
    rule = f'<style type="text/css">\n{font_face_css(page_characters(page), subset)}\n</style>\n'
    head_end = page.find("</head>")
    return page[:head_end] + rule + page[head_end:] if head_end >= 0 else rule + page
