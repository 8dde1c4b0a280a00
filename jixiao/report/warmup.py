"""One-time costs of a report notebook, paid once before kernels are forked, never per unit.

A fresh kernel's first chart loads the CJK font into FreeType and fills matplotlib's
font and text caches; its first narrative paragraph compiles the Jinja templates; its first
check for traditional script loads OpenCC's dictionaries. The
batch runner's kernel template process (:mod:`jixiao.run.forkserver`) calls :func:`warm_up`
after its imports, so every forked kernel starts with those caches filled. Nothing of a
unit is involved: the chart is a throw-away one and its print copy is discarded.
"""

from __future__ import annotations

from jixiao.core.textnorm import to_simplified
from jixiao.report import chartstyle
from jixiao.report.assets import TEMPLATES_DIR
from jixiao.report.fonts import ensure_cjk_font
from jixiao.report.wording import environment

__all__ = ["warm_up"]

#: Characters drawn by the throw-away chart (digits, Latin, CJK punctuation and common words).
_SAMPLE = "预热图表：一级指标得分率（自评与复核）0123456789.%—数据来源"


def warm_up() -> None:
    """Load the chart font, draw one throw-away chart, compile the narrative templates, load OpenCC."""
    ensure_cjk_font()
    fig = chartstyle.new_figure(4.0, 2.0)
    ax = fig.subplots()
    bars = ax.bar(["决策", "过程", "产出", "效益"], [10.0, 20.0, 30.0, 40.0], color=chartstyle.COLORS["review"])
    chartstyle.style_axes(ax)
    chartstyle.label_bars(ax, bars, ["10.00", "20.00", "30.00", "40.00"])
    chartstyle.finish_figure(fig, _SAMPLE, _SAMPLE)
    chartstyle.figure_to_data_uri(fig)
    chartstyle.PRINT_COPIES.clear()
    env = environment()
    for path in sorted(TEMPLATES_DIR.glob("*.j2")):
        if not path.name.endswith(".html.j2"):
            env.get_template(path.name)
    to_simplified(_SAMPLE)
