"""Making and filling an engagement project: ``jixiao init`` and ``jixiao add``.

``init_project`` writes ``jixiao.toml``, a short Chinese README, ``.gitignore`` and the
folders; with ``samples`` it adds the shipped sample units. ``add_inputs`` copies a unit's
files into ``inputs/``, detects what each file is (self-evaluation table, declaration,
narrative report), the unit's name and year, and writes ``params/<id>.yaml`` with comments.
Every file is written atomically; nothing existing is overwritten.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.core.errors import InputFileError, ParamsError
from jixiao.core.vocab import INPUT_KINDS
from jixiao.read.files import load_evaluation
from jixiao.read.narrative_report import REPORT_SUFFIXES, read_report
from jixiao.run.atomic import atomic_write_bytes, atomic_write_text
from jixiao.run.lab import stamp_kernel_language
from jixiao.run.project import PROJECT_FILE, Project, load_project, resource_path, unit_id_problem

__all__ = [
    "SAMPLE_UNITS",
    "SAMPLE_FIRM",
    "SAMPLE_CLIENT",
    "SAMPLE_REPORT",
    "Detected",
    "UNIT_ID_RE",
    "init_project",
    "add_inputs",
    "detect_input",
    "safe_unit_id",
]

#: A unit id: letters, digits, CJK, ``-``, ``_`` and ``.`` (not leading); it names a folder under outputs/.
UNIT_ID_RE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff_-][0-9A-Za-z\u4e00-\u9fff_.-]{0,79}$")

#: The shipped sample units: params file name → the input files it names.
SAMPLE_UNITS = {
    "xinhong-2023.yaml": ("xinhong_2023_self_evaluation.xlsx",),
    "xinhong-2024-declaration.yaml": ("xinhong_2024_declaration.xlsx",),
    "hongqiao-2024.yaml": ("hongqiao_2024_report.txt",),
}

_TOML = """\
# jixiao 评价项目设置。命令（jixiao run、jixiao add、jixiao list……）在本目录及其子目录中运行时自动找到本项目。
[project]
name = "{name}"
firm = "{firm}"     # 评价机构（第三方机构名称），必填
client = "{client}"   # 委托方（如 某区财政局），必填
{year_line}
{report}
[defaults]
weight_scheme = "table"   # 权重方案：table（表内分值）或 caiyu_2020_10（财预〔2020〕10号 10/50/30/10）
grade_bands = {{ "优" = 90, "良" = 80, "中" = 60 }}   # 等级下限（含）
tolerances = {{ score = 0.1, money = 0.01, rate = 0.01 }}   # 容差：分、金额（表内单位）、百分点

[review]
evidence_resolves_pending = true   # 参数中记录的佐证材料可解除「待核实」
"""

SAMPLE_FIRM = "上海明衡绩效评价咨询有限公司（示例）"
SAMPLE_CLIENT = "上海市闵行区财政局（示例）"
#: The [report] section of a project made with --samples (sample values, marked as such).
SAMPLE_REPORT = """# 报告信息（封面、评价工作开展情况、附件）。以下均为示例值（标有“示例”），正式项目请改为实际情况；
# 委托方、评价机构、报告文号（单位参数 report.number）和项目组为必填，缺少时 jixiao run 会提示。单位参数中的 report: 可逐项覆盖。
[report]
# 报告文号每个单位一个：写在单位参数的 report.number；也可在此写含 {unit_id} 的格式（{unit_id} 换成单位编号）。
# number = "某评〔2024〕{unit_id}号"
team = [
  { name = "王建平（示例）", role = "项目负责人" },
  { name = "李晓雯（示例）", role = "财务复核" },
  { name = "陈立（示例）", role = "指标复核" },
]
basis = ["《上海市市级预算绩效管理办法》（示例：项目所在地的地方制度）"]   # 评价依据：在国家层面的默认依据之后列出
documents = ["单位2023年度部门决算报表（示例）"]   # 资料审阅：单位提交的自评材料之外审阅的资料
site_visits = []       # 现场核查，如 "2024年4月10日赴单位现场核查台账（示例）"
interviews = ["与单位财务负责人座谈一次（示例）"]   # 访谈
questionnaires = []    # 问卷调查
limitations = []       # 局限性：数据所示之外需要说明的限制
# word_template = "模板/报告模板.docx"   # 事务所的 Word 模板（信头、样式、封面），相对项目目录
"""
_EMPTY_REPORT = """# 报告信息（封面、评价工作开展情况、附件）。委托方、评价机构、报告文号（单位参数 report.number）和项目组为必填，缺少时 jixiao run 会提示。
[report]
# 报告文号每个单位一个：写在单位参数的 report.number；也可在此写含 {unit_id} 的格式（{unit_id} 换成单位编号）。
# number = "某评〔2024〕{unit_id}号"
# team = [{ name = "张三", role = "项目负责人" }, { name = "李四", role = "财务复核" }]
basis = []             # 评价依据：国家层面的默认依据之后的地方制度
documents = []         # 资料审阅：单位提交的自评材料之外审阅的资料
site_visits = []       # 现场核查
interviews = []        # 访谈
questionnaires = []    # 问卷调查
limitations = []       # 局限性
# word_template = "模板/报告模板.docx"   # 事务所的 Word 模板，相对项目目录
"""

_README = """\
# {name}

本目录是一个 jixiao 评价项目（一个委托方、一个年度）。

- `inputs/`：单位提交的自评表、目标申报表、自评报告（原件不改动）。
- `params/`：每个单位一个参数文件（`jixiao add` 生成，可手工补充复核调整）。
- `outputs/`：`jixiao run` 生成的评价报告（HTML）、notebook 和 result.json，可随时重建。
- `notebooks/`：可选；放入同名的 `unit_report.py` / `portfolio.py` 即可替换随工具提供的报告模板。

常用命令（在本目录或其子目录中运行）：

```bash
jixiao add 某单位自评表.xlsx 某单位自评报告.txt   # 登记一个单位的材料
jixiao list                                     # 查看单位、输入和最近一次运行
jixiao run --jobs 2                             # 生成全部单位的评价，outputs/index.html 为汇总页
```
"""

_GITIGNORE = "outputs/\n.ipynb_checkpoints/\nnotebooks/*.ipynb\n"


def init_project(folder: str | Path, *, samples: bool = False, name: str = "") -> Project:
    """Create a project in ``folder`` (created if missing; an existing ``jixiao.toml`` is an error).

    Raises:
        ParamsError: the folder already holds a project.
    """
    root = Path(folder).resolve()
    if (root / PROJECT_FILE).exists():
        raise ParamsError(
            f"「{root}」已经是评价项目（已有 {PROJECT_FILE}），未做任何改动。", path=str(root / PROJECT_FILE)
        )
    if root.exists() and not root.is_dir():
        raise ParamsError(f"「{root}」不是目录。", path=str(root))
    title = name or root.name
    year = _year_in(title)
    for sub in ("inputs", "params", "outputs", "notebooks"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    _write_new(root / "README.md", _README.format(name=title))
    _write_new(root / ".gitignore", _GITIGNORE)
    explore = resource_path("notebooks", "explore.py").read_text(encoding="utf-8")
    _write_new(root / "notebooks" / "explore.py", stamp_kernel_language(explore))
    toml = _TOML.format(
        name=_toml_text(title),
        year_line=f"year = {year}" if year else "# year = 2024   # 评价年度",
        firm=SAMPLE_FIRM if samples else "",
        client=SAMPLE_CLIENT if samples else "",
        report=SAMPLE_REPORT if samples else _EMPTY_REPORT,
    )
    atomic_write_text(root / PROJECT_FILE, toml)  # last: a half-made folder is not a project
    project = load_project(root)
    if samples:
        _add_samples(project)
    return project


@dataclass
class Detected:
    """What ``add`` found out about one input file."""

    path: Path
    kind: str  # a key of INPUT_KINDS
    unit_name: str = ""
    year: int | None = None
    notes: list[str] = field(default_factory=list)


def detect_input(path: str | Path) -> Detected:
    """Read ``path`` and tell its kind, unit name and year.

    Raises:
        InputFileError: the file cannot be read as any of the three input kinds.
    """
    p = Path(path)
    if p.suffix.lower() in REPORT_SUFFIXES:
        try:
            evaluation = load_evaluation(p)
        except InputFileError:
            report = read_report(p)
            return Detected(p, "report", report.unit_name, report.year)
    else:
        evaluation = load_evaluation(p)
    kind = "declaration" if evaluation.unit.table_type == "declaration" else "self_evaluation"
    notes = [] if len(evaluation.indicators) else ["未读到指标行，请核对文件"]
    return Detected(p, kind, evaluation.unit.name, evaluation.unit.year, notes)


def add_inputs(
    project: Project, files: list[str | Path], *, unit_id: str = "", link: bool = False
) -> tuple[Path, list[Detected]]:
    """Copy (or symlink) one unit's files into ``inputs/`` and write ``params/<id>.yaml``.

    Returns:
        The params file written and what was detected for each input.

    Raises:
        InputFileError: a file cannot be read.
        ParamsError: two files of the same kind, an unsafe or taken unit id.
    """
    found = [detect_input(f) for f in files]
    kinds = [d.kind for d in found]
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            names = "、".join(d.path.name for d in found if d.kind == kind)
            raise ParamsError(f"同一单位给出了多个{INPUT_KINDS[kind]}（{names}），请分开登记。")
    first = next((d for d in found if d.kind == "self_evaluation"), found[0])
    year = next((d.year for d in found if d.year), None) or project.settings.year
    name = next((d.unit_name for d in found if d.unit_name), "") or first.path.stem
    unit = unit_id or safe_unit_id(f"{name}-{year}" if year else name)
    if not UNIT_ID_RE.fullmatch(unit) or unit_id_problem(unit):
        raise ParamsError(f"单位编号「{unit}」不可用：只能包含字母、数字、汉字、-、_ 和 .（不能以 . 开头）。")
    target = project.params_dir / f"{unit}.yaml"
    if target.exists() or target.with_suffix(".yml").exists():
        raise ParamsError(f"单位「{unit}」已登记（{target.name}），请用 --id 另起编号。", path=str(target))
    project.inputs_dir.mkdir(parents=True, exist_ok=True)
    placed = {d.kind: _place(d.path, project.inputs_dir, link) for d in found}
    lines = [
        f"# {name} {year or ''} 年度评价参数（jixiao add 生成；各键的含义见 jixiao 文档 params/README.md）。",
        "# 请核对单位名称和年度；复核调整写在 overrides 下（分数、理由、定性档次）。",
        "# 报告文号（项目设置未给出格式时必填）：report: {number: 某评〔2024〕1号}；佐证材料写在 evidence 下。",
        f"unit_id: {unit}",
        f"display_name: {_yaml_text(name)}",
        f"year: {year}" if year else "year: 2024  # 未能从材料中读出年度，请改为评价年度",
        "inputs:",
        *(
            f"  {kind}: {_yaml_text('../' + placed[kind].relative_to(project.root).as_posix())}"
            for kind in INPUT_KINDS
            if kind in placed
        ),
    ]
    project.params_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, "\n".join(lines) + "\n")
    return target, found


def safe_unit_id(text: str) -> str:
    """A unit id from free text: unsafe characters become ``-``, at most 80 characters."""
    text = unicodedata.normalize("NFKC", text)
    out = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_.-]+", "-", text).strip("-.") or "unit"
    return out[:80].rstrip("-.")


# --- helpers ------------------------------------------------------------------------------------


def _add_samples(project: Project) -> None:
    for params_name, inputs in SAMPLE_UNITS.items():
        for name in inputs:
            target = project.inputs_dir / name
            if not target.exists():
                atomic_write_bytes(target, resource_path("samples", name).read_bytes())
        text = resource_path("sample_params", params_name).read_text(encoding="utf-8")
        _write_new(project.params_dir / params_name, text)


def _place(source: Path, folder: Path, link: bool) -> Path:
    """Copy (or link) ``source`` into ``folder``; an identical file already there is reused."""
    source = source.resolve()
    target = folder / _safe_file_name(source.name)
    if source == target.resolve():
        return target
    if target.exists():
        if target.is_file() and target.read_bytes() == source.read_bytes():
            return target
        raise ParamsError(f"inputs/ 中已有同名但内容不同的文件「{target.name}」，请改名后再登记。", path=str(target))
    if link:
        target.symlink_to(source)
    else:
        tmp = target.with_name(f".jixiao-tmp-{target.name}")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return target


def _safe_file_name(name: str) -> str:
    """A file name with no path separators or control characters, kept inside its folder."""
    clean = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable() and ch not in '/\\:*?"<>|')
    clean = clean.lstrip(".") or "input"
    return clean[:150]


def _write_new(path: Path, text: str) -> None:
    if not path.exists():
        atomic_write_text(path, text)


def _year_in(text: str) -> int | None:
    m = re.search(r"(20\d\d)", text)
    return int(m.group(1)) if m else None


def _toml_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _yaml_text(text: str) -> str:
    """A YAML scalar for any text: double-quoted when it could be read as something else."""
    if re.fullmatch(r"[0-9A-Za-z\u4e00-\u9fff_./（）()\-]+", text) and not text[0].isdigit():
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
