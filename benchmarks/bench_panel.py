"""Benchmark: how fast the review panel opens and answers an edit, per sample unit.

Prints, per unit, the very first (cold) open and the median over ``--repeat`` runs of: the first open (params and inputs
read, scored, reviewed, chart drawn; evaluation cache cleared), a re-open (cache warm), and
for scored units one edit round trip (apply click → total, grade, table and chart redrawn)
and a save (on a copy of the params in a temporary folder). The import of the widget
module (pandas, matplotlib, ipywidgets) is timed once, separately: a notebook pays it once.

Usage::

    .venv/bin/python benchmarks/bench_panel.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    from jixiao.interactive.session import clear_cache
    from jixiao.interactive.widgets import review_panel
    from jixiao.run.params import list_units

    print(f"import jixiao.interactive.widgets: {time.perf_counter() - start:.3f} s (once per kernel)")
    units = [p.stem for p in list_units(ROOT / "params")]
    print(
        f"{'unit':<28}{'cold open':>10}{'first open':>12}{'re-open':>10}{'edit':>8}{'save':>8}"
        f"   (seconds; cold = very first open in this process, others median of {args.repeat})"
    )
    worst = 0.0
    for unit in units:
        first, again, edit, save = [], [], [], []
        for _ in range(args.repeat):
            clear_cache()
            first.append(timed(lambda unit=unit: review_panel(unit)))
            again.append(timed(lambda unit=unit: review_panel(unit)))
            with tempfile.TemporaryDirectory() as tmp:
                text = (ROOT / "params" / f"{unit}.yaml").read_text(encoding="utf-8")
                text = text.replace("../samples/", f"{ROOT / 'samples'}/")
                (Path(tmp) / f"{unit}.yaml").write_text(text, encoding="utf-8")
                panel = review_panel(unit, params_dir=tmp)
                if panel.apply_button.disabled or not panel.indicator_select.options:
                    continue
                ident = panel.indicator_select.options[-1][1]
                panel.indicator_select.value = ident
                panel.score_input.value = "0"
                panel.reason_input.value = "基准测试"
                edit.append(timed(panel.apply_button.click))
                save.append(timed(panel.save_button.click))
        series = {"first": first, "again": again, "edit": edit, "save": save}
        med = {k: statistics.median(v) if v else None for k, v in series.items()}
        worst = max(worst, first[0], med["first"])
        cells = [f"{med[k]:.3f}" if med[k] is not None else "—" for k in ("first", "again", "edit", "save")]
        print(f"{unit:<28}{first[0]:>10.3f}{cells[0]:>12}{cells[1]:>10}{cells[2]:>8}{cells[3]:>8}")
    print(f"slowest first open: {worst:.3f} s ({'under' if worst < 1 else 'OVER'} the 1 s budget)")
    return 0 if worst < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
