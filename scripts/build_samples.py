"""Build the sample inputs and test fixtures from the seed documents.

Run from the project root:  python scripts/build_samples.py [SEEDS_DIR]

- samples/xinhong_2023_self_evaluation.xlsx   seed 000 as an Excel sheet with merged cells
- samples/xinhong_2023_self_evaluation.txt    seed 000 text export, as published
- samples/xinhong_2024_declaration.xlsx       seed 001 as an Excel sheet with merged cells
- samples/hongqiao_2024_report.txt            seed 003 narrative report, as published
- samples/template_tidy.xlsx / .csv           the tidy template (one row per 三级指标), filled
- tests/data/project_layout.xlsx              a 项目支出绩效自评表 in the common provincial layout
- tests/data/clean_unit.xlsx                  a correct table of our own (no findings expected)

The Excel files keep the cells where the export put them (shifted rows included):
merging the 一级/二级指标 cells over the blank cells below them is how the
original tables arrive. Numbers are stored as numbers, execution rates as
percent-formatted numbers, targets and actuals as text.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.read.headers import is_level1_word, is_level2_word  # noqa: E402

NUM = re.compile(r"^-?\d+(\.\d+)?$")
PCT = re.compile(r"^-?\d+(\.\d+)?%$")


def _grid(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n")]


def _put(ws, r: int, c: int, text: str, *, rates: bool) -> None:
    text = text.strip()
    if not text:
        return
    cell = ws.cell(row=r, column=c)
    if NUM.match(text):
        cell.value = float(text) if "." in text else int(text)
    elif rates and PCT.match(text):
        cell.value = float(text[:-1]) / 100
        cell.number_format = "0.00%"
    else:
        cell.value = text
    cell.alignment = Alignment(wrap_text=True, vertical="center")


def _merge_tree(ws, grid: list[list[str]], first: int, last: int, cols: dict[int, callable]) -> None:
    """Merge 一级/二级 cells down over the blank cells below them (rows first..last, 0-based)."""

    def cell(r, c):
        row = grid[r]
        return row[c].strip() if c < len(row) else ""

    def starts_block(r, accept):
        return any(accept(x.strip()) for x in grid[r] if x.strip())

    for c, accept in cols.items():
        r = first
        while r <= last:
            if cell(r, c) and accept(cell(r, c)):
                end = r
                while (
                    end + 1 <= last
                    and not cell(end + 1, c)
                    and not cell(end + 1, 0)
                    and not starts_block(end + 1, accept)
                ):
                    end += 1
                if end > r:
                    ws.merge_cells(start_row=r + 1, start_column=c + 1, end_row=end + 1, end_column=c + 1)
                    if c == 0 and NUM.match(cell(r, 1)) and not any(cell(x, 1) for x in range(r + 1, end + 1)):
                        ws.merge_cells(start_row=r + 1, start_column=2, end_row=end + 1, end_column=2)  # 一级权重
                r = end + 1
            else:
                r += 1


def _to_xlsx(grid, out: Path, *, title_row: int, header_row: int, last_row: int, tree_cols, rates: bool) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    width = max(len(r) for r in grid)
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            _put(ws, r + 1, c + 1, text, rates=rates and r < header_row)
    ws.merge_cells(start_row=title_row + 1, start_column=1, end_row=title_row + 1, end_column=width)
    ws.cell(row=title_row + 1, column=1).font = Font(bold=True, size=14)
    _merge_tree(ws, grid, header_row + 1, last_row, tree_cols)
    for c in range(1, width + 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = 16
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


TIDY_HEADER = [
    "一级指标",
    "一级权重",
    "二级指标",
    "三级指标",
    "分值",
    "指标性质",
    "方向",
    "年度指标值",
    "计量单位",
    "全年完成值",
    "偏差及原因分析",
    "自评分",
    "评(扣)分标准",
]

# A correct table of our own: scores follow the rules, weights add up, no vague targets.
CLEAN_ROWS = [
    [
        "预算执行率",
        10,
        "预算执行",
        "预算执行率",
        10,
        "定量",
        "≥",
        "100",
        "%",
        "96.80",
        "部分采购合同尾款次年支付",
        9.68,
        "达到100%得满分，否则按比例得分",
    ],
    [
        "产出指标",
        50,
        "数量指标",
        "道路保洁面积",
        10,
        "定量",
        "≥",
        "120",
        "万平方米",
        "120",
        "",
        10,
        "达到指标值得满分，否则按比例得分",
    ],
    [
        "产出指标",
        50,
        "数量指标",
        "培训场次",
        10,
        "定量",
        "≥",
        "12",
        "场",
        "12",
        "",
        10,
        "达到指标值得满分，否则按比例得分",
    ],
    [
        "产出指标",
        50,
        "质量指标",
        "验收合格率",
        10,
        "定量",
        "=",
        "100",
        "%",
        "100",
        "",
        10,
        "达到100%得满分，否则按比例得分",
    ],
    [
        "产出指标",
        50,
        "时效指标",
        "项目完成时间",
        10,
        "定量",
        "≤",
        "2024年10月",
        "",
        "2024年9月",
        "",
        10,
        "按期完成得满分，否则不得分",
    ],
    [
        "产出指标",
        50,
        "成本指标",
        "单位保洁成本",
        10,
        "定量",
        "≤",
        "8",
        "元/平方米",
        "7.6",
        "",
        10,
        "不超过指标值得满分，否则按比例扣分",
    ],
    [
        "效益指标",
        30,
        "社会效益指标",
        "市容投诉办结率",
        15,
        "定量",
        "≥",
        "98",
        "%",
        "99.2",
        "",
        15,
        "达到指标值得满分，否则按比例得分",
    ],
    ["效益指标", 30, "社会效益指标", "安全事故数", 15, "定量", "=", "0", "起", "0", "", 15, "无事故得满分，否则不得分"],
    [
        "满意度指标",
        10,
        "服务对象满意度指标",
        "居民满意度",
        10,
        "定量",
        "≥",
        "90",
        "%",
        "93.5",
        "问卷调查回收有效问卷300份，满意及非常满意281份",
        10,
        "达到指标值得满分，否则按比例得分",
    ],
]


def _tidy_sheets(wb, rows, info, budget) -> None:
    ws = wb.active
    ws.title = "指标"
    ws.append(TIDY_HEADER)
    for row in rows:
        ws.append(row)
    ws_info = wb.create_sheet("单位信息")
    for k, v in info:
        ws_info.append([k, v])
    ws_budget = wb.create_sheet("预算执行")
    ws_budget.append(["项目", "全年预算数", "全年执行数", "执行率"])
    for name, b, s in budget:
        ws_budget.append([name, b, s, f"{s / b * 100:.2f}%"])


def build(seeds: Path) -> None:
    samples = ROOT / "samples"
    data = ROOT / "tests" / "data"
    samples.mkdir(exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    l1 = is_level1_word
    l2 = is_level2_word

    g000 = _grid(seeds / "000_3f2b319c8904045a.txt")
    shutil.copyfile(seeds / "000_3f2b319c8904045a.txt", samples / "xinhong_2023_self_evaluation.txt")
    _to_xlsx(
        g000,
        samples / "xinhong_2023_self_evaluation.xlsx",
        title_row=2,
        header_row=17,
        last_row=74,
        tree_cols={0: l1, 2: l2},
        rates=True,
    )
    g001 = _grid(seeds / "001_66265a79e30ddeca.txt")
    _to_xlsx(
        g001,
        samples / "xinhong_2024_declaration.xlsx",
        title_row=2,
        header_row=22,
        last_row=69,
        tree_cols={0: l1, 1: l2},
        rates=False,
    )
    shutil.copyfile(seeds / "003_8225f3caa16837dd.txt", samples / "hongqiao_2024_report.txt")

    # the tidy template, filled with our clean example
    info = [
        ("单位名称", "示例街道城市运行管理中心"),
        ("主管部门", "示例街道办事处"),
        ("年度", "2024年"),
        ("总分", 99.68),
    ]
    budget = [("财政拨款", 1000000.0, 968000.0), ("基本支出", 300000.0, 297000.0), ("项目支出", 700000.0, 671000.0)]
    wb = openpyxl.Workbook()
    _tidy_sheets(wb, CLEAN_ROWS, info, budget)
    wb.save(samples / "template_tidy.xlsx")
    with open(samples / "template_tidy.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(TIDY_HEADER)
        w.writerows(CLEAN_ROWS)
    wb = openpyxl.Workbook()
    _tidy_sheets(wb, CLEAN_ROWS, info, budget)
    wb.save(data / "clean_unit.xlsx")

    # the common 项目支出绩效自评表 layout (≧ and ═ symbols, header variants)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目自评表"
    ws.append(["项目支出绩效自评表"])
    ws.append(["（2023年度）"])
    ws.append(["项目名称", "社区微更新项目", None, None, "主管部门", "示例区住房保障局"])
    ws.append([None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["年度资金总额", 500, 480, 456, 10, "95.00%", 9.5])
    ws.append(["其中：当年财政拨款", 500, 480, 456, None, "95.00%", None])
    ws.append(
        [
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标值",
            "度量单位",
            "实际完成值",
            "权重",
            "得分",
            "偏差原因分析及改进措施",
        ]
    )
    ws.append(["产出指标(50分)", "数量指标", "改造小区数", "≧", "12", "个", "12", 20, 20, None])
    ws.append([None, None, "加装电梯数", "≧", "30", "台", "27", 10, 9, "3台因居民意见未统一顺延"])
    ws.append([None, "质量指标", "竣工验收合格率", "═", "100", "%", "100", 10, 10, None])
    ws.append([None, "时效指标", "完工时间", "≦", "2023年11月", None, "2023年12月", 10, 8, "受雨季影响延期"])
    ws.append(
        ["效益指标(30分)", "社会效益指标", "居民出行便利度提升", "定性", "明显提升", None, "明显提升", 30, 30, None]
    )
    ws.append(["满意度指标(10分)", "服务对象满意度指标", "居民满意度", "≧", "90", "%", "92", 10, 10, None])
    ws.append(["总分", None, None, None, None, None, None, 100, 96.5, None])
    ws.merge_cells("A8:A11")
    ws.merge_cells("B8:B9")
    wb.save(data / "project_layout.xlsx")
    print("samples written to", samples, "and", data)


if __name__ == "__main__":
    seeds_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "seeds"
    build(seeds_dir)
