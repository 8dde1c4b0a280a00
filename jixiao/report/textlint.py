"""Checks on the client report's text: what a firm could not sign.

The client report is read by a 财政局, not by the analyst who ran the tool. Its text must hold
no English words (file names and unit symbols aside), no instructions meant for analysts
("需在参数中提供…"), no reader notes (how the file was read: shifted rows, guessed cells), no
sentence said twice and no doubled word (「投入管理指标指标计分」). :func:`lint_client_html`
returns one Chinese message per problem; the tests run it on every sample's client HTML.

What counts as "our" text (checked for repeats and doubled words) is the narrative: paragraphs
and list items outside tables and outside the unit's quoted texts. Every check that concerns
words (English, analyst instructions, reader notes) runs on the whole body text.

:func:`lint_tool_text` is the check ``jixiao run`` applies to every unit it produces. It blames
the tool only for the tool's own words: the unit's words are printed as the unit wrote them, and
a table whose 指标名称 holds an English word or a doubled word is the unit's, not the report's.
So it checks the narrative, table headers and captions (not the table cells, which hold the
unit's values and, in the findings list, the same sentences the narrative already carries), with
every quotation 「…」 and every text known to come from the unit's files (its indicator names,
values, level names, budget lines; the caller passes them) masked out. Reader notes are always
the tool's doing and are looked for in the whole text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import lxml.html

__all__ = [
    "ClientText",
    "ANALYST_PHRASES",
    "READER_PHRASES",
    "client_text",
    "english_words",
    "analyst_instructions",
    "reader_notes_shown",
    "repeated_sentences",
    "doubled_words",
    "lint_client_html",
    "lint_tool_text",
    "mask_unit_words",
]

#: Phrases that address the analyst running the tool, not the client reading the report.
ANALYST_PHRASES = ("在参数中", "参数中提供", "参数文件", "params", "yaml", "请对照原表", "读取器", "jixiao")
#: Phrases of reader notes (how the file was read), which belong to the analyst's 读取说明.
READER_PHRASES = ("单元格与表头错位", "按内容形状识别", "读取时行错位", "读取说明")
#: Unit symbols written in Latin letters (not English words).
UNIT_SYMBOLS = frozenset(
    "mm cm dm km m2 m3 kg mg g t ml l kw kwh kv kva mw mwh mbps gbps kb mb gb tb hz khz mhz ghz".split()
)
_FILE_NAME = re.compile(
    r"[^\s《》「」（）()，。；：、]+\.(?:xlsx|xlsm|xls|csv|txt|docx|doc|pdf|json|html|yaml|yml)\b", re.I
)
_HEX = re.compile(r"\b[0-9a-f]{16,}\b", re.I)
_LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")
_SENTENCE_END = re.compile(r"[。！？；\n]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DOUBLED = re.compile(r"([\u4e00-\u9fff]{2,4})\1")
_MIN_SENTENCE = 12  # CJK characters a sentence needs before a repeat counts


@dataclass(frozen=True)
class ClientText:
    """The body text of a client report: all of it, and the narrative paragraphs alone."""

    text: str
    narrative: tuple[str, ...]


def client_text(html: str) -> ClientText:
    """Body text of a client HTML (``<main>``, else ``<body>``), without styles and scripts."""
    return _client_text(_body(html))


def _body(html: str) -> Any:
    """The parsed ``<main>`` (else ``<body>``) of a page, its styles and scripts removed."""
    root = lxml.html.fromstring(html)
    body = next(iter(root.xpath("//main")), None)
    if body is None:
        body = next(iter(root.xpath("//body")), root)
    for bad in body.xpath(".//style|.//script"):
        bad.drop_tree()
    return body


def _client_text(body: Any) -> ClientText:
    text = "\n".join(t.strip() for t in body.itertext() if t.strip())
    ours = [
        el
        for el in body.xpath(".//p|.//li|.//h1|.//h2|.//h3|.//figcaption")
        if not el.xpath("ancestor::table|ancestor::blockquote|ancestor::footer|ancestor::nav|ancestor::li|.//p")
    ]
    ours += body.xpath(".//caption")  # table captions are ours too
    narrative = [" ".join(el.text_content().split()) for el in ours]
    return ClientText(text, tuple(t for t in narrative if t))


def english_words(text: str) -> list[str]:
    """Latin words of two letters or more with a lower-case letter (so "SHA", "OFL" pass), file names, hex and units aside."""
    text = _HEX.sub(" ", _FILE_NAME.sub(" ", text))
    words = [w for w in _LATIN.findall(text) if any(c.islower() for c in w)]
    return sorted({w for w in words if w.lower() not in UNIT_SYMBOLS})


def analyst_instructions(text: str) -> list[str]:
    """The analyst phrases (:data:`ANALYST_PHRASES`) found, each with its context."""
    return _phrases(text, ANALYST_PHRASES)


def reader_notes_shown(text: str, messages: Iterable[str] = ()) -> list[str]:
    """Reader-note phrases, and any of the unit's own reader-note ``messages``, found in the text."""
    found = _phrases(text, READER_PHRASES)
    flat = "".join(text.split())
    for message in messages:
        key = "".join(str(message).split())[:30]
        if len(key) >= 8 and key in flat:
            found.append(f"读取说明「{key}…」")
    return found


def repeated_sentences(paragraphs: Iterable[str]) -> list[str]:
    """Sentences (of :data:`_MIN_SENTENCE` CJK characters or more) said more than once."""
    counts: Counter[str] = Counter()
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            sentence = sentence.strip(" ，,：:")
            if len(_CJK.findall(sentence)) >= _MIN_SENTENCE:
                counts[sentence] += 1
    return [s for s, n in counts.items() if n > 1]


def doubled_words(paragraphs: Iterable[str]) -> list[str]:
    """Runs like 「指标指标」: a word of two to four characters written twice in a row."""
    out = []
    for paragraph in paragraphs:
        for m in _DOUBLED.finditer(paragraph):
            out.append(paragraph[max(0, m.start() - 8) : m.end() + 8])
    return out


def lint_client_html(html: str, reader_messages: Iterable[str] = ()) -> list[str]:
    """Every problem of a client HTML's text, one Chinese message each (empty when the text is clean)."""
    body = client_text(html)
    problems = [f"英文单词：{w}" for w in english_words(body.text)]
    problems += [f"给分析人员的说明：{p}" for p in analyst_instructions(body.text)]
    problems += [f"读取说明进入客户报告：{p}" for p in reader_notes_shown(body.text, reader_messages)]
    problems += [f"重复的句子：{s}" for s in repeated_sentences(body.narrative)]
    problems += [f"重复的词：{s}" for s in doubled_words(body.narrative)]
    return problems


_QUOTE = re.compile(r"「[^「」]*」")


def _tool_text(body: Any, plain: ClientText, inputs: Iterable[str]) -> ClientText:
    """The tool's own words in a client page (``body``, its text ``plain``): narrative, table headers and
    captions, the unit's words masked.

    Each quotation 「…」 becomes 「#n」 (n numbers the distinct quotations, so sentences that differ only
    in what they quote stay different); each of ``inputs`` (texts from the unit's files, two
    characters or more, longest first) becomes 〔#〕 where it stands unquoted.
    """
    heads = [" ".join(el.text_content().split()) for el in body.xpath(".//th")]  # captions: in the narrative
    parts = [t for t in (*plain.narrative, *heads) if t]  # whitespace-collapsed: no "\n" inside
    narrative = tuple(mask_unit_words("\n".join(parts), inputs).split("\n")) if parts else ()
    return ClientText("\n".join(narrative), narrative)


def mask_unit_words(text: str, inputs: Iterable[str] = ()) -> str:
    """``text`` without the unit's words: file names and hashes dropped, 「…」 as 「#n」, ``inputs`` as 〔#〕.

    Only inputs of two characters or more with a letter or a Chinese character are masked (a
    number such as "100" would cut a hash or a file name into pieces that look like words).
    n numbers the distinct quotations, so sentences that differ only in what they quote stay different.
    """
    quotes: dict[str, str] = {}
    text = _HEX.sub(" ", _FILE_NAME.sub(" ", text))
    text = _QUOTE.sub(lambda m: "「#" + quotes.setdefault(m.group(0), str(len(quotes))) + "」", text)
    known = {" ".join(str(t).split()) for t in inputs}
    for item in sorted(
        (k for k in known if len(k) >= 2 and re.search(r"[A-Za-z\u4e00-\u9fff]", k)), key=len, reverse=True
    ):
        text = text.replace(item, "〔#〕")
    return text


def lint_tool_text(html: str, reader_messages: Iterable[str] = (), inputs: Iterable[str] = ()) -> list[str]:
    """The problems of the tool's own words in a client HTML (narrative, table headers and captions, the unit's words masked), one Chinese message each."""
    body = _body(html)  # parsed once (a page is ~1 MB with its charts and font)
    plain = _client_text(body)
    own = _tool_text(body, plain, inputs)
    problems = [f"英文单词：{w}" for w in english_words(own.text)]
    problems += [f"给分析人员的说明：{p}" for p in analyst_instructions(own.text)]
    problems += [f"读取说明进入客户报告：{p}" for p in reader_notes_shown(plain.text, reader_messages)]
    problems += [f"重复的句子：{s}" for s in repeated_sentences(own.narrative)]
    problems += [f"重复的词：{s}" for s in doubled_words(own.narrative)]
    return problems


def _phrases(text: str, phrases: Iterable[str]) -> list[str]:
    out = []
    lower = text.lower()
    for phrase in phrases:
        start = lower.find(phrase.lower())
        if start >= 0:
            out.append(f"「{phrase}」：…{text[max(0, start - 15) : start + len(phrase) + 15]}…".replace("\n", " "))
    return out
