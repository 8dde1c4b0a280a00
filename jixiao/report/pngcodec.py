"""PNG encoding of chart rasters: one fixed row filter and zlib, about three times faster than Pillow.

Pillow's PNG encoder picks a filter for every row by trying all five (libpng's heuristic);
that choice, not the compression, is most of its time (at zlib level 0 it still takes
27 ms for a 1408 × 880 chart). For charts, mostly flat colour with horizontal edges, the
"Up" filter on every row, computed with numpy, gives files within about 5 % of Pillow's
at a third of the time (that chart: 11 ms and 60 KB against 35 ms and 57 KB, both zlib
level 3). The output is a standard 8-bit RGB PNG (``IHDR``, ``pHYs`` with the resolution,
one ``IDAT``, ``IEND``) that every decoder reads; the tests decode it with Pillow and
compare every pixel.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["encode_rgb_png", "COMPRESSION_LEVEL"]

#: zlib level of the embedded PNGs (6 costs three times the time for ~20 % smaller files).
COMPRESSION_LEVEL = 3
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_UP = 2  # PNG filter type "Up": each byte minus the byte above it
_METRES_PER_INCH = 0.0254


def encode_rgb_png(pixels: np.ndarray, dpi: float | None = None, level: int = COMPRESSION_LEVEL) -> bytes:
    """PNG bytes of an ``(height, width, 3)`` uint8 RGB array, with its resolution if given.

    Any strides: e.g. the RGB channels of an RGBA canvas buffer (``rgba[..., :3]``) are read in
    place, without a copy.
    """
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"expected an (height, width, 3) uint8 array, got {pixels.shape} {pixels.dtype}")
    height, width = pixels.shape[:2]
    if height == 0 or width == 0:
        raise ValueError("an image needs at least one pixel")
    filtered = np.empty((height, width * 3 + 1), dtype=np.uint8)
    filtered[:, 0] = _UP
    rows = filtered[:, 1:].view()
    rows.shape = (height, width, 3)  # a view into ``filtered`` (setting .shape never copies): no copy of ``pixels``
    rows[0] = pixels[0]  # the row above the first is zeros
    np.subtract(pixels[1:], pixels[:-1], out=rows[1:])  # uint8 arithmetic wraps modulo 256, as PNG wants
    parts = [_SIGNATURE, _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))]
    if dpi:
        per_metre = int(dpi / _METRES_PER_INCH + 0.5)
        parts.append(_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    parts.append(_chunk(b"IDAT", zlib.compress(filtered.data, level)))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
