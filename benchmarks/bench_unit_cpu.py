"""Benchmark: CPU seconds one unit costs, by process, on the sample units (robust on a shared machine).

Wall-clock times move with the other load on the machine; CPU time much less. For each
sample unit this runs the unit notebook the way ``jixiao run`` does (a kernel forked from
the template process, papermill's cell bookkeeping, the runner's HTML/Word/working-paper
step) and reports:

- ``kernel``: CPU of the kernel process from its fork to the end of the notebook (read in
  the kernel with ``time.process_time()``; a forked child starts at zero);
- ``runner (messages)``: CPU of the runner's event loop while the notebook executes;
- ``runner (files)``: CPU of turning the executed notebook into the unit's files;
- ``in-notebook``: papermill's cell durations, summed (wall);

each the minimum over ``--repeat`` runs (the least disturbed one). Compare two versions
of the code by running this with ``PYTHONPATH`` pointing at each, one right after the other.

Usage::

    .venv/bin/python benchmarks/bench_unit_cpu.py [--units xinhong-2023 hongqiao-2024 ...] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from jixiao.run.engine import DEFAULT_WARMUP, KernelFactory, expand_warmup, load_template
from jixiao.run.execution import notebook_seconds
from jixiao.run.htmlexport import HtmlRenderer, default_style
from jixiao.run.params import load_params
from jixiao.run.project import load_project
from jixiao.run.runner import UNIT_TEMPLATE
from jixiao.run.runrecord import now_iso, package_fingerprint, result_validator, sha256_file, versions
from jixiao.run.unitjob import execute_job, finish_job, make_job

ROOT = Path(__file__).resolve().parents[1]
_CPU_CODE = "import time as _jx_t; print(_jx_t.process_time())"


async def kernel_cpu(kernel) -> float:
    """``time.process_time()`` of the kernel process (its CPU since it was forked)."""
    msg_id = kernel.kc.execute(_CPU_CODE, store_history=False)
    while True:
        msg = await kernel.kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            return float(msg["content"]["text"])


async def measure(units: list[str], repeat: int, work: Path) -> dict[str, list[tuple[float, ...]]]:
    project = load_project(ROOT)
    template = load_template(UNIT_TEMPLATE)
    renderer = HtmlRenderer(default_style(), font_cache=work / "fonts")
    validator = result_validator()
    common = {"template_sha": sha256_file(UNIT_TEMPLATE), "package_sha": package_fingerprint(), "versions": versions()}
    factory = KernelFactory(cwd=str(ROOT), warmup=expand_warmup(DEFAULT_WARMUP), mode="fork")
    rows: dict[str, list[tuple[float, ...]]] = {u: [] for u in units}
    try:
        for _ in range(repeat):
            for unit in units:
                path = project.params_dir / f"{unit}.yaml"
                params = load_params(path, project.settings)
                job = make_job(
                    params,
                    path,
                    key="",
                    notebook_path=work / f"{unit}.ipynb",
                    root=ROOT,
                    project_dir=str(ROOT),
                    template=UNIT_TEMPLATE,
                    **common,
                )
                kernel = await factory.start()
                began = time.thread_time()
                nb = await execute_job(template, job, kernel, timeout=600)
                messages = time.thread_time() - began
                kernel_seconds = await kernel_cpu(kernel)
                await factory.shutdown(kernel)
                began = time.thread_time()
                product = finish_job(job, nb, renderer, validator, time.perf_counter(), now_iso())
                files = time.thread_time() - began
                if product.status != "ok":
                    raise SystemExit(f"{unit}: {product.error}")
                rows[unit].append((kernel_seconds, messages, files, notebook_seconds(nb)))
    finally:
        await factory.aclose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", nargs="*", default=["xinhong-2023", "hongqiao-2024", "xinhong-2024-declaration"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} 核，负载 " + " / ".join(f"{x:.1f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="jixiao-cpu-") as folder:
        rows = asyncio.run(measure(args.units, args.repeat, Path(folder)))
    print(
        "单位                        内核CPU  运行器CPU(消息)  运行器CPU(文件)  CPU合计  笔记本内(墙钟)   （秒，各取最小值）"
    )
    for unit, values in rows.items():
        kernel, messages, files, inside = (min(v[i] for v in values) for i in range(4))
        total = kernel + messages + files
        print(f"{unit:26s} {kernel:9.3f} {messages:15.3f} {files:15.3f} {total:8.3f} {inside:14.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
