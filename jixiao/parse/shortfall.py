"""A unit's own words admitting a shortfall (偏差原因, 存在问题): "预算的匹配性不够", "绩效目标不够完善".

Where a unit fills a qualitative indicator in as achieved (完成值「合理」) but its own note on
that indicator admits a shortfall, the default tier is 部分达成 (DOMAIN §4.4); the review quotes
the sentence. The same holds for the unit's other texts — 存在问题, 完成情况, 改进措施 of the
table, the problem and improvement chapters of an accompanying self-evaluation report — where a
clause names the indicator (:func:`text_admissions`, conservative: a clause that names no
indicator or several stays general). Defined once here: scoring and the review both ask
:func:`admitted_shortfall` and :func:`text_admissions`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from jixiao.core.textnorm import normalize_text

__all__ = [
    "admitted_shortfall",
    "SHORTFALL_WORDS",
    "Admission",
    "SHORTFALL_TEXT_KEYS",
    "TOPICS",
    "text_admissions",
    "shortfall_texts",
]

#: Words with which a unit admits that something fell short.
SHORTFALL_WORDS = (
    "不够",
    "不足",
    "不完善",
    "不到位",
    "不充分",
    "不规范",
    "不及时",
    "不全面",
    "不明确",
    "不合理",
    "未细化",
    "未完全",
    "未能",
    "未达到",
    "未达",
    "尚未",
    "有待",
    "欠缺",
    "缺乏",
    "偏低",
    "滞后",
    "较差",
    "存在差距",
)
_SHORTFALL = re.compile("|".join(SHORTFALL_WORDS))
#: Statements that nothing fell short ("无偏差", "不存在问题") are not admissions.
_NOTHING = re.compile(r"无偏差|没有偏差|不存在(?:偏差|问题|差距)|无问题|未发现问题|无明显偏差|未发生")
_SENTENCES = re.compile(r"[^。；;！!\n]+")


def admitted_shortfall(text: object) -> str:
    """The first sentence of ``text`` that admits a shortfall, as written (trimmed); "" when none."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    for sentence in _SENTENCES.findall(str(text)):
        plain = normalize_text(sentence).replace(" ", "")
        if len(plain) >= 3 and _SHORTFALL.search(plain) and not _NOTHING.search(plain):
            return sentence.strip(" ，,、\t")
    return ""


# --- the unit's texts: 存在问题, 完成情况, 改进措施, and the report's chapters on them ------------------
class Admission(NamedTuple):
    """A clause of the unit's own texts that admits a shortfall, and where it was written."""

    quote: str  # as written ("预算未细化到数量和单价")
    source: str  # "自评表「存在问题」", "自评报告「主要问题及原因分析」", "偏差原因"


#: Keys of ``Evaluation.texts`` (read.headers.TEXT_LABELS) in which a unit speaks about its shortfalls.
SHORTFALL_TEXT_KEYS = {"存在问题": "存在问题", "完成情况": "全年完成情况", "改进措施": "下一步改进措施"}
#: Report chapters whose titles say they are about problems, completion or improvement.
_REPORT_TITLE = re.compile(r"问题|不足|改进|整改|完成情况|实现情况")
#: Generic endings of an indicator name: what is left is the thing the name is about ("预算编制合理性" -> 预算编制).
_NAME_ENDINGS = re.compile(
    r"(合理性|规范性|有效性|健全性|合规性|及时性|完整性|准确性|精准性|公开性|达标率|合格率|执行率|完成率|"
    r"使用率|控制率|覆盖率|满意度|情况|工作|水平|程度|率|性|度)$"
)
#: Topics a unit names without the indicator's words: (indicator name pattern, clause pattern).
#: Conservative on purpose: a clause is matched only where the topic is unmistakable.
TOPICS: tuple[tuple[str, str], ...] = (
    (r"预算编制", r"预算.{0,12}(匹配|细化|单价|测算|量化)|(匹配|细化|测算|量化).{0,8}预算|预算编制"),
    (r"预算调整|预算调剂", r"预算调整|调整预算|预算调剂|追加预算"),
    (r"执行率|执行进度|支出进度", r"(执行|支出)(率|进度)"),
    (r"绩效目标|绩效管理", r"绩效目标|绩效指标"),
    (r"政府采购", r"采购"),
    (r"资产", r"资产"),
    (r"信息公开|预决算公开", r"公开"),
    (r"满意度", r"满意"),
)
#: Aspect words of a name's ending, to tell indicators on the same topic apart (预算编制合理性 vs 规范性).
_ASPECTS = {
    "合理性": r"合理|匹配|细化|单价|测算|量化",
    "规范性": r"规范|程序|流程",
    "及时性": r"及时|滞后|延迟|延期|超期",
    "有效性": r"有效|效果|成效",
    "健全性": r"健全|制度|机制",
    "合规性": r"合规|违规",
}
_CLAUSES = re.compile(r"[^。；;！!\n，,]+")
_TOPICS_RE = tuple((re.compile(name_re), re.compile(clause_re)) for name_re, clause_re in TOPICS)
_ASPECTS_RE = {aspect: re.compile(words) for aspect, words in _ASPECTS.items()}


def _plain(text: object) -> str:
    return normalize_text(text).replace(" ", "")


def _core(name: str) -> str:
    """The thing an indicator name is about: its generic ending removed ("预算编制合理性" -> "预算编制")."""
    core = _NAME_ENDINGS.sub("", name)
    return core if len(core) >= 2 else name


def _names_aspect(name: str, clause: str) -> bool:
    """Whether ``clause`` speaks of the aspect ``name`` ends with (合理性: 匹配、细化 …)."""
    return any(name.endswith(aspect) and words.search(clause) for aspect, words in _ASPECTS_RE.items())


def _candidates(clause: str, names: dict[str, str]) -> list[str]:
    """The indicators (keys of ``names``: key -> plain name) ``clause`` speaks about; [] when unclear."""
    literal = [k for k, n in names.items() if len(n) >= 3 and n in clause]
    if literal:
        return literal
    cores = [k for k, n in names.items() if len(_core(n)) >= 4 and _core(n) in clause]
    topical = [
        k
        for k, n in names.items()
        if any(name_re.search(n) and clause_re.search(clause) for name_re, clause_re in _TOPICS_RE)
    ]
    found = list(dict.fromkeys(cores + topical))
    if len(found) > 1:  # the same topic: keep the ones whose aspect the clause names
        found = [k for k in found if _names_aspect(names[k], clause)]
    return found if len(found) == 1 else []


def text_admissions(texts: Sequence[tuple[str, str]], names: Mapping[str, object]) -> dict[str, list[Admission]]:
    """The clauses of the unit's ``texts`` ((source, text) pairs) that admit a shortfall, by the indicator they name.

    ``names``: indicator key (id) -> indicator name. A clause goes to an indicator only when it
    names exactly one: by the indicator's full name, by the thing the name is about ("预算编制"
    of 预算编制合理性) or by an unmistakable topic (:data:`TOPICS`), narrowed by the name's aspect
    ("匹配" is about 合理性, not 规范性). Clauses that name no indicator, or several, stay general.
    Adjacent clauses of one sentence that go to the same indicator are quoted together.
    """
    plain_names = {k: _plain(v) for k, v in names.items() if _plain(v)}
    out: dict[str, list[Admission]] = {}
    for source, text in texts:
        for sentence in _SENTENCES.findall(str(text or "")):
            run_key, run = None, []
            for clause in [*_CLAUSES.findall(sentence), None]:
                key = None
                if clause is not None and admitted_shortfall(clause):
                    found = _candidates(_plain(clause), plain_names)
                    key = found[0] if found else None
                if key != run_key and run:
                    out.setdefault(run_key, []).append(Admission("，".join(run), source))
                    run = []
                run_key = key
                if key is not None:
                    run.append(clause.strip(" ，,、\t"))
    return out


def shortfall_texts(texts: Mapping[str, object], report: object = None) -> tuple[tuple[str, str], ...]:
    """The unit's texts about shortfalls as (source, text): the table's 存在问题 / 完成情况 / 改进措施, the report's chapters."""
    out = [(f"自评表「{label}」", str(texts[key])) for key, label in SHORTFALL_TEXT_KEYS.items() if texts.get(key)]
    sections = getattr(report, "sections", None)
    if sections is not None and not sections.empty:
        for title, text in zip(sections["title"].astype(str), sections["text"].astype(str)):
            if _REPORT_TITLE.search(title) and text.strip():
                out.append((f"自评报告「{title}」", text))
    return tuple(out)
