"""Matplotlib charts of one unit's report (all chart text in Chinese); the portfolio charts are in
:mod:`jixiao.report.charts_portfolio`, the house style in :mod:`jixiao.report.chartstyle`.

Every ``plot_*`` function takes a table (column contracts in :mod:`jixiao.core.model`)
and returns a new :class:`matplotlib.figure.Figure` built without pyplot, so batch
runs keep no global figure state; nothing is saved or shown here. Use
:func:`figure_to_png_bytes` / :func:`figure_to_data_uri` to embed a chart in HTML.

Style: review = dark blue, self = orange, unmet / points lost = red, light grid,
2-decimal value labels, a Chinese title and a "数据来源：…" note under each chart.
Names from input files are shown as text; ``$`` is escaped so mathtext never
interprets them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from jixiao.report.chartstyle import (
    COLORS,
    LABEL_BOX,
    finish_figure,
    fmt_num,
    fmt_pct,
    label_bars,
    legend_above,
    message_figure,
    met_state,
    new_figure,
    safe_label,
    shorten_label,
    style_axes,
    to_numeric,
)
from jixiao.report.fonts import ensure_cjk_font

__all__ = [
    "level1_rates",
    "indicator_completion",
    "plot_level1_rates",
    "plot_level1_radar",
    "plot_budget_execution",
    "plot_indicator_completion",
    "plot_points_lost",
]

_LESS_IS_BETTER = {"<=", "<", "≤"}
LOST_TOLERANCE = 0.005  # points lost below this are rounding noise, not a deduction
COMPLETION_DISPLAY_CAP = 200.0  # bars longer than this (percent) are clipped; labels keep the value
MAX_COMPLETION_BARS = 50


# --- level-1 charts ---------------------------------------------------------------------
def level1_rates(level1: pd.DataFrame) -> pd.DataFrame:
    """Self and review 得分率 per level 1 (percent): score sum / weight sum * 100.

    Returns columns ``name``, ``self``, ``review``, ``review_high`` (the high end while indicators are
    待核实; = ``review`` otherwise); NaN where the weight sum is 0 or missing or no score was given.
    Rounded to 2 decimals as a last, separate step.
    """
    weight = to_numeric(level1["weight_sum"]).where(lambda w: w > 0)
    out = pd.DataFrame(
        {
            "name": [safe_label(n, "（未归类）") for n in level1["name"]],
            "self": to_numeric(level1["self_score_sum"]) / weight * 100,
            "review": to_numeric(level1["review_score_sum"]) / weight * 100,
        }
    ).reset_index(drop=True)
    high = level1["review_high_sum"] if "review_high_sum" in level1.columns else level1["review_score_sum"]
    out["review_high"] = (to_numeric(high) / weight * 100).reset_index(drop=True)
    out[["self", "review", "review_high"]] = out[["self", "review", "review_high"]].round(2)
    return out


def _rate_series(rates: pd.DataFrame) -> list[tuple[str, str, str]]:
    series = [("自评得分率", "self", COLORS["self"]), ("复核得分率", "review", COLORS["review"])]
    return [s for s in series if rates[s[1]].notna().any()]


def plot_level1_rates(level1: pd.DataFrame, *, title: str | None = None, source: str | None = None) -> Figure:
    """Grouped bars of self vs review 得分率 per level 1 (LEVEL1_COLUMNS)."""
    ensure_cjk_font()
    title = title or "一级指标得分率（自评与复核）"
    source = source or "数据来源：单位绩效自评表（自评分）；复核得分按评分规则计算。得分率 = 得分 ÷ 分值。"
    rates = level1_rates(level1)
    if rates.empty:
        return message_figure(title, "无一级指标数据", source)
    n = len(rates)
    fig = new_figure(min(12.0, max(6.4, 1.4 * n + 2.0)), 4.4)
    ax = fig.subplots()
    style_axes(ax)
    series = _rate_series(rates)
    x = np.arange(n)
    width = 0.8 / max(1, len(series))
    for i, (label, column, color) in enumerate(series):
        values = rates[column]
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, values.fillna(0), width * 0.92, color=color, label=label)
        label_bars(ax, bars, [fmt_pct(v) for v in values])
        if column == "review":
            _pending_segments(ax, rates, x + (i - (len(series) - 1) / 2) * width, width * 0.92, color)
    top = max(100.0, float(rates[["self", "review", "review_high"]].max().max()) if series else 100.0)
    ax.set_ylim(0, top * 1.12)
    ax.axhline(100, color=COLORS["reference"], linewidth=0.8, linestyle=":")
    ax.set_xticks(x, [shorten_label(name, 16) for name in rates["name"]])
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylabel("得分率（%）")
    if series:
        legend_above(ax)
    return finish_figure(fig, title, source)


def _pending_segments(ax, rates: pd.DataFrame, xs, width: float, color: str) -> None:
    """The 待核实 part of each review bar (from the low to the high end), hatched and labelled with its high end."""
    gap = (rates["review_high"] - rates["review"]).fillna(0)
    if not (gap >= 0.005).any():
        return
    bars = ax.bar(
        xs,
        gap.clip(lower=0),
        width,
        bottom=rates["review"].fillna(0),
        facecolor="none",
        edgecolor=color,
        hatch="///",
        linewidth=0.6,
        label="待核实区间",
    )
    label_bars(ax, bars, [f"至{fmt_pct(h)}" if g >= 0.005 else "" for h, g in zip(rates["review_high"], gap)])


def plot_level1_radar(level1: pd.DataFrame, *, title: str | None = None, source: str | None = None) -> Figure:
    """Radar of self vs review 得分率 per level 1.

    A radar needs at least 3 axes: with 1–2 level-1 groups this falls back to
    :func:`plot_level1_rates` (same data as bars) and says so in the note. A
    missing rate inside a series is drawn at 0 and left unlabelled.
    """
    ensure_cjk_font()
    given_title, title = title, title or "一级指标得分率雷达图"
    source = source or "数据来源：单位绩效自评表（自评分）；复核得分按评分规则计算。得分率 = 得分 ÷ 分值。"
    rates = level1_rates(level1)
    if len(rates) < 3:
        note = "\n一级指标不足 3 个，雷达图改用柱状图展示。"
        return plot_level1_rates(level1, title=given_title, source=source + note)
    n = len(rates)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    closed = np.append(angles, angles[0])
    fig = new_figure(6.4, 5.6)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    top = max(100.0, float(np.nanmax(rates[["self", "review"]].to_numpy(dtype=float), initial=0)))
    ax.set_ylim(0, top * 1.05)
    ax.set_yticks([20, 40, 60, 80, 100], ["20%", "40%", "60%", "80%", "100%"], fontsize=7, color=COLORS["note"])
    ax.set_xticks(angles, [shorten_label(name, 16) for name in rates["name"]], fontsize=10)
    ax.tick_params(axis="x", pad=12)
    ax.grid(color=COLORS["grid"])
    ax.spines["polar"].set_color("#D1D5DB")
    for label, column, color in _rate_series(rates):
        values = rates[column].to_numpy(dtype=float)
        ring = np.append(np.nan_to_num(values), np.nan_to_num(values[0]))
        ax.plot(closed, ring, color=color, linewidth=2, marker="o", markersize=4, label=label)
        ax.fill(closed, ring, color=color, alpha=0.08)
        if column == "review":  # labels sit inside the polygon, clear of the axis names
            for angle, value in zip(angles, values):
                if not np.isnan(value):
                    ax.text(
                        angle,
                        value - top * 0.13,
                        fmt_pct(value),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color=color,
                        gid="value",
                        bbox=LABEL_BOX,
                    )
    ax.legend(loc="upper right", bbox_to_anchor=(1.15, 1.12), frameon=False, fontsize=9)
    return finish_figure(fig, title, source)


# --- budget -----------------------------------------------------------------------------
_TO_WAN = {"元": 1e-4, "万元": 1.0}


def plot_budget_execution(budget: pd.DataFrame, *, title: str | None = None, source: str | None = None) -> Figure:
    """Grouped bars 全年预算数 vs 全年执行数 (万元) per budget line, with 执行率 labels.

    Lines without a budget or an execution figure are skipped. Amounts in 元 are
    converted to 万元; any other ``money_unit`` raises ValueError (contract breach).
    The rate label uses the recomputed ``rate`` column (spent / budget).
    """
    ensure_cjk_font()
    title = title or "预算执行情况"
    source = source or "数据来源：单位绩效自评表预算执行情况；执行率 = 全年执行数 ÷ 全年预算数（复核重算）。"
    rows = budget[to_numeric(budget["budget"]).notna() & to_numeric(budget["spent"]).notna()]
    if rows.empty:
        return message_figure(title, "无预算数据", source)
    bad = sorted({str(u) for u in rows["money_unit"] if u not in _TO_WAN})
    if bad:
        raise ValueError(f"预算表金额单位无法识别：{'、'.join(bad)}（应为“元”或“万元”）")
    factor = rows["money_unit"].map(_TO_WAN).astype(float)
    planned = (to_numeric(rows["budget"]) * factor).round(2).to_numpy()
    spent = (to_numeric(rows["spent"]) * factor).round(2).to_numpy()
    rates = to_numeric(rows["rate"]).round(2).to_numpy()
    n = len(rows)
    fig = new_figure(min(12.0, max(6.4, 1.6 * n + 2.0)), 4.6)
    ax = fig.subplots()
    style_axes(ax)
    x = np.arange(n)
    top = max(float(np.max(planned)), float(np.max(spent)), 0.0) or 1.0
    pairs = ((-0.2, planned, "全年预算数", COLORS["budget"]), (0.2, spent, "全年执行数", COLORS["review"]))
    for offset, values, label, color in pairs:
        bars = ax.bar(x + offset, values, 0.38, color=color, label=label)
        label_bars(ax, bars, [fmt_num(v) for v in values])
    for xi, p, s, r in zip(x, planned, spent, rates):
        ax.text(
            xi,
            max(p, s, 0) + top * 0.09,
            f"执行率 {fmt_pct(r)}",
            ha="center",
            va="bottom",
            fontsize=9,
            color=COLORS["review"],
            gid="rate",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "#EEF2F8", "edgecolor": "none"},
        )
    ax.set_ylim(min(0.0, float(np.min(spent)) * 1.1), top * 1.3)
    ax.set_xticks(x, [shorten_label(safe_label(name), 16) for name in rows["name"]])
    ax.set_ylabel("金额（万元）")
    legend_above(ax)
    return finish_figure(fig, title, source)


# --- indicator charts ------------------------------------------------------------------
def indicator_completion(scored: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Completion rate (percent) of quantitative indicators with numeric target and actual.

    Completion = actual / target * 100; for "less is better" targets (≤, <) it is
    target / actual * 100, so 100% still means "just met" and above means better.
    Rows whose ratio is undefined (zero or negative denominator, negative value,
    different units on target and actual) are left out and counted.

    Returns:
        (table with indicator_id, name, level1, completion, met — sorted ascending,
        number of numeric rows left out).
    """
    target = to_numeric(scored["target_number"])
    actual = to_numeric(scored["actual_number"])
    nature = scored["nature"].fillna("").astype(str) if "nature" in scored else pd.Series("", index=scored.index)
    candidate = target.notna() & actual.notna() & (nature != "定性")
    op = scored["target_op"].fillna("").astype(str)
    op = op.where(op != "", scored["direction"].fillna("").astype(str))
    inverse = op.isin(_LESS_IS_BETTER)
    numerator = actual.where(~inverse, target)
    denominator = target.where(~inverse, actual)
    tu = scored["target_unit"].fillna("").astype(str)
    au = scored["actual_unit"].fillna("").astype(str)
    same_unit = (tu == au) | (tu == "") | (au == "")
    usable = candidate & (denominator > 0) & (numerator >= 0) & same_unit
    table = pd.DataFrame(
        {
            "indicator_id": scored["indicator_id"],
            "name": scored["name"],
            "level1": scored["level1"],
            "completion": (numerator / denominator * 100).round(2),
            "met": scored["met"].map(met_state),
        }
    )[usable]
    table = table.sort_values("completion", kind="stable").reset_index(drop=True)
    return table, int((candidate & ~usable).sum())


def plot_indicator_completion(scored: pd.DataFrame, *, title: str | None = None, source: str | None = None) -> Figure:
    """Horizontal bars of completion % (lowest first), unmet in red, 100% reference line.

    At most ``MAX_COMPLETION_BARS`` bars (the lowest completions); bars beyond
    ``COMPLETION_DISPLAY_CAP`` percent are clipped while their label keeps the value.
    """
    ensure_cjk_font()
    title = title or "定量指标完成率"
    notes = [
        "数据来源：单位绩效自评表年度指标值与全年完成值。完成率 = 全年完成值 ÷ 年度指标值；≤ 类指标（越小越好）按 年度指标值 ÷ 全年完成值 计算。"
    ]
    table, left_out = indicator_completion(scored)
    if left_out:
        notes.append(f"另有 {left_out} 项因指标值为 0、为负或单位不一致无法计算完成率，未列入。")
    if len(table) > MAX_COMPLETION_BARS:
        notes.append(f"共 {len(table)} 项，仅显示完成率最低的 {MAX_COMPLETION_BARS} 项。")
        table = table.head(MAX_COMPLETION_BARS)
    if (table["completion"] > COMPLETION_DISPLAY_CAP).any():
        notes.append(f"完成率超过 {COMPLETION_DISPLAY_CAP:.0f}% 的条形截断显示，数值标注为实际完成率。")
    source = source or "\n".join(notes)
    if table.empty:
        return message_figure(title, "无可计算完成率的定量指标", source)
    n = len(table)
    fig = new_figure(8.0, 1.9 + 0.3 * n)
    ax = fig.subplots()
    style_axes(ax, "x")
    colors = [COLORS["neutral"] if m is None else (COLORS["review"] if m else COLORS["unmet"]) for m in table["met"]]
    shown = table["completion"].clip(upper=COMPLETION_DISPLAY_CAP)
    bars = ax.barh(np.arange(n), shown, 0.65, color=colors)
    label_bars(ax, bars, [fmt_pct(v) for v in table["completion"]])
    ax.axvline(100, color=COLORS["reference"], linewidth=1, linestyle="--", gid="reference")
    ax.set_yticks(np.arange(n), [shorten_label(safe_label(name), 24) for name in table["name"]], fontsize=8)
    ax.set_ylim(n - 0.4, -0.6)  # first row on top, no empty margin
    ax.set_xlim(0, max(100.0, float(shown.max())) * 1.2)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_xlabel("完成率（%）")
    legend = [
        (True, "达标", COLORS["review"]),
        (False, "未达标", COLORS["unmet"]),
        (None, "无法判定", COLORS["neutral"]),
    ]
    states = {None if m is None else bool(m) for m in table["met"]}
    handles = [Patch(color=c, label=lab) for state, lab, c in legend if state in states]
    legend_above(ax, handles)
    return finish_figure(fig, title, source)


def plot_points_lost(
    scored: pd.DataFrame, *, top_n: int = 15, title: str | None = None, source: str | None = None
) -> Figure:
    """Points lost per indicator (分值 − 复核分, > 0 only), largest first; the rest aggregated.

    Differences below ``LOST_TOLERANCE`` are rounding noise and not shown; rows
    without a review score are skipped.
    """
    ensure_cjk_font()
    title = title or "复核扣分指标"
    source = source or "数据来源：复核评分结果；扣分 = 分值 − 复核得分。"
    lost = (to_numeric(scored["weight"]) - to_numeric(scored["review_score"])).round(2)
    table = pd.DataFrame({"name": scored["name"], "lost": lost})[lost >= LOST_TOLERANCE]
    if table.empty:
        return message_figure(title, "无扣分指标", source)
    table = table.sort_values("lost", ascending=False, kind="stable")
    labels = [shorten_label(safe_label(name), 24) for name in table["name"].head(top_n)]
    values = list(table["lost"].head(top_n))
    colors = [COLORS["unmet"]] * len(values)
    rest = table.iloc[top_n:]
    if len(rest):
        labels.append(f"其余 {len(rest)} 项")
        values.append(round(float(rest["lost"].sum()), 2))
        colors.append(COLORS["lost_rest"])
    n = len(values)
    fig = new_figure(8.0, 1.8 + 0.32 * n)
    ax = fig.subplots()
    style_axes(ax, "x")
    bars = ax.barh(np.arange(n), values, 0.65, color=colors)
    label_bars(ax, bars, [fmt_num(v) for v in values])
    ax.set_yticks(np.arange(n), labels, fontsize=8)
    ax.set_ylim(n - 0.4, -0.6)  # first row on top, no empty margin
    ax.set_xlim(0, max(values) * 1.18)
    ax.set_xlabel("扣分（分）")
    return finish_figure(fig, title, source)
