"""Accuracy of reading and review on the labelled corpus of real published tables.

    python benchmarks/review_accuracy.py [--manifest tests/data/corpus/manifest.yaml] [--json] [--missed] [--noise]

Reads every table of ``tests/data/corpus/manifest.yaml`` (real 自评表 / 申报表 found on
public web pages, plus the repository's samples), runs the review with default settings and
compares with the labels (see the manifest's header for the fields). Prints one line per
table and three figures:

- tables read exactly: indicator rows, Σ 分值 (budget line included) and Σ 自评分 as labelled;
  "accounted" also counts a table whose rows not read each got an unreadable-row finding (A31);
- recall: labelled errors with a catalogue code found by a finding of that code at that place
  (labels without a code yet are counted apart);
- precision: findings that are true and first for their label, over all findings except those
  whose code the label lists as ``also_ok`` and the unreadable-row findings (A31, A33: counted
  by "accounted"). A finding is noise when it is false (matches no
  label), duplicated (a second finding for the same label), below tolerance (its expected and
  reported numbers differ by no more than the default tolerance) or a reader note left among the
  findings. Reader notes marked as such (``reader_note``: 读取说明, kept out of the client report)
  are counted apart; the precision with them counted as noise is printed too.

The labels describe what the table really contains, not what the reader reads today.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.core.vocab import DEFAULT_TOLERANCES  # noqa: E402
from jixiao.read.files import load_evaluation  # noqa: E402
from jixiao.review.catalogue import reader_note_codes  # noqa: E402
from jixiao.review.review import review  # noqa: E402

MANIFEST = ROOT / "tests" / "data" / "corpus" / "manifest.yaml"
#: Reader notes (读取说明): how the table was read, marked ``reader_note`` in the findings table.
READER_NOTES = reader_note_codes()
#: Findings that say a row could not be read: measured by "accounted", neither true nor noise here.
UNREADABLE = {"A31", "A33"}
#: Codes whose expected/reported are numbers compared with a tolerance, and that tolerance.
NUMERIC_TOLERANCE = {
    "A06": DEFAULT_TOLERANCES.score,
    "A20": DEFAULT_TOLERANCES.score,
    "A21": DEFAULT_TOLERANCES.score,
    "A14": DEFAULT_TOLERANCES.score,
    "A10": DEFAULT_TOLERANCES.rate,
    "A15": DEFAULT_TOLERANCES.rate,
    "A13": DEFAULT_TOLERANCES.money,
}
_EPS = 1e-6
#: Row names that are never indicators: totals, conclusions, template placeholders (`指标2：`, `……`, `/`).
NON_ROW = re.compile(r"^(合计|总分|自评得分|评价结论|存在问题|改进措施|结论)|^指标\d+[:：]\s*[/／]?$|^[…．.、/／—-]+$")


@dataclass
class TableResult:
    """How one labelled table was read and reviewed."""

    id: str
    province: str
    kind: str
    status: str  # "read" or "refused"
    message: str = ""
    rows: int | None = None
    weight: float | None = None  # Σ 分值 of the indicators + scored budget line(s)
    score: float | None = None  # Σ 自评分 of the indicators + budget 得分
    true_rows: int = 0
    true_weight: float | None = None
    true_score: float | None = None
    unreadable: int = 0  # A31 findings
    non_rows: int = 0  # rows read as indicators that are totals, conclusions or placeholders
    exact: bool = False
    accounted: bool = False
    labels_coded: int = 0
    labels_found: int = 0
    labels_uncoded: int = 0
    findings: int = 0
    true_findings: int = 0
    neutral: int = 0
    unread_findings: int = 0  # A31/A33: rows or budget lines reported as not read
    marked_notes: int = 0  # reader notes marked as such (reader_note): not findings
    noise: dict[str, int] = field(
        default_factory=lambda: {"false": 0, "duplicate": 0, "below_tolerance": 0, "reader_note": 0}
    )
    missed: list[str] = field(default_factory=list)
    noise_findings: list[str] = field(default_factory=list)  # "kind code where: message" per noise finding
    complete: bool = True  # false: the stored copy is cut off (manifest ``complete``)
    cut_off_sums: int = 0  # noise findings that are sum checks on a cut-off copy (its missing rows)


def load_manifest(path: Path = MANIFEST) -> list[dict]:
    """The manifest's tables (dicts as written)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["tables"]


def _sum(values) -> float | None:
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(vals) if vals else None


def _total(part: float | None, extra: float | None) -> float | None:
    if part is None and extra is None:
        return None
    return (part or 0.0) + (extra or 0.0)


def _same(read: float | None, true: float | None) -> bool:
    if true is None:
        return read is None or abs(read) < _EPS
    return read is not None and abs(read - true) <= 0.01 + _EPS


def _codes(label: dict) -> list[str]:
    code = label.get("code")
    if code is None:
        return []
    return [code] if isinstance(code, str) else list(code)


def _places(label: dict) -> list[str]:
    at = label.get("at")
    if at is None:
        return []
    return [at] if isinstance(at, str) else list(at)


def _matches(finding: dict, label: dict) -> bool:
    if finding["code"] not in _codes(label):
        return False
    places = _places(label)
    if not places and finding.get("scope") == "indicator":
        return False  # a label on the whole table is met by a finding on the table, not on one indicator
    text = f"{finding.get('where', '')} {finding.get('message', '')}"
    return not places or any(p in text for p in places)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _below_tolerance(finding: dict) -> bool:
    tol = NUMERIC_TOLERANCE.get(finding["code"])
    if tol is None:
        return False
    exp, rep = _NUMBER.search(str(finding.get("expected", ""))), _NUMBER.search(str(finding.get("reported", "")))
    if not exp or not rep:
        return False
    return abs(float(exp.group()) - float(rep.group())) <= tol + _EPS


def measure_table(entry: dict, root: Path = ROOT) -> TableResult:
    """Read, review and score one manifest entry against its labels."""
    truth = entry["truth"]
    res = TableResult(
        id=entry["id"],
        province=str(entry.get("province", "")),
        kind=entry.get("kind", ""),
        status="read",
        true_rows=int(truth["rows"]),
        true_weight=_total(truth.get("weight_sum"), truth.get("budget_weight") or None),
        true_score=_total(truth.get("score_sum"), truth.get("budget_score")),
        complete=bool(entry.get("complete", True)),
    )
    labels = entry.get("errors") or []
    coded = [lb for lb in labels if _codes(lb)]
    res.labels_coded, res.labels_uncoded = len(coded), len(labels) - len(coded)
    try:
        evaluation = load_evaluation(root / entry["file"])
    except Exception as exc:  # noqa: BLE001 - a refusal is a result here
        res.status, res.message = "refused", str(exc).splitlines()[0][:120]
        res.missed = [f"{lb['code']}@{lb.get('at', '全表')}" for lb in coded]
        return res
    ind, budget = evaluation.indicators, evaluation.budget
    res.rows = len(ind)
    budget_w = _sum(budget["weight"]) if "weight" in budget else None
    budget_s = _sum(budget["reported_score"]) if "reported_score" in budget and budget_w else None
    res.weight = _total(_sum(ind["weight"]), budget_w)
    res.score = _total(_sum(ind["self_score"]), budget_s)
    findings = review(evaluation).to_dict("records")
    res.findings = len(findings)
    res.unreadable = sum(1 for f in findings if f["code"] == "A31")
    res.non_rows = sum(1 for name in ind["name"].astype(str) if NON_ROW.search(name.strip()))
    res.exact = (
        res.non_rows == 0
        and res.rows == res.true_rows
        and _same(res.weight, res.true_weight)
        and _same(res.score, res.true_score)
    )
    res.accounted = res.exact or (
        res.non_rows == 0 and res.rows <= res.true_rows and res.rows + res.unreadable >= res.true_rows
    )
    _classify(res, findings, coded, set(entry.get("also_ok") or []))
    return res


#: Sum checks whose sums lack the rows a cut-off copy lost (counted apart, still counted as noise).
SUM_CODES = {"A01", "A02", "A03", "A06"}


def _noise(res: TableResult, kind: str, finding: dict) -> None:
    res.noise[kind] += 1
    if not res.complete and finding["code"] in SUM_CODES:
        res.cut_off_sums += 1
    where = str(finding.get("where", "") or "全表")
    res.noise_findings.append(f"{kind:15s} {finding['code']} {where}: {str(finding.get('message', ''))[:160]}")


def _classify(res: TableResult, findings: list[dict], coded: list[dict], also_ok: set[str]) -> None:
    hit: set[int] = set()
    for f in findings:
        if f["code"] in UNREADABLE:
            res.unread_findings += 1
            continue
        if f.get("reader_note"):
            res.marked_notes += 1
            continue
        if f["code"] in READER_NOTES:  # a reader note among the findings, unmarked
            _noise(res, "reader_note", f)
            continue
        if _below_tolerance(f):
            _noise(res, "below_tolerance", f)
            continue
        fresh = next((i for i, lb in enumerate(coded) if i not in hit and _matches(f, lb)), None)
        if fresh is not None:
            hit.add(fresh)
            res.true_findings += 1
        elif any(_matches(f, lb) for lb in coded):
            _noise(res, "duplicate", f)
        elif f["code"] in also_ok:
            res.neutral += 1
        else:
            _noise(res, "false", f)
    res.labels_found = len(hit)
    res.missed = [f"{lb['code']}@{lb.get('at', '全表')}" for i, lb in enumerate(coded) if i not in hit]


def summarize(results: list[TableResult]) -> dict:
    """The corpus figures: tables read exactly / accounted, recall and precision."""
    coded = sum(r.labels_coded for r in results)
    found = sum(r.labels_found for r in results)
    uncoded = sum(r.labels_uncoded for r in results)
    noise = {k: sum(r.noise[k] for r in results) for k in ("false", "duplicate", "below_tolerance", "reader_note")}
    true = sum(r.true_findings for r in results)
    judged = true + sum(noise.values())
    return {
        "tables": len(results),
        "provinces": len({r.province for r in results}),
        "refused": sum(r.status == "refused" for r in results),
        "read_exactly": sum(r.exact for r in results),
        "accounted": sum(r.accounted for r in results),
        "labels_coded": coded,
        "labels_found": found,
        "labels_uncoded": uncoded,
        "recall": found / coded if coded else None,
        "recall_all_labels": found / (coded + uncoded) if coded + uncoded else None,
        "findings": sum(r.findings for r in results),
        "true_findings": true,
        "neutral_findings": sum(r.neutral for r in results),
        "unreadable_findings": sum(r.unread_findings for r in results),
        "marked_reader_notes": sum(r.marked_notes for r in results),
        "noise": noise,
        "noise_cut_off_sums": sum(r.cut_off_sums for r in results),
        "precision": true / judged if judged else None,
        "precision_notes_as_noise": true / (judged + sum(r.marked_notes for r in results)) if judged else None,
    }


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def _line(r: TableResult) -> str:
    if r.status == "refused":
        return f"{r.id:42s} {r.province:4s} REFUSED  {r.message}"
    mark = "exact" if r.exact else ("accounted" if r.accounted else "WRONG")
    noise = sum(r.noise.values())
    return (
        f"{r.id:42s} {r.province:4s} {mark:9s} rows {r.rows}/{r.true_rows} (A31 {r.unreadable}, non-rows {r.non_rows})  "
        f"Σw {_fmt(r.weight)}/{_fmt(r.true_weight)}  Σs {_fmt(r.score)}/{_fmt(r.true_score)}  "
        f"labels {r.labels_found}/{r.labels_coded} (+{r.labels_uncoded} uncoded)  "
        f"findings {r.findings}: true {r.true_findings}, noise {noise}, neutral {r.neutral}"
    )


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--json", action="store_true", help="print per-table results and totals as JSON")
    parser.add_argument("--missed", action="store_true", help="list the labels not found per table")
    parser.add_argument("--noise", action="store_true", help="list each noise finding per table (kind, code, where)")
    args = parser.parse_args(argv)
    results = [measure_table(e) for e in load_manifest(args.manifest)]
    totals = summarize(results)
    if args.json:
        print(json.dumps({"tables": [asdict(r) for r in results], "totals": totals}, ensure_ascii=False, indent=1))
        return 0
    for r in results:
        print(_line(r))
        if args.missed and r.missed:
            print("    missed: " + ", ".join(r.missed))
        if args.noise:
            for line in r.noise_findings:
                print("    noise: " + line)
    t = totals
    print()
    print(f"tables: {t['tables']} from {t['provinces']} provinces; refused {t['refused']}")
    print(
        f"read exactly (rows, Σ weight, Σ score): {t['read_exactly']}/{t['tables']}; "
        f"exactly or with an unreadable-row finding per row not read: {t['accounted']}/{t['tables']}"
    )
    print(
        f"recall of labelled errors: {t['labels_found']}/{t['labels_coded']} = {_pct(t['recall'])} "
        f"(with the {t['labels_uncoded']} labels that have no code yet: {_pct(t['recall_all_labels'])})"
    )
    n = t["noise"]
    print(
        f"precision of findings: {t['true_findings']}/{t['true_findings'] + sum(n.values())} = {_pct(t['precision'])} "
        f"(noise: false {n['false']}, duplicated {n['duplicate']}, below tolerance {n['below_tolerance']}, "
        f"reader notes {n['reader_note']}; not counted: {t['neutral_findings']} optional, "
        f"{t['unreadable_findings']} unreadable-row findings and {t['marked_reader_notes']} marked reader notes)"
    )
    print(f"precision counting the marked reader notes as noise too: {_pct(t['precision_notes_as_noise'])}")
    print(
        f"of the noise, {t['noise_cut_off_sums']} are sum checks (A01/A02/A03/A06) on copies cut off before the "
        f"table's end (complete: false), whose sums lack the rows not transcribed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
