"""Hostile and broken input files (issue 11): no hang, no memory blow-up, no traceback.

Every reproducer is generated here in tmp_path; each case must end within seconds with
one Chinese ``InputFileError`` naming the file (CLI: exit 2, no traceback) or a correct result.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.core.errors import InputFileError
from jixiao.read.files import load_evaluation, read_grids, read_text_file
from jixiao.read.narrative_doc import Doc
from jixiao.read.narrative_extract import read_targets
from jixiao.read.narrative_report import read_report

from .conftest import SAMPLES

REPORT = SAMPLES / "hongqiao_2024_report.txt"
XLSX = SAMPLES / "xinhong_2023_self_evaluation.xlsx"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def _assert_clean_failure(res, path: Path) -> None:
    """Exit 2, one Chinese line naming the file, no traceback."""
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    assert path.name in res.output
    assert CJK.search(res.output)


def _bounded(fn, *, seconds: float = 5.0, megabytes: float = 300.0):
    """Run fn; assert it ends within ``seconds`` and allocates at most ``megabytes`` at peak."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        result = fn()
    except InputFileError as err:
        result = err
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < megabytes * 2**20, f"peak {peak / 2**20:.0f} MB"
    return result


def _xlsx_with_sheet(path: Path, sheet_data: str, *, shared_strings: bool = True, tail: str = "") -> Path:
    """A minimal valid workbook whose first sheet's <sheetData> is ``sheet_data`` (raw XML)."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "占位"
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="A1"/><sheetData>{sheet_data}</sheetData>{tail}</worksheet>'
                ).encode()
            if info.filename == "xl/sharedStrings.xml" and not shared_strings:
                continue
            if info.filename == "[Content_Types].xml" and not shared_strings:
                data = re.sub(rb'<Override PartName="/xl/sharedStrings.xml"[^>]*/>', b"", data)
            if info.filename == "xl/_rels/workbook.xml.rels" and not shared_strings:
                data = re.sub(rb"<Relationship[^>]*sharedStrings[^>]*/>", b"", data)
            out.writestr(info.filename, data)
    return path


# --- 1. regex backtracking in the narrative report ---------------------------------------


def test_report_target_with_long_digit_run_is_read_in_linear_time(tmp_path):
    """Issue 11 #1: 26 digits inside a target name took 59 s (time doubled per digit)."""
    text = REPORT.read_text(encoding="utf-8")
    assert "社会前端管理绩效水平" in text
    hostile = tmp_path / "r.txt"
    hostile.write_text(text.replace("社会前端管理绩效水平", "社会前端管理" + "9" * 26 + "绩效水平"), encoding="utf-8")
    report = _bounded(lambda: read_report(hostile), seconds=3)
    assert not isinstance(report, InputFileError)
    names = " ".join(report.targets["name"].astype(str))
    assert "社会前端管理" + "9" * 26 + "绩效水平" in names
    t0 = time.perf_counter()
    res = _cli("check", "--report", hostile)
    assert res.exit_code == 0 and time.perf_counter() - t0 < 5


def test_report_target_tail_patterns_stay_fast_on_hostile_items(tmp_path):
    items = ["9" * 5000, "1 " * 3000 + "x", "达到" * 2000 + "1" * 2000 + "绩效", "1,1,1," * 1000 + "分", "1.1." * 1000]
    body = "数量指标包括：" + "；".join(items) + "。"
    path = tmp_path / "r.txt"
    path.write_text("一、基本情况\n" + body + "\n", encoding="utf-8")
    _bounded(lambda: read_report(path), seconds=3)


def test_report_target_values_still_split_from_names():
    doc = Doc("一、绩效目标\n数量指标包括：培训人次达到1,200人次以上；道路 12.5公里；服务满意度≥95%；完成时间 10:30。")
    targets = read_targets(doc, 2024)
    assert list(targets["name"]) == ["培训人次", "道路", "服务满意度", "完成时间"]
    assert list(targets["target"]) == ["达到1,200人次以上", "12.5公里", "≥95%", "10:30"]


# --- 2. memory: bounded sheets and files ----------------------------------------------------


def test_single_cell_at_xfd1048576_is_refused_quickly_with_the_limit(tmp_path):
    path = tmp_path / "far.xlsx"
    wb = openpyxl.Workbook()
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    assert path.stat().st_size < 20_000
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError)
    assert "JIXIAO_MAX_" in str(err) and "上限" in str(err) and "far.xlsx" in str(err)
    _assert_clean_failure(_cli("check", path), path)


def test_stray_empty_formatted_cell_far_away_does_not_change_the_grid(tmp_path):
    path = tmp_path / "styled.xlsx"
    shutil.copy(XLSX, path)
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0]["XFD1048576"].number_format = "0.00%"  # a styled cell with no value
    wb.save(path)
    grids = _bounded(lambda: read_grids(path))
    reference = read_grids(XLSX)
    assert [g.rows for g in grids] == [g.rows for g in reference]


def test_sheet_with_many_rows_is_refused_at_the_row_limit(tmp_path, monkeypatch):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 30_001))
    path = _xlsx_with_sheet(tmp_path / "rows.xlsx", rows)
    t0 = time.perf_counter()
    with pytest.raises(InputFileError, match="JIXIAO_MAX_ROWS") as caught:
        read_grids(path)  # the default limit, timed without tracemalloc's overhead
    assert time.perf_counter() - t0 < 5 and "20,000" in str(caught.value)
    monkeypatch.setenv("JIXIAO_MAX_ROWS", "2000")
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError) and "2,000" in str(err) and err.row == 2001


def test_huge_cell_and_unpacked_size_are_refused(tmp_path, monkeypatch):
    big = "长" * 40_000
    path = _xlsx_with_sheet(
        tmp_path / "cell.xlsx", f'<row r="1"><c r="A1" t="inlineStr"><is><t>{big}</t></is></c></row>'
    )
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError) and "JIXIAO_MAX_CELL_CHARS" in str(err) and "A" in str(err)
    monkeypatch.setenv("JIXIAO_MAX_XLSX_PART_BYTES", str(50_000))  # the 200 MB cell case, scaled down
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError) and "解压后" in str(err) and "JIXIAO_MAX_XLSX_PART_BYTES" in str(err)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_fifo_named_csv_is_refused_not_blocking(tmp_path):
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    outcome: list[object] = []

    def read() -> None:
        try:
            read_grids(fifo)
        except InputFileError as err:
            outcome.append(err)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader before failing
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert outcome and "不是普通文件" in str(outcome[0])


def test_csv_symlink_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    err = _bounded(lambda: read_grids(link), seconds=2, megabytes=50)
    assert isinstance(err, InputFileError) and "不是普通文件" in str(err)
    _assert_clean_failure(_cli("check", link), link)


def test_oversized_text_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_MAX_FILE_BYTES", "1000")
    path = tmp_path / "big.txt"
    path.write_text("指标\t" * 1000, encoding="utf-8")
    with pytest.raises(InputFileError, match="JIXIAO_MAX_FILE_BYTES"):
        read_text_file(path)


# --- 3. corrupt files -----------------------------------------------------------------------


def _mutate_member(src: Path, dst: Path, member: str, fn) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, fn(data) if info.filename == member else data)
    return dst


@pytest.mark.parametrize(
    "member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]
)
def test_malformed_xml_part_gives_one_chinese_message(tmp_path, member):
    path = _mutate_member(XLSX, tmp_path / "broken.xlsx", member, lambda b: b[: len(b) // 2] + b"<<&&")
    err = _bounded(lambda: load_evaluation(path))
    assert isinstance(err, InputFileError) and "broken.xlsx" in str(err) and "损坏" in str(err)
    _assert_clean_failure(_cli("check", path), path)


def test_malformed_shared_string_table(tmp_path):
    path = _xlsx_with_sheet(tmp_path / "sst.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    path = _mutate_member(
        path,
        tmp_path / "broken.xlsx",
        "[Content_Types].xml",
        lambda b: b.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        ),
    )
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>指标</t><<&&',
        )
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError) and "broken.xlsx" in str(err) and "损坏" in str(err)


def test_shared_string_index_without_table(tmp_path):
    path = _xlsx_with_sheet(
        tmp_path / "sst.xlsx", '<row r="1"><c r="A1" t="s"><v>5</v></c></row>', shared_strings=False
    )
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError) and "sst.xlsx" in str(err)


def test_numeric_cell_1e999_names_the_cell(tmp_path):
    path = _xlsx_with_sheet(tmp_path / "inf.xlsx", '<row r="3"><c r="D3"><v>1e999</v></c></row>')
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError)
    assert err.row == 3 and err.column == "D" and "有限" in str(err)
    _assert_clean_failure(_cli("check", path), path)


def test_csv_with_cr_only_line_endings_reads_like_crlf(tmp_path):
    src = (SAMPLES / "template_tidy.csv").read_bytes().replace(b"\r\n", b"\n")
    mac = tmp_path / "mac.csv"
    mac.write_bytes(src.replace(b"\n", b"\r"))
    unix = tmp_path / "unix.csv"
    unix.write_bytes(src)
    assert [g.rows for g in read_grids(mac)] == [g.rows for g in read_grids(unix)]
    assert len(read_grids(mac)[0].rows) > 5


def test_csv_field_over_128_kib_gives_a_message_with_the_row(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("指标,值\n说明," + "长" * 140_000 + "\n", encoding="utf-8")
    err = _bounded(lambda: read_grids(path))
    assert isinstance(err, InputFileError) and err.row == 2 and "JIXIAO_MAX_CELL_CHARS" in str(err)
    ok = tmp_path / "ok.csv"
    ok.write_text("指标,值\n说明," + "长" * 30_000 + "\n", encoding="utf-8")
    assert len(read_grids(ok)[0].rows[1][1]) == 30_000


# --- 11. misleading messages (reader) -------------------------------------------------------


@pytest.mark.parametrize("codec,bom", [("utf-16", b""), ("utf-16-le", b""), ("utf-16-le", b"\xff\xfe")])
def test_utf16_text_and_csv_are_read(tmp_path, codec, bom):
    text = (SAMPLES / "template_tidy.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "unicode.csv"
    path.write_bytes(bom + text.encode(codec))
    assert [g.rows for g in read_grids(path)] == [g.rows for g in read_grids(SAMPLES / "template_tidy.csv")]
    report = tmp_path / "report.txt"
    report.write_bytes(b"\xff\xfe" + REPORT.read_text(encoding="utf-8").encode("utf-16-le"))
    assert read_text_file(report) == read_text_file(REPORT)


def test_directory_passed_as_file_says_it_is_a_folder(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    res = _cli("check", folder)
    _assert_clean_failure(res, folder)
    assert "文件夹" in res.output and "扩展名" not in res.output
    res = _cli("check", "--report", folder)
    _assert_clean_failure(res, folder)
    assert "文件夹" in res.output


# --- 10. wrong results without an error -----------------------------------------------------

TIDY = SAMPLES / "template_tidy.csv"


def _tidy_with(tmp_path: Path, old: str, new: str) -> Path:
    text = TIDY.read_text(encoding="utf-8-sig")
    assert old in text
    path = tmp_path / "tidy.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _tidy_xlsx(tmp_path: Path, name: str = "tidy.xlsx", **cells: object) -> Path:
    """The tidy sample as a workbook with numeric cells; ``cells`` overrides by reference (E3=…)."""
    path = tmp_path / name
    wb = openpyxl.Workbook()
    ws = wb.active
    rows = [line.split(",") for line in TIDY.read_text(encoding="utf-8-sig").splitlines()]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, float(value) if value.replace(".", "", 1).isdigit() else value or None)
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


@pytest.mark.parametrize("weight,problem", [(1e308, "不是合理的分值"), (-10, "不能为负数"), (5000, "不是合理的分值")])
def test_absurd_weights_are_findings_not_an_infinite_total(tmp_path, weight, problem):
    path = _tidy_xlsx(tmp_path, E3=weight)  # 分值 of 道路保洁面积
    res = _cli("score", path, "--json")
    assert res.exit_code == 0, res.output
    assert "Infinity" not in res.output
    doc = json.loads(res.output)
    total = doc["totals"]["review_total"]
    assert total is None or 0 <= total <= 100
    assert doc["totals"].get("grade") != "优" or total is not None
    check = _cli("check", path, "--json")
    findings = json.loads(check.output)["findings"]
    a37 = [f for f in findings if f["code"] == "A37"]
    assert a37 and problem in a37[0]["message"] and "道路保洁面积" in a37[0]["message"]


@pytest.mark.parametrize("text", ["inf", "1e999", "1e308", "-inf", "nan"])
def test_non_numbers_in_csv_never_give_an_infinite_total(tmp_path, text):
    path = _tidy_with(tmp_path, "道路保洁面积,10,", f"道路保洁面积,{text},")
    res = _cli("score", path, "--json")
    if res.exit_code == 2:
        _assert_clean_failure(res, path)
        return
    assert res.exit_code == 0 and "Infinity" not in res.output and "NaN" not in res.output
    total = json.loads(res.output)["totals"]["review_total"]
    assert total is None or 0 <= total <= 100


def test_header_only_table_is_not_a_clean_review(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(TIDY.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    res = _cli("check", path)
    if res.exit_code == 0:
        assert "复核未发现问题" not in res.output and "没有任何指标行" in res.output
    else:
        _assert_clean_failure(res, path)


def test_hidden_sheet_is_skipped_and_reported(tmp_path):
    """A hidden decoy is not read; the skip is a finding (A34); a hidden sheet named explicitly is read."""
    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.load_workbook(XLSX)
    wb.worksheets[0].title = "真表"
    decoy = wb.create_sheet("旧表")
    for row in openpyxl.load_workbook(TIDY.with_suffix(".xlsx")).worksheets[0].iter_rows(values_only=True):
        decoy.append(list(row))
    decoy.sheet_state = "hidden"
    wb.save(path)
    evaluation = load_evaluation(path)
    reference = load_evaluation(XLSX)
    assert list(evaluation.indicators["name"]) == list(reference.indicators["name"])  # the decoy did not win
    notes = evaluation.notes[evaluation.notes["code"] == "hidden_sheet"]
    assert len(notes) == 1 and "旧表" in notes.iloc[0]["message"]
    assert "旧表" in _cli("check", path).output
    named = load_evaluation(path, sheet="旧表")
    assert "道路保洁面积" in set(named.indicators["name"])


def test_formula_without_cached_value_is_named_as_formula(tmp_path):
    path = _tidy_xlsx(tmp_path, L3="=10*1")  # 自评分 of 道路保洁面积; openpyxl saves no cached result
    evaluation = load_evaluation(path)
    notes = evaluation.notes[evaluation.notes["code"] == "formula_no_value"]
    assert len(notes) == 1 and notes.iloc[0]["row"] == 3 and "公式" in notes.iloc[0]["message"]
    res = _cli("check", path)
    assert "公式" in res.output and "打开并保存" in res.output


@pytest.mark.parametrize("key", ["score", "tolerance"])
def test_params_infinity_is_refused(tmp_path, key):
    from jixiao.core.errors import ParamsError
    from jixiao.run.params import load_params

    data = tmp_path / "t.csv"
    shutil.copy(TIDY, data)
    extra = (
        "overrides:\n  道路保洁面积:\n    score: .inf\n    reason: 测试\n"
        if key == "score"
        else "tolerances:\n  money: .inf\n"
    )
    path = tmp_path / "u.yaml"
    path.write_text(
        f"unit_id: u\ndisplay_name: 单位\nyear: 2023\ninputs:\n  self_evaluation: t.csv\n{extra}", encoding="utf-8"
    )
    with pytest.raises(ParamsError, match="有限"):
        load_params(path)


# --- 11. control characters never reach the terminal ----------------------------------------


def test_control_characters_are_stripped_from_cli_output(tmp_path):
    path = _tidy_with(tmp_path, "道路保洁面积", "道路\x07保洁\x1b[31m面积")
    res = _cli("check", path)
    assert res.exit_code == 0
    assert "\x07" not in res.output and "\x1b" not in res.output
    missing = tmp_path / "缺\x07失.csv"
    res = _cli("check", missing)
    assert res.exit_code == 2 and "\x07" not in res.output


def test_text_file_with_millions_of_short_lines_is_bounded(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_bytes(b"1\n" * 3_000_000)  # 6 MB, three million rows
    err = _bounded(lambda: read_grids(path), megabytes=200)
    assert isinstance(err, InputFileError) and "JIXIAO_MAX_ROWS" in str(err)
    blank = tmp_path / "blank.txt"
    blank.write_bytes("指标\t分值\n".encode() + b"\n" * 100_000)  # trailing blank lines beyond the limit are dropped
    assert len(read_grids(blank)[0].rows) == 20_000


def test_oversized_report_is_refused_with_the_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(REPORT.read_text(encoding="utf-8") * 100, encoding="utf-8")
    err = _bounded(lambda: read_report(path), seconds=3)
    assert isinstance(err, InputFileError) and "JIXIAO_MAX_REPORT_CHARS" in str(err)
