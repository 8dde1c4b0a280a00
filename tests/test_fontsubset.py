"""The embedded font's subsets (report/fontsubset.py): the source's outlines and metrics, deterministic bytes."""

from __future__ import annotations

import io

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

from jixiao.report.fonts import font_path
from jixiao.report.fontsubset import GlyphFont

TEXT = "绩效评价复核报告：预算执行率 98.50%，得分 92.5（优）。与力办协型并开所激知“”《》—…①≥"


@pytest.fixture(scope="module")
def source():
    return TTFont(font_path("sans"), lazy=True)


def _contours(glyph) -> list[list[tuple]]:
    """The glyph's contours as point lists, with closing points and points inside straight runs dropped.

    The subset's charstrings are re-encoded (fontTools' specializer joins two collinear lines
    into one): the drawn shape is the same, which this form compares.
    """
    pen = RecordingPen()
    glyph.draw(pen)
    contours, current = [], None
    for op, args in pen.value:
        if op == "moveTo":
            current = [("p", args[0])]
            contours.append(current)
        elif op == "lineTo":
            current.append(("p", args[0]))
        elif op == "curveTo":
            current.append(("c", *args))
    result = []
    for contour in contours:
        points = [p for i, p in enumerate(contour) if i == 0 or p != contour[i - 1]]
        if len(points) > 1 and points[-1] == points[0]:
            points.pop()
        changed = True
        while changed:  # drop a line point between two line points on one straight line
            changed = False
            for i in range(len(points)):
                a, b, c = points[i - 1], points[i], points[(i + 1) % len(points)]
                if a[0] == b[0] == c[0] == "p" and len(points) > 3:
                    (ax, ay), (bx, by), (cx, cy) = a[1], b[1], c[1]
                    between = min(ax, cx) <= bx <= max(ax, cx) and min(ay, cy) <= by <= max(ay, cy)
                    if (bx - ax) * (cy - ay) == (by - ay) * (cx - ax) and between:
                        del points[i]
                        changed = True
                        break
        result.append(points)
    return result


def test_subset_has_the_sources_outlines_widths_and_licence(source):
    font = TTFont(io.BytesIO(GlyphFont(font_path("sans")).woff(TEXT)))
    assert font.flavor == "woff" and font.sfntVersion == "OTTO"
    cmap, source_cmap = font.getBestCmap(), source.getBestCmap()
    assert set(cmap) == {ord(c) for c in TEXT}
    glyphs, source_glyphs = font.getGlyphSet(), source.getGlyphSet()
    for code, name in cmap.items():
        original = source_glyphs[source_cmap[code]]
        assert glyphs[name].width == original.width, chr(code)
        assert font["hmtx"][name] == source["hmtx"][source_cmap[code]], chr(code)
        assert _contours(glyphs[name]) == _contours(original), chr(code)
    names = {r.nameID: r.toUnicode() for r in font["name"].names if r.platformID == 3}
    assert "SIL Open Font License" in names[13] and names[1] == "Noto Sans SC"
    assert font["hhea"].ascent == source["hhea"].ascent and font["OS/2"].sTypoAscender == source["OS/2"].sTypoAscender
    head = font["head"]
    for name in cmap.values():  # the font's box holds every glyph (it is set, not recalculated)
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds:
            x0, y0, x1, y1 = pen.bounds
            assert head.xMin <= x0 and head.yMin <= y0 and x1 <= head.xMax and y1 <= head.yMax, name


def test_subset_bytes_do_not_depend_on_what_was_converted_before():
    fresh = GlyphFont(font_path("sans")).woff(TEXT)
    used = GlyphFont(font_path("sans"))
    used.woff("单位汇总表格图表年度" + TEXT[::-1])  # other glyphs first, in another order
    assert used.woff(TEXT) == fresh
    assert used.woff(TEXT[::-1] + TEXT) == fresh  # the character set decides, not its order


def test_characters_the_font_lacks_are_left_out():
    font = TTFont(io.BytesIO(GlyphFont(font_path("sans")).woff("复核\U0001f600\ue000")))
    assert set(font.getBestCmap()) == {ord("复"), ord("核")}
    assert font.getGlyphOrder()[0] == ".notdef"


def test_exported_glyphs_give_another_process_the_same_subset_without_converting(monkeypatch):
    """A GlyphFont that absorbed another's export assembles byte-identical subsets and converts nothing it was given."""
    first = GlyphFont(font_path("sans"))
    expected = first.woff(TEXT)
    exported = first.export()
    assert first.converted > 20 and exported == first.export()  # deterministic
    second = GlyphFont(font_path("sans"))
    assert second.absorb(exported) == first.converted  # .notdef included
    assert second.woff(TEXT) == expected and second.converted == 0
    second.woff(TEXT + "龘")  # a glyph it was not given is converted as before
    assert second.converted == 1


def test_glyphs_of_another_font_version_or_unreadable_data_are_ignored():
    font = GlyphFont(font_path("sans"))
    font.woff("绩效")
    exported = font.export()
    fresh = GlyphFont(font_path("sans"))
    other = exported.replace(fresh.stamp().encode(), b"t2pen-0/fonttools-0/" + b"0" * 64)
    assert fresh.absorb(other) == 0
    assert fresh.absorb(b"{not json") == 0 and fresh.absorb(b"[]") == 0 and fresh.absorb(exported[:-9]) == 0
    assert fresh.woff("绩效") == font.woff("绩效") and fresh.converted == font.converted
