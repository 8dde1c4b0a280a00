"""Tests for jixiao.parse.values: 指标值 / 完成值 parsing, descriptions, unit helpers and word lists."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.parsed_value import KINDS, OPERATORS
from jixiao.core.units import canonical_unit, convert, units_compatible
from jixiao.parse.operators import direction_to_op
from jixiao.parse.values import describe_value, parse_value
from jixiao.parse.wordlists import GENERIC_ACTUALS, VAGUE_WORDS, is_generic_actual, is_nil, is_vague

D = dt.date


def P(text, expected, *, id, **kwargs):  # noqa: A002 - mirrors pytest.param
    """One case: parse ``text`` with ``kwargs`` and expect the attributes in ``expected``."""
    return pytest.param(text, kwargs, expected, id=id)


def num(number, unit=None, op=None, **extra):
    return {"kind": "number", "number": number, "unit": unit, "op": op, **extra}


# --- every distinct 指标值 / 完成值 of the three seeds ------------------------------------------------
# (seed, text as printed, hints as in the row); test_seed_values_occur_in_seeds keeps this list honest.
SEED_CASES = [
    # 000: 部门（单位）整体支出绩效自评表 2023 (no 计量单位 / 方向 columns)
    P("规范", {"kind": "qualitative", "word": "规范"}, id="000-规范"),
    P("合理", {"kind": "qualitative", "word": "合理"}, id="000-合理"),
    P("有效", {"kind": "qualitative", "word": "有效"}, id="000-有效"),
    P("合规", {"kind": "qualitative", "word": "合规"}, id="000-合规"),
    P("建立健全", {"kind": "qualitative", "word": "建立健全"}, id="000-建立健全"),
    P("100%", num(100.0, "%", op_implicit=True), id="000-100%"),
    P("99%", num(99.0, "%"), id="000-99%"),
    P("≥95%", num(95.0, "%", ">=", op_implicit=False), id="000-≥95%"),
    P("4人", num(4.0, "人"), id="000-4人"),
    P("2个", num(2.0, "个"), id="000-2个"),
    P("约150平方米", num(150.0, "平方米", "≈", approx=True), id="000-约150平方米"),
    P("15条", num(15.0, "条"), id="000-15条"),
    P("7项", num(7.0, "项"), id="000-7项"),
    P("19.26平方公里", num(19.26, "平方公里"), id="000-19.26平方公里"),
    P("200户", num(200.0, "户"), id="000-200户"),
    P("6人", num(6.0, "人"), id="000-6人"),
    P("100人次 车辆50次", {"kind": "compound", "notes": ("一个指标含多个指标值",)}, id="000-100人次 车辆50次"),
    P("8亩", num(8.0, "亩"), id="000-8亩"),
    P("200个", num(200.0, "个"), id="000-200个"),
    P("约194", num(194.0, None, "≈", approx=True), id="000-约194"),
    P("60台", num(60.0, "台"), id="000-60台"),
    P("2次", num(2.0, "次"), id="000-2次"),
    P("200M", num(200.0, "M"), id="000-200M"),
    P("每月末", {"kind": "periodic", "period": "月", "periods_per_year": 12}, id="000-每月末"),
    P("每月", {"kind": "periodic", "period": "月", "periods_per_year": 12}, id="000-每月"),
    P("2023年9月", {"kind": "deadline", "date": D(2023, 9, 30)}, id="000-2023年9月"),
    P("2023年4月", {"kind": "deadline", "date": D(2023, 4, 30)}, id="000-2023年4月"),
    P("2023年7月", {"kind": "deadline", "date": D(2023, 7, 31)}, id="000-2023年7月"),
    P("≤2小时", num(2.0, "小时", "<="), id="000-≤2小时"),
    P("24小时内", num(24.0, "小时", "<="), id="000-24小时内"),
    P("0%", num(0.0, "%"), id="000-0%"),
    P("降低", {"kind": "direction", "trend": "down", "number": None, "word": "降低"}, id="000-降低"),
    P("≤2%", num(2.0, "%", "<="), id="000-≤2%"),
    P("≥98%", num(98.0, "%", ">="), id="000-≥98%"),
    P("≥90%", num(90.0, "%", ">="), id="000-≥90%"),
    # 001: 绩效目标申报表 2024: 方向 "=" and 计量单位 "%" in their own columns
    P("按计划有序推进", {"kind": "qualitative", "word": "按计划有序推进"}, id="001-按计划有序推进"),
    P("100", num(100.0, "%", "=", op_implicit=True), unit_hint="%", direction_hint="=", id="001-100 = %"),
    P("0", num(0.0, "%", "="), unit_hint="%", direction_hint="=", id="001-0 = %"),
    P("90", num(90.0, "%", "="), unit_hint="%", direction_hint="=", id="001-90 = %"),
    P("及时", {"kind": "qualitative", "word": "及时"}, id="001-及时"),
    P("较上一年提升", {"kind": "direction", "trend": "up", "basis": "较上年", "number": None}, id="001-较上一年提升"),
    P("与去年同期基本持平", {"kind": "direction", "trend": "flat", "basis": "与去年同期"}, id="001-与去年同期基本持平"),
    P("改善", {"kind": "direction", "trend": "up", "word": "改善", "number": None}, id="001-改善"),
    P("提升", {"kind": "direction", "trend": "up", "word": "提升"}, id="001-提升"),
    P("提高", {"kind": "direction", "trend": "up", "word": "提高"}, id="001-提高"),
    P("逐步改善", {"kind": "direction", "trend": "up", "word": "逐步改善"}, id="001-逐步改善"),
    # 003: narrative report 2024, units in parentheses
    P("125.00(人)", num(125.0, "人"), id="003-125.00(人)"),
    P("240.00(件/人/年)", num(240.0, "件/人/年"), id="003-240.00(件/人/年)"),
    P("240(件/人/年)", num(240.0, "件/人/年"), id="003-240(件/人/年)"),
    P("12.00(人)", num(12.0, "人"), id="003-12.00(人)"),
    P("300.00(个)", num(300.0, "个"), id="003-300.00(个)"),
    P("198.00(人)", num(198.0, "人"), id="003-198.00(人)"),
    P("18.00(人)", num(18.0, "人"), id="003-18.00(人)"),
    P("331.00(部)", num(331.0, "部"), id="003-331.00(部)"),
    P("20.00(人)", num(20.0, "人"), id="003-20.00(人)"),
    P("5.00(个)", num(5.0, "个"), id="003-5.00(个)"),
    P("<0.10(%)", num(0.1, "%", "<"), id="003-<0.10(%)"),
    P("80.00(%)", num(80.0, "%"), id="003-80.00(%)"),
    P("0.00", num(0.0, None), id="003-0.00"),
    P("0 起", num(0.0, "起"), id="003-0 起"),
    P("0.00(起)", num(0.0, "起"), id="003-0.00(起)"),
    P(
        "同比下降 10%",
        {"kind": "direction", "trend": "down", "basis": "同比", "number": 10.0, "unit": "%"},
        id="003-同比下降 10%",
    ),
    P(
        "同比上升 20%",
        {"kind": "direction", "trend": "up", "basis": "同比", "number": 20.0, "unit": "%"},
        id="003-同比上升 20%",
    ),
    P(
        "环比下降 5%",
        {"kind": "direction", "trend": "down", "basis": "环比", "number": 5.0, "unit": "%"},
        id="003-环比下降 5%",
    ),
    P("29 个居委 67 小区", {"kind": "compound"}, id="003-29 个居委 67 小区"),
    P("80.00(分)", num(80.0, "分"), id="003-80.00(分)"),
    P("15:01:00", {"kind": "time_artifact", "number": None}, id="003-15:01:00"),
]

# --- variety beyond the seeds -------------------------------------------------------------------------
OTHER_CASES = [
    # operators: symbols and their variants
    P("≧95％", num(95.0, "%", ">="), id="≧ and full-width %"),
    P("＞=95%", num(95.0, "%", ">="), id="full-width >="),
    P("═100%", num(100.0, "%", "="), id="═"),
    P("＝100%", num(100.0, "%", "="), id="full-width ="),
    P("≥ 95 %", num(95.0, "%", ">="), id="spaces inside"),
    P("１００％", num(100.0, "%"), id="full-width digits"),
    P(">5次", num(5.0, "次", ">"), id=">"),
    P("≥100百分比", num(100.0, "%", ">="), id="≥100百分比"),
    P("100百分比", num(100.0, "%"), id="100百分比"),
    P("“≥95%”", num(95.0, "%", ">="), id="quoted"),
    P("≥95%（含）", num(95.0, "%", ">="), id="(含)"),
    # operator words
    P("不低于95%", num(95.0, "%", ">="), id="不低于"),
    P("不少于20人", num(20.0, "人", ">="), id="不少于"),
    P("至少3次", num(3.0, "次", ">="), id="至少"),
    P("达95%以上", num(95.0, "%", ">="), id="达…以上"),
    P("6人次以上", num(6.0, "人次", ">="), id="以上 after unit"),
    P("达到100%", num(100.0, "%", ">="), id="达到"),
    P("超过90%", num(90.0, "%", ">"), id="超过"),
    P("不超过2小时", num(2.0, "小时", "<="), id="不超过"),
    P("不高于5%", num(5.0, "%", "<="), id="不高于"),
    P("不大于3次", num(3.0, "次", "<="), id="不大于"),
    P("5%以下", num(5.0, "%", "<="), id="以下"),
    P("控制在5%以内", num(5.0, "%", "<="), id="控制在…以内"),
    P("低于1%", num(1.0, "%", "<"), id="低于"),
    P("少于3起", num(3.0, "起", "<"), id="少于"),
    P("3个工作日内", num(3.0, "工作日", "<="), id="个工作日内"),
    P("降低至5%", num(5.0, "%", "<="), id="降低至 is a level"),
    P("提高到98%", num(98.0, "%", ">="), id="提高到 is a level"),
    P("300余件", num(300.0, "件", ">=", notes=("「余/多」按不低于处理",)), id="余"),
    P("足额保障率=100%", num(100.0, "%", "=", word="足额保障率"), id="label=value"),
    P("科目调整次数≤10次", num(10.0, "次", "<=", word="科目调整次数"), id="label≤value"),
    P("结余率(结余数/预算数)≤5%", num(5.0, "%", "<="), id="label with parenthesis"),
    P("辖区企业满意率达95%以上", num(95.0, "%", ">=", word="辖区企业满意率"), id="label 达…以上"),
    P("节约10%", num(10.0, "%", None, word="节约"), id="节约 is not 约"),
    # numbers
    P("1,234.50万元", num(1234.5, "万元"), id="thousand separator"),
    P("-5%", num(-5.0, "%"), id="negative"),
    P("99.5", num(99.5, None), id="decimal as text"),
    P("1.2万人次", num(12000.0, "人次"), id="万 multiplier"),
    P("15万元", num(15.0, "万元"), id="万元 is a unit"),
    P("两次", num(2.0, "次"), id="两次"),
    P("十二个", num(12.0, "个"), id="十二个"),
    P("不少于两次", num(2.0, "次", ">="), id="不少于两次"),
    P("百分之百", num(100.0, "%"), id="百分之百"),
    P("百分之九十五", num(95.0, "%"), id="百分之九十五"),
    P("10个百分点", num(10.0, "%"), id="个百分点"),
    P("零事故", num(0.0, None, word="事故"), id="零事故"),
    P("5Mbps", num(5.0, "M"), id="Mbps"),
    P("1G", num(1.0, "G"), id="G"),
    P("30分钟", num(30.0, "分钟"), id="分钟 not 分"),
    P("3个月", num(3.0, "月"), id="个月"),
    P("16课时", num(16.0, "课时"), id="课时"),
    P("100%完成", num(100.0, "%", word="完成"), id="number then word is not compound"),
    # approximations
    P("150左右", num(150.0, None, "≈", approx=True), id="左右"),
    P("大约20人", num(20.0, "人", "≈", approx=True), id="大约"),
    P("近300件", num(300.0, "件", "≈", approx=True), id="近"),
    # ranges
    P("90%-95%", {"kind": "range", "low": 90.0, "high": 95.0, "unit": "%"}, id="range 90%-95%"),
    P("90%~95%", {"kind": "range", "low": 90.0, "high": 95.0, "unit": "%"}, id="range ~"),
    P("90-95%", {"kind": "range", "low": 90.0, "high": 95.0, "unit": "%"}, id="range unit at end"),
    P("80%至90%", {"kind": "range", "low": 80.0, "high": 90.0, "unit": "%"}, id="range 至"),
    P("3~5个工作日", {"kind": "range", "low": 3.0, "high": 5.0, "unit": "工作日"}, id="range 工作日"),
    P(
        "[80,90)",
        {"kind": "range", "low": 80.0, "high": 90.0, "low_inclusive": True, "high_inclusive": False},
        id="interval [80,90)",
    ),
    P("(80,90]", {"kind": "range", "low_inclusive": False, "high_inclusive": True}, id="interval (80,90]"),
    P("［80，90）", {"kind": "range", "low": 80.0, "high": 90.0, "high_inclusive": False}, id="interval full-width"),
    P("80≤x<90", {"kind": "range", "low": 80.0, "high": 90.0, "high_inclusive": False}, id="inequality chain"),
    P("-5%~5%", {"kind": "range", "low": -5.0, "high": 5.0}, id="range negative low"),
    P(
        "95%-90%",
        {"kind": "range", "low": 90.0, "high": 95.0, "notes": ("区间下限大于上限，已对调",)},
        id="range reversed",
    ),
    # compounds
    P("100人次，车辆50次", {"kind": "compound"}, id="compound with comma"),
    P("29个居委67小区", {"kind": "compound"}, id="compound without separators"),
    P("1:1", {"kind": "unparsed"}, id="ratio is not compound"),
    # deadlines
    P("2023年9月30日", {"kind": "deadline", "date": D(2023, 9, 30)}, id="full date"),
    P("2023.9", {"kind": "deadline", "date": D(2023, 9, 30), "notes": ("「2023.9」按2023年9月理解",)}, id="2023.9"),
    P("2023-09", {"kind": "deadline", "date": D(2023, 9, 30)}, id="2023-09"),
    P("2023/9/15", {"kind": "deadline", "date": D(2023, 9, 15)}, id="2023/9/15"),
    P("2023年9月底前完成", {"kind": "deadline", "date": D(2023, 9, 30)}, id="底前完成"),
    P("2020年全年", {"kind": "deadline", "date": D(2020, 12, 31)}, id="全年"),
    P("9月底前", {"kind": "deadline", "date": D(2023, 9, 30)}, year=2023, id="9月底前 with year"),
    P("9月底前", {"kind": "deadline", "date": None, "notes": ("缺少年份，无法确定具体日期",)}, id="9月底前 no year"),
    P(
        "9月前",
        {"kind": "deadline", "date": D(2024, 9, 30), "notes": ("「…前」按该月（季度）末计",)},
        year=2024,
        id="9月前",
    ),
    P("九月底", {"kind": "deadline", "date": D(2023, 9, 30)}, year=2023, id="九月底"),
    P("年内", {"kind": "deadline", "date": D(2023, 12, 31)}, year=2023, id="年内"),
    P("年底前", {"kind": "deadline", "date": D(2023, 12, 31)}, year=2023, id="年底前"),
    P("年度内", {"kind": "deadline", "date": D(2023, 12, 31)}, year=2023, id="年度内"),
    P("第三季度", {"kind": "deadline", "date": D(2023, 9, 30)}, year=2023, id="第三季度"),
    P("三季度前", {"kind": "deadline", "date": D(2023, 9, 30)}, year=2023, id="三季度前"),
    P("2023年第一季度", {"kind": "deadline", "date": D(2023, 3, 31)}, id="year and quarter"),
    P("上半年", {"kind": "deadline", "date": D(2023, 6, 30)}, year=2023, id="上半年"),
    P("9月中旬", {"kind": "deadline", "date": D(2023, 9, 20)}, year=2023, id="中旬"),
    P("2023年2月30日", {"kind": "unparsed", "notes": ("日期2023年2月30日不存在",)}, id="impossible date"),
    P("次月10日前", {"kind": "unparsed"}, id="次月10日前 is not a quantity"),
    # periodic
    P("按月", {"kind": "periodic", "period": "月", "periods_per_year": 12}, id="按月"),
    P("每季度", {"kind": "periodic", "period": "季度", "periods_per_year": 4}, id="每季度"),
    P("每周", {"kind": "periodic", "period": "周", "periods_per_year": 52}, id="每周"),
    P("每日", {"kind": "periodic", "period": "日", "periods_per_year": 365}, id="每日"),
    P("每天", {"kind": "periodic", "period": "日", "periods_per_year": 365}, id="每天"),
    P("每年", {"kind": "periodic", "period": "年", "periods_per_year": 1}, id="每年"),
    P("每半年", {"kind": "periodic", "period": "半年", "periods_per_year": 2}, id="每半年"),
    P("每两周", {"kind": "periodic", "period": "周", "periods_per_year": 26}, id="每两周"),
    P("每季度开展1次", {"kind": "periodic", "period": "季度", "number": 1.0, "unit": "次"}, id="每季度1次"),
    P("定期", {"kind": "periodic", "period": None, "periods_per_year": None, "word": "定期"}, id="定期"),
    P("按时", {"kind": "qualitative", "word": "按时"}, id="按时 is not periodic"),
    P("按年度计划完成", {"kind": "qualitative"}, id="按年度计划 is not periodic"),
    # directions
    P("下降", {"kind": "direction", "trend": "down"}, id="下降"),
    P("减少", {"kind": "direction", "trend": "down"}, id="减少"),
    P("增加", {"kind": "direction", "trend": "up"}, id="增加"),
    P("增长", {"kind": "direction", "trend": "up"}, id="增长"),
    P("上升", {"kind": "direction", "trend": "up"}, id="上升"),
    P("逐步提升", {"kind": "direction", "trend": "up", "number": None}, id="逐步提升"),
    P("较上年增长", {"kind": "direction", "trend": "up", "basis": "较上年"}, id="较上年增长"),
    P("较上年增长10%", {"kind": "direction", "trend": "up", "basis": "较上年", "number": 10.0}, id="较上年增长10%"),
    P("持平", {"kind": "direction", "trend": "flat", "op": None}, id="持平"),
    P("保持稳定", {"kind": "direction", "trend": "flat"}, id="保持稳定"),
    P("不下降", {"kind": "direction", "trend": "flat", "op": ">="}, id="不下降"),
    P("不低于上年", {"kind": "direction", "trend": "flat", "op": ">=", "basis": "较上年"}, id="不低于上年"),
    P("不高于上年水平", {"kind": "direction", "trend": "flat", "op": "<="}, id="不高于上年"),
    P("下降10个百分点", {"kind": "direction", "trend": "down", "number": 10.0, "unit": "%"}, id="下降10个百分点"),
    P("下降不少于10%", {"kind": "direction", "trend": "down", "op": ">=", "number": 10.0}, id="下降不少于10%"),
    P(
        "辖区发案数同比下降10%",
        {"kind": "direction", "trend": "down", "basis": "同比", "number": 10.0},
        id="label then 同比下降",
    ),
    P("责任倒查年环比下降", {"kind": "direction", "trend": "down", "basis": "环比"}, id="环比 inside"),
    # qualitative
    P("完成", {"kind": "qualitative", "word": "完成"}, id="完成"),
    P("已完成", {"kind": "qualitative", "word": "已完成"}, id="已完成"),
    P("达标", {"kind": "qualitative", "word": "达标"}, id="达标"),
    P("达到", {"kind": "qualitative", "word": "达到"}, id="达到 alone"),
    P("良好", {"kind": "qualitative", "word": "良好"}, id="良好"),
    P("效果明显", {"kind": "qualitative", "word": "效果明显"}, id="效果明显"),
    P("符合相关规定", {"kind": "qualitative", "word": "符合相关规定"}, id="符合相关规定"),
    P("严格执行", {"kind": "qualitative"}, id="严格执行"),
    P("达成预期指标", {"kind": "qualitative", "word": "达成预期指标"}, id="达成预期指标"),
    P("满意", {"kind": "qualitative", "word": "满意"}, id="满意"),
    P("基本满意", {"kind": "qualitative", "word": "基本满意"}, id="基本满意"),
    P("不满意", {"kind": "qualitative", "word": "不满意"}, id="不满意"),
    P("十分满意", {"kind": "qualitative", "word": "十分满意"}, id="十分 is not 10分"),
    P("是", {"kind": "qualitative", "word": "是"}, id="是"),
    P("否", {"kind": "qualitative", "word": "否"}, id="否"),
    P("有", {"kind": "qualitative", "word": "有"}, id="有"),
    P("无", {"kind": "qualitative", "word": "无"}, id="无 is a qualitative answer"),
    P("建立一个长效机制", {"kind": "qualitative"}, id="一个 inside a sentence"),
    P("在项目计划完成时间内完成", {"kind": "qualitative"}, id="在项目计划完成时间内完成"),
    P(
        "严格执行相关制度规定，确保资金使用安全、规范、有效，各项支出符合财务管理制度和预算管理要求",
        {"kind": "qualitative", "notes": ("文字较长（超过40字），按定性处理",)},
        id="long sentence",
    ),
    # empty and unparsed
    P("", {"kind": "empty"}, id="empty string"),
    P("—", {"kind": "empty"}, id="dash"),
    P("/", {"kind": "empty"}, id="slash"),
    P("  ", {"kind": "empty"}, id="spaces"),
    P("abc", {"kind": "unparsed"}, id="latin text"),
    P("%", {"kind": "unparsed"}, id="unit only"),
    P("12,34", {"kind": "unparsed"}, id="bad separator"),
    P(
        "在2023年完成3项工作并组织培训5次，同时开展检查10次，确保全部问题整改到位，群众满意度明显提升",
        {"kind": "unparsed"},
        id="long sentence with digits",
    ),
    # Excel artefacts as text
    P("15:01", {"kind": "time_artifact"}, id="15:01"),
    P("2023-09-30 00:00:00", {"kind": "deadline", "date": D(2023, 9, 30)}, id="datetime as text"),
    P("1900-01-05", {"kind": "time_artifact"}, id="Excel epoch date as text"),
]


def _check(pv, expected):
    for key, want in expected.items():
        assert getattr(pv, key) == want, f"{key}: {getattr(pv, key)!r} != {want!r} in {pv}"


@pytest.mark.parametrize(("text", "kwargs", "expected"), SEED_CASES + OTHER_CASES)
def test_parse_value(text, kwargs, expected):
    pv = parse_value(text, **kwargs)
    assert pv.raw == text
    assert pv.kind in KINDS
    assert pv.op is None or pv.op in OPERATORS
    _check(pv, expected)


@pytest.fixture(scope="module")
def seed_texts(seed_000_path, seed_003_path):
    """Seed texts by seed number."""
    paths = {"000": seed_000_path, "003": seed_003_path, "001": seed_000_path.parent / "001_66265a79e30ddeca.txt"}
    return {k: p.read_text(encoding="utf-8") for k, p in paths.items()}


def test_seed_values_occur_in_seeds(seed_texts):
    """Every seed case is printed in its seed, so the table cannot drift from the real values."""
    checked = 0
    for case in SEED_CASES:
        seed = case.id.split("-", 1)[0]
        if seed in seed_texts:
            cells = {c.strip() for line in seed_texts[seed].splitlines() for c in line.split("\t")}
            assert case.values[0] in cells or case.values[0] in seed_texts[seed], case.id
            checked += 1
    assert checked == len(SEED_CASES)


def test_seed_000_values_all_parse(seed_texts):
    """No 年度指标值 / 全年完成值 cell of seed 000 stays unparsed."""
    lines = seed_texts["000"].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("一级指标"))
    values = set()
    for line in lines[start + 1 :]:
        if line.startswith("履职情况"):
            break
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        # the value cells sit just before the self score: take the last cells that are not plain scores
        values.update(c for c in cells[-3:] if not c.replace(".", "").isdigit())
    values -= {"总分"}
    parsed = {v: parse_value(v) for v in values}
    assert not sorted(v for v, pv in parsed.items() if pv.kind == "unparsed")
    assert parsed["100人次 车辆50次"].kind == "compound"
    assert {pv.kind for pv in parsed.values()} >= {"number", "qualitative", "deadline", "periodic", "direction"}


# --- details of particular kinds ---------------------------------------------------------------------


def test_compound_parts_keep_numbers_units_and_labels():
    pv = parse_value("100人次 车辆50次")
    assert [(p.number, p.unit, p.word) for p in pv.parts] == [(100.0, "人次", None), (50.0, "次", "车辆")]
    assert all(p.kind == "number" for p in pv.parts)
    pv = parse_value("29 个居委 67 小区", unit_hint="个")
    assert [(p.number, p.unit, p.word) for p in pv.parts] == [(29.0, "个", "居委"), (67.0, "个", "小区")]


def test_single_number_with_label_is_not_compound():
    pv = parse_value("防疫外围秩序维护人员数：6人")
    assert (pv.kind, pv.number, pv.unit, pv.word) == ("number", 6.0, "人", "防疫外围秩序维护人员数")


@pytest.mark.parametrize(
    ("value", "kind", "date"),
    [
        (dt.time(15, 1), "time_artifact", None),
        (dt.datetime(2023, 9, 30, 0, 0), "deadline", D(2023, 9, 30)),
        (D(2024, 6, 30), "deadline", D(2024, 6, 30)),
        (dt.datetime(1900, 1, 5), "time_artifact", None),
    ],
    ids=["time", "datetime", "date", "Excel epoch datetime"],
)
def test_excel_objects(value, kind, date):
    pv = parse_value(value)
    assert (pv.kind, pv.date) == (kind, date)
    assert pv.raw == str(value)
    if kind == "time_artifact":
        assert pv.notes and "电子表格" in pv.notes[0]


def test_time_artifact_note_gives_day_fraction():
    assert "0.6257" in parse_value(dt.time(15, 1)).notes[0]


def test_datetime_on_first_of_month_is_noted():
    assert parse_value(dt.datetime(2023, 9, 1)).notes == ("日期为当月1日，原表可能只写了年月",)


@pytest.mark.parametrize(
    ("value", "kwargs", "number", "unit", "notes"),
    [
        (100, {}, 100.0, None, ()),
        (99.5, {"unit_hint": "%"}, 99.5, "%", ()),
        (0.95, {"unit_hint": "%"}, 0.95, "%", ("数值0.95不大于1而单位为%，可能是小数形式的比率，未换算",)),
        (0.95, {"unit_hint": "万元"}, 0.95, "万元", ()),
        (1e-05, {}, 0.00001, None, ()),
    ],
    ids=["int", "float", "ratio in % column is not rescaled", "small money", "tiny float"],
)
def test_real_numbers(value, kwargs, number, unit, notes):
    pv = parse_value(value, **kwargs)
    assert (pv.kind, pv.number, pv.unit, pv.notes, pv.raw) == ("number", number, unit, notes, str(value))


@pytest.mark.parametrize("value", [None, float("nan"), "nan", "None"], ids=["None", "NaN", "nan text", "None text"])
def test_missing_values_are_empty(value):
    pv = parse_value(value)
    assert pv.kind == "empty"


def test_infinite_float_is_unparsed():
    assert parse_value(float("inf")).kind == "unparsed"


def test_bool_becomes_yes_no():
    assert (parse_value(True).word, parse_value(False).word) == ("是", "否")


# --- hints ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit_hint", "direction_hint", "op", "unit", "op_implicit"),
    [
        ("100", "%", "=", "=", "%", True),
        ("90", "百分比", "≥", ">=", "%", True),
        ("5", "次", "≤", "<=", "次", True),
        ("5", "次", "<=", "<=", "次", True),
        ("95", "％", "正向", ">=", "%", True),
        ("2", "小时", "反向", "<=", "小时", True),
        ("50", "个", None, None, "个", True),
        ("50", "个", "定量指标", None, "个", True),
        ("≥95%", "%", "≤", ">=", "%", False),
        ("约150", "平方米", "=", "≈", "平方米", False),
    ],
    ids=[
        "= %",
        "百分比 ≥",
        "≤",
        "<= ascii",
        "正向",
        "反向",
        "no hint",
        "nature is not a direction",
        "text wins",
        "approx keeps ≈",
    ],
)
def test_hints_fill_missing_operator_and_unit(text, unit_hint, direction_hint, op, unit, op_implicit):
    pv = parse_value(text, unit_hint=unit_hint, direction_hint=direction_hint)
    assert (pv.op, pv.unit, pv.op_implicit) == (op, unit, op_implicit)


def test_conflicting_hints_are_noted_not_applied():
    pv = parse_value("≥95%", unit_hint="个", direction_hint="≤")
    assert (pv.op, pv.unit) == (">=", "%")
    assert pv.notes == (
        "指标值单位「%」与计量单位列「个」不一致，以指标值为准",
        "指标值中的符号「≥」与方向列「≤」不一致，以指标值为准",
    )


def test_blank_unit_hint_is_ignored():
    assert parse_value("50", unit_hint="—").unit is None


def test_unit_hint_applies_to_ranges_and_not_to_qualitative():
    assert parse_value("90-95", unit_hint="%").unit == "%"
    assert parse_value("规范", unit_hint="%").unit is None


# --- describe_value ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("≥95%", {}, "≥95%"),
        ("约150平方米", {}, "约150平方米"),
        ("150左右", {"unit_hint": "平方米"}, "约150平方米"),
        ("2023年9月", {}, "2023年9月30日前"),
        ("每月", {}, "每月"),
        ("同比下降 10%", {}, "同比下降10%"),
        ("规范", {}, "规范"),
        ("100", {"unit_hint": "%", "direction_hint": "="}, "100%"),
        ("100", {"unit_hint": "%", "direction_hint": "≥"}, "≥100%"),
        ("<0.10(%)", {}, "<0.1%"),
        ("[80,90)", {}, "[80,90)"),
        ("90%-95%", {}, "90%～95%"),
        ("100人次 车辆50次", {}, "100人次、车辆50次"),
        ("降低", {}, "降低"),
        ("", {}, "（空）"),
        ("15:01:00", {}, "15:01:00（疑似电子表格把数值转成了时间格式）"),
        ("abc", {}, "abc"),
    ],
    ids=[
        "≥",
        "约",
        "左右+hint",
        "deadline",
        "periodic",
        "direction",
        "qualitative",
        "implicit =",
        "hinted ≥",
        "<",
        "interval",
        "range",
        "compound",
        "trend",
        "empty",
        "time",
        "unparsed",
    ],
)
def test_describe_value(text, kwargs, expected):
    assert describe_value(parse_value(text, **kwargs)) == expected


# --- word lists -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("规范", True),
        ("合理", True),
        ("建立健全", True),
        ("效果明显", True),
        ("按计划有序推进", True),
        ("及时", True),
        ("改善", True),
        ("降低", True),
        ("较上一年提升", True),
        ("与去年同期基本持平", True),
        ("定期", True),
        ("同比下降10%", False),
        ("≥95%", False),
        ("是", False),
        ("满意", False),
        ("完成", False),
        ("每月", False),
        ("", False),
    ],
    ids=lambda x: str(x),
)
def test_is_vague(text, vague):
    assert is_vague(parse_value(text)) is vague


@pytest.mark.parametrize(
    ("text", "generic"),
    [
        ("完成", True),
        ("已完成", True),
        ("达成预期指标", True),
        ("是", True),
        ("达标", True),
        ("符合要求", True),
        ("达到", True),
        ("100%", False),
        ("规范", False),
        ("无", False),
        ("", False),
    ],
    ids=lambda x: str(x),
)
def test_is_generic_actual(text, generic):
    assert is_generic_actual(parse_value(text)) is generic


def test_is_nil():
    assert is_nil(parse_value("无"))
    assert is_nil(parse_value("未发生"))
    assert not is_nil(parse_value("—"))
    assert not is_nil(parse_value("有"))


def test_word_lists_cover_the_domain_examples():
    for w in ("规范", "合理", "有效", "良好", "明显", "进一步", "提升", "加强", "建立健全", "确保"):
        assert w in VAGUE_WORDS
    for w in ("完成", "达成预期指标", "是", "已完成"):
        assert w in GENERIC_ACTUALS


# --- units and conversions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("百分比", "%"),
        ("％", "%"),
        ("%", "%"),
        ("个工作日", "工作日"),
        ("(件/人/年)", "件/人/年"),
        ("㎡", "平方米"),
        ("km", "公里"),
        ("Mbps", "M"),
        ("人次", "人次"),
        ("元/人", "元/人"),
        ("—", None),
        ("", None),
        ("ABC", None),
    ],
    ids=lambda x: str(x),
)
def test_canonical_unit(text, unit):
    assert canonical_unit(text) == unit


@pytest.mark.parametrize(
    ("number", "unit", "to_unit", "expected"),
    [
        (2, "小时", "分钟", 120.0),
        (90, "分钟", "小时", 1.5),
        (1, "天", "小时", 24.0),
        (2, "工作日", "天", 2.0),
        (1, "周", "天", 7.0),
        (1, "年", "月", 12.0),
        (15, "万元", "元", 150000.0),
        (1, "亿元", "万元", 10000.0),
        (5, "‰", "%", 0.5),
        (1, "公顷", "亩", 15.0),
        (1, "公里", "米", 1000.0),
        (1, "G", "M", 1000.0),
        (3, "名", "人", 3.0),
        (7, "个", "个", 7.0),
        (5, "百分比", "%", 5.0),
        (1, "小时", "元", None),
        (1, "月", "天", None),
        (1, "人", "人次", None),
        (None, "%", "%", None),
    ],
    ids=lambda x: str(x),
)
def test_convert(number, unit, to_unit, expected):
    got = convert(number, unit, to_unit)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_units_compatible():
    assert units_compatible("分钟", "小时")
    assert not units_compatible("个", "人")


@pytest.mark.parametrize(
    ("hint", "op"),
    [
        ("≥", ">="),
        (">=", ">="),
        ("≧", ">="),
        ("＞=", ">="),
        ("≤", "<="),
        ("=", "="),
        ("═", "="),
        (">", ">"),
        ("正向", ">="),
        ("反向", "<="),
        ("定量指标", None),
        ("", None),
        (None, None),
    ],
    ids=lambda x: str(x),
)
def test_direction_to_op(hint, op):
    assert direction_to_op(hint) == op


# --- never raises ------------------------------------------------------------------------------------------

_VALUE_ALPHABET = list(
    "0123456789.,%‰-~—:[]()（）/ ≥≤<>=＞≧═年月日季度前底内每同比环下降提升人次个万元约以上下左右零一二两十百分亩M"
)


def _never_raises(text):
    pv = parse_value(text, unit_hint="%", direction_hint="≥", year=2023)
    assert pv.raw == text
    assert pv.kind in KINDS
    assert not any(n.startswith("解析出错") for n in pv.notes), pv.notes  # the safety net was not needed
    assert isinstance(describe_value(pv), str)
    if pv.kind == "compound":
        assert all(p.kind == "number" for p in pv.parts)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_never_raises_on_arbitrary_text(text):
    _never_raises(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_VALUE_ALPHABET), max_size=25))
def test_never_raises_on_value_like_text(text):
    _never_raises(text)
