"""Command line: ``jixiao score | check | run | list | rules | catalogue`` (click).

Messages are Chinese. Broken inputs exit with status 2 and a one-line message that
names the file (never a traceback); findings are results and exit 0.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import JixiaoError

__all__ = ["main"]

_CONTEXT = {"help_option_names": ["-h", "--help"]}


def _fail(err: Exception) -> None:
    click.echo(f"错误：{err}", err=True)
    sys.exit(2)


def _dump(doc: dict) -> None:
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@click.group(context_settings=_CONTEXT)
@click.version_option(package_name="jixiao", message="jixiao %(version)s")
def main() -> None:
    """jixiao（绩效）：预算绩效自评表的计分、复核与评价报告。"""


@main.command(context_settings=_CONTEXT)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（docs/JSON.md）。")
@click.option("--scheme", default="table", show_default=True, help="权重方案：table（表内权重）或 caiyu_2020_10。")
def score(file: Path, as_json: bool, scheme: str) -> None:
    """逐项计分：打印指标表、一级指标得分、总分与等级。"""
    from .pipeline import score_file
    from .report_text import format_score

    try:
        unit = score_file(file, scheme=scheme)
    except JixiaoError as err:
        _fail(err)
    if as_json:
        _dump(unit.payload())
    else:
        click.echo(format_score(unit))


@main.command(context_settings=_CONTEXT)
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--declaration", type=click.Path(path_type=Path), help="同年度的绩效目标申报表。")
@click.option("--report", "report_file", type=click.Path(path_type=Path), help="单位的自评报告（文本）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（docs/JSON.md）。")
def check(file: Path | None, declaration: Path | None, report_file: Path | None, as_json: bool) -> None:
    """复核：列出自评表（及申报表、自评报告）中的问题，按严重程度分组。

    无论发现多少问题都以 0 退出；只有输入无法读取时以 2 退出。
    """
    from .export import findings_payload
    from .readers import load_evaluation
    from .report_text import format_findings
    from .review import review

    if file is None and report_file is None:
        raise click.UsageError("请给出自评表文件，或用 --report 指定自评报告。")
    try:
        evaluation = load_evaluation(file) if file is not None else None
        decl = load_evaluation(declaration) if declaration is not None else None
        report = None
        if report_file is not None:
            from .report_reader import read_report

            report = read_report(report_file)
        findings = review(evaluation, declaration=decl, report=report)
    except JixiaoError as err:
        _fail(err)
    inputs = {k: str(v) for k, v in (("file", file), ("declaration", declaration), ("report", report_file)) if v}
    if as_json:
        _dump(findings_payload(findings, inputs=inputs))
    else:
        click.echo(format_findings(findings))


@main.command(context_settings=_CONTEXT)
@click.argument("units", nargs=-1)
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="并行运行的单位数。")
@click.option("--force", is_flag=True, help="即使输入未变也重新运行。")
@click.option("--outputs", type=click.Path(path_type=Path), default=None, help="输出目录（默认 outputs/）。")
@click.option("--params-dir", type=click.Path(path_type=Path), default=None, help="参数目录（默认 params/）。")
@click.option("--no-progress", is_flag=True, help="不显示进度条。")
def run(units: tuple[str, ...], jobs: int, force: bool, outputs: Path | None, params_dir: Path | None, no_progress: bool) -> None:
    """运行单位评价 notebook，生成 HTML、result.json 和汇总页 outputs/index.html。"""
    from .paths import OUTPUTS_DIR, PARAMS_DIR
    from .runner import run_units

    try:
        summary = run_units(
            list(units) or None,
            jobs=jobs,
            force=force,
            outputs_dir=outputs or OUTPUTS_DIR,
            params_dir=params_dir or PARAMS_DIR,
            progress=not no_progress,
        )
    except JixiaoError as err:
        _fail(err)
    click.echo(summary.format())
    sys.exit(summary.exit_code)


@main.command("list", context_settings=_CONTEXT)
@click.option("--params-dir", type=click.Path(path_type=Path), default=None, help="参数目录（默认 params/）。")
def list_cmd(params_dir: Path | None) -> None:
    """列出 params/ 下的单位。"""
    from .params import list_units, load_params
    from .paths import PARAMS_DIR

    for path in list_units(params_dir or PARAMS_DIR):
        try:
            p = load_params(path)
            kinds = "、".join({"self_evaluation": "自评表", "declaration": "申报表", "report": "报告"}[k] for k in p.inputs)
            click.echo(f"{p.unit_id}\t{p.display_name}\t{p.year}\t{kinds}")
        except JixiaoError as err:
            click.echo(f"{path.stem}\t参数错误：{err}")


@main.command(context_settings=_CONTEXT)
def rules() -> None:
    """列出计分规则。"""
    from .rules import list_rules
    from .terminal import format_table

    table = list_rules()
    click.echo(format_table(["规则", "名称", "说明"], table[["rule_id", "label", "description"]].values.tolist(), max_width=60))


@main.command(context_settings=_CONTEXT)
def catalogue() -> None:
    """列出复核发现的代码目录（代码、严重程度、含义、修改建议）。"""
    from .review import catalogue_markdown

    click.echo(catalogue_markdown())


if __name__ == "__main__":  # pragma: no cover
    main()
