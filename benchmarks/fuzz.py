"""Fuzz the readers, the value parser, the narrative-report reader and the params loader.

    python benchmarks/fuzz.py [--cases 10000] [--seed 0] [--limit 5]

Each case mutates a real input (the samples) or generates text, then runs the public
entry point on it: ``parse_value``; ``read_report``; ``load_evaluation`` → scoring →
review for CSV/TXT bytes, for xlsx archives with one XML part's bytes mutated and for
the tidy workbook with one cell replaced; ``load_params`` for mutated params YAML.
A case passes when it returns or raises a ``JixiaoError`` (a Chinese message); any
other exception is a crash, and a case running longer than ``--limit`` seconds is a
hang. Prints the counts, the slowest case and the peak memory (max RSS) of the process.

``tests/test_fuzz.py`` runs a few of these cases in CI (and hypothesis-driven ones).
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.core.errors import JixiaoError  # noqa: E402
from jixiao.parse.values import parse_value  # noqa: E402
from jixiao.read.files import load_evaluation  # noqa: E402
from jixiao.read.narrative_report import read_report  # noqa: E402
from jixiao.review.review import review  # noqa: E402
from jixiao.run.evaluate import score_evaluation  # noqa: E402
from jixiao.run.params import load_params  # noqa: E402

SAMPLES = ROOT / "samples"
TIDY_CSV = SAMPLES / "template_tidy.csv"
XLSX = SAMPLES / "xinhong_2023_self_evaluation.xlsx"
TIDY_XLSX = SAMPLES / "template_tidy.xlsx"
REPORT = SAMPLES / "hongqiao_2024_report.txt"

#: Pieces that hostile or careless inputs are made of.
ATOMS = [
    "9" * 30,
    "1,000",
    "1.5",
    "-3",
    "1e308",
    "1e999",
    "inf",
    "nan",
    "%",
    "％",
    "‰",
    "≥",
    "≤",
    ">=",
    "=",
    "≈",
    "不低于",
    "达到",
    "万元",
    "人次",
    "个",
    "（",
    "）",
    "(",
    ")",
    "；",
    "，",
    "、",
    "。",
    ":",
    "：",
    "\t",
    "\r",
    "\n",
    "\r\n",
    '"',
    "'",
    "“",
    "”",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\ufeff",
    "\u200b",
    "年",
    "月",
    "日",
    "12:30",
    "2023年",
    "第一季度",
    "满意度",
    "指标",
    "数量指标包括",
    "质量指标包括",
    " ",
    "  " * 20,
    "&a",
    "*a",
    "[",
    "]",
    "{",
    "}",
    "<script>",
    "javascript:",
    "../",
    "长" * 300,
    "１２３",
    "一百",
    "零",
    "=SUM(A1:B2)",
    "#REF!",
]


def _text(rng: random.Random, n: int = 40) -> str:
    return "".join(rng.choice(ATOMS) if rng.random() < 0.6 else chr(rng.randint(32, 0x9FFF)) for _ in range(n))


def _mutate(rng: random.Random, data: bytes, n: int = 8) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, n)):
        op = rng.random()
        pos = rng.randrange(len(buf) + 1)
        if op < 0.3 and buf:
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
        elif op < 0.5:
            del buf[pos : pos + rng.randint(1, 50)]
        elif op < 0.8:
            buf[pos:pos] = rng.choice(ATOMS).encode("utf-8")
        elif op < 0.9:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
        else:
            buf = buf[:pos]
    return bytes(buf)


def _pipeline(path: Path) -> None:
    evaluation = load_evaluation(path)
    score_evaluation(evaluation)
    review(evaluation)


def case_value(rng: random.Random, work: Path) -> None:
    parse_value(_text(rng, rng.randint(1, 60)), year=2023)


def case_narrative(rng: random.Random, work: Path) -> None:
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    for _ in range(rng.randint(1, 6)):
        k = rng.randrange(len(lines))
        lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)] + _text(rng, rng.randint(1, 30)) + lines[k]
    path = work / "report.txt"
    path.write_text("\n".join(lines), encoding="utf-8", errors="replace")
    read_report(path)


def case_csv(rng: random.Random, work: Path) -> None:
    path = work / rng.choice(["t.csv", "t.txt", "t.tsv"])
    source = TIDY_CSV if path.suffix == ".csv" else SAMPLES / "xinhong_2023_self_evaluation.txt"
    data = source.read_bytes()
    if rng.random() < 0.2:
        data = data.decode("utf-8-sig").encode(rng.choice(["utf-16", "gb18030", "utf-16-be"]))
    path.write_bytes(_mutate(rng, data))
    _pipeline(path)


def case_xlsx_xml(rng: random.Random, work: Path) -> None:
    src = zipfile.ZipFile(rng.choice([XLSX, TIDY_XLSX]))
    names = src.namelist()
    target = rng.choice([n for n in names if n.endswith((".xml", ".rels"))])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            data = src.read(name)
            out.writestr(name, _mutate(rng, data, 4) if name == target else data)
    path = work / "t.xlsx"
    path.write_bytes(_mutate(rng, buf.getvalue(), 1) if rng.random() < 0.1 else buf.getvalue())
    _pipeline(path)


def case_cell(rng: random.Random, work: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(TIDY_XLSX)
    ws = wb.worksheets[0]
    for _ in range(rng.randint(1, 4)):
        r, c = rng.randint(1, ws.max_row), rng.randint(1, ws.max_column)
        choice = rng.random()
        if choice < 0.4:
            value: object = _text(rng, rng.randint(0, 20)) or None
        elif choice < 0.8:
            value = rng.choice([0, -1, 1e308, -1e308, 1e-300, 100, 101, 5000, 0.5, 1e15])
        else:
            value = None
        try:
            ws.cell(r, c, value)
        except Exception:  # noqa: BLE001 - openpyxl refuses control characters in cells
            ws.cell(r, c, "x")
    path = work / "cell.xlsx"
    wb.save(path)
    _pipeline(path)


PARAMS = """unit_id: u
display_name: 测试单位
year: 2023
inputs:
  self_evaluation: t.csv
weight_scheme: table
tolerances:
  score: 0.1
overrides:
  道路保洁面积:
    score: 8
    reason: 复核调整
"""


def case_params(rng: random.Random, work: Path) -> None:
    shutil.copy(TIDY_CSV, work / "t.csv")
    path = work / "u.yaml"
    path.write_bytes(_mutate(rng, PARAMS.encode("utf-8"), 6))
    load_params(path)


CASES: dict[str, Callable[[random.Random, Path], None]] = {
    "value": case_value,
    "narrative": case_narrative,
    "csv": case_csv,
    "xlsx_xml": case_xlsx_xml,
    "cell": case_cell,
    "params": case_params,
}


class _Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise _Hang


def run(cases: int, seed: int, limit: float) -> dict:
    """Run ``cases`` cases round-robin over the kinds; return counts, crashes and the slowest case."""
    work = Path(tempfile.mkdtemp(prefix="jixiao-fuzz-"))
    counts: Counter = Counter()
    crashes: list[str] = []
    slowest = (0.0, "")
    kinds = list(CASES)
    use_alarm = hasattr(signal, "SIGALRM")
    if use_alarm:
        signal.signal(signal.SIGALRM, _alarm)
    try:
        for i in range(cases):
            kind = kinds[i % len(kinds)]
            rng = random.Random(f"{seed}-{i}")
            began = time.perf_counter()
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                CASES[kind](rng, work)
                counts["ok"] += 1
            except JixiaoError:
                counts["refused"] += 1
            except _Hang:
                counts["hang"] += 1
                crashes.append(f"{kind} seed {seed}-{i}: hang > {limit} s")
            except Exception:  # noqa: BLE001 - a crash is what we are looking for
                counts["crash"] += 1
                crashes.append(f"{kind} seed {seed}-{i}: {traceback.format_exc(limit=-3)}")
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - began
            if elapsed > slowest[0]:
                slowest = (elapsed, f"{kind} seed {seed}-{i}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"counts": counts, "crashes": crashes, "slowest": slowest, "peak_mb": peak_mb}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds per case before it counts as a hang")
    args = parser.parse_args()
    began = time.perf_counter()
    out = run(args.cases, args.seed, args.limit)
    counts = out["counts"]
    print(
        f"{args.cases} cases in {time.perf_counter() - began:.0f} s: ok {counts['ok']}, "
        f"refused with a message {counts['refused']}, crashes {counts['crash']}, hangs {counts['hang']}"
    )
    print(
        f"slowest case: {out['slowest'][0]:.2f} s ({out['slowest'][1]}); peak memory (max RSS): {out['peak_mb']:.0f} MB"
    )
    for line in out["crashes"][:20]:
        print("---", line)
    return 1 if out["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
