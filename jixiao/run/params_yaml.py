"""Reading a params file safely: size, nesting and alias limits before ruamel parses it (round-trip, comments kept)."""

from __future__ import annotations

import os
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent

from jixiao.core.errors import ParamsError
from jixiao.run.yaml_slips import describe_yaml_error, find_slip, indentation_slip

__all__ = ["MAX_PARAMS_BYTES", "MAX_FLOW_DEPTH", "load_params_document", "warm_up"]

#: A params file is a page of YAML; anything far larger is not one.
MAX_PARAMS_BYTES = 256 * 1024
MAX_FLOW_DEPTH = 32


#: A throw-away document with a value of each kind ruamel resolves (text, number, bool, null, date, list).
_WARM_UP_DOCUMENT = "a: 文本\nb: 1\nc: 1.5\nd: true\ne: null\nf: 2024-01-01\ng: [x, {h: 0x1}]\n"


def warm_up() -> None:
    """ruamel's one-time costs (its resolver and reader patterns are compiled at their first use, and
    each ``YAML()`` looks for plug-ins), paid in the kernel template process, never per unit."""
    YAML(typ="rt").load(_WARM_UP_DOCUMENT)
    list(YAML(typ="rt").parse(_WARM_UP_DOCUMENT))


def load_params_document(path: str | os.PathLike[str]) -> CommentedMap:
    """Read a params file in ruamel round-trip mode (comments kept); syntax errors → ParamsError."""
    source = Path(path)
    if source.is_dir():
        raise ParamsError("这是一个文件夹，不是参数文件；请改名或移出 params/", path=str(source))
    if source.exists() and not source.is_file():
        raise ParamsError("这不是普通文件（可能是管道或设备），无法读取", path=str(source))
    try:
        if source.stat().st_size > MAX_PARAMS_BYTES:
            raise ParamsError(f"参数文件过大（超过 {MAX_PARAMS_BYTES // 1024} KB），请检查内容", path=str(source))
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError("参数文件不存在", path=str(source)) from None
    except UnicodeDecodeError:
        raise ParamsError("参数文件不是 UTF-8 编码的文本", path=str(source)) from None
    except OSError as exc:
        raise ParamsError(f"无法读取参数文件（{exc.strerror or '系统错误'}）", path=str(source)) from None
    slip = indentation_slip(text)
    if slip:
        raise ParamsError(slip.message(), path=str(source))
    try:
        depth = _flow_depth(text)
        if depth > MAX_FLOW_DEPTH:
            raise ParamsError(f"参数文件中的「[」「{{」嵌套过深（{depth} 层），请检查内容", path=str(source))
        alias = _first_alias(text)
        if alias is not None:
            raise ParamsError(
                f"参数文件中不能使用 YAML 锚点和别名（第 {alias} 行的「&」「*」），请把值直接写出", path=str(source)
            )
        doc = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ParamsError(describe_yaml_error(text, mark.line + 1 if mark else None), path=str(source)) from None
    except (ValueError, OverflowError, RecursionError):  # a 10,000-digit number, nesting thousands deep …
        raise ParamsError("参数文件中有无法读取的值（数字过长或嵌套过深），请检查内容", path=str(source)) from None
    if not isinstance(doc, dict):
        slip = find_slip(text)
        raise ParamsError(slip.message() if slip else "参数文件的顶层应为「键: 值」映射", path=str(source))
    return doc


def _flow_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside quotes and comments (the YAML parser slows down cubically with it)."""
    depth = deepest = 0
    quote = ""
    previous = "\n"
    comment = False
    for ch in text:
        if comment:
            comment = ch != "\n"
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'" and previous in " \t\n[{,:":
            quote = ch
        elif ch == "#" and previous in " \t\n":
            comment = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
        previous = ch
    return deepest


def _first_alias(text: str) -> int | None:
    """1-based line of the first anchor or alias of a YAML text (parse events only: nothing is expanded)."""
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            return mark.line + 1 if mark else 0
    return None
