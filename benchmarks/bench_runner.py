"""Benchmark: ``jixiao run --jobs 2`` against the users' shell loop, on the same units.

The loop is what users ran before jixiao had a runner: per unit, ``papermill`` then
``jupyter nbconvert --to html --no-input``. Both produce, per unit, an executed
notebook (fresh kernel) and an HTML without code. The script makes N units (copies of
the sample params in ``params/``, pointing at the sample inputs) in a work folder,
times both in one run and prints the times, the ratio and the time spent inside the
notebooks (papermill's per-cell durations, summed per unit).

Usage::

    .venv/bin/python benchmarks/bench_runner.py [--units 20] [--jobs 2] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_units(work: Path, count: int, only: list[str] | None = None) -> Path:
    """``count`` params files cycling through the samples (or ``only`` those), inputs as absolute paths."""
    from ruamel.yaml import YAML

    from jixiao.run.params import list_units, load_params

    samples = [load_params(p) for p in list_units(ROOT / "params") if not only or p.stem in only]
    folder = work / "params"
    folder.mkdir(parents=True)
    yaml = YAML(typ="safe")
    yaml.allow_unicode = True
    for i in range(count):
        params = samples[i % len(samples)]
        data = params.to_dict()
        data["unit_id"] = f"bench-{i + 1:02d}-{params.unit_id}"
        data["inputs"] = {k: str(p) for k, p in params.inputs.items()}
        overrides = data["overrides"]
        data["overrides"] = {o.pop("indicator"): {k: v for k, v in o.items() if v is not None} for o in overrides}
        with open(folder / f"{data['unit_id']}.yaml", "w", encoding="utf-8") as handle:
            yaml.dump(data, handle)
    return folder


def shell_loop(work: Path, params: Path, template_ipynb: Path) -> tuple[float, int]:
    """The users' loop; returns (seconds, failures)."""
    out = work / "loop"
    out.mkdir()
    script = f"""
fail=0
for p in "{params}"/*.yaml; do
  u=$(basename "$p" .yaml)
  papermill "{template_ipynb}" "{out}/$u.ipynb" -p unit_id "$u" -p params_path "$p" \\
    --no-progress-bar --log-level ERROR || fail=$((fail+1))
  jupyter nbconvert --to html --no-input "{out}/$u.ipynb" --log-level ERROR || fail=$((fail+1))
done
exit $fail
"""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    began = time.perf_counter()
    proc = subprocess.run(["bash", "-c", script], env=env, cwd=work)
    return time.perf_counter() - began, proc.returncode


def jixiao_run(work: Path, params: Path, jobs: int, template: Path | None) -> tuple[float, int]:
    """``python -m jixiao run --jobs N`` in a fresh process; returns (seconds, exit status).

    With another template than the project's, the same ``run_units`` is called through the API.
    """
    command = [
        sys.executable,
        "-m",
        "jixiao",
        "run",
        "--jobs",
        str(jobs),
        "--force",
        "--no-progress",
        "--outputs",
        str(work / "outputs"),
        "--params-dir",
        str(params),
    ]
    if template is not None:
        code = (
            "import sys; from jixiao.run.runner import run_units; "
            f"s = run_units(None, jobs={jobs}, force=True, progress=False, outputs_dir={str(work / 'outputs')!r}, "
            f"params_dir={str(params)!r}, template={str(template)!r}); print(s.format()); sys.exit(s.exit_code)"
        )
        command = [sys.executable, "-c", code]
    began = time.perf_counter()
    proc = subprocess.run(command, cwd=work, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - began
    print(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "(no output)")
    return seconds, proc.returncode


def notebook_seconds(paths: list[Path]) -> list[float]:
    """Per notebook: the sum of papermill's cell durations."""
    times = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        times.append(sum(c["metadata"].get("papermill", {}).get("duration") or 0.0 for c in nb["cells"]))
    return times


def _executed(outputs: Path) -> list[Path]:
    return sorted(p for p in outputs.glob("*/*.ipynb") if ".failed." not in p.name)


def describe(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: 无数据"
    return f"{label}: 平均 {statistics.mean(values):.2f} 秒，中位数 {statistics.median(values):.2f} 秒，最长 {max(values):.2f} 秒"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--template", type=Path, default=None, help="another unit template (py:percent)")
    parser.add_argument("--only", nargs="*", default=None, help="sample units to copy (default: all)")
    parser.add_argument("--skip-loop", action="store_true", help="time jixiao run only")
    args = parser.parse_args()

    import jupytext

    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    try:
        params = make_units(work, args.units, args.only)
        template = work / "unit_report.ipynb"
        jupytext.write(jupytext.read(args.template or ROOT / "notebooks" / "unit_report.py"), template)
        print(f"{args.units} 个单位，工作目录 {work}，{os.cpu_count()} 核")

        fast, status = jixiao_run(work, params, args.jobs, args.template)
        print(f"jixiao run --jobs {args.jobs}：{fast:.1f} 秒（退出码 {status}）")
        if args.skip_loop:
            print(describe("每个单位在笔记本内的用时（jixiao run）", notebook_seconds(_executed(work / "outputs"))))
            return status
        slow, failures = shell_loop(work, params, template)
        print(f"papermill + nbconvert 循环：{slow:.1f} 秒（失败 {failures} 次）")
        print(f"加速比：{slow / fast:.2f} 倍（目标 ≥ 4 倍）")

        ours = notebook_seconds(_executed(work / "outputs"))
        theirs = notebook_seconds(sorted((work / "loop").glob("*.ipynb")))
        print(describe("每个单位在笔记本内的用时（jixiao run）", ours))
        print(describe("每个单位在笔记本内的用时（循环）", theirs))
        print(f"每个单位的总用时：jixiao run {fast / args.units:.2f} 秒，循环 {slow / args.units:.2f} 秒")
        return 0 if status == 0 and failures == 0 else 1
    finally:
        if args.keep:
            print(f"保留工作目录：{work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
