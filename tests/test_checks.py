"""Checks of groups A, C and D: a clean table of our own, then one mutation per code."""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest

from jixiao.core.model import BUDGET_COLUMNS, INDICATOR_COLUMNS, NOTE_COLUMNS, Evaluation, UnitInfo
from jixiao.review import table as checks
from jixiao.review.catalogue import FINDING_COLUMNS, catalogue
from jixiao.review.review import ReviewSettings, review

NAN = math.nan

# id, level1, level1_weight, level2, name, weight, nature, direction, target, unit, actual, note, self, rule_text
_ROWS = [
    (
        "I01",
        "产出指标",
        60,
        "数量指标",
        "培训场次",
        20,
        "定量",
        "≥",
        "12",
        "场",
        "12",
        "",
        20,
        "达到指标值得满分，否则按比例得分",
    ),
    (
        "I02",
        "产出指标",
        60,
        "质量指标",
        "验收合格率",
        20,
        "定量",
        "≥",
        "95",
        "%",
        "98",
        "",
        20,
        "达到指标值得满分，否则按比例得分",
    ),
    (
        "I03",
        "产出指标",
        60,
        "时效指标",
        "项目完成时间",
        20,
        "定量",
        "≤",
        "2024年10月",
        "",
        "2024年9月",
        "",
        20,
        "按期完成得满分，否则不得分",
    ),
    (
        "I04",
        "效益指标",
        30,
        "社会效益指标",
        "安全事故数",
        30,
        "定量",
        "=",
        "0",
        "起",
        "0",
        "",
        30,
        "无事故得满分，否则不得分",
    ),
    (
        "I05",
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
        "问卷调查回收有效问卷300份",
        10,
        "达到指标值得满分，否则按比例得分",
    ),
]
_KEYS = [
    "indicator_id",
    "level1",
    "level1_weight",
    "level2",
    "name",
    "weight",
    "nature",
    "direction",
    "target",
    "unit",
    "actual",
    "deviation_note",
    "self_score",
    "rule_text",
]
# name, group, initial_budget, budget, spent, reported_rate
_BUDGET = [
    ("合计", "合计", 1000.0, 1000.0, 960.0, 96.0),
    ("基本支出", "资金结构", 300.0, 300.0, 290.0, 96.67),
    ("项目支出", "资金结构", 700.0, 700.0, 670.0, 95.71),
]


def clean_evaluation() -> Evaluation:
    """A correct table: weights add up, scores follow the rules, every target measurable."""
    ind = pd.DataFrame([dict(zip(_KEYS, r)) for r in _ROWS])
    ind["definition"] = ""
    ind["source_row"] = pd.array(range(2, 2 + len(ind)), dtype="Int64")
    ind = ind[INDICATOR_COLUMNS].astype({"weight": "float64", "level1_weight": "float64", "self_score": "float64"})
    budget = pd.DataFrame(
        [
            {
                "name": n,
                "group": g,
                "initial_budget": i,
                "budget": b,
                "spent": s,
                "reported_rate": r,
                "rate": round(s / b * 100, 2),
                "weight": NAN,
                "reported_score": NAN,
                "money_unit": "万元",
                "source_row": k + 20,
            }
            for k, (n, g, i, b, s, r) in enumerate(_BUDGET)
        ],
        columns=BUDGET_COLUMNS,
    )
    return Evaluation(
        unit=UnitInfo(name="测试单位", year=2024, table_type="tidy"),
        indicators=ind,
        budget=budget,
        reported_total=100.0,
        declared_weight_total=100.0,
    )


def _set(ev: Evaluation, ident: str, **values) -> Evaluation:
    for key, value in values.items():
        ev.indicators.loc[ev.indicators["indicator_id"] == ident, key] = value
    return ev


def _budget(ev: Evaluation, line: str, **values) -> Evaluation:
    for key, value in values.items():
        ev.budget.loc[ev.budget["name"] == line, key] = value
    return ev


def _note(ev: Evaluation, code: str, row: int, message: str) -> Evaluation:
    note = {"code": code, "row": row, "column": "", "value": "x", "message": message}
    ev.notes = pd.DataFrame([note], columns=NOTE_COLUMNS)
    return ev


def _attr(ev: Evaluation, **values) -> Evaluation:
    for key, value in values.items():
        setattr(ev, key, value)
    return ev


# code -> (what is wrong, mutation of the clean table)
CASES = {
    "A01": (
        "产出指标一级权重写成65",
        lambda e: (
            _set(e, "I01", level1_weight=65.0)
            and _set(e, "I02", level1_weight=65.0)
            and _set(e, "I03", level1_weight=65.0)
        ),
    ),
    "A02": (
        "效益指标权重30，三级分值合计25",
        lambda e: _set(e, "I04", weight=25.0, self_score=25.0) and _attr(e, reported_total=95.0),
    ),
    "A03": ("表列总分值90", lambda e: _attr(e, declared_weight_total=90.0)),
    "A04": ("自评分25高于分值20", lambda e: _set(e, "I01", self_score=25.0)),
    "A05": ("自评分为负", lambda e: _set(e, "I01", self_score=-1.0, deviation_note="未开展")),
    "A06": ("总分写成95", lambda e: _attr(e, reported_total=95.0)),
    "A07": ("完成值为空", lambda e: _set(e, "I02", actual="")),
    "A08": ("自评分为空", lambda e: _set(e, "I02", self_score=NAN)),
    "A09": ("分值为空", lambda e: _set(e, "I02", weight=NAN)),
    "A10": ("执行率印成97%", lambda e: _budget(e, "合计", reported_rate=97.0)),
    "A11": ("基本支出执行数超过预算", lambda e: _budget(e, "基本支出", spent=310.0, reported_rate=103.33)),
    "A12": ("项目支出预算为空", lambda e: _budget(e, "项目支出", budget=NAN, initial_budget=NAN)),
    "A13": (
        "基本支出预算录成310",
        lambda e: _budget(e, "基本支出", budget=310.0, initial_budget=310.0, reported_rate=93.55),
    ),
    "A14": ("执行率得分9分，按比例应为9.6分", lambda e: _budget(e, "合计", weight=10.0, reported_score=9.0)),
    "A15": (
        "执行率指标完成值95%，预算表为96%",
        lambda e: _set(
            e, "I02", name="预算执行率", target="100", actual="95", self_score=19.0, deviation_note="部分资金次年支付"
        ),
    ),
    "A20": ("完成90%却自评满分", lambda e: _set(e, "I02", actual="90", deviation_note="部分项目验收延后")),
    "A21": ("达标却扣分", lambda e: _set(e, "I02", self_score=15.0, deviation_note="资料归档不及时")),
    "A22": (
        "定性指标达成却只得一半分",
        lambda e: _set(
            e,
            "I01",
            nature="定性",
            target="年度培训计划全部落实",
            actual="年度培训计划全部落实",
            self_score=10.0,
            deviation_note="部分课程延期",
        ),
    ),
    "A30": ("读取时行错位", lambda e: _note(e, "shifted_row", 3, "第 3 行的单元格与表头错位")),
    "A31": ("无法识别的行", lambda e: _note(e, "unreadable_row", 9, "该行无法识别为指标行，已跳过：x")),
    "A32": ("一级指标按二级指标归类", lambda e: _note(e, "level1_from_level2", 5, "已按二级指标归类。")),
    "A33": (
        "预算行无法识别",
        lambda e: _note(e, "budget_unreadable", 21, "预算行「其他」的数字无法对应到表头，已跳过。"),
    ),
    "A34": ("隐藏的工作表", lambda e: _note(e, "hidden_sheet", None, "工作表「真表」在 Excel 中被隐藏，读取时已跳过")),
    "A35": ("公式没有保存结果", lambda e: _note(e, "formula_no_value", 6, "E6 单元格是公式，但文件中没有保存计算结果")),
    "A36": ("没有指标行", lambda e: _note(e, "no_indicator_rows", None, "表头下没有任何指标行")),
    "A37": ("数值不合理", lambda e: _note(e, "bad_number", 5, "分值「1e+308」超过 1000，不是合理的分值")),
    "A39": ("其他读取说明", lambda e: _note(e, "something_new", 4, "读取说明")),
    "A50": ("效益指标标签高一行", lambda e: _set(e, "I03", level1="效益指标", level1_weight=30.0)),
    "A51": (
        "分界处有0分值的行，两种归类都合",
        lambda e: (
            _set(e, "I01", weight=40.0, self_score=40.0, target="24", actual="24")
            and _set(e, "I03", weight=0.0, self_score=0.0)
            and _set(e, "I02", level1="效益指标", level1_weight=30.0)
            and _set(e, "I03", level1="效益指标", level1_weight=30.0)
        ),
    ),
    "C20": ("及时率列在质量指标下", lambda e: _set(e, "I02", name="整改及时率")),
    "C21": ("合格率列在时效指标下", lambda e: _set(e, "I03", name="竣工验收合格率")),
    "C22": ("办结率列在满意度下", lambda e: _set(e, "I05", name="按时办结率")),
    "C23": ("执法人员满意度当作服务对象满意度", lambda e: _set(e, "I05", name="执法人员满意度")),
    "C24": ("满意度列在效益指标下", lambda e: _set(e, "I04", name="群众满意度")),
    "C25": ("满意度只写“90%”", lambda e: _set(e, "I05", direction="", target="90%", unit="")),
    "A52": ("社会效益指标列在产出指标下", lambda e: _set(e, "I03", level2="社会效益指标")),
    "C01": ("定量指标值为文字", lambda e: _set(e, "I01", target="详见工作方案", unit="")),
    "C02": ("指标值没有单位", lambda e: _set(e, "I01", unit="")),
    "C03": ("指标值“规范”", lambda e: _set(e, "I03", nature="定性", target="规范", actual="已按期完成")),
    "C04": ("指标值“建立健全”", lambda e: _set(e, "I03", nature="定性", target="建立健全", actual="已建立")),
    "C05": ("完成值照抄“≥95%”", lambda e: _set(e, "I02", target="≥95%", direction="", unit="", actual="≥95%")),
    "C06": ("完成值只写“完成”", lambda e: _set(e, "I01", actual="完成")),
    "C07": ("满意度没有调查依据", lambda e: _set(e, "I05", deviation_note="")),
    "C08": ("事故数以%计量", lambda e: _set(e, "I04", unit="%")),
    "C09": ("名称含指标值", lambda e: _set(e, "I01", name="培训场次：12场")),
    "C10": ("一个指标两个数量", lambda e: _set(e, "I01", target="12场 300人次", unit="", actual="12场 300人次")),
    "C11": ("指标值是时间格式", lambda e: _set(e, "I01", target="15:01:00", unit="")),
    "D01": ("未达标未说明原因", lambda e: _set(e, "I02", actual="90", self_score=18.95)),
    "D02": ("写了偏差却满分", lambda e: _set(e, "I01", deviation_note="培训组织不够完善")),
    "D03": ("完成值为指标值的1.5倍", lambda e: _set(e, "I01", actual="18")),
    "D04": (
        "执行率80%",
        lambda e: (
            _budget(e, "合计", spent=800.0, reported_rate=80.0)
            and _budget(e, "项目支出", spent=510.0, reported_rate=72.86)
        ),
    ),
    "D05": ("年初预算900，全年预算1000", lambda e: _budget(e, "合计", initial_budget=900.0)),
    "C12": (
        "年度目标“建成智慧停车管理平台”无指标、无完成情况",
        lambda e: _attr(e, texts={"年度目标": "一是建成智慧停车管理平台；二是完成老旧小区加装电梯。"}),
    ),
    "C13": (
        "申报表没有成本指标",
        lambda e: _attr(e, unit=UnitInfo(name="测试单位", year=2024, table_type="declaration")),
    ),
    "C14": ("满意度写成“=90%”", lambda e: _set(e, "I05", direction="=")),
    "D06": ("按截至9月30日的数据得满分", lambda e: _set(e, "I02", deviation_note="数据截至9月30日")),
    "C30": (
        "预算执行率列为数量指标",
        lambda e: _set(e, "I01", name="预算执行率", target="100", unit="%", actual="100"),
    ),
    "C31": ("成本指标写成达标率", lambda e: _set(e, "I01", level2="成本指标", name="补助标准达标率", unit="%")),
    "C32": (
        "合同完成率列为社会效益",
        lambda e: _set(e, "I04", name="合同完成率", target="100", unit="%", actual="100"),
    ),
    "C37": ("合格率写成“≥100%”", lambda e: _set(e, "I02", direction="", target="≥100%", unit="", actual="100%")),
    "C38": ("完成值写作“93.5%及以上”", lambda e: _set(e, "I05", actual="93.5%及以上")),
    "C39": (
        "成本完成值超过执行数",
        lambda e: _set(e, "I01", level2="成本指标", name="项目总成本", target="≤1000万元", unit="", actual="1200万元"),
    ),
    "C34": ("名称留有“(≥**场)”", lambda e: _set(e, "I01", name="培训场次(≥**场)")),
    "C35": (
        "存在问题栏仍是填写说明",
        lambda e: _attr(e, texts={"存在问题": "结合自评情况，分析存在的问题及原因。(200字以内)"}),
    ),
    "C36": ("年度总体目标完成情况空白", lambda e: _attr(e, texts={"年度目标": "完成培训场次和验收任务"})),
    "D08": (
        "执行率80%而产出全部满分",
        lambda e: (
            _budget(e, "合计", spent=800.0, reported_rate=80.0)
            and _budget(e, "项目支出", spent=510.0, reported_rate=72.86)
        ),
    ),
    "D07": ("偏差原因填“0”", lambda e: _set(e, "I01", deviation_note="0")),
    "C33": ("数量指标写成“≤12”", lambda e: _set(e, "I01", direction="", target="≤12", unit="场")),
}


def _run(mutate) -> pd.DataFrame:
    ev = clean_evaluation()
    ev.indicators = ev.indicators.copy()
    ev.budget = ev.budget.copy()
    return review(mutate(ev) or ev)


def test_clean_table_has_no_findings():
    found = review(clean_evaluation())
    assert list(found.columns) == FINDING_COLUMNS
    assert found.empty, found.to_string()


@pytest.mark.parametrize("code", list(CASES), ids=[f"{c}-{CASES[c][0]}" for c in CASES])
def test_each_code_fails_on_its_fixture(code):
    found = _run(CASES[code][1])
    assert code in set(found["code"]), found.to_string()


def test_every_table_code_has_a_fixture():
    cat = catalogue()
    table_codes = set(cat.loc[cat["group"].isin(["A", "C", "D"]) & cat["code"].str[0].isin(list("ACD")), "code"])
    assert table_codes == set(CASES)


# --- details that matter ----------------------------------------------------------------------


def test_over_weight_and_total_use_capped_sum():
    ev = _set(clean_evaluation(), "I01", self_score=25.0)
    found = review(ev)
    over = found[found["code"] == "A04"].iloc[0]
    assert (over["expected"], over["reported"]) == ("≤20.00", "25.00")
    total = found[found["code"] == "A06"].iloc[0]
    assert total["expected"] == "105.00（按分值封顶 100.00）" and total["reported"] == "100.00"


def test_score_difference_at_tolerance_is_not_reported():
    # rule score 20 × 94.9/95 = 19.98; the unit wrote 19.99 or even 20: within the 0.1-point score tolerance
    ev = _set(clean_evaluation(), "I02", actual="94.9", self_score=19.99, deviation_note="个别项目整改后验收")
    assert "A20" not in set(review(ev)["code"])
    ev = _set(clean_evaluation(), "I02", actual="94.9", self_score=20.0, deviation_note="个别项目整改后验收")
    assert "A20" not in set(review(ev)["code"])
    high = review(ev, settings=ReviewSettings(indicator_tolerance=0.01)).query("code == 'A20'").iloc[0]
    assert "未达到指标值却自评满分" in high["message"] and high["expected"] == "19.98"


def test_no_deviation_words_are_not_an_explanation():
    ev = _set(clean_evaluation(), "I02", actual="90", self_score=18.95, deviation_note="无")
    assert "D01" in set(review(ev)["code"])


def test_note_explaining_over_completion_is_not_note_without_deduction():
    ev = _set(clean_evaluation(), "I01", actual="18", deviation_note="新增安全专题培训，超额完成")
    codes = set(review(ev)["code"])
    assert "D02" not in codes and "D03" not in codes


def test_copies_below_the_pattern_share_are_not_reported():
    # 2 of 5 完成值 equal their plain numeric targets: measured values, not copies
    found = review(clean_evaluation())
    assert "C05" not in set(found["code"])


def test_copy_pattern_lists_every_identical_actual():
    ev = clean_evaluation()
    ev.indicators["actual"] = ev.indicators["target"]
    ev.indicators["deviation_note"] = ["", "", "", "", "问卷调查300份"]
    found = review(ev)
    copied = found[found["code"] == "C05"]
    assert len(copied) == 1 and copied.iloc[0]["scope"] == "unit"  # numbers copied: the pattern, once
    assert copied.iloc[0]["reported"] == "5 / 5 项"
    assert "培训场次、验收合格率" in copied.iloc[0]["message"]


def test_budget_parts_without_total_line_compare_sources_and_structure():
    ev = clean_evaluation()
    ev.budget = ev.budget[ev.budget["name"] != "合计"].copy()
    src = {c: NAN for c in BUDGET_COLUMNS} | {
        "name": "财政拨款",
        "group": "资金来源",
        "initial_budget": 1000.0,
        "budget": 1000.0,
        "spent": 960.0,
        "reported_rate": 96.0,
    }
    src["money_unit"] = "万元"
    ev.budget = pd.concat([pd.DataFrame([src], columns=BUDGET_COLUMNS), ev.budget], ignore_index=True)
    assert review(ev).empty
    ev.budget.loc[ev.budget["name"] == "基本支出", "spent"] = 280.0
    ev.budget.loc[ev.budget["name"] == "基本支出", "reported_rate"] = 93.33
    gap = review(ev).query("code == 'A13'")
    assert len(gap) == 1 and gap.iloc[0]["expected"] == "960.00" and gap.iloc[0]["reported"] == "950.00"


def test_reader_notes_shifted_rows_become_one_summary():
    ev = clean_evaluation()
    notes = [{"code": "shifted_row", "row": r, "column": "", "value": "", "message": "错位"} for r in (3, 4, 6)]
    notes.append({"code": "one_value", "row": 5, "column": "", "value": "", "message": "一个值"})
    ev.notes = pd.DataFrame(notes, columns=NOTE_COLUMNS)
    found = review(ev)
    assert list(found["code"]) == ["A30"]
    assert "第 3、4、6 行" in found.iloc[0]["message"]


def test_parse_targets_uses_unit_and_direction_columns():
    parsed = checks.parse_targets(clean_evaluation().indicators, 2024)
    target, actual = parsed["I02"]
    assert (target.op, target.number, target.unit) == (">=", 95.0, "%")
    assert (actual.number, actual.unit) == (98.0, "%")


def test_mutations_do_not_leak_between_cases():
    before = copy.deepcopy(clean_evaluation().indicators)
    _run(CASES["A04"][1])
    pd.testing.assert_frame_equal(clean_evaluation().indicators, before)


def test_over_completion_of_a_bare_number_met_by_the_rule():
    ev = _set(clean_evaluation(), "I01", direction="", actual="18")
    assert "D03" in set(review(ev)["code"])


def test_nil_answer_is_not_a_missing_actual():
    ev = _set(clean_evaluation(), "I04", actual="无")
    assert "A07" not in set(review(ev)["code"])
    ev = _set(clean_evaluation(), "I04", actual="—")
    assert "A07" in set(review(ev)["code"])


@pytest.mark.parametrize(
    ("name", "compared"),
    [
        ("预算执行率", True),
        ("项目支出预算执行率", True),
        ("部门预算执行率", True),
        ("三公经费预算执行率", False),
        ("政府采购执行率", False),
    ],
    ids=["total", "project", "department", "three-public", "procurement"],
)
def test_only_budget_execution_rows_are_compared_with_the_budget_block(name, compared):
    ev = _set(
        clean_evaluation(), "I02", name=name, target="100", actual="90", self_score=18.0, deviation_note="年底结算"
    )
    assert ("A15" in set(review(ev)["code"])) is compared
