"""Normalise the text of table cells: symbols, full-width characters, numbers.

Every synonym of a symbol lives here, so readers and value parsing agree.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

import opencc

__all__ = [
    "normalize_text",
    "normalize_symbols",
    "to_number",
    "is_blank",
    "clean_cell",
    "to_simplified",
    "is_traditional",
]

# Comparison symbols and their variants seen in published tables.
_SYMBOL_MAP = {
    "≧": "≥",
    "＞=": "≥",
    ">=": "≥",
    "=>": "≥",
    "≥=": "≥",
    "≦": "≤",
    "＜=": "≤",
    "<=": "≤",
    "=<": "≤",
    "═": "=",
    "＝": "=",
    "〓": "=",
    "＞": ">",
    "＜": "<",
    "％": "%",
    "‰": "‰",
    "﹪": "%",
}
_SYMBOL_RE = re.compile("|".join(re.escape(k) for k in sorted(_SYMBOL_MAP, key=len, reverse=True)))

#: Texts that mean "nothing here".
BLANKS = {"", "—", "——", "-", "--", "/", "／", "无", "nan", "NaN", "None", "null", "空", "－"}


_PERCENT_WORD_RE = re.compile(r"(?<=\d)\s*百分比")
_PERCENT_POINT_RE = re.compile(r"(?<=\d)\s*百分点")
_SPACES_RE = re.compile(r"\s+")
#: Characters of the first step that a text must contain for the symbol map to change it.
_SYMBOL_CHARS = frozenset("".join(_SYMBOL_MAP))


def _symbol(match: re.Match) -> str:
    return _SYMBOL_MAP[match.group(0)]


def normalize_symbols(text: str) -> str:
    """Map variant comparison and percent symbols to ≥ ≤ = > < %.

    "百分比" used as a unit ("≥100百分比") becomes "%".
    """
    if not _SYMBOL_CHARS.isdisjoint(text):
        text = _SYMBOL_RE.sub(_symbol, text)
    if "百分" in text:
        text = _PERCENT_WORD_RE.sub("%", text)
        text = _PERCENT_POINT_RE.sub("%", text)
    return text


#: Full-width digits, letters and ASCII punctuation (U+FF01–FF5E) folded by NFKC, except the
#: Chinese punctuation that carries meaning; ideographic and no-break spaces become spaces.
_FOLD = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in range(0xFF01, 0xFF5F)
    if chr(code) not in "，。；：？！（）"
}
_FOLD.update({0x3000: " ", 0xA0: " "})


def normalize_text(value: object) -> str:
    """Return a cell's text with NFKC-folded digits/letters and canonical symbols.

    Chinese punctuation that carries meaning (，。；：) is kept as is except that
    full-width digits, letters, spaces and brackets are folded to ASCII. Runs of
    whitespace become one space; leading/trailing whitespace is stripped.
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _normalize_str(str(value))


@lru_cache(maxsize=8192)
def _normalize_str(text: str) -> str:
    """:func:`normalize_text` of a string (pure, so kept per text: cells, labels and names repeat)."""
    # First map symbols that NFKC would otherwise mangle (≧ has no NFKC form; ＞ -> >).
    text = normalize_symbols(text)
    text = text.translate(_FOLD)
    text = normalize_symbols(text)
    return _SPACES_RE.sub(" ", text).strip()


def is_blank(value: object) -> bool:
    """True for None, NaN, empty strings and placeholders such as "—" or "/"."""
    return normalize_text(value) in BLANKS


def clean_cell(value: object) -> str:
    """Cell text for storage: normalised, and "" for blanks."""
    text = normalize_text(value)
    return "" if text in BLANKS else text


_NUMBER_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def to_number(value: object) -> float | None:
    """Parse a plain number cell: "1,234.50", "１２", "99.87%" (-> 99.87), 12 -> 12.0.

    Returns None when the cell is not a plain number (text with words, blanks).
    Percent signs are dropped: the caller knows whether the column is a rate.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return float(value)
    text = normalize_text(value)
    if text in BLANKS:
        return None
    text = text.replace(" ", "")
    for suffix in ("%", "‰", "元", "万元", "分"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if _NUMBER_RE.match(text):
        return float(text.replace(",", ""))
    return None


_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Share of CJK characters that OpenCC changes above which a text is in traditional script.
_TRADITIONAL_SHARE = 0.05


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in simplified characters (OpenCC's traditional→simplified conversion)."""
    return _t2s().convert(text) if text else text


def is_traditional(text: str) -> bool:
    """True when the text is written in traditional characters (not a stray variant here and there)."""
    cjk = _CJK.findall(text)
    if not cjk:
        return False
    changed = sum(1 for a, b in zip(text, to_simplified(text)) if a != b and "\u4e00" <= a <= "\u9fff")  # as _CJK
    return changed >= 3 and changed / len(cjk) >= _TRADITIONAL_SHARE
