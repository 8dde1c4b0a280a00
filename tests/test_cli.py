"""The command line: score, check, list, rules, catalogue (run is covered in test_runner)."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.run.project import resource_path

from .conftest import SAMPLES

SCORE_SCHEMA = json.loads(resource_path("schemas", "score.schema.json").read_text(encoding="utf-8"))
FINDINGS_SCHEMA = json.loads(resource_path("schemas", "findings.schema.json").read_text(encoding="utf-8"))
XLSX_000 = SAMPLES / "xinhong_2023_self_evaluation.xlsx"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_score_prints_tables_totals_and_grade():
    res = invoke("score", XLSX_000)
    assert res.exit_code == 0
    out = res.output
    for heading in ("预算执行", "指标计分", "一级指标", "自评分", "规则得分", "复核分"):
        assert heading in out
    assert "新虹街道城市运行管理中心（2023年" in out
    assert (
        "自评分合计 103.00（按分值封顶 98.00），表列总分 98.50，复核总分 45.89–98.69，等级 待定（26 项指标待核实）"
        in out
    )
    assert "待核实 0.00–4.00" in out  # 群众投诉案件率降低: direction without baseline, a range not 0
    assert "99.42%" in out


@pytest.mark.parametrize("path", [XLSX_000, SAMPLES / "xinhong_2023_self_evaluation.txt"], ids=["xlsx", "txt"])
def test_score_json_schema_and_numbers(path):
    res = invoke("score", path, "--json")
    assert res.exit_code == 0
    doc = json.loads(res.output)
    jsonschema.validate(doc, SCORE_SCHEMA)
    assert len(doc["indicators"]) == 56
    assert [b["rate"] for b in doc["budget"]] == [99.87, 99.42, 99.98]
    t = doc["totals"]
    assert (t["weight_sum"], t["self_score_sum"], t["reported_total"], t["rule_total"], t["grade"]) == (
        100.0,
        103.0,
        98.5,
        89.09,
        "待定",
    )
    assert (t["review_total_low"], t["review_total_high"], t["pending_count"]) == (45.89, 98.69, 26)
    l1 = {r["name"]: r for r in doc["level1"]}
    assert l1["效益指标"]["declared_weight"] == 35 and l1["效益指标"]["weight_sum"] == 35  # labels repaired
    ind = {r["name"]: r for r in doc["indicators"]}
    assert ind["辅警人员出勤率"]["actual"] == "" and ind["辅警人员出勤率"]["self_score"] is None
    assert ind["基本支出预算执行率"]["explanation"] == "完成值99% / 指标值100% × 1分 = 0.99分"
    assert ind["资产投入使用率"]["target_parsed"] == {"kind": "number", "op": ">=", "number": 95.0, "unit": "%"}
    direction = ind["群众投诉案件率降低"]
    assert (direction["status"], direction["status_reason"]) == ("待核实", "direction_no_baseline")
    assert (direction["review_score"], direction["review_low"], direction["review_high"]) == (None, 0.0, 4.0)
    assert ind["基本支出预算执行率"]["status"] == "确定" and ind["基本支出预算执行率"]["status_reason"] is None


def test_score_with_scheme_that_does_not_fit_gives_message():
    res = invoke("score", XLSX_000, "--scheme", "caiyu_2020_10")
    assert res.exit_code == 2
    assert "投入管理" in res.output and "Traceback" not in res.output


def test_check_groups_by_severity_and_exits_zero():
    res = invoke("check", XLSX_000)
    assert res.exit_code == 0
    out = res.output
    assert out.startswith("复核发现：错误 ")
    assert out.index("【错误】") < out.index("【警告】") < out.index("【提示】")
    assert "[A06]" in out and "98.50" in out and "103.00" in out


def test_check_json_schema_with_declaration_and_report(seed_001_path):
    res = invoke(
        "check", XLSX_000, "--declaration", seed_001_path, "--report", SAMPLES / "hongqiao_2024_report.txt", "--json"
    )
    assert res.exit_code == 0
    doc = json.loads(res.output)
    jsonschema.validate(doc, FINDINGS_SCHEMA)
    groups = {f["code"][0] for f in doc["findings"]}
    assert {"A", "B", "C", "D", "R"} <= groups
    assert sum(doc["counts"].values()) == len(doc["findings"])


def test_check_report_alone():
    res = invoke("check", "--report", SAMPLES / "hongqiao_2024_report.txt", "--json")
    assert res.exit_code == 0
    codes = {f["code"] for f in json.loads(res.output)["findings"]}
    assert codes == {"R02", "R03", "R20", "R30", "R31", "R33"}


def test_check_clean_table_reports_nothing(data_dir):
    res = invoke("check", data_dir / "clean_unit.xlsx")
    assert res.exit_code == 0
    assert res.output.strip() == "复核未发现问题。"


@pytest.mark.parametrize("command", ["score", "check"])
def test_unreadable_input_exits_2_with_chinese_message(tmp_path, command):
    bad = tmp_path / "坏表.xlsx"
    bad.write_bytes(b"not an excel file at all")
    res = invoke(command, bad)
    assert res.exit_code == 2
    assert "错误：" in res.output and "坏表.xlsx" in res.output and "无法打开 Excel 文件" in res.output
    assert "Traceback" not in res.output


def test_check_needs_an_input():
    res = CliRunner().invoke(main, ["check"])
    assert res.exit_code == 2
    assert "请给出自评表文件" in res.output


def test_rules_and_catalogue_and_list():
    rules = invoke("rules")
    assert rules.exit_code == 0 and "proportional" in rules.output and "按比例得分" in rules.output
    cat = invoke("catalogue")
    assert cat.exit_code == 0 and "A06" in cat.output and "R02" in cat.output
    units = invoke("list")
    assert units.exit_code == 0 and "xinhong-2023" in units.output and "hongqiao-2024" in units.output


def test_console_script_runs_as_module():
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "check", str(XLSX_000)], capture_output=True, text=True, encoding="utf-8"
    )
    assert proc.returncode == 0
    assert "复核发现" in proc.stdout


_ENTRY_SCRIPT = """
import atexit, pathlib, sys, threading, time
marker = pathlib.Path(sys.argv[1])
atexit.register(lambda: marker.write_text(marker.read_text() + "atexit;", encoding="utf-8"))
if sys.argv[2] == "thread":  # a non-daemon thread still at work when the command ends
    threading.Thread(target=lambda: (time.sleep(3), marker.write_text("thread;", encoding="utf-8"))).start()
else:
    marker.write_text("", encoding="utf-8")
sys.argv = ["jixiao", *sys.argv[3:]]
from jixiao.cli import entry
entry()
"""


@pytest.mark.parametrize("thread", [False, True], ids=["plain", "thread-left"])
def test_the_program_keeps_output_status_and_exit_handlers_when_it_leaves(tmp_path, thread):
    """entry() leaves out the collector's last pass at exit; output, exit status, threads and atexit are as usual."""
    marker = tmp_path / "marker.txt"
    prefix = [sys.executable, "-c", _ENTRY_SCRIPT, str(marker), "thread" if thread else "-"]
    ok = subprocess.run([*prefix, "check", str(XLSX_000)], capture_output=True, text=True, encoding="utf-8")
    assert ok.returncode == 0 and "复核发现" in ok.stdout and ok.stdout.endswith("\n")
    assert marker.read_text(encoding="utf-8") == ("thread;atexit;" if thread else "atexit;")
    broken = subprocess.run(
        [*prefix, "check", str(tmp_path / "无此文件.xlsx")], capture_output=True, text=True, encoding="utf-8"
    )
    assert broken.returncode == 2 and "无此文件.xlsx" in broken.stderr and "Traceback" not in broken.stderr
    usage = subprocess.run([*prefix, "check"], capture_output=True, text=True, encoding="utf-8")
    assert usage.returncode == 2 and "请给出自评表文件" in usage.stderr


def test_check_applies_the_tolerances_of_the_project_around_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no project: the default tolerances
    assert '"A06"' in invoke("check", XLSX_000.resolve(), "--json").output
    (tmp_path / "jixiao.toml").write_text(
        '[project]\nname = "测试"\n\n[defaults]\ntolerances = { score = 5, money = 0.01, rate = 0.01 }\n',
        encoding="utf-8",
    )
    doc = json.loads(invoke("check", XLSX_000.resolve(), "--json").output)
    assert "A06" not in {f["code"] for f in doc["findings"]}  # Σ 103 against 98.5 is 4.5, within 5 points
