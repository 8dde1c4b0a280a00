"""Tests for jixiao.report.fonts and jixiao.report.charts: chart content, colours, and CJK glyph rendering."""

from __future__ import annotations

import base64
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib import colors as mcolors
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.text import Text

from jixiao.core.model import BUDGET_COLUMNS, INDICATOR_COLUMNS, LEVEL1_COLUMNS, SCORED_COLUMNS
from jixiao.report import charts, charts_portfolio, chartstyle, fonts

LEVEL1_NAMES = ["投入管理指标", "产出指标", "效益指标", "满意度指标"]


# --- builders (realistic data after seed 000, 新虹街道城市运行管理中心 2023) -------------------
def level1_table(names=LEVEL1_NAMES) -> pd.DataFrame:
    base = {
        "投入管理指标": (30, 29, 27.5),
        "产出指标": (25, 25, 23.0),
        "效益指标": (35, 34.5, 31.25),
        "满意度指标": (10, 10, 9.0),
    }
    rows = []
    for name in names:
        weight, self_sum, review_sum = base.get(name, (10, 9, 8))
        rows.append(
            {
                "name": name,
                "declared_weight": weight,
                "weight_sum": weight,
                "scheme_weight": weight,
                "self_score_sum": self_sum,
                "rule_score_sum": review_sum,
                "review_score_sum": review_sum,
                "self_rate": round(self_sum / weight * 100, 2),
                "review_rate": round(review_sum / weight * 100, 2),
            }
        )
    return pd.DataFrame(rows, columns=LEVEL1_COLUMNS)


def budget_table() -> pd.DataFrame:
    def line(name, group, budget, spent, unit="元"):
        rate = round(spent / budget * 100, 2) if budget == budget and spent == spent and budget else np.nan
        return {
            "name": name,
            "group": group,
            "initial_budget": np.nan,
            "budget": budget,
            "spent": spent,
            "reported_rate": rate,
            "rate": rate,
            "weight": np.nan,
            "reported_score": np.nan,
            "money_unit": unit,
            "source_row": 10,
        }

    return pd.DataFrame(
        [
            line("财政拨款", "资金来源", 29098904.33, 29060158.28),
            line("其他资金", "资金来源", np.nan, np.nan),
            line("基本支出", "资金结构", 5657499.33, 5624524.98),
            line("项目支出", "资金结构", 23441405.0, 23435633.3),
        ],
        columns=BUDGET_COLUMNS,
    )


def scored_table() -> pd.DataFrame:
    # name, level1, weight, op, target, target_unit, actual, actual_unit, met, review_score
    specs = [
        ("基本支出预算执行率", "投入管理指标", 1, ">=", 100, "%", 99, "%", False, 0.5),
        ("预算编制合理性", "投入管理指标", 2, None, np.nan, "", np.nan, "", True, 1.0),
        ("道路管理", "产出指标", 1, "=", 15, "条", 15, "条", True, 1.0),
        ("户外招牌设施检测数量", "产出指标", 1, "=", 200, "户", 180, "户", False, 0.9),
        ("辅警人员出勤率", "产出指标", 1, ">=", 100, "%", 100, "%", True, 1.0),
        ("养护总面积", "产出指标", 1, ">=", 19.26, "平方公里", 21.0, "平方公里", True, 1.0),
        ("系统容错率", "效益指标", 4, "<=", 2, "%", 2.5, "%", False, 2.0),
        (
            "设施、设备维护及时性（城市综合管理网格化平台派单处置）",
            "效益指标",
            0.5,
            "<=",
            2,
            "小时",
            1.6,
            "小时",
            True,
            0.5,
        ),
        ("交通安全事故数", "效益指标", 4, "<=", 0, "起", 0, "起", True, 4.0),
        ("公众满意度", "满意度指标", 5, ">=", 90, "%", 85, "%", False, 3.5),
        ("应急设备购置数", "产出指标", 1, "=", 60, "台", 0.06, "万台", None, np.nan),
    ]
    rows = []
    for i, (name, level1, weight, op, target, tunit, actual, aunit, met, review) in enumerate(specs, 1):
        row = {c: "" for c in INDICATOR_COLUMNS + SCORED_COLUMNS}
        row.update(
            indicator_id=f"I{i:02d}",
            level1=level1,
            level1_weight=np.nan,
            level2="",
            name=name,
            weight=float(weight),
            nature="定量" if op else "定性",
            direction="",
            self_score=float(weight),
            source_row=20 + i,
            target_op=op,
            target_number=float(target),
            target_unit=tunit,
            actual_number=float(actual),
            actual_unit=aunit,
            met=met,
            review_score=float(review),
            rule_score=float(review),
            rule_score_raw=float(review),
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS + SCORED_COLUMNS)


def portfolio_table() -> pd.DataFrame:
    rows = [
        ("U01", "新虹街道城市运行管理中心", 92.5, "优"),
        ("U02", "虹桥镇社区事务受理服务中心", 86.25, "良"),
        ("U03", "莘庄镇文化体育服务中心", 78.0, "中"),
        ("U04", "区教育局", 55.5, "差"),
        ("U05", "", 88.0, "良"),
        ("U06", "七宝镇卫生服务中心", np.nan, ""),
    ]
    frame = pd.DataFrame(rows, columns=["unit", "name", "total", "grade"])
    for j, level1 in enumerate(LEVEL1_NAMES):
        frame[level1] = [95.0 - 5 * j, 88.0, 70.0 + j, 50.0, 90.0, np.nan]
    return frame


def portfolio_rates_table() -> pd.DataFrame:
    frame = portfolio_table().set_index("name")
    frame.index = [n or u for n, u in zip(frame.index, frame["unit"])]
    rates = frame[LEVEL1_NAMES].copy()
    rates.iloc[2, 3] = np.nan  # a unit without 满意度指标
    return rates


ALL_CHARTS = [
    ("level1_rates", lambda: charts.plot_level1_rates(level1_table())),
    ("level1_radar", lambda: charts.plot_level1_radar(level1_table())),
    ("level1_radar_fallback", lambda: charts.plot_level1_radar(level1_table(LEVEL1_NAMES[:2]))),
    ("budget", lambda: charts.plot_budget_execution(budget_table())),
    ("budget_empty", lambda: charts.plot_budget_execution(budget_table().iloc[[1]])),
    ("completion", lambda: charts.plot_indicator_completion(scored_table())),
    ("points_lost", lambda: charts.plot_points_lost(scored_table())),
    ("points_lost_empty", lambda: charts.plot_points_lost(scored_table().assign(review_score=lambda d: d["weight"]))),
    ("grades", lambda: charts_portfolio.plot_grade_distribution(portfolio_table())),
    ("ranking", lambda: charts_portfolio.plot_unit_ranking(portfolio_table())),
    ("heatmap", lambda: charts_portfolio.plot_level1_heatmap(portfolio_rates_table())),
]


# --- helpers -------------------------------------------------------------------------------
def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def by_gid(fig: Figure, gid: str) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_gid() == gid]


def tick_texts(axis_labels) -> list[str]:
    return [t.get_text() for t in axis_labels]


def hexes(patches) -> list[str]:
    return [mcolors.to_hex(p.get_facecolor()) for p in patches]


def is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(autouse=True)
def _isolated_rcparams():
    import matplotlib

    with matplotlib.rc_context():
        yield


# --- fonts ---------------------------------------------------------------------------------
def test_font_paths_point_to_bundled_otf_files():
    sans, serif = fonts.font_path(), fonts.font_path("serif")
    assert sans.endswith("NotoSansSC-Regular.otf") and serif.endswith("NotoSerifSC-Regular.otf")
    with open(sans, "rb") as fh:
        assert fh.read(4) == b"OTTO"  # CFF-based OpenType
    with pytest.raises(ValueError, match="未知的字体类型"):
        fonts.font_path("bold")


def test_ensure_cjk_font_registers_once_and_sets_rcparams():
    from matplotlib import font_manager

    family = fonts.ensure_cjk_font()
    entries = sum(e.fname == fonts.font_path() for e in font_manager.fontManager.ttflist)
    assert fonts.ensure_cjk_font() == family == "Noto Sans SC"
    assert sum(e.fname == fonts.font_path() for e in font_manager.fontManager.ttflist) == entries
    assert rcParams["font.family"][0] == family and "DejaVu Sans" in rcParams["font.family"]
    assert rcParams["font.sans-serif"][0] == family
    assert rcParams["axes.unicode_minus"] is False and rcParams["text.usetex"] is False
    assert findfont(FontProperties(family=rcParams["font.family"])).endswith("NotoSansSC-Regular.otf")
    assert findfont(FontProperties(family=["sans-serif"])).endswith("NotoSansSC-Regular.otf")


def test_ensure_cjk_font_restores_family_after_rcdefaults():
    import matplotlib

    fonts.ensure_cjk_font()
    matplotlib.rcdefaults()
    assert rcParams["font.family"] == ["sans-serif"] and rcParams["font.sans-serif"][0] != "Noto Sans SC"
    fonts.ensure_cjk_font()
    assert rcParams["font.family"][0] == "Noto Sans SC"


def test_missing_font_package_gives_chinese_error(monkeypatch):
    monkeypatch.setattr(fonts, "FONT_PACKAGE", "no_such_font_package_zz")
    with pytest.raises(ModuleNotFoundError, match="pip install pylopdf-fonts-zh-cn"):
        fonts.ensure_cjk_font()


def test_licence_text_is_the_ofl():
    assert "SIL Open Font License" in fonts.licence_text()
    assert "OFL 1.1" in fonts.LICENCE_NOTE and "开源字体许可协议" in fonts.LICENCE_NOTE  # no English words


# --- glyph rendering -----------------------------------------------------------------------
def test_missing_glyph_warning_is_detected_without_the_cjk_font():
    """Guards the glyph test below: Chinese in DejaVu Sans alone must warn."""
    fig = Figure()
    fig.text(0.5, 0.5, "一级指标得分率", fontproperties=FontProperties(family=["DejaVu Sans"]))
    with pytest.warns(UserWarning, match="missing from font"):
        chartstyle.figure_to_png_bytes(fig)


@pytest.mark.parametrize("make", [m for _, m in ALL_CHARTS], ids=[n for n, _ in ALL_CHARTS])
def test_chart_renders_chinese_without_missing_glyphs(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = make()
        png = chartstyle.figure_to_png_bytes(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chinese = [t for t in fig.findobj(Text) if is_cjk(t.get_text())]
    assert chinese, "every chart carries Chinese text"
    for artist in chinese:
        assert findfont(artist.get_fontproperties()).endswith("NotoSansSC-Regular.otf"), artist.get_text()
    assert by_gid(fig, "title") and by_gid(fig, "source")[0].startswith("数据来源：")


def test_svg_output_renders_chinese_without_missing_glyphs():
    fig = charts.plot_level1_rates(level1_table())
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buffer, format="svg")
    assert b"<svg" in buffer.getvalue()


def test_charts_leave_no_pyplot_figures():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for _, make in ALL_CHARTS[:3]:
        assert isinstance(make(), Figure)
    assert plt.get_fignums() == before


# --- level 1 ---------------------------------------------------------------------------------
def test_level1_rates_bars_labels_and_colours():
    fig = charts.plot_level1_rates(level1_table())
    ax = fig.axes[0]
    assert by_gid(fig, "title") == ["一级指标得分率（自评与复核）"]
    assert tick_texts(ax.get_xticklabels()) == LEVEL1_NAMES
    assert ax.get_ylabel() == "得分率（%）"
    self_bars, review_bars = ax.containers
    assert (self_bars.get_label(), review_bars.get_label()) == ("自评得分率", "复核得分率")
    assert [b.get_height() for b in self_bars] == pytest.approx([96.67, 100.0, 98.57, 100.0])
    assert [b.get_height() for b in review_bars] == pytest.approx([91.67, 92.0, 89.29, 90.0])
    assert set(hexes(self_bars)) == {chartstyle.COLORS["self"].lower()}
    assert set(hexes(review_bars)) == {chartstyle.COLORS["review"].lower()}
    assert {"96.67%", "91.67%", "89.29%", "90.00%"} <= set(texts(fig))


def test_level1_rates_without_self_scores_and_zero_weight():
    table = level1_table().assign(self_score_sum=np.nan)
    table.loc[1, "weight_sum"] = 0.0
    fig = charts.plot_level1_rates(table)
    (review,) = fig.axes[0].containers
    assert review.get_label() == "复核得分率"
    assert [t.get_text() for t in fig.axes[0].texts] == ["91.67%", "—", "89.29%", "90.00%"]


def test_level1_radar_draws_a_polygon_per_series():
    fig = charts.plot_level1_radar(level1_table())
    ax = fig.axes[0]
    assert ax.name == "polar"
    assert tick_texts(ax.get_xticklabels()) == LEVEL1_NAMES
    assert [line.get_label() for line in ax.get_lines()] == ["自评得分率", "复核得分率"]
    assert len(ax.get_lines()[1].get_xdata()) == 5  # closed ring over 4 axes
    assert by_gid(fig, "value") == ["91.67%", "92.00%", "89.29%", "90.00%"]


@pytest.mark.parametrize("count", [1, 2], ids=["one-group", "two-groups"])
def test_level1_radar_falls_back_to_bars_below_three_groups(count):
    fig = charts.plot_level1_radar(level1_table(LEVEL1_NAMES[:count]))
    ax = fig.axes[0]
    assert ax.name == "rectilinear"
    assert len(ax.patches) == 2 * count
    assert "一级指标不足 3 个" in by_gid(fig, "source")[0]
    assert by_gid(fig, "title") == ["一级指标得分率（自评与复核）"]


# --- budget ----------------------------------------------------------------------------------
def test_budget_execution_in_wan_yuan_with_rate_labels():
    fig = charts.plot_budget_execution(budget_table())
    ax = fig.axes[0]
    assert tick_texts(ax.get_xticklabels()) == ["财政拨款", "基本支出", "项目支出"]  # 其他资金 has no figures
    planned, spent = ax.containers
    assert [b.get_height() for b in planned] == pytest.approx([2909.89, 565.75, 2344.14])
    assert [b.get_height() for b in spent] == pytest.approx([2906.02, 562.45, 2343.56])
    assert by_gid(fig, "rate") == ["执行率 99.87%", "执行率 99.42%", "执行率 99.98%"]
    assert "万元" in ax.get_ylabel()
    assert "2909.89" in texts(fig)


def test_budget_in_wan_yuan_is_not_converted_again():
    table = budget_table().iloc[[0]].assign(budget=2909.89, spent=2906.02, money_unit="万元")
    (planned, _spent) = charts.plot_budget_execution(table).axes[0].containers
    assert planned[0].get_height() == pytest.approx(2909.89)


def test_budget_with_unknown_money_unit_is_rejected():
    with pytest.raises(ValueError, match="金额单位无法识别：千元"):
        charts.plot_budget_execution(budget_table().assign(money_unit="千元"))


def test_budget_without_figures_gives_message_figure():
    fig = charts.plot_budget_execution(budget_table().iloc[[1]])
    assert by_gid(fig, "message") == ["无预算数据"]


# --- indicator completion ------------------------------------------------------------------
def test_indicator_completion_table_inverts_less_is_better_targets():
    table, left_out = charts.indicator_completion(scored_table())
    rates = dict(zip(table["name"], table["completion"]))
    assert rates["系统容错率"] == pytest.approx(80.0)  # ≤2% achieved 2.5% -> 2 / 2.5
    assert rates["设施、设备维护及时性（城市综合管理网格化平台派单处置）"] == pytest.approx(125.0)
    assert rates["公众满意度"] == pytest.approx(94.44)
    assert "预算编制合理性" not in rates  # qualitative
    assert left_out == 2  # ≤0 with actual 0 (no ratio); 台 vs 万台 (units differ)
    assert list(table["completion"]) == sorted(table["completion"])


def test_indicator_completion_chart_marks_unmet_in_red():
    fig = charts.plot_indicator_completion(scored_table())
    ax = fig.axes[0]
    labels = tick_texts(ax.get_yticklabels())
    assert len(ax.patches) == len(labels) == 8
    assert labels[0] == "系统容错率"  # lowest completion on top
    red = chartstyle.COLORS["unmet"].lower()
    unmet = {name for name, colour in zip(labels, hexes(ax.patches)) if colour == red}
    assert unmet == {"系统容错率", "户外招牌设施检测数量", "公众满意度", "基本支出预算执行率"}
    assert labels[-1].endswith("…") and "\n" in labels[-1]  # long name wrapped and cut
    (reference,) = [line for line in ax.get_lines() if line.get_gid() == "reference"]
    assert list(reference.get_xdata()) == [100, 100]
    assert "80.00%" in texts(fig) and "125.00%" in texts(fig)
    assert "另有 2 项" in by_gid(fig, "source")[0]


def test_indicator_completion_accepts_nullable_boolean_met():
    table = scored_table()
    table["met"] = pd.array([None if m is None else m for m in table["met"]], dtype="boolean")
    ax = charts.plot_indicator_completion(table).axes[0]
    assert hexes(ax.patches)[:4] == [chartstyle.COLORS["unmet"].lower()] * 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["达标", "未达标"]


def test_indicator_completion_clips_very_long_bars_but_labels_the_value():
    table = scored_table().iloc[[2]].assign(actual_number=75.0)  # 道路管理 15 -> 75: 500%
    fig = charts.plot_indicator_completion(table)
    (bar,) = fig.axes[0].patches
    assert bar.get_width() == charts.COMPLETION_DISPLAY_CAP
    assert "500.00%" in texts(fig)
    assert "截断显示" in by_gid(fig, "source")[0]


def test_indicator_completion_height_scales_and_is_capped():
    base = scored_table().iloc[[2]]
    many = pd.concat([base] * 70, ignore_index=True).assign(actual_number=np.linspace(1, 20, 70))
    small = charts.plot_indicator_completion(scored_table())
    big = charts.plot_indicator_completion(many)
    assert big.get_figheight() > small.get_figheight()
    assert len(big.axes[0].patches) == charts.MAX_COMPLETION_BARS
    assert "仅显示完成率最低的 50 项" in by_gid(big, "source")[0]


# --- points lost ------------------------------------------------------------------------------
def test_points_lost_largest_first():
    fig = charts.plot_points_lost(scored_table())
    ax = fig.axes[0]
    assert tick_texts(ax.get_yticklabels()) == [
        "系统容错率",
        "公众满意度",
        "预算编制合理性",
        "基本支出预算执行率",
        "户外招牌设施检测数量",
    ]
    assert [p.get_width() for p in ax.patches] == pytest.approx([2.0, 1.5, 1.0, 0.5, 0.1])
    assert ax.get_xlabel() == "扣分（分）"
    assert {"2.00", "0.10"} <= set(texts(fig))


def test_points_lost_aggregates_the_rest_and_ignores_rounding_noise():
    table = scored_table()
    table.loc[2, "review_score"] = 1 - 0.004  # below tolerance: not a deduction
    fig = charts.plot_points_lost(table, top_n=3)
    ax = fig.axes[0]
    labels = tick_texts(ax.get_yticklabels())
    assert labels[-1] == "其余 2 项" and "道路管理" not in labels
    assert ax.patches[-1].get_width() == pytest.approx(0.6)
    assert hexes(ax.patches)[-1] == chartstyle.COLORS["lost_rest"].lower()


def test_points_lost_empty_gives_message():
    fig = charts.plot_points_lost(scored_table().assign(review_score=lambda d: d["weight"]))
    assert by_gid(fig, "message") == ["无扣分指标"]


# --- portfolio -------------------------------------------------------------------------------
def test_grade_distribution_counts():
    fig = charts_portfolio.plot_grade_distribution(portfolio_table())
    ax = fig.axes[0]
    assert tick_texts(ax.get_xticklabels()) == ["优", "良", "中", "差", "未评级"]
    assert [p.get_height() for p in ax.patches] == [1, 2, 1, 1, 1]
    assert "2 个（33.33%）" in texts(fig)
    graded = charts_portfolio.plot_grade_distribution(portfolio_table().iloc[:2])
    assert [p.get_height() for p in graded.axes[0].patches] == [1, 1, 0, 0]


def test_unit_ranking_sorted_coloured_with_bands():
    fig = charts_portfolio.plot_unit_ranking(portfolio_table())
    ax = fig.axes[0]
    assert tick_texts(ax.get_yticklabels()) == [
        "新虹街道城市运行管理中心",
        "U05",
        "虹桥镇社区事务受理服务中心",  # full name (long ones wrap, never cut with …)
        "莘庄镇文化体育服务中心",
        "区教育局",
    ]
    assert [p.get_width() for p in ax.patches] == pytest.approx([92.5, 88.0, 86.25, 78.0, 55.5])
    g = chartstyle.GRADE_COLORS
    assert hexes(ax.patches) == [g[k].lower() for k in ["优", "良", "良", "中", "差"]]
    assert sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "band") == [60, 80, 90]
    assert "另有 1 个单位无总分" in by_gid(fig, "source")[0]


def test_portfolio_charts_show_full_unit_names():
    long = "上海市闵行区新虹街道城市运行管理中心（城市网格化综合管理中心）"
    table = portfolio_table()
    table.loc[0, "name"] = long
    for fig in (
        charts_portfolio.plot_unit_ranking(table),
        charts_portfolio.plot_level1_heatmap(table.set_index("name")),
    ):
        labels = tick_texts(fig.axes[0].get_yticklabels())
        assert long in [label.replace("\n", "") for label in labels]
        assert not any("…" in label for label in labels)


def test_unit_ranking_shows_both_ends_of_a_long_list():
    many = pd.DataFrame(
        {
            "unit": [f"U{i:03d}" for i in range(80)],
            "name": [f"单位{i}" for i in range(80)],
            "total": np.linspace(99, 40, 80),
            "grade": "中",
        }
    )
    ax = charts_portfolio.plot_unit_ranking(many).axes[0]
    labels = tick_texts(ax.get_yticklabels())
    assert len(labels) == charts_portfolio.MAX_RANKED_UNITS and labels[0] == "单位0" and labels[-1] == "单位79"


def test_level1_heatmap_cells_and_colorbar():
    rates = portfolio_rates_table()
    fig = charts_portfolio.plot_level1_heatmap(rates)
    ax, cbar_ax = fig.axes
    assert tick_texts(ax.get_xticklabels()) == LEVEL1_NAMES
    assert tick_texts(ax.get_yticklabels())[0] == "新虹街道城市运行管理中心"
    assert cbar_ax.get_ylabel() == "得分率（%）"
    image = ax.get_images()[0].get_array()
    assert image.mask[2, 3] and image.mask[5].all() and not image.mask[0].any()
    cells = by_gid(fig, "cell")
    assert len(cells) == int(rates.notna().sum().sum()) == 19
    assert cells[0] == "95.00"


# --- text safety and embedding ----------------------------------------------------------------
def test_dollar_signs_in_names_are_not_mathtext():
    table = scored_table()
    table.loc[0, "name"] = "专项$经费$执行率"
    fig = charts.plot_points_lost(table)
    label = next(t for t in fig.axes[0].get_yticklabels() if "经费" in t.get_text())
    assert label.get_text() == r"专项\$经费\$执行率"
    assert label._preprocess_math(label.get_text()) == ("专项$经费$执行率", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chartstyle.figure_to_png_bytes(fig)


def test_png_bytes_and_data_uri():
    fig = charts_portfolio.plot_grade_distribution(portfolio_table())
    png = chartstyle.figure_to_png_bytes(fig, dpi=50)
    width = int.from_bytes(png[16:20], "big")
    assert width == round(fig.get_figwidth() * 50)
    uri = chartstyle.figure_to_data_uri(fig)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG")


def _drawn(fig: Figure, settle: bool) -> tuple[bool, bytes]:
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(chartstyle.PRINT_DPI)
    settled = chartstyle.settle_layout(fig) if settle else False
    canvas.draw()
    return settled, bytes(canvas.buffer_rgba())


@pytest.mark.parametrize("make", [m for _, m in ALL_CHARTS], ids=[n for n, _ in ALL_CHARTS])
def test_one_pass_layout_draws_the_same_pixels_as_constrained_layout(make):
    """settle_layout replaces constrained layout for one-Axes charts without moving a pixel; others keep it."""
    fig = make()
    single = len(fig.axes) == 1 and fig.axes[0].name == "rectilinear"
    settled, fast = _drawn(fig, settle=True)
    assert settled == single
    assert fast == _drawn(make(), settle=False)[1]


def test_print_copies_are_png_at_print_resolution_and_made_only_when_asked(monkeypatch):
    """The screen PNG is embedded at once; its print copy (Word) is a raster until print_copies() encodes it."""
    monkeypatch.setattr(chartstyle, "PRINT_COPIES", {})
    encoded = []
    real_png = chartstyle.encode_rgb_png
    monkeypatch.setattr(chartstyle, "encode_rgb_png", lambda pixels, dpi: encoded.append(dpi) or real_png(pixels, dpi))
    fig = charts_portfolio.plot_grade_distribution(portfolio_table())
    uri = chartstyle.figure_to_data_uri(fig)
    assert encoded == [chartstyle.PRINT_DPI // 2]  # the screen copy only
    key = chartstyle.print_key(uri.split(",", 1)[1])
    copies = chartstyle.print_copies()
    assert list(copies) == [key] and encoded[1:] == [chartstyle.PRINT_DPI]
    png = copies[key]
    assert png.startswith(b"\x89PNG")
    assert int.from_bytes(png[16:20], "big") == round(fig.get_figwidth() * chartstyle.PRINT_DPI)
    assert chartstyle.print_copies() == copies and len(encoded) == 2  # encoded once


def test_print_copies_beyond_the_kept_rasters_are_encoded_as_they_age(monkeypatch):
    monkeypatch.setattr(chartstyle, "PRINT_COPIES", {})
    monkeypatch.setattr(chartstyle, "_RASTERS_KEPT", 2)
    for count in (3, 4, 5):
        chartstyle.figure_to_data_uri(charts_portfolio.plot_grade_distribution(portfolio_table().head(count)))
    kinds = [isinstance(copy, bytes) for copy in chartstyle.PRINT_COPIES.values()]
    assert kinds == [True, False, False]
