"""Tests for jixiao.report.pngcodec: the chart PNGs decode to exactly the drawn pixels, at their resolution."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from jixiao.report import charts, chartstyle
from jixiao.report.pngcodec import encode_rgb_png
from tests.test_charts import level1_table, scored_table


def _drawn(fig, dpi: int = chartstyle.PRINT_DPI) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()  # checks the CRCs and the zlib stream
    return image


@pytest.mark.parametrize(
    "make",
    [lambda: charts.plot_level1_rates(level1_table()), lambda: charts.plot_indicator_completion(scored_table())],
    ids=["level1", "completion"],
)
def test_a_chart_decodes_to_the_drawn_pixels_at_its_resolution(make):
    rgba = _drawn(make())
    png = encode_rgb_png(rgba[..., :3], dpi=220)  # a strided view, as the charts hand it over
    image = _decoded(png)
    assert image.mode == "RGB" and image.size == (rgba.shape[1], rgba.shape[0])
    assert np.array_equal(np.asarray(image), rgba[..., :3])
    assert image.info["dpi"] == pytest.approx((220, 220), abs=0.05)


def test_a_chart_png_is_about_as_small_as_pillows():
    """One fixed filter instead of Pillow's per-row choice: the file must stay within 15 % of Pillow's size."""
    rgb = np.ascontiguousarray(_drawn(charts.plot_level1_rates(level1_table()))[..., :3])
    ours = encode_rgb_png(rgb, dpi=220)
    pillow = io.BytesIO()
    Image.fromarray(rgb).save(pillow, format="png", compress_level=3)
    assert len(ours) <= 1.15 * len(pillow.getvalue())


def test_every_byte_value_and_a_single_pixel_round_trip():
    """Rows that differ by wrapping amounts (0 → 255 → 0) and one-pixel images decode exactly."""
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[::-1, None, None], 3, axis=2).repeat(4, axis=1)
    for pixels in (noise, ramp, np.array([[[255, 0, 128]]], dtype=np.uint8)):
        image = _decoded(encode_rgb_png(pixels))
        assert np.array_equal(np.asarray(image), pixels)
        assert "dpi" not in image.info  # no resolution given, none written


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((4, 4, 4), np.uint8),
        np.zeros((4, 4, 3), np.float32),
        np.zeros((4, 4), np.uint8),
        np.zeros((0, 4, 3), np.uint8),
    ],
    ids=["rgba", "float", "grey", "empty"],
)
def test_other_arrays_are_refused(pixels):
    with pytest.raises(ValueError):
        encode_rgb_png(pixels)


def test_print_and_screen_copies_of_a_chart_match_one_drawing(monkeypatch):
    """The screen PNG is the print raster reduced 2 × 2; both decode to what the one drawing produced."""
    monkeypatch.setattr(chartstyle, "PRINT_COPIES", {})
    uri = chartstyle.figure_to_data_uri(charts.plot_level1_rates(level1_table()))
    key = chartstyle.print_key(uri.split(",", 1)[1])
    raster = chartstyle.PRINT_COPIES[key]
    printed = _decoded(chartstyle.print_copies()[key])
    assert np.array_equal(np.asarray(printed), raster)
    screen = _decoded(base64.b64decode(uri.split(",", 1)[1]))
    assert np.array_equal(np.asarray(screen), np.asarray(Image.fromarray(raster).reduce(2)))
    assert screen.info["dpi"] == pytest.approx((110, 110), abs=0.05)


def test_a_figure_with_a_transparent_background_is_flattened_on_white():
    """figure_to_png_bytes draws on white whatever the figure's own background (as savefig(facecolor="white") did)."""
    fig = charts.plot_level1_rates(level1_table())
    fig.patch.set_alpha(0.0)
    image = _decoded(chartstyle.figure_to_png_bytes(fig, dpi=50))
    corner = np.asarray(image)[0, 0]
    assert image.mode == "RGB" and image.info["dpi"] == pytest.approx((50, 50), abs=0.05)
    assert corner.tolist() == [255, 255, 255]
