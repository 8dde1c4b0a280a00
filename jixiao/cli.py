"""Command line: ``jixiao init | add | list | run | lab | score | check | rules | catalogue | template`` (click).

Messages are Chinese. Broken inputs exit with status 2 and a one-line message that
names the file (never a traceback); findings are results and exit 0. Project commands
(``add``, ``list``, ``run``) find the project by walking up from the working directory to
the nearest ``jixiao.toml``; ``--project DIR`` names it.
"""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import sys
from pathlib import Path

import click

from jixiao.core.errors import InputFileError, JixiaoError
from jixiao.run.forkserver import DEFAULT_WARMUP, expand_warmup, prelaunch

__all__ = ["main", "entry"]

_CONTEXT = {"help_option_names": ["-h", "--help"]}


#: Control characters (BEL, ESC of terminal escape sequences, C1 …) from input files never reach the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _echo(text: str, err: bool = False) -> None:
    click.echo(_CONTROL.sub("", str(text)), err=err)


def _fail(err: Exception) -> None:
    _echo(f"错误：{err}", err=True)
    sys.exit(2)


def _dump(doc: dict) -> None:
    _echo(json.dumps(doc, ensure_ascii=False, indent=2))


@click.group(context_settings=_CONTEXT)
@click.version_option(package_name="jixiao", message="jixiao %(version)s")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="评价项目目录（含 jixiao.toml）；默认从当前目录向上查找。",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """jixiao（绩效）：预算绩效自评表的计分、复核与评价报告。"""
    ctx.obj = {"project_dir": project_dir}


def _project(ctx: click.Context):
    """The project of this command (``--project`` or found upwards); exit 2 with one Chinese line if none."""
    from jixiao.run.project import find_project, load_project

    folder = ctx.obj.get("project_dir") if ctx.obj else None
    try:
        return load_project(folder) if folder else find_project()
    except JixiaoError as err:
        _fail(err)


def entry() -> None:
    """The ``jixiao`` program: :func:`main`, then the usual interpreter exit without its last garbage collection.

    At exit Python looks through every object of the run (fonts, glyph tables, a few hundred
    modules) for reference cycles: about 0.6 s after the summary was printed. ``gc.freeze()``
    takes them out of the collector's sight first; the rest of the exit is as usual (other
    threads joined, ``atexit`` handlers, modules released). In-process callers (tests,
    notebooks) use :func:`main`.
    """
    try:
        main()
    finally:
        gc.freeze()


@main.command(context_settings=_CONTEXT)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--samples", is_flag=True, help="同时加入三个示例单位。")
@click.option("--name", default="", help="项目名称（默认取目录名）。")
def init(folder: Path, samples: bool, name: str) -> None:
    """新建评价项目：jixiao.toml、inputs/、params/、outputs/、notebooks/。"""
    from jixiao.run.scaffold import init_project

    try:
        project = init_project(folder, samples=samples, name=name)
    except JixiaoError as err:
        _fail(err)
    _echo(f"已建立评价项目：{project.root}")
    if samples:
        _echo("已加入示例单位：" + "、".join(p.stem for p in sorted(project.params_dir.glob("*.yaml"))))
    _echo(f"下一步：cd {project.root}，编辑 jixiao.toml（评价机构、委托方、年度），然后 jixiao add <文件>。")


@main.command(context_settings=_CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--id", "unit_id", default="", help="单位编号（默认由单位名称和年度生成）。")
@click.option("--link", is_flag=True, help="在 inputs/ 中建立链接而不复制文件。")
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...], unit_id: str, link: bool) -> None:
    """登记一个单位的材料（自评表、申报表、自评报告），生成 params/<编号>.yaml。"""
    from jixiao.core.vocab import INPUT_KINDS
    from jixiao.run.scaffold import add_inputs

    project = _project(ctx)
    try:
        target, found = add_inputs(project, list(files), unit_id=unit_id, link=link)
    except JixiaoError as err:
        _fail(err)
    for d in found:
        year = f"{d.year} 年度" if d.year else "年度未识别"
        _echo(
            f"{d.path.name}：{INPUT_KINDS[d.kind]}，单位「{d.unit_name or '未识别'}」，{year}"
            + "".join(f"；{n}" for n in d.notes)
        )
    _echo(f"已写入 {target.relative_to(project.root)}。请核对单位名称和年度，然后运行 jixiao run {target.stem}。")


@main.command(context_settings=_CONTEXT)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（docs/JSON.md）。")
@click.option("--scheme", default="table", show_default=True, help="权重方案：table（表内权重）或 caiyu_2020_10。")
def score(file: Path, as_json: bool, scheme: str) -> None:
    """逐项计分：打印指标表、一级指标得分、总分与等级。"""
    from jixiao.report.text import format_report_only, format_score
    from jixiao.run.evaluate import score_file

    try:
        unit = score_file(file, scheme=scheme)
    except JixiaoError as err:
        report = _report_only(file, err)
        if report is None or as_json:
            _fail(err)
        _echo(format_report_only(report, file))
        return
    if as_json:
        _dump(unit.payload())
    else:
        _echo(format_score(unit))


def _report_only(file: Path, err: JixiaoError):
    """The self-evaluation report ``file`` is, when it has no indicator table (else None)."""
    from jixiao.read.narrative_report import REPORT_SUFFIXES, read_report

    if not isinstance(err, InputFileError) or file.suffix.lower() not in REPORT_SUFFIXES:
        return None
    try:
        return read_report(file)
    except JixiaoError:
        return None


def _check_settings():
    """Review settings with the tolerances of the project around the working directory, if any."""
    from jixiao.review.review import ReviewSettings
    from jixiao.run.project import ProjectNotFoundError, find_project

    try:
        return ReviewSettings.from_tolerances(find_project().settings.tolerances)
    except ProjectNotFoundError:
        return None


@main.command(context_settings=_CONTEXT)
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--declaration", type=click.Path(path_type=Path), help="同年度的绩效目标申报表。")
@click.option("--report", "report_file", type=click.Path(path_type=Path), help="单位的自评报告（文本）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（docs/JSON.md）。")
def check(file: Path | None, declaration: Path | None, report_file: Path | None, as_json: bool) -> None:
    """复核：列出自评表（及申报表、自评报告）中的问题，按严重程度分组。

    无论发现多少问题都以 0 退出；只有输入无法读取时以 2 退出。
    """
    from jixiao.read.files import load_evaluation
    from jixiao.report.payload import findings_payload
    from jixiao.report.text import format_findings
    from jixiao.review.review import review

    if file is None and report_file is None:
        raise click.UsageError("请给出自评表文件，或用 --report 指定自评报告。")
    try:
        evaluation = load_evaluation(file) if file is not None else None
        decl = load_evaluation(declaration) if declaration is not None else None
        report = None
        if report_file is not None:
            from jixiao.read.narrative_report import read_report

            report = read_report(report_file)
        findings = review(evaluation, declaration=decl, report=report, settings=_check_settings())
    except JixiaoError as err:
        _fail(err)
    inputs = {k: str(v) for k, v in (("file", file), ("declaration", declaration), ("report", report_file)) if v}
    if as_json:
        _dump(findings_payload(findings, inputs=inputs))
    else:
        kind = (
            "report" if evaluation is None else "declaration" if evaluation.unit.table_type == "declaration" else "self"
        )
        _echo(format_findings(findings, kind))


@main.command(context_settings=_CONTEXT)
@click.argument("units", nargs=-1)
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="并行运行的单位数。")
@click.option("--force", is_flag=True, help="即使输入未变也重新运行。")
@click.option("--no-progress", is_flag=True, help="不显示进度条。")
@click.option(
    "--scheduler",
    default=None,
    metavar="地址",
    help="在 Dask 集群上运行：调度器地址（如 tcp://10.0.0.5:8786），或 local:N 在本机启动 N 个工作进程。需安装 jixiao[dask]。",
)
@click.pass_context
def run(
    ctx: click.Context, units: tuple[str, ...], jobs: int, force: bool, no_progress: bool, scheduler: str | None
) -> None:
    """运行单位评价 notebook，生成 HTML、result.json 和汇总页 outputs/index.html。"""
    # jsonschema imports rfc3987_syntax, when installed, for its "iri" format checker: ~1.2 s of
    # CPU building a grammar. The runner validates without format checks; skip it in this process.
    sys.modules.setdefault("rfc3987_syntax", None)
    # The kernels' template process imports while this process does (with --scheduler: for the
    # portfolio page, and for the units too on local:N, whose workers are threads of this process).
    prelaunch(expand_warmup(DEFAULT_WARMUP), os.getcwd())
    from jixiao.run.runner import run_units

    project = _project(ctx)
    try:
        summary = run_units(
            list(units) or None,
            project=project,
            jobs=jobs,
            force=force,
            progress=not no_progress,
            scheduler=scheduler,
        )
    except JixiaoError as err:
        _fail(err)
    except KeyboardInterrupt:  # before the units started (Ctrl-C while they run gives a summary)
        _echo("已中断（Ctrl-C），没有单位运行。", err=True)
        sys.exit(130)
    if summary.exit_code == 130:  # interrupted: a second Ctrl-C must not cut the summary short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _echo(summary.format())
    sys.exit(summary.exit_code)


@main.command(context_settings=_CONTEXT)
@click.argument("notebook", default="explore.py")
@click.option("--port", type=int, default=None, help="端口（默认由 JupyterLab 选择）。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@click.pass_context
def lab(ctx: click.Context, notebook: str, port: int | None, no_browser: bool) -> None:
    """在项目目录启动 JupyterLab，并以 notebook 方式打开 notebooks/ 中的交互复核（默认 explore.py）。"""
    import subprocess

    from jixiao.run.lab import lab_command, lab_environment, notebook_exists, stamp_notebook_file

    project = _project(ctx)
    path = notebook_exists(project, notebook)
    if path is None:
        _fail(JixiaoError(f"项目的 notebooks/ 中没有「{notebook}」。"))
    if stamp_notebook_file(path):
        _echo(f"已在「{path.name}」的文件头记录当前 Python 内核信息（打开后不再显示为未保存）。")
    _echo(f"正在启动 JupyterLab：{project.root}（按 Ctrl+C 停止）")
    sys.exit(subprocess.call(lab_command(project, notebook, port, not no_browser), env=lab_environment()))


@main.command("list", context_settings=_CONTEXT)
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """列出项目的单位：编号、名称、年度、输入材料、最近一次运行的状态。"""
    from jixiao.report.terminal import format_table
    from jixiao.run.status import unit_statuses

    project = _project(ctx)
    rows = unit_statuses(project)
    if not rows:
        _echo(f"项目「{project.root}」中还没有单位。用 jixiao add <文件> 登记单位的材料。")
        return
    headers = ["单位编号", "名称", "年度", "输入材料", "最近运行", "状态"]
    _echo(
        format_table(
            headers,
            [[r[k] for k in ("unit", "name", "year", "inputs", "last_run", "status")] for r in rows],
            max_width=40,
        )
    )


@main.command(context_settings=_CONTEXT)
def rules() -> None:
    """列出计分规则。"""
    from jixiao.report.terminal import format_table
    from jixiao.score.rules.registry import list_rules

    table = list_rules()
    _echo(
        format_table(["规则", "名称", "说明"], table[["rule_id", "label", "description"]].values.tolist(), max_width=60)
    )


@main.command(context_settings=_CONTEXT)
def catalogue() -> None:
    """列出复核发现的代码目录（代码、严重程度、含义、修改建议）。"""
    from jixiao.review.review import catalogue_markdown

    _echo(catalogue_markdown())


@main.command(context_settings=_CONTEXT)
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--declaration", is_flag=True, help="绩效目标申报表模板（默认为绩效自评表模板）。")
def template(out: Path, declaration: bool) -> None:
    """写出发给单位填报的 Excel 模板（填写说明、下拉列表、预算执行、锁定的表头）。"""
    from jixiao.run.atomic import atomic_write_bytes
    from jixiao.run.unit_template import template_workbook

    if out.suffix.lower() != ".xlsx":
        _fail(JixiaoError(f"模板文件名应以 .xlsx 结尾：「{out}」"))
    try:
        atomic_write_bytes(out, template_workbook(declaration=declaration))
    except OSError as err:
        _fail(JixiaoError(f"无法写入「{out}」：{err.strerror or err}"))
    _echo(f"已写出{'绩效目标申报表' if declaration else '绩效自评表'}模板：{out}")


if __name__ == "__main__":  # pragma: no cover
    main()
