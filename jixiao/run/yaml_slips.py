"""Chinese messages for the common slips in a params file typed on a Chinese keyboard.

The YAML parser's own message ("could not find expected ':'") is English and often
points at the line *after* the slip. :func:`find_slip` scans the text up to the line
the parser complained about and names the first slip it recognises, with its line and
a suggestion:

- a full-width colon ``：`` used as the key separator (``evaluator：张三``);
- a full-width space ``\\u3000`` in the indentation or around the separator;
- a tab in the indentation;
- a missing space after the colon (``year:2023``);
- an unquoted value starting with a character YAML reserves (``@ ` % *``).

:func:`describe_yaml_error` always returns a Chinese message (a generic one when no slip
is recognised), never the raw parser message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Slip", "find_slip", "describe_yaml_error", "indentation_slip"]

_FULL_SPACE = "\u3000"
_RESERVED_START = "@`%*"
# key: a plain word (letters, digits, CJK, _ - .) possibly after a list dash
_KEY = r"[^\s:：#'\"\[\]{},][^:：#'\"\[\]{}]*?"
_KEY_FULL_COLON = re.compile(rf"^[ \t\u3000]*(?:- )?({_KEY})[ \u3000]*：[ \u3000]*(.*)$")
_KEY_NO_SPACE = re.compile(rf"^[ \t\u3000]*(?:- )?({_KEY}):(?=[^\s/\\])(.*)$")
_KEY_VALUE = re.compile(rf"^[ \t\u3000]*(?:- )?({_KEY}):[ \u3000]+(.*)$")


@dataclass(frozen=True)
class Slip:
    """One recognised slip: 1-based line, what is wrong, what to type instead."""

    line: int
    problem: str
    suggestion: str

    def message(self) -> str:
        return f"第 {self.line} 行{self.problem}。建议：{self.suggestion}"


def _code(line: str) -> str:
    """The line without its comment (a ``#`` at the start or after a space, outside quotes)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t\u3000"):
            return line[:i].rstrip()
    return line.rstrip()


def _indent_slip(number: int, line: str) -> Slip | None:
    indent = line[: len(line) - len(line.lstrip(" \t\u3000"))]
    if "\t" in indent:
        return Slip(number, "用制表符（Tab）缩进，参数文件只能用空格缩进", "把行首的 Tab 换成空格（每级两个空格）")
    if _FULL_SPACE in indent:
        return Slip(number, "行首有全角空格「　」", "把全角空格换成半角空格（切换到英文输入法输入空格）")
    return None


def _line_slip(number: int, raw: str) -> Slip | None:
    line = _code(raw)
    if not line.strip():
        return None
    indent = _indent_slip(number, line)
    if indent:
        return indent
    stripped = line.strip()
    if stripped.startswith(("'", '"', "|", ">", "[", "{")):
        return None
    separator = re.search(r":(\s|$)", line)
    has_separator = separator is not None
    full = _KEY_FULL_COLON.match(line)
    if full and (separator is None or separator.start() > line.index("：")):
        key, value = full.group(1).strip(), full.group(2).strip()
        return Slip(
            number,
            f"「{key}」后面用了全角冒号「：」",
            f"改成半角冒号加一个空格：「{key}: {value}」" if value else f"改成半角冒号：「{key}:」",
        )
    nospace = _KEY_NO_SPACE.match(line)
    if nospace and not has_separator:
        key, value = nospace.group(1).strip(), nospace.group(2).strip()
        return Slip(number, f"「{key}:」的冒号后面缺少空格", f"在冒号后加一个空格：「{key}: {value}」")
    pair = _KEY_VALUE.match(line)
    if pair:
        key, value = pair.group(1).strip(), pair.group(2)
        if "\u3000" in line[pair.start(2) - 1 : pair.start(2)] or value.startswith(_FULL_SPACE):
            return Slip(
                number, f"「{key}:」后面有全角空格「　」", f"换成半角空格：「{key}: {value.strip(_FULL_SPACE + ' ')}」"
            )
        if value[:1] in _RESERVED_START:
            return Slip(
                number,
                f"「{key}」的值以特殊字符「{value[0]}」开头，不能直接读取",
                f'给值加上引号：「{key}: "{value}"」',
            )
        if "\t" in line[: pair.start(2)]:
            return Slip(number, f"「{key}:」后面有制表符（Tab）", f"换成空格：「{key}: {value}」")
    return None


def find_slip(text: str, up_to_line: int | None = None) -> Slip | None:
    """The first recognised slip at or before ``up_to_line`` (1-based; ``None`` = whole text)."""
    block_indent: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if up_to_line is not None and number > up_to_line:
            break
        width = len(raw) - len(raw.lstrip(" "))
        if block_indent is not None:
            if not raw.strip() or width > block_indent:
                continue  # inside a | or > block scalar: free text
            block_indent = None
        slip = _line_slip(number, raw)
        if slip:
            return slip
        if re.search(r":\s*[|>][-+0-9]*\s*(#.*)?$", raw):
            block_indent = width
    return None


def indentation_slip(text: str) -> Slip | None:
    """A full-width space or tab in some line's indentation: never valid, even when the file parses."""
    for number, raw in enumerate(text.splitlines(), start=1):
        slip = _indent_slip(number, raw) if raw.strip() and not raw.lstrip().startswith("#") else None
        if slip:
            return slip
    return None


def describe_yaml_error(text: str, line: int | None) -> str:
    """Chinese message for a YAML syntax error reported at 1-based ``line`` (``None`` if unknown)."""
    limit = None if line is None else line + 1
    slip = find_slip(text, limit)
    if slip:
        return slip.message()
    where = f"第 {line} 行" if line is not None else "某处"
    return (
        f"YAML 格式错误（{where}）：无法读取。"
        "建议：检查冒号是否为半角「:」且后面有空格、缩进是否只用空格、含特殊字符的值是否加了引号"
    )
