"""Read and score many synthetic units: time per unit for reading and for scoring.

    python benchmarks/bench_scoring.py [--units 1000] [--indicators 60]

Writes N ``.xlsx`` tables of the tidy layout (60 indicators each, with a mix of
value kinds: percentages, counts with units, ≤ targets, deadlines, qualitative
words, approximations) into ``benchmarks/_work/``, then measures, in one run:

- baseline: ``pandas.read_excel`` of each file (what a hand-written script does);
- reading: ``jixiao.load_evaluation`` (header detection, shape alignment, notes);
- scoring: ``score_indicators`` + ``aggregate_scores`` on the loaded table;
- review: ``review`` (all checks) on the loaded table.

Prints milliseconds per unit and the ratios against the baseline.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.read.files import load_evaluation  # noqa: E402
from jixiao.review.review import review  # noqa: E402
from jixiao.score.aggregate import aggregate_scores  # noqa: E402
from jixiao.score.scoring import score_indicators  # noqa: E402

WORK = Path(__file__).resolve().parent / "_work" / "scoring"
HEADER = [
    "一级指标",
    "一级权重",
    "二级指标",
    "三级指标",
    "分值",
    "指标性质",
    "年度指标值",
    "计量单位",
    "全年完成值",
    "偏差及原因分析",
    "自评分",
]
LEVELS = [
    ("产出指标", 50, ["数量指标", "质量指标", "时效指标"]),
    ("效益指标", 30, ["社会效益指标"]),
    ("满意度指标", 20, ["服务对象满意度指标"]),
]


def _value(rng: random.Random, i: int) -> tuple[str, str, str, str]:
    kind = i % 6
    if kind == 0:
        t = rng.choice([90, 95, 98, 100])
        return "定量", f"≥{t}%", "%", f"{t - rng.choice([0, 0, 1.5, 4])}%"
    if kind == 1:
        t = rng.randint(5, 500)
        return "定量", str(t), "个", str(t - rng.choice([0, 0, 1, 3]))
    if kind == 2:
        t = rng.choice([2, 5, 8])
        return "定量", f"≤{t}%", "%", f"{t + rng.choice([0, 0, 1])}%"
    if kind == 3:
        return "定量", f"2024年{rng.randint(3, 11)}月", "", f"2024年{rng.randint(3, 12)}月"
    if kind == 4:
        return "定性", rng.choice(["建立健全", "规范", "有效"]), "", rng.choice(["建立健全", "基本规范", "有效"])
    t = rng.randint(100, 300)
    return "定量", f"约{t}平方米", "平方米", f"{t}平方米"


def make_units(n: int, per_unit: int, seed: int = 7) -> list[Path]:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    rng = random.Random(seed)
    paths = []
    for u in range(n):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "指标"
        ws.append(HEADER)
        i = 0
        for level1, w1, level2s in LEVELS:
            count = per_unit * w1 // 100
            for k in range(count):
                nature, target, unit, actual = _value(rng, i)
                weight = round(w1 / count, 2)
                ws.append(
                    [
                        level1,
                        w1,
                        level2s[k % len(level2s)],
                        f"指标{u}-{i}",
                        weight,
                        nature,
                        target,
                        unit,
                        actual,
                        "",
                        weight,
                    ]
                )
                i += 1
        path = WORK / f"unit_{u:04d}.xlsx"
        wb.save(path)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--indicators", type=int, default=60)
    args = ap.parse_args()
    t0 = time.perf_counter()
    paths = make_units(args.units, args.indicators)
    print(f"生成 {len(paths)} 个单位（每个 {args.indicators} 项指标）：{time.perf_counter() - t0:.1f} 秒")

    base, read, score, rev = [], [], [], []
    for p in paths:
        t = time.perf_counter()
        pd.read_excel(p, sheet_name=None)
        base.append(time.perf_counter() - t)
    for p in paths:
        t = time.perf_counter()
        ev = load_evaluation(p)
        read.append(time.perf_counter() - t)
        t = time.perf_counter()
        scored = score_indicators(ev.indicators, year=2024)
        aggregate_scores(scored, reported_total=ev.reported_total)
        score.append(time.perf_counter() - t)
        t = time.perf_counter()
        review(ev, scored=scored)
        rev.append(time.perf_counter() - t)
        assert len(ev.indicators) == args.indicators, (p, len(ev.indicators))

    def ms(xs):
        return statistics.mean(xs) * 1000

    b = ms(base)
    print(f"基线 pandas.read_excel：{b:.2f} ms/单位")
    print(f"读取 load_evaluation：  {ms(read):.2f} ms/单位（基线的 {ms(read) / b:.2f} 倍）")
    print(
        f"计分 score+aggregate：  {ms(score):.2f} ms/单位（基线的 {ms(score) / b:.2f} 倍；中位数 {statistics.median(score) * 1000:.2f} ms）"
    )
    print(f"复核 review：           {ms(rev):.2f} ms/单位（基线的 {ms(rev) / b:.2f} 倍）")


if __name__ == "__main__":
    main()
