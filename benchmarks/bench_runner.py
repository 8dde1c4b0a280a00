"""Benchmark: ``jixiao run --jobs 2`` and ``--scheduler local:2`` against the users' shell loop, same units.

The loop is what users ran before jixiao had a runner: per unit, ``papermill`` then
``jupyter nbconvert --to html --no-input``. All produce, per unit, an executed notebook
(fresh kernel) and an HTML without code (jixiao run also the analyst HTML, the Word report,
the working papers and result.json). The script makes an engagement project with N units
(copies of the sample params, pointing at the sample inputs) in a work folder, times the
three in one run and prints the times, the ratios and the time spent inside the notebooks
(papermill's per-cell durations, summed per unit). ``--sizes 10,50,200`` then times
``--jobs 2`` on projects of those sizes: seconds per unit and the peak memory (sum of the
resident memory of the run's processes, sampled every 0.2 s; shared pages of forked
kernels are counted once per process, so this overstates).

The machine is shared: the load average before and after each measurement is printed;
compare numbers taken in the same run only.

Usage::

    .venv/bin/python benchmarks/bench_runner.py [--units 20] [--jobs 2] [--workers 2] [--repeat 3]
        [--sizes 10,50,200] [--skip-loop] [--skip-dask] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEMPLATE = ROOT / "jixiao" / "resources" / "notebooks" / "unit_report.py"


def make_project(work: Path, count: int, only: list[str] | None = None) -> Path:
    """A project in ``work``: the repository's jixiao.toml and ``count`` params files cycling through the samples."""
    from ruamel.yaml import YAML

    from jixiao.run.params import list_units, load_params, load_params_document

    work.mkdir(parents=True)
    toml = (ROOT / "jixiao.toml").read_text(encoding="utf-8")
    (work / "jixiao.toml").write_text(re.sub(r"(?ms)^\[paths\].*?(?=^\[)", "", toml), encoding="utf-8")
    samples = [p for p in list_units(ROOT / "params") if not only or p.stem in only]
    folder = work / "params"
    folder.mkdir()
    yaml = YAML(typ="rt")
    yaml.allow_unicode = True
    for i in range(count):
        source = samples[i % len(samples)]
        params = load_params(source)
        doc = load_params_document(source)
        doc["unit_id"] = f"bench-{i + 1:03d}-{params.unit_id}"
        for kind, path in params.inputs.items():
            doc["inputs"][kind] = str(path)
        with open(folder / f"{doc['unit_id']}.yaml", "w", encoding="utf-8") as handle:
            yaml.dump(doc, handle)
    return work


class PeakMemory:
    """Peak of the summed RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def jixiao_run(project: Path, outputs: Path, *options: str) -> tuple[float, int, int]:
    """``python -m jixiao --project P run --force ...`` in a fresh process; (seconds, exit status, peak bytes)."""
    command = [sys.executable, "-m", "jixiao", "--project", str(project), "run", "--force", "--no-progress", *options]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    shutil.rmtree(project / "outputs", ignore_errors=True)
    began = time.perf_counter()
    proc = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, text=True, env=env)
    memory = PeakMemory(proc.pid)
    out, _ = proc.communicate()
    seconds = time.perf_counter() - began
    peak = memory.stop()
    print("   ", out.strip().splitlines()[-1] if out.strip() else "(no output)")
    shutil.rmtree(outputs, ignore_errors=True)
    shutil.move(project / "outputs", outputs)
    return seconds, proc.returncode, peak


def shell_loop(project: Path, out: Path, template_ipynb: Path) -> tuple[float, int]:
    """The users' loop; returns (seconds, failures)."""
    out.mkdir()
    script = f"""
fail=0
for p in "{project}/params"/*.yaml; do
  u=$(basename "$p" .yaml)
  papermill "{template_ipynb}" "{out}/$u.ipynb" -p unit_id "$u" -p params_path "$p" -p project_dir "{project}" \\
    --no-progress-bar --log-level ERROR || fail=$((fail+1))
  jupyter nbconvert --to html --no-input "{out}/$u.ipynb" --log-level ERROR || fail=$((fail+1))
done
exit $fail
"""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONPATH=str(ROOT))
    began = time.perf_counter()
    proc = subprocess.run(["bash", "-c", script], env=env, cwd=project)
    return time.perf_counter() - began, proc.returncode


def notebook_seconds(paths: list[Path]) -> list[float]:
    """Per notebook: the sum of papermill's cell durations."""
    times = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        times.append(sum(c["metadata"].get("papermill", {}).get("duration") or 0.0 for c in nb["cells"]))
    return times


def executed(outputs: Path) -> list[Path]:
    return sorted(p for p in outputs.glob("*/*.ipynb") if ".failed." not in p.name)


def describe(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: 无数据"
    return (
        f"{label}: 中位数 {statistics.median(values):.2f} 秒，平均 {statistics.mean(values):.2f} 秒，"
        f"最长 {max(values):.2f} 秒（{len(values)} 个）"
    )


def load() -> str:
    return "负载 " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def compare(args: argparse.Namespace, work: Path) -> int:
    """The loop, ``--jobs N`` and ``--scheduler local:W`` on the same units.

    With ``--repeat R`` the two jixiao runs are timed R times, alternating (a run of ~20 s
    feels a few seconds of the machine's own slowdowns much more than the loop of minutes
    does); every time is printed and the ratios use the medians.
    """
    import jupytext

    project = make_project(work / "project", args.units, args.only)
    template = work / "unit_report.ipynb"
    jupytext.write(jupytext.read(TEMPLATE), template)
    print(f"== {args.units} 个单位，工作目录 {work}，{os.cpu_count()} 核，{load()}")
    status = 0
    spec = f"local:{args.workers}"
    times: dict[str, list[float]] = {"jobs": [], "dask": []}
    for _ in range(args.repeat):
        fast, code, peak = jixiao_run(project, work / "out-jobs", "--jobs", str(args.jobs))
        status |= code
        times["jobs"].append(fast)
        print(
            f"jixiao run --jobs {args.jobs}：{fast:.1f} 秒，{fast / args.units:.2f} 秒/单位"
            f"（退出码 {code}，峰值内存 {peak / 2**20:.0f} MB，{load()}）"
        )
        ours = notebook_seconds(executed(work / "out-jobs"))
        print(describe(f"笔记本内用时（--jobs {args.jobs}，目标中位数 ≤ 0.6 秒）", ours))
        if not args.skip_dask:
            dask, code, peak = jixiao_run(project, work / "out-dask", "--scheduler", spec)
            status |= code
            times["dask"].append(dask)
            print(
                f"jixiao run --scheduler {spec}：{dask:.1f} 秒，{dask / args.units:.2f} 秒/单位"
                f"（退出码 {code}，峰值内存 {peak / 2**20:.0f} MB，{load()}）"
            )
            print(describe(f"笔记本内用时（--scheduler {spec}）", notebook_seconds(executed(work / "out-dask"))))
    fast = statistics.median(times["jobs"])
    if args.repeat > 1:
        print(
            f"--jobs {args.jobs} 各次：" + " / ".join(f"{t:.1f}" for t in times["jobs"]) + f" 秒，中位数 {fast:.1f} 秒"
        )
    if not args.skip_dask:
        dask = statistics.median(times["dask"])
        if args.repeat > 1:
            print(
                f"--scheduler {spec} 各次："
                + " / ".join(f"{t:.1f}" for t in times["dask"])
                + f" 秒，中位数 {dask:.1f} 秒"
            )
        print(f"--scheduler {spec} ÷ --jobs {args.jobs}：{dask / fast:.2f} 倍（目标 ≤ 1.2）")
    if args.skip_loop:
        return status
    slow, failures = shell_loop(project, work / "loop", template)
    status |= failures
    print(f"papermill + nbconvert 循环：{slow:.1f} 秒，{slow / args.units:.2f} 秒/单位（失败 {failures} 次，{load()}）")
    print(f"循环 ÷ --jobs {args.jobs}：{slow / fast:.2f} 倍（目标 ≥ 10）")
    if not args.skip_dask:
        print(f"循环 ÷ --scheduler {spec}：{slow / dask:.2f} 倍")
    print(describe("笔记本内用时（循环）", notebook_seconds(sorted((work / "loop").glob("*.ipynb")))))
    return status


def scaling(args: argparse.Namespace, work: Path) -> int:
    """``--jobs N`` at each size: seconds per unit and peak memory."""
    status = 0
    rows = []
    for size in args.sizes:
        project = make_project(work / f"size-{size}", size, args.only)
        print(f"== {size} 个单位，--jobs {args.jobs}，{load()}")
        seconds, code, peak = jixiao_run(project, work / f"size-{size}-out", "--jobs", str(args.jobs))
        inside = notebook_seconds(executed(work / f"size-{size}-out"))
        status |= code
        rows.append((size, seconds, peak, statistics.median(inside) if inside else float("nan")))
        shutil.rmtree(work / f"size-{size}-out", ignore_errors=True)
    print("单位数  总用时(秒)  每单位(秒)  笔记本内中位数(秒)  峰值内存(MB)")
    for size, seconds, peak, inside in rows:
        print(f"{size:>6}  {seconds:>10.1f}  {seconds / size:>10.2f}  {inside:>18.2f}  {peak / 2**20:>12.0f}")
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="workers of --scheduler local:N")
    parser.add_argument(
        "--sizes", default="", help="comma-separated project sizes for the per-unit cost, e.g. 10,50,200"
    )
    parser.add_argument("--only", nargs="*", default=None, help="sample units to copy (default: all)")
    parser.add_argument("--skip-loop", action="store_true", help="do not time the papermill + nbconvert loop")
    parser.add_argument("--skip-dask", action="store_true", help="do not time --scheduler local:N")
    parser.add_argument("--skip-compare", action="store_true", help="only the --sizes runs")
    parser.add_argument("--repeat", type=int, default=1, help="time the jixiao runs this many times (medians)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    try:
        status = 0 if args.skip_compare else compare(args, work)
        if args.sizes:
            status |= scaling(args, work)
        return 1 if status else 0
    finally:
        if args.keep:
            print(f"保留工作目录：{work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
