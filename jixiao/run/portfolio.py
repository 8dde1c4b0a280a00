"""The portfolio across units, read from ``outputs/<unit>/result.json`` and ``.cache.json``.

:func:`load_portfolio` gives one row per unit (columns :data:`PORTFOLIO_COLUMNS`, then one
column per level-1 group holding its review 得分率 in percent); :func:`portfolio_level1`
gives the rates alone (rows = unit names) for ``charts_portfolio.plot_level1_heatmap``;
:func:`render_portfolio_table` is the escaped HTML table of the index page.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from jixiao.core.vocab import INPUT_KINDS, SEVERITIES, UNGRADED, kind_of_inputs, report_wording

__all__ = [
    "PORTFOLIO_COLUMNS",
    "STATUS_OK",
    "STATUS_FAILED",
    "load_portfolio",
    "portfolio_level1",
    "render_portfolio_table",
    "unit_href",
]

STATUS_OK = "成功"
STATUS_FAILED = "失败"

#: Fixed columns of the portfolio table; every other column is a level-1 得分率 (percent).
PORTFOLIO_COLUMNS = [
    "unit",  # unit id (= params file name)
    "name",  # display name
    "year",
    "status",  # 成功 / 失败 (the last run)
    "total",  # review total (NaN when not scored or failed)
    "self_total",  # the unit's own total as printed (or Σ 自评分)
    "grade",  # 优/良/中/差, "" when none
    "errors",  # number of findings by severity
    "warnings",
    "hints",
    "link",  # relative link to the unit's HTML (client HTML, or the failed notebook's HTML)
    "error",  # error line of a failed run
    "grade_note",  # why a unit has no grade (no self-evaluation table, pending indicators, failed run)
    "total_high",  # high end of the review total while indicators are 待核实 (= total otherwise)
    "pending",  # number of 待核实 indicators (a 征求意见稿 while > 0)
    "text_check",  # the client-text check (run/textcheck.py): "" not checked, else the problems joined by "\n" or "通过"
]
_SEVERITY_COLUMNS = dict(zip(SEVERITIES, ("errors", "warnings", "hints")))


def load_portfolio(
    outputs_dir: str | os.PathLike[str], params_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """One row per unit folder under ``outputs_dir`` that has a run record, sorted by unit id.

    Args:
        outputs_dir: The runner's outputs folder.
        params_dir: When given, only units that still have a params file there are listed.

    Returns:
        :data:`PORTFOLIO_COLUMNS` plus one float column per level-1 group (review rate, percent).
    """
    root = Path(outputs_dir)
    rows, rates = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        unit = folder.name
        record = _read_json(folder / ".cache.json")
        if not record:
            continue
        if params_dir is not None and not any((Path(params_dir) / f"{unit}{s}").is_file() for s in (".yaml", ".yml")):
            continue
        row = dict.fromkeys(PORTFOLIO_COLUMNS, "")
        row.update(unit=unit, name=unit, year=None, total=float("nan"), self_total=float("nan"))
        row.update(errors=0, warnings=0, hints=0, total_high=float("nan"), pending=0)
        level1: dict[str, float] = {}
        if record.get("status") == "ok":
            result = _read_json(folder / "result.json")
            _fill_from_result(row, level1, result)
            row["status"], row["link"] = STATUS_OK, unit_href(unit, f"{unit}.html")
        else:
            row["status"], row["error"] = STATUS_FAILED, str(record.get("error", ""))
            failed = folder / f"{unit}.failed.html"
            row["link"] = unit_href(unit, failed.name) if failed.is_file() else ""
            row["grade_note"] = "运行失败（错误见状态一栏）"
        rows.append(row)
        rates.append(level1)
    table = pd.DataFrame(rows, columns=PORTFOLIO_COLUMNS)
    rate_table = pd.DataFrame(rates, index=table.index, dtype="float64")
    table = pd.concat([table, rate_table], axis=1)
    for column in ("total", "self_total", "total_high"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    for column in ("errors", "warnings", "hints", "pending"):
        table[column] = table[column].astype("int64")
    table["year"] = pd.array(table["year"], dtype="Int64")
    return table


_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.\-]*:")


def unit_href(unit: str, filename: str) -> str:
    """A relative link ``<unit>/<file>`` with both parts URL-encoded (never a ``javascript:`` or other scheme)."""
    return quote(unit, safe="") + "/" + quote(filename, safe="")


def _safe_href(link: str) -> str:
    """``link`` when it is relative (no scheme such as ``javascript:``), else ""."""
    return "" if _SCHEME.match(link) else link


def portfolio_level1(portfolio: pd.DataFrame) -> pd.DataFrame:
    """The level-1 得分率 columns, indexed by unit name (rows) — the heat map's input."""
    rate_columns = [c for c in portfolio.columns if c not in PORTFOLIO_COLUMNS]
    rates = portfolio[rate_columns].copy()
    rates.index = [str(n) or str(u) for n, u in zip(portfolio["name"], portfolio["unit"])]
    return rates


def render_portfolio_table(portfolio: pd.DataFrame) -> str:
    """The index page's unit table as HTML; every text from inputs is escaped."""
    head = ["单位", "年度", "状态", "复核总分", "等级", "错误", "警告", "提示", "文字检查", "报告"]
    header = "".join(f"<th>{h}</th>" for h in head)
    lines = ['<table class="jixiao-portfolio">', f"<thead><tr>{header}</tr></thead>", "<tbody>"]
    for row in portfolio.itertuples(index=False):
        total = "" if pd.isna(row.total) else f"{row.total:.2f}"
        if total and row.pending and not pd.isna(row.total_high):  # 待核实: the total is a range
            total += f"–{row.total_high:.2f}<br><small>{int(row.pending)} 项待核实</small>"
        year = "" if pd.isna(row.year) else str(row.year)
        if _safe_href(row.link):
            text = "查看报告" if row.status == STATUS_OK else "查看出错的笔记本"
            link = f'<a href="{html.escape(row.link, quote=True)}">{text}</a>'
        else:
            link = ""
        status = html.escape(row.status) + (f"<br><small>{html.escape(row.error)}</small>" if row.error else "")
        cells = [
            html.escape(str(row.name)),
            year,
            status,
            total,
            html.escape(str(row.grade or ""))
            or (f"{UNGRADED}<br><small>{html.escape(row.grade_note)}</small>" if row.grade_note else UNGRADED),
            str(row.errors),
            str(row.warnings),
            str(row.hints),
            _text_check_cell(str(row.text_check or "")),
            link,
        ]
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _fill_from_result(row: dict, level1: dict[str, float], result: dict) -> None:
    params = result.get("provenance", {}).get("params", {})
    unit = result.get("unit", {}) or {}
    row["name"] = params.get("display_name") or unit.get("name") or row["unit"]
    row["year"] = params.get("year", unit.get("year"))
    totals = result.get("totals", {}) or {}
    row["total"] = _float(totals.get("review_total"))
    row["total_high"] = _float(totals.get("review_total_high", totals.get("review_total")))
    row["pending"] = int(totals.get("pending_count") or 0)
    reported = totals.get("reported_total")
    row["self_total"] = _float(reported if reported is not None else totals.get("self_score_sum"))
    row["grade"] = totals.get("grade") or ""
    if isinstance(result.get("text_check"), list):
        row["text_check"] = "\n".join(str(p) for p in result["text_check"]) or TEXT_CHECK_OK
    if not row["grade"]:
        row["grade_note"] = _ungraded_reason(result)
    for finding in result.get("findings", []) or []:
        column = _SEVERITY_COLUMNS.get(finding.get("severity"))
        if column:
            row[column] += 1
    for group in result.get("level1", []) or []:
        if group.get("name"):
            level1[str(group["name"])] = _float(group.get("review_rate"))


#: The 文字检查 cell of a unit whose client text passed.
TEXT_CHECK_OK = "通过"


def _text_check_cell(value: str) -> str:
    """通过, or the number of problems with the first one (escaped); "—" for a unit not checked."""
    if not value:
        return "—"
    if value == TEXT_CHECK_OK:
        return TEXT_CHECK_OK
    problems = value.split("\n")
    return f"{len(problems)} 处问题<br><small>{html.escape(problems[0])}</small>"


def _ungraded_reason(result: dict) -> str:
    """Why a successfully run unit has no grade, in the index page's words."""
    inputs = (result.get("provenance", {}).get("params", {}) or {}).get("inputs", {}) or {}
    indicators = result.get("indicators") or []
    if not inputs.get("self_evaluation") or not indicators:
        kinds = "、".join(INPUT_KINDS[k] for k in inputs if k in INPUT_KINDS and k != "self_evaluation")
        verdict = report_wording(kind_of_inputs(inputs)).verdict
        if verdict:  # a 目标审核 or 自评报告审核: an opinion, not a score
            return f"只有{kinds}，出具{verdict}，不评定等级"
        return "没有自评表" + (f"（只有{kinds}）" if kinds else "") + "，不评级"
    pending = [i for i in indicators if str(i.get("status") or "") == "待核实"]
    if pending:
        return f"有 {len(pending)} 项指标待核实，核实后评级"
    return "指标没有分值，无法计算总分，不评级"


def _float(value: object) -> float:
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
