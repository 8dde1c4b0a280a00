"""The working papers (复核底稿) of a unit and the engagement's summary workbook, from result.json documents.

财监〔2021〕4号 asks firms to archive their working papers: every score and its basis. Each
unit gets ``<unit>_复核底稿.xlsx`` (sheets 指标评分, 复核发现, 预算执行, 读取说明, 运行信息);
the run adds ``outputs/汇总.xlsx`` (one row per unit, and every finding). Written with
XlsxWriter: frozen headers, filters, number formats, widths and colours; numbers are
numbers. Text from input files is written as text and never as a formula: a cell that
starts with ``= + - @`` gets Excel's quote prefix (:func:`safe_text`), so Excel shows it
as typed and does not evaluate it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from jixiao.core.vocab import INPUT_KINDS, SEVERITIES, kind_of_inputs, report_wording
from jixiao.report.engagement import DRAFT_MARK, annex_rows, apparatus_of, indicator_status, is_draft
from jixiao.run.atomic import atomic_write_bytes

__all__ = [
    "SUMMARY_BOOK",
    "write_summary_book",
    "FORMULA_PREFIXES",
    "Column",
    "safe_text",
    "unit_workpapers",
    "summary_workbook",
    "draft_state",
]

#: The engagement's summary workbook under outputs/.
SUMMARY_BOOK = "汇总.xlsx"
#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Row colours: findings by severity, indicators that lost points.
_FILLS = {"错误": "#F8D7DA", "警告": "#FFF3CD", "提示": "#E2ECF7", "扣分": "#FCE8E6"}
_KINDS: dict[str, dict[str, Any]] = {
    "head": {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True},
    "text": {"text_wrap": True},
    "quoted": {"text_wrap": True, "quote_prefix": True},
    "score": {"num_format": "0.00"},
    "money": {"num_format": "#,##0.00"},
    "rate": {"num_format": "0.00%"},
    "int": {"num_format": "0"},
}


def safe_text(value: Any) -> tuple[str, bool]:
    """(text, needs the quote prefix): the text as written, flagged when it would start a formula."""
    text = "" if value is None else str(value)
    return text, text.startswith(FORMULA_PREFIXES)


def draft_state(doc: dict) -> str:
    """征求意见稿 while anything is pending (:func:`jixiao.report.engagement.is_draft`), else 终稿."""
    return DRAFT_MARK if is_draft(doc.get("indicators") or [], doc.get("totals") or {}) else "终稿"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], Any]
    kind: str = "text"  # text, score, money, rate (a percentage given as 0–100), int
    width: float = 12


class _Book:
    """An XlsxWriter workbook in memory with the house formats."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.cache: dict[tuple[str, str], Any] = {}
        self.formats = {"head": self.format("head")}

    def format(self, kind: str, fill: str = "") -> Any:
        """The cell format of a kind (text, quoted, score, money, rate, int, head) on a row colour."""
        if (kind, fill) not in self.cache:
            spec: dict[str, Any] = {"font_name": "等线", "font_size": 10, "valign": "top"}
            spec.update(_KINDS[kind])
            if fill:
                spec["bg_color"] = _FILLS[fill]
            self.cache[(kind, fill)] = self.book.add_format(spec)
        return self.cache[(kind, fill)]

    def sheet(
        self, name: str, columns: list[Column], rows: list[dict], fill: Callable[[dict], str] | None = None
    ) -> Any:
        ws = self.book.add_worksheet(name)
        for j, col in enumerate(columns):
            ws.write_string(0, j, col.header, self.formats["head"])
            ws.set_column(j, j, col.width)
        for i, row in enumerate(rows, 1):
            colour = fill(row) if fill else ""
            colour = colour if colour in _FILLS else ""
            for j, col in enumerate(columns):
                self.write(ws, i, j, col.value(row), col.kind, colour)
        ws.freeze_panes(1, 0)
        if rows:
            ws.autofilter(0, 0, len(rows), len(columns) - 1)
        return ws

    def write(self, ws: Any, row: int, col: int, value: Any, kind: str = "text", fill: str = "") -> None:
        if kind != "text" and isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
            number = value / 100 if kind == "rate" else value
            ws.write_number(row, col, number, self.format(kind, fill))
            return
        text, quoted = safe_text(value)
        if text:
            ws.write_string(row, col, text, self.format("quoted" if quoted else "text", fill))
        elif fill:
            ws.write_blank(row, col, None, self.format("text", fill))

    def pairs(self, ws: Any, start: int, items: list[tuple[str, Any]]) -> int:
        for i, (label, value) in enumerate(items):
            ws.write_string(start + i, 0, label, self.formats["head"])
            self.write(ws, start + i, 1, value)
        return start + len(items)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _parsed(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    parts = [value.get("op"), value.get("number"), value.get("unit"), value.get("text") or value.get("word")]
    shown = " ".join(str(p) for p in parts if p not in (None, ""))
    return f"{value.get('kind', '')}：{shown}" if shown else str(value.get("kind", ""))


def _diff(r: dict) -> float | None:
    own, review = r.get("self_score"), r.get("review_score")
    return None if own is None or review is None else round(review - own, 6)


INDICATOR_COLUMNS = [
    Column("编号", lambda r: r.get("id"), width=7),
    Column("一级指标", lambda r: r.get("level1"), width=12),
    Column("二级指标", lambda r: r.get("level2"), width=12),
    Column("三级指标", lambda r: r.get("name"), width=22),
    Column("分值", lambda r: r.get("weight"), "score", 7),
    Column("指标性质", lambda r: r.get("nature"), width=8),
    Column("方向", lambda r: r.get("direction"), width=6),
    Column("指标值", lambda r: r.get("target"), width=14),
    Column("计量单位", lambda r: r.get("unit"), width=8),
    Column("完成值", lambda r: r.get("actual"), width=14),
    Column("指标值（解析）", lambda r: _parsed(r.get("target_parsed")), width=16),
    Column("完成值（解析）", lambda r: _parsed(r.get("actual_parsed")), width=16),
    Column("计分规则", lambda r: r.get("rule_label"), width=12),
    Column("评（扣）分标准", lambda r: r.get("rule_text"), width=20),
    Column("计分说明", lambda r: r.get("explanation"), width=36),
    Column("自评分", lambda r: r.get("self_score"), "score", 8),
    Column("规则分", lambda r: r.get("rule_score"), "score", 8),
    Column("复核分", lambda r: r.get("review_score"), "score", 8),
    Column("复核分下限", lambda r: r.get("review_low", r.get("review_score")), "score", 9),
    Column("复核分上限", lambda r: r.get("review_high", r.get("review_score")), "score", 9),
    Column("差异", _diff, "score", 7),
    Column("状态", lambda r: indicator_status(r)[0], width=10),
    Column("状态说明", lambda r: indicator_status(r)[1], width=24),
    Column("调整理由", lambda r: r.get("review_note"), width=24),
    Column("扣分原因", lambda r: r.get("_annex", {}).get("deduction"), width=28),
    Column("佐证材料", lambda r: r.get("_annex", {}).get("evidence"), width=20),
    Column("源表行号", lambda r: r.get("source_row"), "int", 8),
]
FINDING_COLUMNS = [
    Column("序号", lambda r: r.get("_no"), "int", 6),
    Column("严重程度", lambda r: r.get("severity"), width=8),
    Column("编号", lambda r: r.get("code"), width=7),
    Column("位置", lambda r: r.get("where"), width=26),
    Column("指标编号", lambda r: r.get("indicator_id"), width=8),
    Column("问题", lambda r: r.get("message"), width=60),
    Column("应为", lambda r: r.get("expected"), width=14),
    Column("填报", lambda r: r.get("reported"), width=14),
]
BUDGET_COLUMNS = [
    Column("项目", lambda r: r.get("name"), width=14),
    Column("类别", lambda r: r.get("group"), width=10),
    Column("年初预算数", lambda r: r.get("initial_budget"), "money", 16),
    Column("全年预算数", lambda r: r.get("budget"), "money", 16),
    Column("全年执行数", lambda r: r.get("spent"), "money", 16),
    Column("填报执行率", lambda r: r.get("reported_rate"), "rate", 11),
    Column("复算执行率", lambda r: r.get("rate"), "rate", 11),
    Column("金额单位", lambda r: r.get("money_unit"), width=8),
    Column("分值", lambda r: r.get("weight"), "score", 7),
    Column("复核分", lambda r: r.get("rule_score"), "score", 8),
    Column("计分说明", lambda r: r.get("explanation"), width=30),
    Column("源表行号", lambda r: r.get("source_row"), "int", 8),
]
NOTE_COLUMNS = [
    Column("材料", lambda r: r.get("_kind"), width=12),
    Column("类型", lambda r: r.get("code"), width=14),
    Column("行", lambda r: r.get("row"), "int", 6),
    Column("列", lambda r: r.get("column"), width=10),
    Column("原值", lambda r: r.get("value"), width=36),
    Column("说明", lambda r: r.get("message"), width=60),
]


def _lost(r: dict) -> str:
    weight, review = r.get("weight"), r.get("review_score")
    return "扣分" if weight is not None and review is not None and weight - review >= 0.005 else ""


#: Indicator columns a 目标审核 or 自评报告审核 has no values for (no 完成值, no scores).
_UNSCORED_DROPPED = ("完成值", "完成值（解析）", "自评分", "规则分", "差异", "状态", "状态说明", "调整理由", "扣分原因")


def text_check_state(doc: dict) -> str:
    """The client-text check of ``jixiao run`` (run/textcheck.py): 通过, the problems, or "" when not checked."""
    problems = doc.get("text_check")
    if not isinstance(problems, list):
        return ""
    return "；".join(str(p) for p in problems) or "通过"


def doc_wording(doc: dict):
    """The report wording (core.vocab.ReportWording) of a result.json document, by its inputs."""
    return report_wording(kind_of_inputs((doc.get("unit") or {}).get("inputs") or ()))


def unit_workpapers(doc: dict) -> bytes:
    """The unit's 复核底稿 workbook (bytes) from its result.json document (审核 sheets for an unscored kind)."""
    book = _Book()
    wording = doc_wording(doc)
    params = doc.get("provenance", {}).get("params", {})
    indicators = doc.get("indicators") or []
    annex = annex_rows(indicators, params.get("evidence") or {})
    rows = [dict(r, _annex=a) for r, a in zip(indicators, annex)]
    if wording.scored:
        book.sheet("指标评分", INDICATOR_COLUMNS, rows, _lost)
    else:
        kept = [c for c in INDICATOR_COLUMNS if "复核" not in c.header and c.header not in _UNSCORED_DROPPED]
        book.sheet("指标审核", kept, rows)
    findings = [dict(f, _no=i) for i, f in enumerate(doc.get("findings") or [], 1)]
    book.sheet(wording.findings, FINDING_COLUMNS, findings, lambda r: r.get("severity", ""))
    budget_columns = BUDGET_COLUMNS if wording.scored else [c for c in BUDGET_COLUMNS if "复核" not in c.header]
    book.sheet("预算执行", budget_columns, doc.get("budget") or [])
    notes = []
    for kind in ("self_evaluation", "declaration"):
        part = doc.get(kind) or {}
        notes += [dict(n, _kind=INPUT_KINDS[kind]) for n in part.get("reader_notes") or []]
    book.sheet("读取说明", NOTE_COLUMNS, notes)
    _run_sheet(book, doc)
    return book.close()


def _run_sheet(book: _Book, doc: dict) -> None:
    prov = doc.get("provenance", {})
    unit, totals, app = doc.get("unit", {}), doc.get("totals", {}), apparatus_of(doc)
    ws = book.book.add_worksheet("运行信息")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 2, 70)
    team = "；".join(f"{m.get('name', '')}（{m.get('role', '')}）" for m in app.get("team") or [])
    row = book.pairs(
        ws,
        0,
        [
            ("单位编号", unit.get("id") or prov.get("unit_id")),
            ("单位名称", unit.get("name")),
            ("年度", unit.get("year")),
            ("报告文号", app.get("number")),
            ("委托方", app.get("client")),
            ("评价机构", app.get("firm")),
            ("项目组", team),
            ("报告类型", doc_wording(doc).title),
            ("报告状态", draft_state(doc)),
            ("客户报告文字检查", text_check_state(doc)),
            *(
                [
                    ("复核总分", totals.get("review_total")),
                    ("复核总分下限", totals.get("review_total_low")),
                    ("复核总分上限", totals.get("review_total_high")),
                    ("待核实指标数", totals.get("pending_count")),
                    ("等级", totals.get("grade")),
                ]
                if doc_wording(doc).scored
                else []
            ),
            ("参数文件", prov.get("params_file")),
            ("参数文件 SHA-256", prov.get("params_sha256")),
            ("模板", (prov.get("template") or {}).get("path")),
            ("模板 SHA-256", (prov.get("template") or {}).get("sha256")),
            ("jixiao 源码 SHA-256", prov.get("jixiao_source_sha256")),
            ("开始时间", (prov.get("run") or {}).get("started_at")),
            ("结束时间", (prov.get("run") or {}).get("finished_at")),
        ],
    )
    row += 1
    for j, head in enumerate(("输入材料", "文件", "SHA-256")):
        ws.write_string(row, j, head, book.formats["head"])
    for kind, item in (prov.get("inputs") or {}).items():
        row += 1
        book.write(ws, row, 0, INPUT_KINDS.get(kind, kind))
        book.write(ws, row, 1, item.get("path"))
        book.write(ws, row, 2, item.get("sha256"))
    row += 2
    ws.write_string(row, 0, "软件版本", book.formats["head"])
    row = book.pairs(ws, row + 1, sorted((prov.get("versions") or {}).items()))
    ws.write_string(row + 1, 0, "参数（JSON）", book.formats["head"])
    book.write(ws, row + 1, 1, json.dumps(prov.get("params") or {}, ensure_ascii=False, indent=1))


# --- the engagement's summary ---------------------------------------------------------------------
def summary_workbook(docs: list[dict]) -> bytes:
    """``汇总.xlsx``: one row per unit (total or range, grade, level-1 rates, findings, status) and all findings."""
    level1_names = list(dict.fromkeys(r.get("name") for d in docs for r in d.get("level1") or [] if r.get("name")))
    columns = [
        Column("单位编号", lambda d: d.get("unit", {}).get("id"), width=22),
        Column("单位名称", lambda d: d.get("unit", {}).get("name"), width=32),
        Column("年度", lambda d: d.get("unit", {}).get("year"), "int", 7),
        Column("报告类型", lambda d: doc_wording(d).title, width=18),
        Column("复核总分", lambda d: d.get("totals", {}).get("review_total"), "score", 9),
        Column("总分下限", lambda d: d.get("totals", {}).get("review_total_low"), "score", 9),
        Column("总分上限", lambda d: d.get("totals", {}).get("review_total_high"), "score", 9),
        Column("等级", lambda d: d.get("totals", {}).get("grade"), width=6),
        Column("待核实指标", lambda d: d.get("totals", {}).get("pending_count"), "int", 9),
        Column("自评总分", lambda d: d.get("totals", {}).get("reported_total"), "score", 9),
    ]
    for name in level1_names:
        columns.append(Column(f"{name}得分率", _level1_rate(name), "rate", 12))
    for severity in SEVERITIES:
        columns.append(Column(severity, lambda d, s=severity: (d.get("finding_counts") or {}).get(s, 0), "int", 6))
    columns.append(Column("报告状态", draft_state, width=11))
    columns.append(Column("文字检查", text_check_state, width=30))
    book = _Book()
    book.sheet("单位汇总", columns, docs)
    found = [
        dict(f, _no=i, _unit=d.get("unit", {}).get("id"), _name=d.get("unit", {}).get("name"))
        for d in docs
        for i, f in enumerate(d.get("findings") or [], 1)
    ]
    all_columns = [
        Column("单位编号", lambda r: r.get("_unit"), width=22),
        Column("单位名称", lambda r: r.get("_name"), width=30),
        *FINDING_COLUMNS,
    ]
    book.sheet("全部复核发现", all_columns, found, lambda r: r.get("severity", ""))
    return book.close()


def _level1_rate(name: str) -> Callable[[dict], Any]:
    def rate(doc: dict) -> Any:
        return next((r.get("review_rate") for r in doc.get("level1") or [] if r.get("name") == name), None)

    return rate


def write_summary_book(path: Path, outputs_dir: Path, params_files: list[Path]) -> None:
    """Write ``汇总.xlsx`` (atomically) from the result.json of every unit that has one."""
    docs = []
    for params in params_files:
        result = Path(outputs_dir) / params.stem / "result.json"
        if result.is_file():
            docs.append(json.loads(result.read_text(encoding="utf-8")))
    if docs:
        atomic_write_bytes(path, summary_workbook(docs))
