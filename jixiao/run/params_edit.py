"""Write the evaluator's review scores back into ``params/<unit>.yaml``, keeping comments and key order.

The file is edited in ruamel.yaml round-trip mode: an override that already exists (written
by indicator name or by id) is updated in place, keeping its key, position and comments; a
new one is appended under ``overrides``; an override set to ``None`` is removed. Everything
else in the file is written back as it was read (quotes and indentation included).

Before anything is written, the edited document is validated exactly as ``jixiao run`` will
load it (:func:`jixiao.run.params.params_from_document`) and, given the indicator table, against
the indicators (:func:`jixiao.run.params.validate_overrides`: the indicator exists, score ≤ 分值,
score inside the tier band). Invalid edits raise :class:`~jixiao.core.errors.ParamsError` and leave
the file untouched; a valid one is written atomically (:mod:`jixiao.run.atomic`).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from jixiao.core.errors import ParamsError
from jixiao.core.textnorm import normalize_text
from jixiao.run.atomic import atomic_write_text
from jixiao.run.params import load_params_document, params_from_document
from jixiao.score.overrides import Override, validate_overrides

__all__ = ["save_overrides", "edit_overrides_text", "override_key"]

_NESTED_KEY = re.compile(r"^(\s*)[^\s#][^:#]*:\s*(#.*)?$")


def override_key(indicator_id: str, indicators: pd.DataFrame) -> str:
    """The key a new override is written under: the indicator's name when it is unique, else its id."""
    rows = indicators[indicators["indicator_id"].astype(str) == str(indicator_id)]
    if rows.empty:
        raise ParamsError(f"指标表中没有编号为「{indicator_id}」的指标", key="overrides")
    name = normalize_text(rows["name"].iloc[0])
    same = sum(normalize_text(n) == name for n in indicators["name"])
    ids = {str(i) for i in indicators["indicator_id"]}
    return name if name and same == 1 and name not in ids else str(indicator_id)


def edit_overrides_text(
    text: str, overrides: Mapping[str, Override | None], indicators: pd.DataFrame | None = None
) -> str:
    """The params text with ``overrides`` applied (pure; see :func:`save_overrides`)."""
    if not overrides:
        return text
    yaml = _yaml(text)
    doc = yaml.load(text)
    section = doc.get("overrides")
    if section is None:
        if all(v is None for v in overrides.values()):
            return text  # nothing to remove
        section = doc["overrides"] = CommentedMap()
    if not isinstance(section, dict):
        raise ParamsError("应为「指标名称或编号: {score: 分数, reason: 理由}」映射", key="overrides")
    if not section and isinstance(section, CommentedMap):
        section.fa.set_block_style()  # "overrides: {}" becomes a block mapping once it has entries
    existing = {_target(key, indicators): key for key in section}
    for ref, override in overrides.items():
        target = _target(ref, indicators)
        if indicators is not None and target is None:
            raise ParamsError(f"指标表中没有名为或编号为「{ref}」的指标", key=f"overrides.{ref}")
        key = existing.get(target)
        if override is None:
            if key is not None:
                del section[key]
            continue
        if key is None:
            key = override.indicator or str(ref)
            if key in section:
                raise ParamsError(f"已有名为「{key}」的复核调整，它指向另一个指标", key=f"overrides.{key}")
            section[key] = _entry(CommentedMap(), override)
            existing[target] = key
        elif isinstance(section[key], dict):
            _entry(section[key], override)
        else:
            section[key] = _entry(CommentedMap(), override)
    if not section:
        doc["overrides"] = None  # "overrides:" with its comment, rather than a dangling "{}"
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def save_overrides(
    path: str | os.PathLike[str],
    overrides: Mapping[str, Override | None],
    *,
    indicators: pd.DataFrame | None = None,
) -> Path:
    """Write review scores into a params file (comments and key order kept), validating first.

    Args:
        path: The unit's params file.
        overrides: ``{indicator id or name: Override}``; ``None`` removes that indicator's override.
            An existing entry for the same indicator is updated in place (the key stays as written);
            a new entry is written under ``Override.indicator``. Entries not named are kept.
        indicators: The unit's indicator table; when given, names are matched loosely and every
            override is checked against it (exists, score ≤ 分值, tier band) as ``jixiao run`` does.

    Returns:
        The params file (unchanged when there is nothing to change).

    Raises:
        ParamsError: the file or an edit is invalid (Chinese message naming file and key); nothing is written.
    """
    source = Path(path)
    load_params_document(source)  # syntax errors → ParamsError with a line number
    text = source.read_text(encoding="utf-8")
    try:
        new_text = edit_overrides_text(text, overrides, indicators)
        if new_text == text:
            return source
        params = params_from_document(_yaml(new_text).load(new_text), source)
        if indicators is not None:
            validate_overrides(params.overrides, indicators, source=params.path)
    except ParamsError as exc:
        raise ParamsError(f"未保存。{exc.reason}", path=str(source), key=exc.key) from None
    atomic_write_text(source, new_text)
    return source


def _entry(node: CommentedMap, override: Override) -> CommentedMap:
    node["score"] = _number(override.score)
    node["reason"] = override.reason
    if override.tier:
        node["tier"] = override.tier
    elif "tier" in node:
        del node["tier"]
    return node


def _number(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


def _target(ref: object, indicators: pd.DataFrame | None) -> str | None:
    """The indicator_id an override key names (by id, else by unique normalised name)."""
    ref = str(ref)
    if indicators is None:
        return ref
    ids = [str(i) for i in indicators["indicator_id"]]
    if ref in ids:
        return ref
    hits = [i for i, n in zip(ids, indicators["name"]) if normalize_text(n) == normalize_text(ref)]
    return hits[0] if len(hits) == 1 else None


def _yaml(text: str) -> YAML:
    """A round-trip YAML that writes ``text`` back as it came (indentation, quotes, long lines)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.map_indent = _mapping_indent(text)
    return yaml


def _mapping_indent(text: str) -> int:
    """Indentation of the first nested block mapping in ``text`` (2 when there is none)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in zip(lines, lines[1:]):
        match = _NESTED_KEY.match(line)
        if match and not line.rstrip().endswith(("|", ">")):
            indent = len(following) - len(following.lstrip(" "))
            if indent > len(match.group(1)):
                return indent - len(match.group(1))
    return 2
