"""Portfolio charts: grade distribution, unit ranking and the level-1 heat map across units."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from jixiao.core.status import GRADE_PENDING
from jixiao.core.vocab import UNGRADED
from jixiao.report.chartstyle import (
    COLORS,
    GRADE_COLORS,
    cell_text,
    finish_figure,
    fmt_num,
    label_bars,
    legend_above,
    message_figure,
    new_figure,
    safe_label,
    shorten_label,
    style_axes,
    to_numeric,
)
from jixiao.report.fonts import ensure_cjk_font

__all__ = ["plot_grade_distribution", "plot_unit_ranking", "plot_level1_heatmap", "full_label"]

MAX_RANKED_UNITS = 60


# --- portfolio charts ------------------------------------------------------------------
def _grade_of(value: object) -> str:
    text = cell_text(value)
    return text if text in GRADE_COLORS or text == GRADE_PENDING else UNGRADED


def plot_grade_distribution(portfolio: pd.DataFrame, *, title: str | None = None, source: str | None = None) -> Figure:
    """Bars of the number of units per grade (优/良/中/差, plus 待定 and 未评级 when present)."""
    ensure_cjk_font()
    title = title or "单位评价等级分布"
    source = source or f"数据来源：各单位复核结果汇总（共 {len(portfolio)} 个单位）。"
    if portfolio.empty:
        return message_figure(title, "无单位数据", source)
    counts = portfolio["grade"].map(_grade_of).value_counts()
    extra = [g for g in (GRADE_PENDING, UNGRADED) if counts.get(g, 0)]  # 待定: indicators still 待核实
    grades = list(GRADE_COLORS) + extra
    values = [int(counts.get(g, 0)) for g in grades]
    fig = new_figure(6.4, 4.2)
    ax = fig.subplots()
    style_axes(ax)
    bars = ax.bar(grades, values, 0.6, color=[GRADE_COLORS.get(g, COLORS["neutral"]) for g in grades])
    total = sum(values)
    label_bars(ax, bars, [f"{v} 个（{v / total * 100:.2f}%）" for v in values], fontsize=9)
    ax.set_ylim(0, max(values) * 1.18 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("单位数（个）")
    ax.set_xlabel("评价等级")
    return finish_figure(fig, title, source)


def plot_unit_ranking(
    portfolio: pd.DataFrame,
    *,
    bands: tuple[float, ...] = (60, 80, 90),
    title: str | None = None,
    source: str | None = None,
) -> Figure:
    """Horizontal bars of unit totals, highest first, coloured by grade, with band lines.

    The label is ``name`` (or ``unit`` when blank). Units without a total are left
    out. Beyond ``MAX_RANKED_UNITS`` units the first and last halves are shown.
    """
    ensure_cjk_font()
    title = title or "各单位复核总分排名"
    notes = [
        "数据来源：各单位复核结果汇总。虚线为等级分界（"
        + "、".join(fmt_num(b).rstrip("0").rstrip(".") for b in bands)
        + " 分）。"
    ]
    names = [cell_text(name) or cell_text(unit) for name, unit in zip(portfolio["name"], portfolio["unit"])]
    table = pd.DataFrame(
        {"name": names, "total": to_numeric(portfolio["total"]).round(2), "grade": portfolio["grade"].map(_grade_of)}
    )
    missing = int(table["total"].isna().sum())
    table = table.dropna(subset=["total"]).sort_values("total", ascending=False, kind="stable")
    if missing:
        notes.append(f"另有 {missing} 个单位无总分，未列入。")
    if len(table) > MAX_RANKED_UNITS:
        half = MAX_RANKED_UNITS // 2
        notes.append(f"共 {len(table)} 个单位，仅显示前 {half} 名和后 {half} 名。")
        table = pd.concat([table.head(half), table.tail(half)])
    source = source or "\n".join(notes)
    if table.empty:
        return message_figure(title, "无单位数据", source)
    n = len(table)
    names = [full_label(name) for name in table["name"]]
    fig = new_figure(8.0, 1.9 + 0.3 * n * max(1, max(name.count("\n") + 1 for name in names) * 0.75))
    ax = fig.subplots()
    style_axes(ax, "x")
    colors = [GRADE_COLORS.get(g, COLORS["neutral"]) for g in table["grade"]]
    bars = ax.barh(np.arange(n), table["total"], 0.65, color=colors)
    label_bars(ax, bars, [fmt_num(v) for v in table["total"]])
    top = _pending_ranges(ax, portfolio, table)
    for band in bands:
        ax.axvline(band, color=COLORS["reference"], linewidth=0.9, linestyle="--", gid="band")
    ax.set_yticks(np.arange(n), names, fontsize=8)
    ax.set_ylim(n - 0.4, -0.6)  # first row on top, no empty margin
    ax.set_xlim(0, max(100.0, float(table["total"].max()), top) * 1.1)
    ax.set_xlabel("复核总分（分）")
    present = [g for g in [*GRADE_COLORS, GRADE_PENDING, UNGRADED] if g in set(table["grade"])]
    handles = [Patch(color=GRADE_COLORS.get(g, COLORS["neutral"]), label=g) for g in present]
    legend_above(ax, handles)
    return finish_figure(fig, title, source)


def _pending_ranges(ax, portfolio: pd.DataFrame, table: pd.DataFrame) -> float:
    """A unit whose indicators are still 待核实: its bar is the low end; a hatched bar reaches the high end.

    Returns the highest high end drawn (0 when none).
    """
    if "total_high" not in portfolio.columns:
        return 0.0
    high = to_numeric(portfolio["total_high"]).round(2).reindex(table.index)
    gap = (high - table["total"]).fillna(0).clip(lower=0)
    if not (gap >= 0.005).any():
        return 0.0
    ax.barh(
        np.arange(len(table)),
        gap,
        0.65,
        left=table["total"],
        facecolor="none",
        edgecolor=COLORS["neutral"],
        hatch="///",
        linewidth=0.6,
        gid="pending",
    )
    return float(high.max())


def full_label(name: object, width: int = 28) -> str:
    """A unit's full name wrapped at ``width`` display units (CJK = 2): never cut with "…"."""
    return shorten_label(safe_label(name), width, lines=1000)


def plot_level1_heatmap(
    portfolio_rates: pd.DataFrame, *, title: str | None = None, source: str | None = None
) -> Figure:
    """Heat map of 得分率 (percent): rows = units, columns = level-1 groups; NaN cells grey, unlabelled."""
    ensure_cjk_font()
    title = title or "各单位一级指标得分率"
    source = source or "数据来源：各单位复核结果汇总；灰色表示该单位无此一级指标。"
    if portfolio_rates.empty or portfolio_rates.shape[1] == 0:
        return message_figure(title, "无单位数据", source)
    values = portfolio_rates.apply(to_numeric).round(2).to_numpy(dtype=float)
    rows, cols = values.shape
    fig = new_figure(min(14.0, 3.6 + 1.15 * cols), min(40.0, 2.0 + 0.34 * rows))
    ax = fig.subplots()
    cmap = colormaps["RdYlBu"].with_extremes(bad="#E5E7EB")
    finite = values[np.isfinite(values)]
    low = min(60.0, float(np.floor(finite.min() / 10) * 10)) if finite.size else 60.0
    high = max(100.0, float(finite.max())) if finite.size else 100.0
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=low, vmax=high, aspect="auto")
    if rows <= 60:
        for (r, c), v in np.ndenumerate(values):
            if np.isfinite(v):
                dark = abs((v - low) / (high - low) - 0.5) > 0.3
                color = "white" if dark else COLORS["text"]
                ax.text(c, r, fmt_num(v), ha="center", va="center", fontsize=8, color=color, gid="cell")
    ax.set_xticks(
        np.arange(cols), [shorten_label(safe_label(c, "（未归类）"), 12) for c in portfolio_rates.columns], fontsize=9
    )
    ax.set_yticks(np.arange(rows), [full_label(i) for i in portfolio_rates.index], fontsize=8)
    ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    colorbar.set_label("得分率（%）")
    return finish_figure(fig, title, source)
