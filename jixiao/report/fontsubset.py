"""Subsets of the bundled CFF font, assembled per page from outlines converted once per process.

fontTools' general subsetter reads the 8 MB Noto Sans SC and decompiles, closes over,
strips and recompiles every kept glyph's charstring (with its subroutines) for each page:
about 0.15 s plus 0.5 ms a character, ~0.5 s for a report page, twice per unit (client and
analyst page). Units of one engagement share most of their characters, so here each
character's outline is converted once per process — drawn through a
:class:`~fontTools.pens.t2CharStringPen.T2CharStringPen`, which gives a self-contained
charstring with no hints and no subroutine calls — and a page's font is assembled from the
converted glyphs with :class:`~fontTools.fontBuilder.FontBuilder`: the same outlines, the
same advance widths and side bearings, the source's vertical metrics, OS/2 values and
complete name table (copyright and the SIL OFL licence stay in the font).

The result is deterministic: the glyphs are ordered by code point and named ``g<code point
in hex>``, and the head table keeps the source's timestamps.

The converted glyphs can be kept between processes: :meth:`GlyphFont.export` gives them as
bytes (JSON, stamped with the font file's digest, fontTools' version and
:data:`GLYPHS_FORMAT`) and :meth:`GlyphFont.absorb` takes them back in another process,
ignoring data made from another font or another way (the run layer keeps the file).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import threading
from typing import Any, NamedTuple

__all__ = ["GlyphFont", "GLYPHS_FORMAT"]

#: Version of the converted glyphs' making and of :meth:`GlyphFont.export`'s format.
GLYPHS_FORMAT = "t2pen-1"

_NOTDEF = ".notdef"
# OS/2 fields copied from the source font (FontBuilder's defaults otherwise).
_OS2_FIELDS = (
    "version",
    "xAvgCharWidth",
    "usWeightClass",
    "usWidthClass",
    "fsType",
    "ySubscriptXSize",
    "ySubscriptYSize",
    "ySubscriptXOffset",
    "ySubscriptYOffset",
    "ySuperscriptXSize",
    "ySuperscriptYSize",
    "ySuperscriptXOffset",
    "ySuperscriptYOffset",
    "yStrikeoutSize",
    "yStrikeoutPosition",
    "sFamilyClass",
    "panose",
    "ulUnicodeRange1",
    "ulUnicodeRange2",
    "ulUnicodeRange3",
    "ulUnicodeRange4",
    "achVendID",
    "fsSelection",
    "sTypoAscender",
    "sTypoDescender",
    "sTypoLineGap",
    "usWinAscent",
    "usWinDescent",
    "ulCodePageRange1",
    "ulCodePageRange2",
    "sxHeight",
    "sCapHeight",
    "usDefaultChar",
    "usBreakChar",
    "usMaxContext",
)


class GlyphFont:
    """One CFF font (``.otf``), subset by characters into WOFF files; thread-safe.

    Args:
        path: The source font (CFF outlines, CID-keyed or not).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._source: Any = None  # TTFont, opened lazily on first use
        self._cmap: dict[int, str] = {}
        self._glyphs: dict[str, _Glyph] = {}  # source glyph name -> converted glyph
        self._stamp: str | None = None
        self.converted = 0  # glyphs converted by this process (not absorbed)

    def stamp(self) -> str:
        """What converted glyphs depend on: the font file's digest, fontTools' version, :data:`GLYPHS_FORMAT`."""
        if self._stamp is None:
            import fontTools

            with open(self.path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            self._stamp = f"{GLYPHS_FORMAT}/fonttools-{fontTools.version}/{digest}"
        return self._stamp

    def export(self) -> bytes:
        """The glyphs converted so far, as bytes for :meth:`absorb` (deterministic: sorted by glyph name)."""
        with self._lock:
            glyphs = {
                name: [g.advance, g.lsb, base64.b64encode(g.charstring).decode("ascii"), g.bounds]
                for name, g in sorted(self._glyphs.items())
            }
        return json.dumps({"stamp": self.stamp(), "glyphs": glyphs}, separators=(",", ":")).encode("utf-8")

    def absorb(self, data: bytes) -> int:
        """Take in glyphs :meth:`export` gave (in this or another process); the number taken.

        Data of another font file, fontTools version or format, or unreadable data, is
        ignored (0): those glyphs are converted again.
        """
        try:
            loaded = json.loads(data)
            if not isinstance(loaded, dict) or loaded.get("stamp") != self.stamp():
                return 0
            glyphs = {
                str(name): _Glyph(
                    int(a), int(b), base64.b64decode(c, validate=True), tuple(d) if d is not None else None
                )
                for name, (a, b, c, d) in loaded["glyphs"].items()
            }
        except (ValueError, TypeError, KeyError, AttributeError):
            return 0
        with self._lock:
            for name, glyph in glyphs.items():
                self._glyphs.setdefault(name, glyph)
        return len(glyphs)

    def woff(self, characters: str) -> bytes:
        """A WOFF font with the glyphs of ``characters`` that the font has (and ``.notdef``)."""
        with self._lock:
            source = self._open()
            codes = sorted({ord(c) for c in characters if ord(c) in self._cmap})
            names = {code: f"g{code:04X}" for code in codes}
            glyphs = {_NOTDEF: self._glyph(_NOTDEF)}
            for code in codes:
                glyphs[names[code]] = self._glyph(self._cmap[code])
            return _assemble(source, glyphs, names)

    def _open(self) -> Any:
        if self._source is None:
            from fontTools.ttLib import TTFont

            self._source = TTFont(self.path, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
            self._cmap = self._source.getBestCmap()
        return self._source

    def _glyph(self, name: str) -> _Glyph:
        """A source glyph, converted once: no hints, no subroutine calls, width relative to 0."""
        found = self._glyphs.get(name)
        if found is None:
            from fontTools.pens.boundsPen import BoundsPen
            from fontTools.pens.t2CharStringPen import T2CharStringPen

            advance, lsb = self._source["hmtx"][name]
            outline = self._source["CFF "].cff.topDictIndex[0].CharStrings[name]
            pen, bounds = T2CharStringPen(advance, None), BoundsPen(None)
            outline.draw(pen)
            outline.draw(bounds)
            charstring = pen.getCharString()
            charstring.compile()
            found = self._glyphs[name] = _Glyph(advance, lsb, charstring.bytecode, bounds.bounds)
            self.converted += 1
        return found


class _Glyph(NamedTuple):
    advance: int
    lsb: int
    charstring: bytes
    bounds: tuple[float, float, float, float] | None  # xMin, yMin, xMax, yMax; None if no outline


def _assemble(source: Any, glyphs: dict[str, _Glyph], names: dict[int, str]) -> bytes:
    """The font of ``glyphs`` (glyph order as given) with the source's metrics, names and licence."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.misc.psCharStrings import T2CharString
    from fontTools.misc.roundTools import otRound

    head, hhea, os2, post = source["head"], source["hhea"], source["OS/2"], source["post"]
    top = source["CFF "].cff.topDictIndex[0]
    outlines = [g.bounds for g in glyphs.values() if g.bounds is not None]
    box = [otRound(min(b[0] for b in outlines)), otRound(min(b[1] for b in outlines))]
    box += [otRound(max(b[2] for b in outlines)), otRound(max(b[3] for b in outlines))]
    builder = FontBuilder(head.unitsPerEm, isTTF=False)
    builder.font.recalcBBoxes = False  # set here from the converted glyphs' bounds (recalculating decompiles them all)
    builder.font.recalcTimestamp = False
    builder.setupHead(
        unitsPerEm=head.unitsPerEm,
        fontRevision=head.fontRevision,
        created=head.created,
        modified=head.modified,
        macStyle=head.macStyle,
        lowestRecPPEM=head.lowestRecPPEM,
        fontDirectionHint=head.fontDirectionHint,
        xMin=box[0],
        yMin=box[1],
        xMax=box[2],
        yMax=box[3],
    )
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap(names)
    builder.setupHorizontalMetrics({name: (g.advance, g.lsb) for name, g in glyphs.items()})
    drawn = [g for g in glyphs.values() if g.bounds is not None]
    builder.setupHorizontalHeader(
        ascent=hhea.ascent,
        descent=hhea.descent,
        lineGap=hhea.lineGap,
        caretSlopeRise=hhea.caretSlopeRise,
        caretSlopeRun=hhea.caretSlopeRun,
        advanceWidthMax=max(g.advance for g in glyphs.values()),
        minLeftSideBearing=min(g.lsb for g in drawn),
        minRightSideBearing=min(g.advance - g.lsb - otRound(g.bounds[2] - g.bounds[0]) for g in drawn),
        xMaxExtent=max(g.lsb + otRound(g.bounds[2] - g.bounds[0]) for g in drawn),
    )
    builder.setupMaxp()
    builder.setupOS2(**{field: getattr(os2, field) for field in _OS2_FIELDS if hasattr(os2, field)})
    builder.setupPost(
        isFixedPitch=post.isFixedPitch,
        underlinePosition=post.underlinePosition,
        underlineThickness=post.underlineThickness,
    )
    info = {key: getattr(top, key) for key in ("FullName", "FamilyName", "Weight", "Notice") if hasattr(top, key)}
    info["FontBBox"] = box
    charstrings = {name: T2CharString(bytecode=g.charstring) for name, g in glyphs.items()}
    builder.setupCFF(source["CFF "].cff.fontNames[0], info, charstrings, {})
    builder.font["name"] = copy.deepcopy(source["name"])
    builder.font.flavor = "woff"
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()
