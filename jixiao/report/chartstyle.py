"""The house style of every chart: colours, fonts, titles and source notes, label helpers, PNG embedding.

Charts are built without pyplot (``matplotlib.figure.Figure``), so batch runs keep no global
figure state. Names from input files are shown as text; ``$`` is escaped so mathtext never
interprets them. Style: review = dark blue, self = orange, unmet / points lost = red, light
grid, 2-decimal value labels, a Chinese title and a "数据来源：…" note under each chart.
"""

from __future__ import annotations

import base64
import hashlib
import io
import unicodedata

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

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
    "figure_to_png_bytes",
    "figure_to_data_uri",
    "PRINT_COPIES",
    "PRINT_DPI",
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
def figure_to_png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes (in memory)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


#: Print copies of the charts embedded so far: key of the screen PNG → PNG at PRINT_DPI (for the Word report).
PRINT_COPIES: dict[str, bytes] = {}
#: Resolution of the charts in the Word report (a 16 cm wide chart prints at about 300 dpi).
PRINT_DPI = 220
#: zlib level of the embedded PNGs (6, PIL's default, costs twice the time for ~5 % smaller files).
_PNG_COMPRESSION = 3


def print_key(data: str) -> str:
    """Key of a screen PNG (its base64 text) in :data:`PRINT_COPIES`."""
    return hashlib.sha1(data.encode("ascii")).hexdigest()


def figure_to_data_uri(fig: Figure, dpi: int = 110) -> str:
    """Render a figure to a ``data:image/png;base64,...`` URI for an <img> tag; keep a print copy.

    The figure is drawn once, at :data:`PRINT_DPI`; when ``dpi`` is half of it (the default)
    the screen copy is that raster reduced 2×2 (box filter), so a chart costs one draw
    instead of two. Both PNGs are RGB (the charts have a white background).
    """
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(PRINT_DPI)
    canvas.draw()  # runs the constrained layout, then draws
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image = image.convert("RGB")
    screen = image.reduce(2) if PRINT_DPI == 2 * dpi else None
    data = base64.b64encode(_png(screen, dpi) if screen is not None else figure_to_png_bytes(fig, dpi)).decode("ascii")
    PRINT_COPIES[print_key(data)] = _png(image, PRINT_DPI)
    return "data:image/png;base64," + data


def _png(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=_PNG_COMPRESSION, dpi=(dpi, dpi))
    return buffer.getvalue()
