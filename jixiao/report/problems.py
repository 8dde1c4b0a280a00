"""Sections 六 and 七 of a unit report: the problems found and the suggestions that answer them.

Problems are the indicators that lost points, then each kind of error and warning found (提示 go
to the appendix); suggestions are the catalogue's fixes, grouped by area (DOMAIN §4.2 A–E), codes
sharing a fix merged. Pure: a :class:`jixiao.run.evaluate.UnitResult` in, records out; the
wording comes from ``templates/problems.j2`` and ``suggestions.j2``. Re-exported by
:mod:`jixiao.report.narrative`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jixiao.core.vocab import report_wording
from jixiao.report.facts import finding_groups, findings_of, indicator_states, unit_kind
from jixiao.report.wording import plain, render_macro
from jixiao.review.catalogue import catalogue

__all__ = ["GROUP_TITLES", "Problem", "Suggestion", "problems", "suggestions"]

#: Suggestion groups by catalogue group (DOMAIN §4.2 A–E).
GROUP_TITLES = {
    "A": "评分与数据核对",
    "B": "与申报的绩效目标保持一致",
    "C": "绩效目标与完成值的质量",
    "D": "偏差原因说明",
    "E": "自评报告的数据与结构",
}
_ITEM_LIMIT = 8  # finding messages listed per problem before "另有 N 条"


@dataclass(frozen=True)
class Problem:
    """One problem of section 六: a kind of finding, or the indicators that lost points."""

    title: str
    severity: str  # 错误 / 警告 / 提示, or "扣分" for indicators that lost points
    text: str  # what it is and why it matters, with counts
    items: tuple[str, ...]  # one line per indicator or finding
    codes: tuple[str, ...] = ()
    indicator_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """One suggestion of section 七: a catalogue fix and the problems it answers."""

    group: str  # a GROUP_TITLES value
    text: str  # the catalogue's fix
    basis: str  # which findings it answers, with counts and examples
    codes: tuple[str, ...]


def problems(result: Any) -> list[Problem]:
    """六: the indicators that lost points, then every kind of error and warning found (提示 go to the appendix)."""
    out: list[Problem] = []
    if result.self_eval is not None:
        lost = _lost_problem(result)
        if lost is not None:
            out.append(lost)
    for group in finding_groups(findings_of(result), catalogue()):
        if group["severity"] == "提示":
            continue
        items = [plain(m) + "。" for m in group["messages"][:_ITEM_LIMIT]]
        if len(group["messages"]) > _ITEM_LIMIT:
            annex = report_wording(unit_kind(result)).findings_annex
            items.append(f"另有 {len(group['messages']) - _ITEM_LIMIT} 条，详见{annex}。")
        text = render_macro("problems.j2", "finding", group=group)
        out.append(
            Problem(
                group["title"],
                group["severity"],
                text,
                tuple(items),
                (group["code"],),
                tuple(i for i in group["indicator_ids"] if i),
            )
        )
    return out


def _lost_problem(result: Any) -> Problem | None:
    unit = result.self_eval
    states = indicator_states(unit.scored)
    rows = states["lost"] + states["overridden_lost"] + states["unscored"]
    if not rows:
        return None
    found = findings_of(result)
    titles = catalogue().set_index("code")["title"]
    by_id: dict[str, list[str]] = {}
    for code, indicator_id in zip(found.get("code", []), found.get("indicator_id", [])):
        label = f"{code} {titles.get(code, '')}".strip()
        if indicator_id and label not in by_id.setdefault(indicator_id, []):
            by_id[indicator_id].append(label)
    items = tuple(render_macro("problems.j2", "lost_item", row=row, codes=by_id.get(row["id"], [])) for row in rows)
    text = render_macro("problems.j2", "lost", states=states, total=unit.totals)
    return Problem("部分指标未达成或无法计分", "扣分", text, items, (), tuple(r["id"] for r in rows))


def suggestions(result: Any) -> list[Suggestion]:
    """七: the catalogue's fix for each kind of error or warning found, grouped by area, most severe first."""
    groups = [g for g in finding_groups(findings_of(result), catalogue()) if g["severity"] != "提示"]
    out = []
    for g in groups:
        basis = render_macro("suggestions.j2", "basis", group=g)
        out.append(Suggestion(GROUP_TITLES.get(g["group"], "其他"), g["fix"], basis, (g["code"],)))
    # Codes that share a fix text are one suggestion; areas keep the order of their most severe finding.
    merged: dict[tuple[str, str], Suggestion] = {}
    for s in out:
        key = (s.group, s.text)
        if key in merged:
            old = merged[key]
            merged[key] = Suggestion(s.group, s.text, old.basis + "；" + s.basis, old.codes + s.codes)
        else:
            merged[key] = s
    order = list(dict.fromkeys(s.group for s in merged.values()))
    return sorted(merged.values(), key=lambda s: order.index(s.group))
