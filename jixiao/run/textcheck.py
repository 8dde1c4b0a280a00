"""``jixiao run`` checks the client text of every unit it produces (:mod:`jixiao.report.textlint`).

After a unit's client HTML and Word report are made, their text is checked for English words,
instructions meant for analysts, reader notes, repeated sentences and doubled words. Only the
tool's own words count (:func:`jixiao.report.textlint.lint_tool_text`): quotations 「…」, the
unit's quoted passages and every text of the unit's files that result.json holds (indicator
names and values, level names, budget lines, the table's unit name) are the unit's, printed as
written, and are never blamed on the tool. A unit whose text fails is still produced; the
problems go to the analyst outputs (a 客户报告文字检查 section at the end of the analyst HTML and
the notebook, ``text_check`` in result.json, the working papers and 汇总.xlsx), to the run summary (one warning line per unit)
and to outputs/index.html (column 文字检查) — never into the client report.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from typing import Any

import nbformat
from lxml import etree

from jixiao.report.textlint import (
    analyst_instructions,
    english_words,
    lint_tool_text,
    mask_unit_words,
    reader_notes_shown,
)
from jixiao.run.handoff import ANALYST_TAG

__all__ = ["CHECK_HEADING", "input_texts", "reader_messages", "word_text", "client_text_problems", "add_check_cell"]

#: Heading of the analyst section that lists the problems.
CHECK_HEADING = "客户报告文字检查"
_INDICATOR_FIELDS = ("level1", "level2", "name", "nature", "direction", "target", "unit", "actual", "rule_text")
_INDICATOR_FIELDS += ("deviation_note",)
_READER_CODES = re.compile(r"^A3\d$")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def input_texts(doc: dict) -> list[str]:
    """Texts of the unit's files that result.json holds: what the client report may print unquoted."""
    out: list[str] = []
    for row in doc.get("indicators") or []:
        out += [str(row.get(k) or "") for k in _INDICATOR_FIELDS]
    for line in doc.get("budget") or []:
        out += [str(line.get("name") or ""), str(line.get("group") or "")]
    for part in ("self_evaluation", "declaration"):
        unit = (doc.get(part) or {}).get("unit") or {}
        out += [str(unit.get("name") or ""), str(unit.get("department") or ""), str(unit.get("period") or "")]
    for finding in doc.get("findings") or []:
        out.append(str(finding.get("reported") or ""))
    return [t for t in out if t.strip()]


def reader_messages(doc: dict) -> list[str]:
    """The unit's reader notes (codes A30–A39 and the readers' own notes): they must not reach the client."""
    notes = [str(f.get("message") or "") for f in doc.get("findings") or [] if _READER_CODES.match(str(f.get("code")))]
    for part in ("self_evaluation", "declaration"):
        notes += [str(n.get("message") or "") for n in (doc.get(part) or {}).get("reader_notes") or []]
    return notes


def word_text(data: bytes) -> str:
    """The text of a .docx, one line per paragraph (body, table cells, headers and footers), read from its XML."""
    lines = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [n for n in package.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        for name in sorted(parts, key=lambda n: n != "word/document.xml"):
            root = etree.fromstring(package.read(name))
            lines += ["".join(t.text or "" for t in p.iter(_W + "t")) for p in root.iter(_W + "p")]
    return "\n".join(lines)


def client_text_problems(client_html: str, word: bytes | None, doc: dict) -> list[str]:
    """The problems of the tool's words in a unit's client HTML and Word report, one Chinese line each."""
    inputs, notes = input_texts(doc), reader_messages(doc)
    found = {p: "客户 HTML" for p in lint_tool_text(client_html, notes, inputs)}
    if word:
        plain = word_text(word)
        text = mask_unit_words(plain, inputs)
        in_word = [f"英文单词：{w}" for w in english_words(text)]
        in_word += [f"给分析人员的说明：{p}" for p in analyst_instructions(text)]
        in_word += [f"读取说明进入客户报告：{p}" for p in reader_notes_shown(plain, notes)]
        for problem in in_word:
            found[problem] = "客户 HTML 与 Word" if problem in found else "Word"
    return [f"{where}：{problem}" for problem, where in found.items()]


def add_check_cell(nb: Any, problems: list[str]) -> None:
    """Append the analyst-only section listing ``problems`` to the executed notebook (not in the client report)."""
    items = "\n".join(f"- {html.escape(p)}" for p in problems)  # the unit's text may hold markup
    text = (
        f"## {CHECK_HEADING}\n\n客户报告照常生成；以下文字问题出自报告本身的措辞（单位原文的引文已排除），"
        f"交付前请修改参数或模板后重新运行：\n\n{items}"
    )
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [ANALYST_TAG]
    nb.cells.append(cell)
