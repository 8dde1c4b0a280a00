"""Portfolio explorer (ipywidgets): pick units, compare totals, level-1 rates and findings side by side.

Reads the last run of each unit (``outputs/<unit>/result.json`` through
:func:`jixiao.run.portfolio.load_portfolio`); the comparison tables are built by the pure
functions :func:`compare_units` and :func:`findings_by_code`.
"""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from jixiao.core.vocab import SEVERITIES
from jixiao.report.charts_portfolio import plot_level1_heatmap
from jixiao.report.chartstyle import figure_to_png_bytes
from jixiao.review.catalogue import catalogue
from jixiao.run.portfolio import PORTFOLIO_COLUMNS, STATUS_OK, load_portfolio, portfolio_level1
from jixiao.run.project import find_project

__all__ = ["PortfolioExplorer", "portfolio_explorer", "compare_units", "findings_by_code", "load_unit_findings"]

_METRICS = [
    ("status", "运行状态"),
    ("total", "复核总分"),
    ("total_high", "复核总分上限"),
    ("pending", "待核实指标"),
    ("grade", "等级"),
    ("self_total", "单位自评总分"),
    ("errors", "错误"),
    ("warnings", "警告"),
    ("hints", "提示"),
]


def portfolio_explorer(
    outputs_dir: str | os.PathLike[str] = "", params_dir: str | os.PathLike[str] = "", project_dir: str = ""
) -> PortfolioExplorer:
    """The explorer over ``outputs_dir``, units that still have params in ``params_dir``.

    Both default to the project's (``project_dir``, else the project above the working directory).
    """
    if not (outputs_dir and params_dir):
        project = find_project(project_dir or None)
        outputs_dir, params_dir = outputs_dir or project.outputs_dir, params_dir or project.params_dir
    return PortfolioExplorer(outputs_dir, params_dir)


def load_unit_findings(outputs_dir: str | os.PathLike[str], units: list[str]) -> dict[str, pd.DataFrame]:
    """Each unit's findings from its ``result.json`` (an empty table when the file is missing or unreadable)."""
    out = {}
    for unit in units:
        try:
            doc = json.loads((Path(outputs_dir) / unit / "result.json").read_text(encoding="utf-8"))
            rows = doc.get("findings") or []
        except (OSError, ValueError):
            rows = []
        out[unit] = pd.DataFrame(rows, columns=["code", "severity", "indicator_id", "message"])
    return out


def compare_units(portfolio: pd.DataFrame, units: list[str]) -> pd.DataFrame:
    """Units side by side: one column per unit (its display name), rows = totals, grade, finding counts
    and the review 得分率 of each level 1 any of them has ("得分率：产出指标", percent)."""
    rows = portfolio.set_index("unit").loc[[u for u in units if u in set(portfolio["unit"])]]
    rates = [c for c in rows.columns if c not in PORTFOLIO_COLUMNS and rows[c].notna().any()]
    table = {label: rows[key].tolist() for key, label in _METRICS}
    table.update({f"得分率：{c}": rows[c].tolist() for c in rates})
    return pd.DataFrame(table, index=_names(rows)).T


def findings_by_code(findings: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """Counts of each finding code per unit: index code, columns 严重程度, 说明 and one per unit (in ``names`` order)."""
    titles = catalogue().set_index("code")["title"].to_dict()
    counts = {names[u]: findings[u]["code"].value_counts() for u in names if u in findings}
    table = pd.DataFrame(counts).fillna(0).astype("int64") if counts else pd.DataFrame()
    if table.empty:
        return table
    severity = {}
    for frame in findings.values():
        severity.update(zip(frame["code"], frame["severity"]))
    table.insert(0, "说明", [titles.get(c, "") for c in table.index])
    table.insert(0, "严重程度", [severity.get(c, "") for c in table.index])
    order = {s: i for i, s in enumerate(SEVERITIES)}
    keys = sorted(table.index, key=lambda c: (order.get(severity.get(c, ""), 9), c))
    return table.loc[keys]


def _names(rows: pd.DataFrame) -> list[str]:
    return [str(n or u) for u, n in zip(rows.index, rows["name"])]


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return html.escape(str(value))


def _table_html(table: pd.DataFrame, empty: str) -> str:
    if table.empty:
        return f"<p>{empty}</p>"
    head = "<th></th>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(i))}</th>"
        + "".join(f"<td>{_cell(v)}</td>" for v in r)
        + "</tr>"
        for i, r in zip(table.index, table.itertuples(index=False))
    )
    return (
        "<table border='1' style='border-collapse:collapse;font-size:12px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


class PortfolioExplorer:
    """Unit picker and the side-by-side tables and heat map of the chosen units."""

    def __init__(self, outputs_dir: str | os.PathLike[str], params_dir: str | os.PathLike[str] | None = None) -> None:
        self.portfolio = load_portfolio(outputs_dir, params_dir)
        units = self.portfolio["unit"].tolist()
        self.findings = load_unit_findings(outputs_dir, units)
        self.names = dict(zip(units, _names(self.portfolio.set_index("unit"))))
        ok = self.portfolio.loc[self.portfolio["status"] == STATUS_OK, "unit"].tolist()
        self.unit_select = w.SelectMultiple(
            options=[(self.names[u], u) for u in units],
            value=ok,
            description="单位",
            rows=min(10, max(3, len(units))),
            layout=w.Layout(width="520px"),
        )
        self.table, self.findings_table = w.HTML(), w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="760px"))
        intro = (
            "<h3>单位对比</h3><small>各单位最近一次运行（jixiao run）的结果；按住 Ctrl / Shift 可选择多个单位。"
            "复核面板中保存的调整，重新运行后才会出现在这里。</small>"
        )
        self.widget = w.VBox(
            [
                w.HTML(intro),
                self.unit_select,
                self.table,
                self.chart,
                w.HTML("<b>复核发现（条数）</b>"),
                self.findings_table,
            ]
        )
        if not units:
            where = html.escape(str(outputs_dir))
            self.widget.children = (w.HTML(intro), w.HTML(f"<p>「{where}」中还没有运行结果：请先运行 jixiao run。</p>"))
        self.unit_select.observe(lambda _: self.refresh(), names="value")
        self.refresh()

    @property
    def selected(self) -> list[str]:
        """The chosen unit ids, in portfolio order."""
        return list(self.unit_select.value)

    def refresh(self) -> None:
        """Redraw the tables and the chart for the chosen units."""
        units = self.selected
        self.table.value = _table_html(compare_units(self.portfolio, units), "请选择至少一个单位。")
        chosen = {u: self.names[u] for u in units}
        self.findings_table.value = _table_html(findings_by_code(self.findings, chosen), "所选单位没有复核发现。")
        rows = self.portfolio[self.portfolio["unit"].isin(units)]
        rates = portfolio_level1(rows).dropna(axis=1, how="all").dropna(axis=0, how="all")
        self.chart.value = figure_to_png_bytes(plot_level1_heatmap(rates), dpi=80)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
