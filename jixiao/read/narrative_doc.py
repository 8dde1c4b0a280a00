"""A narrative report's text as numbered sections and joined paragraphs, with their source lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from jixiao.core.textnorm import normalize_text

__all__ = ["SECTION_COLUMNS", "Doc", "Para", "matching_sections"]

SECTION_COLUMNS = ["level", "number", "title", "text", "line"]

_CN = "一二三四五六七八九十百零〇"
_HEADINGS = [  # (style, regex); style order = canonical rank
    ("part", re.compile(rf"^(第[{_CN}\d]+(?:部分|章|节))\s*[、.:：]?\s*(.+)$")),
    ("cn", re.compile(rf"^([{_CN}]{{1,3}})\s*[、.]\s*(.+)$")),
    ("pcn", re.compile(rf"^[（(]\s*([{_CN}]{{1,3}})\s*[)）]\s*[、.]?\s*(.+)$")),
    ("num", re.compile(r"^(\d{1,2})\s*[.、](?!\d)\s*(.+)$")),
    ("dec2", re.compile(r"^(\d{1,2}\.\d{1,2})(?:\s+|\s*、\s*)(.+)$")),
    ("dec3", re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{1,2})(?:\s+|\s*、\s*)(.+)$")),
    ("pnum", re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*[、.]?\s*(.+)$")),
]
_NUMBER_FMT = {"part": "{}", "cn": "{}", "pcn": "（{}）", "num": "{}.", "dec2": "{}", "dec3": "{}", "pnum": "({})"}
_TERMINAL = tuple("。！？!?")  # a list broken after ；or ： goes on


@dataclass
class Para:
    text: str
    section: int
    starts: list[tuple[int, int]]  # (offset in text, source line)

    @property
    def line(self) -> int:
        return self.starts[0][1]

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1]
        for off, no in self.starts:
            if off > offset:
                break
            line = no
        return line


def _heading(text: str) -> tuple[str, str, str] | None:
    for style, rx in _HEADINGS:
        m = rx.match(text)
        if m:
            return style, _NUMBER_FMT[style].format(m.group(1)), m.group(2).strip()
    return None


_TITLE_END = re.compile(r"[。：:]")


def _split_title(rest: str) -> tuple[str, str]:
    """A heading line's title and the body text that follows it on the same line."""
    m = _TITLE_END.search(rest)
    if m and m.start() <= 60:
        return rest[: m.start()].strip(" ，,"), rest[m.end() :].strip()
    if len(rest) <= 80:
        return rest.rstrip("。 "), ""
    return rest[:40], rest[40:]


class Doc:
    """Normalised lines grouped into sections and paragraphs, plus reader notes."""

    def __init__(self, text: str) -> None:
        self.notes: list[tuple] = []
        lines = [(i + 1, normalize_text(raw)) for i, raw in enumerate(text.splitlines())]
        lines = [(no, t) for no, t in lines if t]
        found = [(no, t, _heading(t)) for no, t in lines]
        styles = [s for s, _ in _HEADINGS if any(h and h[0] == s for _, _, h in found)]
        self.sections: list[list] = []
        self.paras: list[Para] = []
        self.head: list[tuple[int, str]] = []  # lines before the first heading
        section, prev_terminal = -1, True
        for no, t, h in found:
            if h:
                title, body = _split_title(h[2])
                self.sections.append([styles.index(h[0]) + 1, h[1], title, "", no])
                section, prev_terminal = len(self.sections) - 1, True
                if not body:
                    continue
                t = body
            elif section < 0 and not self.paras and len(t) <= 60:  # title lines
                self.head.append((no, t))
                continue
            if not prev_terminal and self.paras and self.paras[-1].section == section:
                para = self.paras[-1]
                para.starts.append((len(para.text), no))  # joined without a space: breaks fall anywhere
                para.text += t
            else:
                self.paras.append(Para(t, section, [(0, no)]))
            prev_terminal = t.endswith(_TERMINAL)
        for p in self.paras:
            if p.section >= 0:
                sec = self.sections[p.section]
                sec[3] = f"{sec[3]}\n{p.text}" if sec[3] else p.text

    def note(self, code: str, line: int | None, value: object, message: str) -> None:
        self.notes.append((code, line, "", value, message))

    def paras_in(self, include: str | re.Pattern, exclude: str | re.Pattern = "^$") -> list[Para]:
        """Paragraphs whose section or an enclosing section has a title matching ``include``."""
        frame = pd.DataFrame(self.sections, columns=SECTION_COLUMNS)
        keep = matching_sections(frame, include, exclude)
        return [p for p in self.paras if p.section in keep]


def matching_sections(sections: pd.DataFrame, include: str | re.Pattern, exclude: str | re.Pattern = "^$") -> set[int]:
    """Indexes of the sections that belong under a title matching ``include`` (a pattern, or its compiled form).

    Walks from each section up through its enclosing sections; the first title that
    matches ``include`` and not ``exclude`` makes the section (and so its paragraphs) match.
    """
    inc, exc = re.compile(include), re.compile(exclude)
    levels, titles = list(sections["level"]), list(sections["title"])
    keep = set()
    for i in range(len(titles)):
        j, level = i, None
        while j >= 0:
            if level is None or levels[j] < level:
                if inc.search(titles[j]) and not exc.search(titles[j]):
                    keep.add(i)
                    break
                level = levels[j]
            j -= 1
    return keep
