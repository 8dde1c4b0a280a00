"""The house style of every chart: colours, fonts, titles and source notes, label helpers, PNG embedding.

Charts are built without pyplot (``matplotlib.figure.Figure``), so batch runs keep no global
figure state. Names from input files are shown as text; ``$`` is escaped so mathtext never
interprets them. Style: review = dark blue, self = orange, unmet / points lost = red, light
grid, 2-decimal value labels, a Chinese title and a "数据来源：…" note under each chart.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.transforms import Bbox
from PIL import Image

from jixiao.report.pngcodec import encode_rgb_png

__all__ = [
    "COLORS",
    "LABEL_BOX",
    "GRADE_COLORS",
    "cell_text",
    "safe_label",
    "shorten_label",
    "fmt_pct",
    "fmt_num",
    "new_figure",
    "finish_figure",
    "style_axes",
    "label_bars",
    "legend_above",
    "message_figure",
    "met_state",
    "to_numeric",
    "settle_layout",
    "figure_to_png_bytes",
    "figure_to_data_uri",
    "PRINT_COPIES",
    "PRINT_DPI",
    "print_copies",
    "print_key",
]

COLORS = {
    "review": "#1F3B73",  # dark blue
    "self": "#E08E2B",  # orange
    "budget": "#A9B8CC",  # light grey-blue
    "unmet": "#C0392B",  # red
    "lost_rest": "#E3A39C",  # light red for the aggregated bar
    "neutral": "#9CA3AF",  # grey: undecidable / ungraded
    "grid": "#E5E7EB",
    "text": "#1F2937",
    "note": "#6B7280",
    "reference": "#6B7280",
}
GRADE_COLORS = {"优": "#1F3B73", "良": "#4F81BD", "中": "#E08E2B", "差": "#C0392B"}

_NOTE_LINE_INCHES = 0.19


# --- small helpers ----------------------------------------------------------------------
def cell_text(value: object) -> str:
    """Stripped text of a cell; "" for None / NaN / NA."""
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return ""
    return str(value).strip()


def safe_label(value: object, blank: str = "（未命名）") -> str:
    """Text for a matplotlib artist: blanks replaced, ``$`` escaped against mathtext."""
    return (cell_text(value) or blank).replace("$", r"\$")


def shorten_label(text: str, width: int = 24, lines: int = 2) -> str:
    """Wrap ``text`` into at most ``lines`` lines of ``width`` display units (CJK = 2), ending with … if cut."""
    out, line, used = [], "", 0
    for ch in " ".join(text.split()):
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            out.append(line)
            line, used = "", 0
            if len(out) == lines:
                out[-1] = out[-1][:-1] + "…"
                return "\n".join(out)
        line += ch
        used += w
    out.append(line)
    return "\n".join(out)


def fmt_pct(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.2f}%"


def fmt_num(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.2f}"


LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 1.0}


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained", facecolor="white")


def finish_figure(fig: Figure, title: str, source: str) -> Figure:
    """Add the title and the source note; reserve room for the note below the axes."""
    fig.suptitle(safe_label(title), fontsize=13, color=COLORS["text"], gid="title")
    height = fig.get_figheight()
    bottom = min(0.4, (source.count("\n") + 1) * _NOTE_LINE_INCHES / height + 0.06 / height)
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    fig.text(
        0.01, 0.012, safe_label(source, ""), fontsize=8, color=COLORS["note"], ha="left", va="bottom", gid="source"
    )
    return fig


def style_axes(ax, grid_axis: str = "y") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9CA3AF")
    ax.set_axisbelow(True)
    ax.grid(axis=grid_axis, color=COLORS["grid"], linewidth=0.8)
    ax.tick_params(colors=COLORS["text"], labelsize=9)


def label_bars(ax, bars, labels: list[str], fontsize: int = 8) -> None:
    """Value labels at the bar ends, on a white box so reference lines do not cross them."""
    ax.bar_label(bars, labels=labels, padding=3, fontsize=fontsize, color=COLORS["text"], bbox=LABEL_BOX)


def legend_above(ax, handles=None) -> None:
    """One-row legend above the top-right corner of the axes."""
    handles = handles if handles is not None else ax.get_legend_handles_labels()[0]
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=max(1, len(handles)),
        frameon=False,
        fontsize=9,
    )


def message_figure(title: str, message: str, source: str) -> Figure:
    fig = new_figure(6.4, 2.4)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14, color=COLORS["note"], gid="message")
    return finish_figure(fig, title, source)


def met_state(value: object) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return None if cell_text(value) == "" else bool(value)


def to_numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


# --- embedding --------------------------------------------------------------------------
def settle_layout(fig: Figure) -> bool:
    """Place a one-Axes figure as its constrained layout would, in one pass; True if done.

    Matplotlib's constrained layout measures every tick label and text twice and solves a
    constraint system at each draw (about a fifth of a chart's drawing time). For a figure
    with a single rectilinear Axes the result is simple: the Axes' tight box fills the
    layout rectangle less the pads, below the suptitle. This computes that from one
    measurement and turns the layout engine off (the pixels are the same; the tests check).
    Other figures (colorbars, polar Axes, several Axes) keep constrained layout.
    """
    engine = fig.get_layout_engine()
    axes = [a for a in fig.axes if a.get_visible()]
    if not isinstance(engine, ConstrainedLayoutEngine) or len(axes) != 1 or axes[0].name != "rectilinear":
        return False
    ax, params = axes[0], engine.get()
    renderer = (fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)).get_renderer()
    fig.set_layout_engine("none")
    width, height = fig.get_size_inches()
    w_pad, h_pad = params["w_pad"] / width, params["h_pad"] / height
    x0, y0, w, h = params["rect"]
    top = y0 + h
    to_figure = fig.transFigure.inverted()
    title = fig._suptitle  # matplotlib has no public getter
    if title is not None and title.get_visible() and title.get_in_layout():
        if getattr(title, "_autopos", False):
            title.set_position((title.get_position()[0], 1 - h_pad))
        top -= to_figure.transform_bbox(title.get_tightbbox(renderer)).height + 2 * h_pad
    pos, tight = ax.get_position(), to_figure.transform_bbox(ax.get_tightbbox(renderer))
    margins = (
        max(0, pos.x0 - tight.x0),
        max(0, pos.y0 - tight.y0),
        max(0, tight.x1 - pos.x1),
        max(0, tight.y1 - pos.y1),
    )
    ax.set_position(
        Bbox.from_extents(
            x0 + w_pad + margins[0], y0 + h_pad + margins[1], x0 + w - w_pad - margins[2], top - h_pad - margins[3]
        )
    )
    return True


def figure_to_png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes (in memory), on white."""
    return encode_rgb_png(_draw(fig, dpi)[..., :3], dpi)


def _draw(fig: Figure, dpi: int) -> np.ndarray:
    """Draw the figure at ``dpi`` (its layout measured at that resolution); its pixels as opaque RGBA on white.

    For an opaque figure (the charts: a white background) the array is the canvas's own buffer, not a
    copy (13 MB for a tall chart at print resolution): each drawing makes a new canvas, so nothing
    draws over it, and the array keeps it alive.
    """
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    settle_layout(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())  # straight (not premultiplied) alpha
    if rgba[..., 3].min() == 255:
        return rgba
    alpha = rgba[..., 3:].astype(np.float32) / 255
    flat = np.empty_like(rgba)
    flat[..., :3] = np.rint(rgba[..., :3] * alpha + 255 * (1 - alpha))
    flat[..., 3] = 255
    return flat


def _reduced(rgba: np.ndarray) -> np.ndarray:
    """An opaque RGBA raster reduced 2 × 2 (box filter, Pillow's rounding) as RGB, read in place."""
    height, width = rgba.shape[:2]
    image = Image.frombuffer("RGBX", (width, height), rgba, "raw", "RGBX", 0, 1)  # no copy: the 4th byte ignored
    return np.asarray(image.reduce(2).convert("RGB"))


#: Print copies of the charts embedded so far: key of the screen PNG → raster at PRINT_DPI (for the Word
#: report). The latest :data:`_RASTERS_KEPT` are kept as pixel arrays and made PNG only when asked for
#: (:func:`print_copies`): a notebook that hands no print copies over (the portfolio page) spends nothing
#: on encoding them; older ones are encoded as they age, so a long interactive session holds PNG bytes.
PRINT_COPIES: dict[str, np.ndarray | bytes] = {}
_RASTERS_KEPT = 12
#: Resolution of the charts in the Word report (a 16 cm wide chart prints at about 300 dpi).
PRINT_DPI = 220


def print_key(data: str) -> str:
    """Key of a screen PNG (its base64 text) in :data:`PRINT_COPIES`."""
    return hashlib.sha1(data.encode("ascii")).hexdigest()


def figure_to_data_uri(fig: Figure, dpi: int = 110) -> str:
    """Render a figure to a ``data:image/png;base64,...`` URI for an <img> tag; keep a print copy.

    The figure is drawn once, at :data:`PRINT_DPI`; when ``dpi`` is half of it (the default)
    the screen copy is that raster reduced 2×2 (box filter), so a chart costs one draw
    instead of two. Both PNGs are RGB (the charts have a white background).
    """
    rgba = _draw(fig, PRINT_DPI)
    if PRINT_DPI == 2 * dpi:
        screen = encode_rgb_png(_reduced(rgba), dpi)
    else:
        screen = figure_to_png_bytes(fig, dpi)
    data = base64.b64encode(screen).decode("ascii")
    PRINT_COPIES[print_key(data)] = rgba[..., :3]  # a view of the print raster (encoded only when asked for)
    rasters = [key for key, copy in PRINT_COPIES.items() if isinstance(copy, np.ndarray)]
    for key in rasters[:-_RASTERS_KEPT]:
        PRINT_COPIES[key] = encode_rgb_png(PRINT_COPIES[key], PRINT_DPI)
    return "data:image/png;base64," + data


def print_copies() -> dict[str, bytes]:
    """The print copies of the charts embedded so far as PNG at :data:`PRINT_DPI`, by key of the screen PNG."""
    copies = {
        key: copy if isinstance(copy, bytes) else encode_rgb_png(copy, PRINT_DPI) for key, copy in PRINT_COPIES.items()
    }
    PRINT_COPIES.update(copies)
    return copies
