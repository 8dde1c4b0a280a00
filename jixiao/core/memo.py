"""Values derived from an object, computed once while the parts they depend on are unchanged.

A unit's report asks for the same facts in several sections (the 评价结论 facts on the cover,
in the summary and in section 三). :func:`memoized` keeps such a value on the object it is
derived from, keyed by the identities of the parts it reads: replacing a part (a new scored
frame, new findings) computes it again. Values are shared between callers: treat them as
read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["memoized"]

T = TypeVar("T")

_STORE = "_jixiao_memo"


def memoized(owner: Any, name: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``, kept on ``owner`` under ``name`` until one of ``parts`` changes.

    A part changes when it is replaced by another object; a dict part (totals, params) also
    when its items change in place.
    """
    seen = tuple(dict(p) if isinstance(p, dict) else p for p in parts)
    store = owner.__dict__.setdefault(_STORE, {})
    hit = store.get(name)
    if hit is not None and all(_same(a, b) for a, b in zip(hit[1], seen, strict=True)):
        return hit[0]
    value = build()
    store[name] = (value, seen, parts)  # the parts are kept so that their ids stay unique
    return value


def _same(before: Any, now: Any) -> bool:
    if isinstance(before, dict) and isinstance(now, dict):
        return before == now
    return before is now
