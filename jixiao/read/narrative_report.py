"""Read a narrative 部门整体支出预算绩效自评报告 (plain text) into tables.

The text comes from Word/PDF exports: lines are broken mid-sentence and blank lines
separate them. Lines are joined into paragraphs (a line that does not end with 。!?
continues into the next one, without a space, unless the next is a heading), headings are
ranked by their numbering style (第一部分 > 一、 > （一） > 1. > 1.1 > 1.1.1 > (1)), and then:

- the budget paragraph(s) give one row per budget line (合计/基本支出/项目支出/…);
- the "数量指标包括 …；质量指标包括 …" lists give one row per target;
- goal sentences ("解决率达到80%") and achieved rates ("实际解决率 87.3%") give the
  achievements table, matched by name (see ``names_match``);
- "截至/截止 … 年 … 月 … 日" dates are collected with their line numbers.

The last three are read in :mod:`jixiao.read.narrative_extract`; its public names are re-exported here.

Everything guessed is recorded in ``NarrativeReport.notes`` (NOTE_COLUMNS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jixiao.core.errors import InputFileError
from jixiao.core.model import BUDGET_COLUMNS, NOTE_COLUMNS, empty_budget, empty_notes
from jixiao.core.textnorm import is_traditional, to_number, to_simplified
from jixiao.read.files import read_text_file
from jixiao.read.limits import REPORT_CHARS
from jixiao.read.narrative_doc import SECTION_COLUMNS, Doc
from jixiao.read.narrative_extract import (
    ACHIEVEMENT_COLUMNS,
    TARGET_COLUMNS,
    AsOfDate,
    as_of_dates_in,
    read_achievements,
    read_targets,
)

__all__ = [
    "NarrativeReport",
    "read_report",
    "read_report_text",
    "PARAGRAPH_COLUMNS",
    "REPORT_SUFFIXES",
]

REPORT_SUFFIXES = (".txt", ".md", ".text")
PARAGRAPH_COLUMNS = ["section", "line", "text"]  # section: index into sections, -1 before the first


@dataclass
class NarrativeReport:
    """A narrative self-evaluation report after reading; all tables keep line numbers."""

    title: str = ""
    year: int | None = None
    unit_name: str = ""  # as written, e.g. "上海市闵行区虹桥镇城运中心"
    unit_short_name: str = ""  # without province/city/district prefix: "虹桥镇城运中心"
    unit_name_source: str = ""  # how unit_name was found (Chinese)
    sections: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SECTION_COLUMNS))
    paragraphs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PARAGRAPH_COLUMNS))
    budget: pd.DataFrame = field(default_factory=empty_budget)
    targets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TARGET_COLUMNS))
    achievements: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACHIEVEMENT_COLUMNS))
    as_of_dates: list[AsOfDate] = field(default_factory=list)
    reported_total: float | None = None  # 自评得分 if the report states it
    reported_grade: str = ""  # 自评等级 if the report states it
    notes: pd.DataFrame = field(default_factory=empty_notes)
    path: str = ""

    def section_body(self, index: int) -> str:
        """Text of section ``index`` and all its subsections (titles included)."""
        secs = self.sections
        columns = ("level", "title", "text")
        if secs.index.equals(pd.RangeIndex(len(secs))):  # as read: labels are positions
            levels, titles, texts = (secs[c].tolist() for c in columns)
        else:
            levels, titles, texts = (dict(secs[c].items()) for c in columns)
        level = levels[index]
        parts = [texts[index]]
        for j in range(index + 1, len(secs)):
            if levels[j] <= level:
                break
            parts += [titles[j], texts[j]]
        return "\n".join(p for p in parts if p)


# --- reading ------------------------------------------------------------------------------


def read_report(path: str | Path) -> NarrativeReport:
    """Read a report file (.txt/.md, UTF-8 or GB18030).

    Raises:
        InputFileError: missing, empty, binary or unsupported file, or no report content.
    """
    p = Path(path)
    if p.is_dir():
        raise InputFileError("这是一个文件夹，不是文件；请给出文件夹中的自评报告文件。", path=str(p))
    if p.suffix.lower() not in REPORT_SUFFIXES:
        hint = (
            "请在 Word 中另存为纯文本（.txt，UTF-8）后再导入。" if p.suffix.lower() in (".docx", ".doc", ".pdf") else ""
        )
        raise InputFileError(
            f"不支持的自评报告文件类型「{p.suffix or '无扩展名'}」，支持：{'、'.join(REPORT_SUFFIXES)}。{hint}",
            path=str(p),
        )
    text = read_text_file(p)
    if len(text) > REPORT_CHARS.value:
        raise InputFileError(REPORT_CHARS.exceeded(f"自评报告有 {len(text):,} 个字符"), path=str(p))
    if not text.strip() or len(_GARBAGE.findall(text)) > max(3, len(text) // 100):
        raise InputFileError("文件内容不是可读的文本（可能是二进制文件或编码错误）。", path=str(p))
    return read_report_text(text, path=str(p))


#: Control (but tab and line breaks), replacement and private-use characters: signs of a binary or mis-decoded file.
_GARBAGE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ue000-\uf8ff]")


def read_report_text(text: str, *, path: str = "") -> NarrativeReport:
    """Parse the text of a report (pure).

    Raises:
        InputFileError: the text holds neither sections nor budget figures nor targets.
    """
    traditional = is_traditional(text)
    doc = Doc(to_simplified(text) if traditional else text)
    if traditional:
        doc.notes.append(("traditional_script", None, "", "", "原报告为繁体字，已转为简体字读取。"))
    rep = NarrativeReport(path=path)
    rep.sections = pd.DataFrame(doc.sections, columns=SECTION_COLUMNS)
    rep.paragraphs = pd.DataFrame([(p.section, p.line, p.text) for p in doc.paras], columns=PARAGRAPH_COLUMNS)
    _read_head(doc, rep)
    rep.as_of_dates = [d for p in doc.paras for d, _ in as_of_dates_in(p, rep.year)]
    rep.budget = _read_budget(doc, rep)
    rep.targets = read_targets(doc, rep.year)
    rep.achievements = read_achievements(doc, rep.year, rep.targets)
    _read_score(doc, rep)
    if doc.notes:
        rep.notes = pd.DataFrame(doc.notes, columns=NOTE_COLUMNS).astype({"row": "Int64"})
    if rep.sections.empty and rep.budget.empty and rep.targets.empty:
        raise InputFileError("未识别到自评报告内容（没有章节标题、预算数据或绩效指标）。", path=path or None)
    return rep


# --- head, score and budget paragraphs -------------------------------------------------

_ORG_END = (
    r"(?:中心|局|委员会|委|办公室|办事处|街道|镇|乡|所|院|站|队|馆|处|科|学校|医院|公司|集团|协会|联合会|党校|署)"
)


_YEAR_LABEL = re.compile(r"(\d{4})\s*年度")
_YEAR_PARENS = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[)）]")
_YEAR_MENTION = re.compile(r"(20\d{2})\s*年")
_ORG_TITLE = re.compile(rf"^(.{{2,40}}?{_ORG_END})\s*(?:\d{{4}}\s*年度?)?(?:部门|单位)?整体支出")
_ORG_LABEL = re.compile(rf"(?:单位名称|部门名称)\s*[:：]\s*(\S{{2,40}}?{_ORG_END})")
_ORG_LABEL_STRICT = re.compile(rf"(?:单位名称|部门名称)\s*[:：]\s*([^，,。；\s]{{2,40}}?{_ORG_END})(?=[，,。；\s]|$)")
_PROVINCE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:省|自治区|市)")
_COUNTY_PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,4}?(?:区|县)(?=.{3,})")


def _read_head(doc: Doc, rep: NarrativeReport) -> None:
    head = doc.head
    titled = [t for _, t in head if "报告" in t or "自评" in t]
    rep.title = titled[0] if titled else (head[0][1] if head else "")
    for _no, t in head:
        m = _YEAR_PARENS.search(t) or _YEAR_LABEL.search(t)
        if m:
            rep.year = int(m.group(1))
            break
    if rep.year is None:
        years = _YEAR_MENTION.findall("\n".join(p.text for p in doc.paras))
        if years:
            rep.year = int(max(set(years), key=years.count))
            doc.note("year", None, rep.year, f"标题中未写明年度，按正文中出现最多的年份推定为 {rep.year} 年。")
    candidates = [(t, "标题") for _, t in head] + [(p.text, "职能段落") for p in doc.paras[:8]]
    for text, where in candidates:
        if where == "标题":
            m = _ORG_TITLE.match(text)
            m = m or _ORG_LABEL.search(text)
        else:
            m = _ORG_LABEL_STRICT.search(text)
            m = m or re.search(
                rf"设(?:置|立)了?([^\d，,。；、\s][^，,。；、\s]{{2,40}}?{_ORG_END})(?=[，,。；（(]|为)", text
            )
        if m:
            rep.unit_name = m.group(1)
            rep.unit_name_source = f"{where}：「{m.group(0)[:40]}」"
            break
    if rep.unit_name:
        short = _PROVINCE_PREFIX.sub("", rep.unit_name)
        short = _COUNTY_PREFIX.sub("", short)
        rep.unit_short_name = short
        doc.note("unit_name", None, rep.unit_name, f"单位名称取自{rep.unit_name_source}。")
    else:
        doc.note("unit_name", None, "", "报告中未找到单位名称。")


_SELF_SCORE = re.compile(r"(?:自评|评价)\s*(?:总?得分|总分|分数)\s*(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)\s*分")


def _read_score(doc: Doc, rep: NarrativeReport) -> None:
    text = "\n".join(p.text for p in doc.paras)
    m = _SELF_SCORE.search(text)
    if m:
        rep.reported_total = float(m.group(1))
    m = re.search(
        r"(?:等级|等次|评级|自评结果|评价结果)\s*(?:为|是|:|：)?\s*[“\"「]?(优秀|优|良好|良|中等|中|合格|差|不合格)"
        r"(?=[”\"」。，,；;、\s(（]|$)",
        text,
    )
    if m:
        rep.reported_grade = {"优秀": "优", "良好": "良", "中等": "中"}.get(m.group(1), m.group(1))


# --- budget --------------------------------------------------------------------------------

_TOKEN = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(亿元|万元|元|%)")
_BUDGET_SECTIONS = re.compile(r"预算.*执行|执行情况|资金使用|预算安排|收支")
_LINES = {"基本支出": "资金结构", "项目支出": "资金结构", "财政拨款": "资金来源", "其他资金": "资金来源"}
_TOTAL_WORDS = ("合计", "总计", "整体", "部门全年", "总预算", "全部")
_OTHER_WORDS = ("人员经费", "公用经费", "三公", "政府采购", "结转", "结余", "资产", "原值", "上年", "收入")
_SPENT_WORDS = (
    "执行金额",
    "执行数",
    "预算执行",
    "已执行",
    "执行了",
    "实际执行",
    "实际支出",
    "决算",
    "支付",
    "已支出",
    "累计支出",
    "完成支出",
)
_RATE_WORDS = ("执行率", "执行进度", "支出进度", "支出率", "完成率")
_MONEY_FACTOR = {"元": 1.0, "万元": 1e4, "亿元": 1e8}


def _field_of(clause: str, unit: str) -> str | None:
    c = clause
    for name in _LINES:
        c = c.replace(name, "")
    if unit == "%":
        return "reported_rate" if any(w in c for w in _RATE_WORDS) else None
    if "年初" in c:
        return "initial_budget"
    if any(w in c for w in _SPENT_WORDS):
        return "spent"
    if any(w in c for w in ("预算", "安排", "批复", "调整后")):
        return "budget"
    if "支出" in c:
        return "spent"
    return None


_CLAUSE_END = re.compile(r"(?<=[，,。；;：:])")


def _read_budget(doc: Doc, rep: NarrativeReport) -> pd.DataFrame:
    paras = doc.paras_in(_BUDGET_SECTIONS)
    if not paras:
        paras = [p for p in doc.paras if "预算" in p.text and "执行" in p.text]
        if paras:
            doc.note(
                "budget_section", paras[0].line, "", "未找到“预算执行情况”章节，预算数据取自含“预算”“执行”字样的段落。"
            )
    rows: dict[str, dict] = {}
    for para in paras:
        current, field_ctx, pos = "合计", None, 0
        for tok in _TOKEN.finditer(para.text):
            segment = para.text[pos : tok.start()]
            pos = tok.end()
            clauses = _CLAUSE_END.split(segment)
            for clause in clauses:
                named = [n for n in _LINES if n in clause]
                if any(w in clause for w in _OTHER_WORDS):
                    current = "其他"
                elif len(named) == 1:
                    current = named[0]
                elif not named and any(w in clause for w in _TOTAL_WORDS):
                    current = "合计"
                f = _field_of(clause, "x")
                field_ctx = f or field_ctx
                if clause.endswith("。"):
                    current, field_ctx = "合计", None
            unit = tok.group(2)
            fld = _field_of(clauses[-1], unit) or (field_ctx if unit != "%" else None)
            if current == "其他" or fld is None or (unit == "%") != (fld == "reported_rate"):
                continue
            _set_budget(doc, rows, current, fld, to_number(tok.group(1)), unit, para.line_at(tok.start()))
    out = [r for r in (rows.get(n) for n in ("合计", *_LINES)) if r and (pd.notna(r["budget"]) or pd.notna(r["spent"]))]
    if not out:
        return empty_budget()
    frame = pd.DataFrame(out, columns=BUDGET_COLUMNS)
    frame["rate"] = [
        round(s / b * 100, 2) if pd.notna(s) and pd.notna(b) and b else float("nan")
        for s, b in zip(frame["spent"], frame["budget"])
    ]
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def _set_budget(doc: Doc, rows: dict, name: str, fld: str, value: float | None, unit: str, line: int) -> None:
    if value is None:
        return
    row = rows.setdefault(
        name,
        {c: float("nan") for c in BUDGET_COLUMNS}
        | {"name": name, "group": _LINES.get(name, "合计"), "money_unit": "", "source_row": line},
    )
    if unit != "%":
        if not row["money_unit"]:
            row["money_unit"] = "亿元" if unit == "亿元" else unit
        if unit != row["money_unit"]:
            converted = round(value * _MONEY_FACTOR[unit] / _MONEY_FACTOR[row["money_unit"]], 6)
            doc.note(
                "money_unit",
                line,
                value,
                f"「{name}」金额单位不一致：{value}{unit} 已换算为 {converted}{row['money_unit']}。",
            )
            value = converted
    if pd.notna(row[fld]):
        if abs(row[fld] - value) > 1e-9:
            doc.note("budget_repeat", line, value, f"「{name}」的{fld}出现两次（{row[fld]} 与 {value}），取第一次。")
        return
    row[fld] = value
