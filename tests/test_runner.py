"""The batch runner on a tiny template (real kernels, no heavy imports), atomic writes, the portfolio table."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import jsonschema
import nbformat
import pytest

import jixiao.run.atomic
from jixiao.core.errors import ParamsError
from jixiao.run.atomic import TEMP_PREFIX, atomic_write_bytes, atomic_write_json, atomic_write_text
from jixiao.run.handoff import RESULT_MIME, RESULT_TAG
from jixiao.run.portfolio import PORTFOLIO_COLUMNS, load_portfolio, portfolio_level1, render_portfolio_table
from jixiao.run.runner import RESULT_SCHEMA, resolve_selection, run_units, unit_output_paths

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
TINY_UNIT = NOTEBOOKS / "tiny_unit.py"
TINY_PORTFOLIO = NOTEBOOKS / "tiny_portfolio.py"


class Project:
    """A throw-away project: params/, inputs/, outputs/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.params = root / "params"
        self.inputs = root / "inputs"
        self.outputs = root / "outputs"
        self.params.mkdir(parents=True)
        self.inputs.mkdir()

    def add(self, unit: str, content: str, name: str | None = None) -> Path:
        (self.inputs / f"{unit}.txt").write_text(content, encoding="utf-8")
        path = self.params / f"{unit}.yaml"
        path.write_text(
            f"unit_id: {unit}\ndisplay_name: {name or '测试单位' + unit}\nyear: 2023\n"
            f"inputs:\n  self_evaluation: ../inputs/{unit}.txt\n",
            encoding="utf-8",
        )
        return path

    def run(self, selection=None, **options):
        options.setdefault("template", TINY_UNIT)
        options.setdefault("portfolio_template", TINY_PORTFOLIO)
        options.setdefault("warmup", ())
        options.setdefault("progress", False)
        return run_units(selection, outputs_dir=self.outputs, params_dir=self.params, **options)

    def paths(self, unit: str) -> dict[str, Path]:
        return unit_output_paths(self.outputs, unit)

    def temp_files(self) -> list[Path]:
        return [p for p in self.outputs.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def strip_run_times(result: dict) -> dict:
    result = json.loads(json.dumps(result))
    del result["provenance"]["run"]
    return result


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def kernel_pid(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    return int(re.search(r"kernel pid (\d+)", text).group(1))


# --- one batch with a broken unit among good ones, jobs=2 ---------------------------------
@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    project = Project(tmp_path_factory.mktemp("batch"))
    project.add("a1", "91.5\n", name="甲<b>单位</b>")
    project.add("b2", "BROKEN\n")
    project.add("c3", "72\n")
    project.add("d4", "85.25\n")
    summary = project.run(jobs=2)
    return project, summary


@pytest.mark.slow
def test_broken_unit_fails_alone(batch):
    project, summary = batch
    assert [u.unit_id for u in summary.units] == ["a1", "b2", "c3", "d4"]
    assert [u.status for u in summary.units] == ["ok", "failed", "ok", "ok"]
    assert summary.exit_code == 1
    broken = summary.units[1]
    assert "AssertionError: 输入文件损坏：b2" in broken.error
    text = summary.format()
    assert re.search(r"✘ b2.*失败.*输入文件损坏：b2.*b2\.failed\.ipynb", text)
    assert "成功 3，跳过 0，失败 1" in text
    for unit in ("a1", "c3", "d4"):
        paths = project.paths(unit)
        assert all(paths[k].is_file() for k in ("notebook", "client_html", "analyst_html", "result"))
        assert not paths["failed_notebook"].exists()


@pytest.mark.slow
def test_executed_notebooks_are_valid_nbformat_files(batch):
    """The runner writes notebooks without nbformat's per-write validation: they must validate all the same."""
    project, _ = batch
    paths = [project.paths(u)["notebook"] for u in ("a1", "c3", "d4")] + [project.paths("b2")["failed_notebook"]]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        assert text == nbformat.writes(nb)  # byte for byte what nbformat itself writes


@pytest.mark.slow
def test_stored_notebook_keeps_the_hand_off_line_but_not_the_data(batch):
    """The result handed over in the notebook is written to result.json once, not stored in the notebook too."""
    project, _ = batch
    paths = project.paths("a1")
    nb = nbformat.read(paths["notebook"], as_version=4)
    (cell,) = [c for c in nb.cells if RESULT_TAG in c.metadata.get("tags", [])]
    assert [sorted(o["data"]) for o in cell.outputs] == [["text/plain"]]
    assert "result.json" in cell.outputs[0]["data"]["text/plain"]
    assert RESULT_MIME not in paths["notebook"].read_text(encoding="utf-8")
    assert json.loads(paths["result"].read_text(encoding="utf-8"))["totals"]["review_total"] == 91.5


@pytest.mark.slow
def test_failed_notebook_shows_the_error(batch):
    project, _ = batch
    paths = project.paths("b2")
    assert not paths["result"].exists() and not paths["client_html"].exists()
    nb = nbformat.read(paths["failed_notebook"], as_version=4)
    assert "papermill-error-cell-tag" in nb.cells[0].metadata["tags"]  # the banner on top
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "AssertionError"
    assert nb.metadata.papermill["exception"] is True
    html = paths["failed_html"].read_text(encoding="utf-8")
    assert "papermill-error-cell" in html and "AssertionError" in html
    assert read_json(paths["cache"])["status"] == "failed"


@pytest.mark.slow
def test_each_unit_runs_in_its_own_kernel_and_jobs_overlap(batch):
    project, _ = batch
    notebooks = [project.paths(u)["notebook"] for u in ("a1", "c3", "d4")]
    assert len({kernel_pid(nb) for nb in notebooks}) == 3
    spans = []
    for path in notebooks:
        meta = nbformat.read(path, as_version=4).metadata.papermill
        spans.append((dt.datetime.fromisoformat(meta["start_time"]), dt.datetime.fromisoformat(meta["end_time"])))
    spans.sort()
    assert any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:])), "with jobs=2 two units overlap"


@pytest.mark.slow
def test_results_validate_against_the_schema(batch):
    project, summary = batch
    schema = json.loads(RESULT_SCHEMA.read_text(encoding="utf-8"))
    result = read_json(project.paths("a1")["result"])
    jsonschema.validate(result, schema)
    assert result["totals"] == {"review_total": 91.5, "grade": "优"}
    prov = result["provenance"]
    assert prov["unit_id"] == "a1" and prov["params"]["display_name"] == "甲<b>单位</b>"
    assert prov["inputs"]["self_evaluation"]["sha256"] == jixiao_sha(project.inputs / "a1.txt")
    assert set(prov["versions"]) >= {"jixiao", "python", "pandas", "papermill"}
    assert summary.units[0].total == 91.5 and summary.units[0].grade == "优"
    assert summary.units[0].notebook_seconds >= 0.3


def jixiao_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_client_html_hides_code_and_the_result_cell(batch):
    project, _ = batch
    client = project.paths("a1")["client_html"].read_text(encoding="utf-8")
    analyst = project.paths("a1")["analyst_html"].read_text(encoding="utf-8")
    assert "load_params" not in client and "jp-InputPrompt jp-InputArea-prompt" not in client
    assert "load_params" in analyst and re.search(r'jp-InputArea-prompt">In\s\[3\]:', analyst)
    assert "复核结果已交给批量运行器" not in client and "复核结果已交给批量运行器" not in analyst
    assert "<script src" not in client and "甲&lt;b&gt;单位&lt;/b&gt;" in client  # no CDN; input text escaped
    assert '<html lang="zh">' in client


@pytest.mark.slow
def test_portfolio_page_lists_every_unit(batch):
    project, summary = batch
    assert summary.portfolio is not None and summary.portfolio.status == "ok"
    index = (project.outputs / "index.html").read_text(encoding="utf-8")
    assert 'href="a1/a1.html"' in index and 'href="b2/b2.failed.html"' in index
    assert "甲&lt;b&gt;单位&lt;/b&gt;" in index and "91.50" in index and "失败" in index
    table = load_portfolio(project.outputs, project.params)
    assert list(table["unit"]) == ["a1", "b2", "c3", "d4"]
    assert list(table["status"]) == ["成功", "失败", "成功", "成功"]
    assert table.loc[table.unit == "d4", "grade"].item() == "良"
    assert "运行失败" in table.loc[table.unit == "b2", "grade_note"].item()  # 未评级 says why
    assert re.search(r"未评级<br/?><small>运行失败", index)
    assert table.loc[table.unit == "c3", "hints"].item() == 1
    assert list(portfolio_level1(table).columns) == ["产出指标"]


# --- cache ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_unchanged_units_are_skipped_until_something_changes(tmp_path):
    project = Project(tmp_path)
    project.add("u1", "90\n")
    project.add("u2", "70\n")
    first = project.run()
    assert [u.status for u in first.units] == ["ok", "ok"]
    stamp = project.paths("u1")["result"].stat().st_mtime_ns

    again = project.run()
    assert [u.status for u in again.units] == ["skipped", "skipped"] and again.exit_code == 0
    assert again.portfolio is None  # nothing ran and index.html exists
    assert again.units[0].total == 90.0 and "已跳过" in again.format()
    assert project.paths("u1")["result"].stat().st_mtime_ns == stamp

    (project.inputs / "u2.txt").write_text("75\n", encoding="utf-8")  # an input changed
    changed = project.run()
    assert [u.status for u in changed.units] == ["skipped", "ok"] and changed.units[1].total == 75.0

    project.params.joinpath("u1.yaml").write_text(  # the params changed (a comment is enough)
        project.params.joinpath("u1.yaml").read_text(encoding="utf-8") + "# 备注\n", encoding="utf-8"
    )
    assert [u.status for u in project.run().units] == ["ok", "skipped"]

    forced = project.run(force=True)
    assert [u.status for u in forced.units] == ["ok", "ok"] and forced.portfolio.status == "ok"


@pytest.mark.slow
def test_failed_unit_is_not_cached_and_template_change_reruns(tmp_path):
    project = Project(tmp_path)
    project.add("u1", "BROKEN\n")
    assert project.run().units[0].status == "failed"
    assert project.run().units[0].status == "failed"  # tried again, not skipped
    (project.inputs / "u1.txt").write_text("88\n", encoding="utf-8")
    fixed = project.run()
    assert fixed.units[0].status == "ok" and fixed.exit_code == 0
    assert not project.paths("u1")["failed_notebook"].exists()  # stale failure removed

    template = tmp_path / "template.py"
    template.write_text(TINY_UNIT.read_text(encoding="utf-8") + "\n# %%\n1 + 1\n", encoding="utf-8")
    assert project.run(template=template).units[0].status == "ok"


# --- params problems and selection --------------------------------------------------------------
@pytest.mark.slow
def test_bad_params_file_is_a_failed_unit(tmp_path):
    project = Project(tmp_path)
    project.add("good", "95\n")
    bad = project.add("bad", "95\n")
    bad.write_text(bad.read_text(encoding="utf-8").replace("year:", "yaer:"), encoding="utf-8")
    summary = project.run(portfolio_template=None)
    outcome = {u.unit_id: u for u in summary.units}
    assert outcome["good"].status == "ok" and outcome["bad"].status == "failed"
    assert "bad.yaml" in outcome["bad"].error and "键「yaer」" in outcome["bad"].error
    assert summary.exit_code == 1 and summary.portfolio is None


def test_selection_by_name_or_path_and_unknown_name(tmp_path):
    project = Project(tmp_path)
    a = project.add("a", "1\n")
    project.add("b", "1\n")
    assert resolve_selection(None, project.params) == [a, project.params / "b.yaml"]
    assert resolve_selection(["b", str(a), "b"], project.params) == [(project.params / "b.yaml").resolve(), a.resolve()]
    with pytest.raises(ParamsError, match="找不到单位「c」的参数文件。可用的单位：a、b"):
        resolve_selection(["c"], project.params)


# --- determinism ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_same_inputs_give_the_same_result_apart_from_timestamps(tmp_path):
    project = Project(tmp_path)
    project.add("u1", "83.333\n")
    project.run(portfolio_template=None)
    first = read_json(project.paths("u1")["result"])
    project.run(force=True, portfolio_template=None)
    second = read_json(project.paths("u1")["result"])
    assert first["provenance"]["run"] != second["provenance"]["run"]  # it did run again
    assert strip_run_times(first) == strip_run_times(second)


# --- atomic writes -----------------------------------------------------------------------------
@pytest.mark.slow
def test_interrupted_write_keeps_the_old_outputs(tmp_path, monkeypatch):
    project = Project(tmp_path)
    project.add("u1", "90\n")
    project.run(portfolio_template=None)
    paths = project.paths("u1")
    before = {k: paths[k].read_bytes() for k in ("client_html", "analyst_html", "result")}

    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(".html"):
            raise OSError("模拟中断：磁盘已满")
        return real_replace(src, dst)

    monkeypatch.setattr(jixiao.run.atomic.os, "replace", replace)
    (project.inputs / "u1.txt").write_text("60\n", encoding="utf-8")
    summary = project.run(portfolio_template=None)
    assert summary.units[0].status == "failed" and "模拟中断" in summary.units[0].error
    assert summary.exit_code == 1
    assert {k: paths[k].read_bytes() for k in before} == before  # old HTML and result intact
    assert project.temp_files() == []

    monkeypatch.setattr(jixiao.run.atomic.os, "replace", real_replace)
    assert project.run(portfolio_template=None).units[0].status == "ok"  # not cached as done
    assert read_json(paths["result"])["totals"]["review_total"] == 60.0


def test_atomic_write_interrupted_mid_write(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "report.html"
    atomic_write_text(target, "旧内容")

    def fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(jixiao.run.atomic.os, "fsync", fsync)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, "新内容".encode() * 1000)
    assert target.read_text(encoding="utf-8") == "旧内容"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_atomic_json_rejects_nan_and_keeps_old_file(tmp_path):
    target = tmp_path / "result.json"
    atomic_write_json(target, {"总分": 90.5})
    with pytest.raises(ValueError):
        atomic_write_json(target, {"总分": float("nan")})
    assert json.loads(target.read_text(encoding="utf-8")) == {"总分": 90.5}
    assert target.read_text(encoding="utf-8").endswith("\n") and "总分" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


# --- portfolio table ------------------------------------------------------------------------------
def test_portfolio_of_empty_outputs(tmp_path):
    table = load_portfolio(tmp_path / "missing")
    assert list(table.columns) == PORTFOLIO_COLUMNS and table.empty
    assert "<tbody>" in render_portfolio_table(table)


# --- kernel modes and callers ---------------------------------------------------------------------
@pytest.mark.slow
def test_spawned_and_forked_kernels_give_the_same_result(tmp_path):
    project = Project(tmp_path)
    project.add("u1", "77.7\n")
    forked = project.run(kernels="fork", portfolio_template=None)
    first = read_json(project.paths("u1")["result"])
    spawned = project.run(kernels="spawn", force=True, portfolio_template=None)
    second = read_json(project.paths("u1")["result"])
    assert forked.exit_code == spawned.exit_code == 0
    assert strip_run_times(first) == strip_run_times(second)


@pytest.mark.slow
def test_runs_from_inside_a_running_event_loop(tmp_path):
    """As in JupyterLab, where a loop is already running in the calling thread."""
    import asyncio

    project = Project(tmp_path)
    project.add("u1", "66\n")

    async def caller():
        return project.run(portfolio_template=None)

    assert asyncio.run(caller()).units[0].status == "ok"


@pytest.mark.slow
def test_falls_back_to_spawned_kernels_when_forking_fails(tmp_path, monkeypatch):
    from jixiao.run import forkserver

    async def broken(self, timeout):
        raise forkserver.ForkServerError("模拟：不允许 fork")

    monkeypatch.setattr(forkserver.ForkServer, "_ensure_server", broken)
    project = Project(tmp_path)
    project.add("u1", "66\n")
    project.add("u2", "67\n")
    summary = project.run(kernels="fork", jobs=2, portfolio_template=None)
    assert [u.status for u in summary.units] == ["ok", "ok"]


_STREAMS_NB = """# %% tags=["parameters"]
x = 0

# %%
import sys
from IPython.display import HTML, display
print("一", flush=True)
display(HTML("<b>二</b>"))
print("三")
sys.stderr.write("四\\n")
display(HTML("<i>五</i>"))
print("六", end="")

# %%
type(sys.stdout).flush.__dict__.get("_jixiao_skips_empty", False)

# %%
hm = get_ipython().history_manager
(hm.enabled, hm.save_thread is None, type(hm.db).__name__, get_ipython().kernel._execute_sleep)
"""


def _executed(text: str, mode: str, tmp_path: Path):
    """The notebook ``text`` (py:percent) executed by the runner's engine in a fresh kernel of ``mode``."""
    import asyncio

    from jixiao.run.engine import KernelFactory, load_template, parameterize
    from jixiao.run.execution import execute_notebook

    path = tmp_path / "notebook.py"
    path.write_text(text, encoding="utf-8")

    async def run():
        factory = KernelFactory(cwd=str(tmp_path), warmup=(), mode=mode)
        try:
            kernel = await factory.start()
            nb = await execute_notebook(
                parameterize(load_template(path), {}, input_path="", output_path=""), kernel, timeout=60
            )
            await factory.shutdown(kernel)
            return nb
        finally:
            await factory.aclose()

    return asyncio.run(run())


def _outputs(mode: str, tmp_path: Path) -> list:
    nb = _executed(_STREAMS_NB, mode, tmp_path)
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.outputs] for c in nb.cells[2:]]


@pytest.mark.slow
def test_forked_kernels_skip_empty_flushes_and_keep_every_output_in_order(tmp_path):
    """Forked kernels return at once from a flush with nothing written; text and displays arrive as in a spawned kernel."""
    forked, spawned = _outputs("fork", tmp_path), _outputs("spawn", tmp_path)
    texts = [o.get("text") or o["data"].get("text/html") for o in forked[0]]
    assert texts == ["一\n", "<b>二</b>", "三\n", "四\n", "<i>五</i>", "六"]
    assert [o.get("name") for o in forked[0]] == ["stdout", None, "stdout", "stderr", None, "stdout"]
    assert forked[0] == spawned[0]
    assert forked[1][0]["data"]["text/plain"] == "True" and spawned[1][0]["data"]["text/plain"] == "False"
    # batch kernels write no IPython history (the units' code stays out of ~/.ipython) nor sleep per cell
    assert forked[2][0]["data"]["text/plain"] == spawned[2][0]["data"]["text/plain"] == "(False, True, 'DummyDB', 0.0)"


_FAILING_NB = """# %%
open("first.txt", "w").write("1")

# %%
print("before")
raise ValueError("停在这里")

# %% [markdown]
# 后面的单元格不应运行

# %%
open("after.txt", "w").write("1")

# %%
print("after")
"""


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fork", "spawn"])
def test_all_cells_are_sent_at_once_but_nothing_runs_after_an_error(tmp_path, mode):
    """The cells are queued in the kernel together (no round trip between cells); an error aborts the queued ones."""
    from jixiao.run.execution import add_error_banner

    nb = _executed(_FAILING_NB, mode, tmp_path)
    cells = nb.cells[1:]  # after papermill's injected-parameters cell
    states = [c.metadata["papermill"]["status"] for c in cells]
    assert states == ["completed", "failed", "pending", "pending", "pending"]
    assert [c.get("execution_count") for c in cells if c.cell_type == "code"] == [2, 3, None, None]
    assert cells[1].outputs[0]["text"] == "before\n" and cells[1].outputs[-1]["evalue"] == "停在这里"
    assert cells[3].outputs == [] and cells[4].outputs == []
    assert (tmp_path / "first.txt").exists() and not (tmp_path / "after.txt").exists()
    assert all(c.metadata["papermill"]["duration"] >= 0 for c in cells[:2])
    assert add_error_banner(nb).exec_count == 3
