"""The end of a unit report: the 附件 (self vs review differences, every finding, the materials with
their SHA-256) and the closing note (who produced the report from what, the font licence).

Re-exported by :mod:`jixiao.report.sections`, which the notebooks call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.display import HTML

from jixiao.core.vocab import INPUT_KINDS, report_wording
from jixiao.report import fonts
from jixiao.report.conclusion import review_kind
from jixiao.report.engagement import cover_lines
from jixiao.report.facts import findings_of, indicator_states, unit_kind
from jixiao.report.html import Col, esc, findings_table, h3, paragraphs, table

__all__ = ["show_appendix", "show_footer"]


def show_appendix(result: Any) -> HTML:
    """附件: 一 self vs review differences, 二 every finding, 三 the materials with their SHA-256."""
    w = report_wording(unit_kind(result))
    annexes = w.annexes
    parts = []
    if result.self_eval is not None:
        parts.append(h3(annexes["diffs"]))
        states = indicator_states(result.self_eval.scored)
        listed = states["diffs"] + states["overridden"] + states["unscored"]
        rows = [r for i, r in enumerate(listed) if r["id"] not in {x["id"] for x in listed[:i]}]
        columns = [
            Col("id", "编号"),
            Col("level1", "一级指标"),
            Col("name", "三级指标"),
            Col("weight", "分值", "score"),
            Col("own", "自评分", "score"),
            Col("review", "复核分", "score"),
            Col("diff", "差异", "diff"),
            Col("reason", "说明", cls="note"),
        ]
        rows = [dict(r, reason=r["note"] or r["explanation"]) for r in rows]
        parts.append(
            table(rows, columns, "自评分与复核分不一致的指标") if rows else paragraphs(["自评分与复核分一致。"])
        )
    elif "diffs" in annexes:
        parts += [h3(annexes["diffs"]), paragraphs(["本单位未提供自评表，无自评分与复核分的差异。"])]
    parts.append(h3(annexes["findings"]))
    found = findings_of(result)
    if found.empty:
        parts.append(paragraphs([f"本次{w.work}未形成{w.findings}。"]))
    else:
        parts.append(findings_table(found, w.findings + "清单"))
    parts.append(h3(annexes["materials"]))
    columns = [Col("kind", "材料"), Col("file", "文件"), Col("sha256", "SHA-256 校验值", cls="hash")]
    parts.append(table(_materials(result), columns, w.work + "材料"))
    return HTML("".join(parts))


def show_footer(result: Any | None = None) -> HTML:
    """The closing note: who produced the report from what (when a unit is given), and the font licence."""
    about = ""
    if result is not None:
        about = (
            f"<p>{esc(result.unit_name)}{esc(f'{result.year}年度' if result.year else '')}{esc(review_kind(result)['subtitle'])}，"
            f"{esc(_firm_line(result))}"
            + (
                "报告中的得分、比率与金额均由所列材料逐项计算，计算过程见附件。</p>"
                if report_wording(unit_kind(result)).scored
                else "报告中的比率与金额均取自所列材料或据其复算，审核意见逐项写明依据。</p>"
            )
        )
    return HTML(
        f'<footer class="jx-footer">{about}<p>{esc(fonts.LICENCE_NOTE)}正文使用同一字体的子集，嵌入本文件。</p></footer>'
    )


def _firm_line(result: Any) -> str:
    firm = cover_lines(result)["评价机构"]
    return f"评价机构：{firm}。" if firm else ""


def _materials(result: Any) -> list[dict]:
    rows = []
    for kind, path in ((result.params or {}).get("inputs") or {}).items():
        unit = {"self_evaluation": result.self_eval, "declaration": result.declaration}.get(kind)
        sha = unit.evaluation.source.sha256 if unit is not None else ""
        rows.append({"kind": INPUT_KINDS.get(kind, kind), "file": Path(str(path)).name, "sha256": sha or "—"})
    return rows
