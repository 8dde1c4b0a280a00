"""The declaration chart: how measurable the targets are (house style of :mod:`jixiao.report.chartstyle`).

``plot_target_quality`` shows how many targets of a declaration are measurable, per
level-2 indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from jixiao.report.chartstyle import (
    COLORS,
    finish_figure,
    legend_above,
    message_figure,
    new_figure,
    safe_label,
    shorten_label,
    style_axes,
)
from jixiao.report.fonts import ensure_cjk_font
from jixiao.report.narrative import VAGUE_CODES

__all__ = ["plot_target_quality"]


def plot_target_quality(
    indicators: pd.DataFrame, findings: pd.DataFrame, *, title: str | None = None, source: str | None = None
) -> Figure:
    """Stacked horizontal bars per level 2: measurable targets vs targets flagged C01/C03/R32."""
    ensure_cjk_font()
    title = title or "绩效目标可衡量性（按二级指标）"
    source = (
        source or "数据来源：单位整体支出绩效目标申报表；不可衡量 = 指标值缺失或无量化标准（见审核意见可衡量性部分）。"
    )
    if indicators is None or indicators.empty:
        return message_figure(title, "无绩效目标", source)
    flagged = set()
    if findings is not None and not findings.empty:
        flagged = set(findings.loc[findings["code"].isin(VAGUE_CODES), "indicator_id"])
    table = indicators.assign(vague=indicators["indicator_id"].isin(flagged))
    groups = table.groupby(["level1", "level2"], sort=False)["vague"].agg(["size", "sum"]).reset_index()
    labels = [shorten_label(safe_label(f"{a}·{b}" if a else b), 20) for a, b in zip(groups["level1"], groups["level2"])]
    vague = groups["sum"].to_numpy(dtype=float)
    good = groups["size"].to_numpy(dtype=float) - vague
    n = len(groups)
    fig = new_figure(8.0, 1.9 + 0.36 * n)
    ax = fig.subplots()
    style_axes(ax, "x")
    y = np.arange(n)
    bars_good = ax.barh(y, good, 0.62, color=COLORS["review"])
    bars_vague = ax.barh(y, vague, 0.62, left=good, color=COLORS["unmet"])
    for bars, values in ((bars_good, good), (bars_vague, vague)):
        ax.bar_label(bars, [f"{int(v)}" if v else "" for v in values], label_type="center", color="white", fontsize=9)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(n - 0.4, -0.6)
    ax.set_xlim(0, max(1.0, float((good + vague).max())) * 1.15)
    ax.set_xlabel("指标数（项）")
    legend_above(ax, [Patch(color=COLORS["review"], label="可衡量"), Patch(color=COLORS["unmet"], label="不可衡量")])
    return finish_figure(fig, title, source)
