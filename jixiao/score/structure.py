"""Repair the level-1 structure of an indicator table when its declared weights prove a misprint.

Exported tables often print the 一级指标 labels a few rows off: merged cells become one label on
the wrong row. When the printed level-1 blocks do not sum to their declared 一级权重, one
consistent explanation that makes *every* level-1 sum equal its declared weight exactly is
evidence, not invention (DOMAIN §4.4). Two explanations are tried:

- ``boundaries``: the level 1s keep their printed order and each label sits a few rows off its
  block (at most ``MAX_SHIFT`` rows at each boundary; a constant shift is the common case).
  With positive 分值 the blocks are then fixed by the running sum of the declared weights, so
  the explanation is unique unless rows of 0 分值 sit at a boundary. A moved row whose 二级指标
  the framework does not allow under its new level 1 takes the 二级指标 of the block it joins
  (its label moved with the level-1 label: one merged block of labels);
- ``level2``: level 1 follows level 2 by the standard framework (数量/质量/时效/成本 → 产出;
  经济/社会/生态/可持续 → 效益; 满意度 → 满意度).

When exactly one explanation fits, :func:`repair_structure` applies it; the aggregation then
uses the repaired level 1 and the review reports the repair with the sums before and after.
When several fit, or none, the printed structure is kept and the disagreement is reported.
Pure functions: tables in, tables out.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from jixiao.core.model import Evaluation
from jixiao.read.headers import canonical_level1, is_level2_word, level1_of_level2

__all__ = [
    "MAX_SHIFT",
    "STRUCTURE_KEY",
    "StructureRepair",
    "StructureCheck",
    "find_structure_repairs",
    "apply_structure_repair",
    "check_structure",
    "repair_structure",
]

#: The farthest a level-1 label may sit from its block's first row, in indicator rows.
MAX_SHIFT = 5
#: Key of ``Evaluation.extras`` that records the structure check (a ``StructureCheck.to_dict()``).
STRUCTURE_KEY = "structure"
#: Sums equal when they differ by less than this (weights are printed with at most 2 decimals).
_EXACT = 1e-6


@dataclass(frozen=True)
class StructureRepair:
    """One explanation that makes every level-1 sum equal its declared weight.

    ``level1`` and ``level2`` are the repaired labels, one per row in table order; ``offsets``
    gives, per level-1 boundary (from the second level 1 on), how many rows its printed label
    sits low (> 0: the block really starts that many rows earlier) or high (< 0); ``moved``
    lists the rows whose level 1 changes as (indicator_id, name, printed level 1, repaired level 1).
    """

    method: str  # "boundaries" or "level2"
    offsets: tuple[int, ...]
    level1: tuple[str, ...]
    level2: tuple[str, ...]
    moved: tuple[tuple[str, str, str, str], ...]
    starts: tuple[tuple[str, str], ...] = ()  # (level 1, name of its first indicator after repair)

    @property
    def shift(self) -> int | None:
        """The constant shift when every boundary moves by the same rows, else None."""
        return self.offsets[0] if self.offsets and len(set(self.offsets)) == 1 else None

    def describe(self) -> str:
        """The explanation in Chinese, e.g. 一级指标标签整体下移两行。"""
        if self.method == "level2":
            return (
                "一级指标按二级指标的标准归属（数量/质量/时效/成本→产出，经济/社会/生态/可持续→效益，"
                "满意度→满意度）归类"
            )
        if self.shift is not None:
            return f"一级指标标签在每个分界处都{_rows(self.shift)}"
        parts = [
            f"「{label}」标签{_rows(off)}（应从「{first}」起）"
            for off, (label, first) in zip(self.offsets, self.starts)
            if off
        ]
        if len({abs(o) for o in self.offsets if o}) == 1 and all(self.offsets):
            head = f"一级指标标签在每个分界处都错位{_count(abs(self.offsets[0]))}行"
            return f"{head}：{'，'.join(parts)}"
        return "一级指标分界处的标签错位：" + "，".join(parts)


def _count(n: int) -> str:
    return _CHINESE_COUNTS.get(n, str(n))


def _rows(offset: int) -> str:
    return f"{'下移' if offset > 0 else '上移'}{_count(abs(offset))}行"


_CHINESE_COUNTS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}


@dataclass(frozen=True)
class StructureCheck:
    """What the structure check found: ``status`` is "agrees", "repaired", "ambiguous" or "unexplained".

    ``declared`` is the declared weight per level 1 (table order); ``before`` the printed sums;
    ``after`` the sums under the repair (equal to ``declared`` when repaired).
    """

    status: str
    declared: dict[str, float]
    before: dict[str, float]
    after: dict[str, float]
    repair: StructureRepair | None = None
    candidates: tuple[str, ...] = ()  # descriptions of the explanations that fit, when ambiguous

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (kept in ``Evaluation.extras["structure"]``)."""
        out: dict[str, Any] = {
            "status": self.status,
            "declared": dict(self.declared),
            "before": dict(self.before),
            "after": dict(self.after),
            "candidates": list(self.candidates),
        }
        if self.repair is not None:
            out["method"] = self.repair.method
            out["offsets"] = list(self.repair.offsets)
            out["explanation"] = self.repair.describe()
            out["moved"] = [
                {"indicator_id": i, "name": n, "printed": a, "repaired": b} for i, n, a, b in self.repair.moved
            ]
        return out


def _sum(values: list[float]) -> float:
    return float(sum(Decimal(repr(v)) for v in values))


def _blocks(level1: list[str]) -> list[tuple[str, int, int]]:
    """Runs of equal labels as (label, start, end) with end exclusive."""
    out: list[tuple[str, int, int]] = []
    for i, label in enumerate(level1):
        if out and out[-1][0] == label:
            out[-1] = (label, out[-1][1], i + 1)
        else:
            out.append((label, i, i + 1))
    return out


def _sums(level1: list[str] | tuple[str, ...], weights: list[float]) -> dict[str, float]:
    groups: dict[str, list[float]] = {}
    for label, w in zip(level1, weights):
        groups.setdefault(label, []).append(w)
    return {k: _sum(v) for k, v in groups.items()}


def _fits(level1, weights: list[float], declared: dict[str, float]) -> bool:
    sums = _sums(level1, weights)
    return set(sums) == set(declared) and all(abs(sums[k] - declared[k]) < _EXACT for k in declared)


def _inputs(ind: pd.DataFrame) -> tuple[list[str], list[str], list[float], dict[str, float]] | None:
    """(level1, level2, weights, declared) when the table can be judged exactly, else None."""
    if ind.empty or "level1_weight" not in ind.columns:
        return None
    level1 = [str(x) for x in ind["level1"].fillna("")]
    level2 = [str(x) for x in ind["level2"].fillna("")] if "level2" in ind.columns else [""] * len(ind)
    weights = pd.to_numeric(ind["weight"], errors="coerce").tolist()
    if any(not label for label in level1) or any(math.isnan(w) for w in weights):
        return None
    declared: dict[str, float] = {}
    for label, w in zip(level1, pd.to_numeric(ind["level1_weight"], errors="coerce")):
        if label not in declared and not math.isnan(w):
            declared[label] = float(w)
    if set(declared) != set(level1) or len(declared) < 2:
        return None
    return level1, level2, weights, declared


_OUTPUT_LEVEL1 = frozenset({"产出指标", "效益指标", "满意度指标", "成本指标"})


def _fits_under(level2: str, level1: str) -> bool:
    """True when a level-2 label may sit under ``level1`` by the standard framework (unknown labels may)."""
    derived = level1_of_level2(level2) if level2 else None
    if derived is not None:
        return derived == canonical_level1(level1)
    if is_level2_word(level2):  # a 投入管理 level 2 (预算执行管理, 资产管理 …)
        return canonical_level1(level1) not in _OUTPUT_LEVEL1
    return True


def _relabel(
    level1: list[str], level2: list[str], starts: list[int], new: tuple[int, ...]
) -> tuple[list[str], list[str]]:
    """Labels with the level-1 boundaries at ``new`` instead of ``starts``.

    A moved row keeps its level 2 when the framework allows it under its new level 1; otherwise
    its level-2 label moved with the level-1 label (one merged block of labels), and it takes
    the level 2 of the block it joins.
    """
    blocks = _blocks(level1)
    l1, l2 = list(level1), list(level2)
    for (label, _, _), old, pos in zip(blocks[1:], starts, new):
        if pos < old:  # the label sits low: rows [pos, old) belong to its block
            rows, joined, neighbour = range(pos, old), label, level2[old]
        else:  # the label sits high: rows [old, pos) belong to the block before
            rows, joined, neighbour = range(old, pos), level1[old - 1], level2[old - 1]
        for i in rows:
            l1[i] = joined
            if not _fits_under(level2[i], joined):
                l2[i] = neighbour
    return l1, l2


def _boundaries(
    level1: list[str], weights: list[float], declared: dict[str, float], max_shift: int
) -> list[tuple[int, ...]]:
    """Every set of level-1 boundaries, each within ``max_shift`` rows of the printed one, that keeps the
    printed order of the level 1s and makes each block sum to its declared weight (at most 10)."""
    blocks = _blocks(level1)
    if len(blocks) != len(set(level1)):
        return []  # a level 1 printed in two places: not a misplaced label
    n = len(weights)
    cum = [Decimal(0)]
    for w in weights:
        cum.append(cum[-1] + Decimal(repr(w)))
    goal, targets = Decimal(0), []
    for label, _, _ in blocks:
        goal += Decimal(repr(declared[label]))
        targets.append(goal)
    if abs(float(cum[-1] - targets[-1])) >= _EXACT:
        return []  # Σ 分值 differs from Σ 一级权重: no regrouping can make every block exact
    options = []
    for (_, start, _), target in zip(blocks[1:], targets[:-1]):
        near = range(max(1, start - max_shift), min(n - 1, start + max_shift) + 1)
        fit = [p for p in near if abs(float(cum[p] - target)) < _EXACT]
        if not fit:
            return []
        options.append(fit)
    found: list[tuple[int, ...]] = []
    for combo in itertools.product(*options):
        if all(a < b for a, b in zip(combo, combo[1:])):
            found.append(tuple(combo))
            if len(found) >= 10:
                break
    return found


def _by_level2(level1: list[str], level2: list[str]) -> list[str] | None:
    """Level 1 derived from level 2 by the standard framework, named as printed, or None."""
    printed = {canonical_level1(label): label for label in level1}
    out = []
    for l1, l2 in zip(level1, level2):
        derived = level1_of_level2(l2) if l2 else None
        if derived is None:
            out.append(l1)
        elif derived in printed:
            out.append(printed[derived])
        else:
            return None  # the framework's level 1 is not among the table's: nothing to map to
    return out


def _moved(ind: pd.DataFrame, before: list[str], after) -> tuple[tuple[str, str, str, str], ...]:
    ids, names = ind["indicator_id"].astype(str).tolist(), ind["name"].astype(str).tolist()
    return tuple((i, n, a, b) for i, n, a, b in zip(ids, names, before, after) if a != b)


def find_structure_repairs(indicators: pd.DataFrame, *, max_shift: int = MAX_SHIFT) -> list[StructureRepair]:
    """Every explanation (labels off at the boundaries, level 1 by level 2) that makes each level-1 sum exact.

    Empty when the printed structure already agrees, or when the table cannot be judged exactly
    (a row without 分值 or 一级指标, a level 1 without declared weight, fewer than two level 1s).
    """
    got = _inputs(indicators)
    if got is None:
        return []
    level1, level2, weights, declared = got
    if _fits(level1, weights, declared):
        return []
    found: list[StructureRepair] = []
    starts = [start for _, start, _ in _blocks(level1)[1:]]
    names = indicators["name"].astype(str).tolist()
    for new in _boundaries(level1, weights, declared, max_shift):
        l1, l2 = _relabel(level1, level2, starts, new)
        offsets = tuple(old - pos for old, pos in zip(starts, new))
        firsts = tuple((l1[pos], names[pos]) for pos in new)
        found.append(
            StructureRepair("boundaries", offsets, tuple(l1), tuple(l2), _moved(indicators, level1, l1), firsts)
        )
    derived = _by_level2(level1, level2)
    if derived is not None and derived != level1 and _fits(derived, weights, declared):
        same = any(r.level1 == tuple(derived) for r in found)
        if not same:
            found.append(
                StructureRepair("level2", (), tuple(derived), tuple(level2), _moved(indicators, level1, derived))
            )
    return found


def apply_structure_repair(indicators: pd.DataFrame, repair: StructureRepair) -> pd.DataFrame:
    """The indicator table with the repaired level 1 (and its declared weight) and level 2."""
    out = indicators.copy()
    declared: dict[str, float] = {}
    for label, w in zip(out["level1"].astype(str), pd.to_numeric(out["level1_weight"], errors="coerce")):
        if label not in declared and not math.isnan(w):
            declared[label] = float(w)
    out["level1"] = list(repair.level1)
    out["level2"] = list(repair.level2)
    out["level1_weight"] = [declared.get(label, math.nan) for label in repair.level1]
    return out


def check_structure(indicators: pd.DataFrame, *, max_shift: int = MAX_SHIFT) -> StructureCheck | None:
    """The structure check of a table: None when it cannot be judged (no declared weights …)."""
    got = _inputs(indicators)
    if got is None:
        return None
    level1, _, weights, declared = got
    before = _sums(level1, weights)
    if _fits(level1, weights, declared):
        return StructureCheck("agrees", declared, before, before)
    found = find_structure_repairs(indicators, max_shift=max_shift)
    if len(found) == 1:
        return StructureCheck("repaired", declared, before, _sums(found[0].level1, weights), found[0])
    status = "ambiguous" if found else "unexplained"
    return StructureCheck(status, declared, before, before, None, tuple(r.describe() for r in found))


def repair_structure(evaluation: Evaluation, *, max_shift: int = MAX_SHIFT) -> Evaluation:
    """The evaluation with its level-1 structure repaired when exactly one explanation fits.

    The check is recorded in ``extras["structure"]`` (``StructureCheck.to_dict()``); an
    evaluation that already carries that record is returned unchanged, so repairing is
    idempotent and the review sees the record made before scoring.
    """
    if STRUCTURE_KEY in (evaluation.extras or {}):
        return evaluation
    check = check_structure(evaluation.indicators, max_shift=max_shift)
    extras = dict(evaluation.extras or {})
    extras[STRUCTURE_KEY] = check.to_dict() if check is not None else {"status": "not_judged"}
    indicators = evaluation.indicators
    if check is not None and check.repair is not None:
        indicators = apply_structure_repair(indicators, check.repair)
    return dataclasses.replace(evaluation, indicators=indicators, extras=extras)
