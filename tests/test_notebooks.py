"""The real notebooks: template shape (no logic, documented parameters) and a papermill run of the sample units."""

from __future__ import annotations

import ast
import hashlib
import json
import re

import jsonschema
import jupytext
import nbformat
import pytest
from papermill.translators import papermill_translators

from jixiao.run.params import list_units, load_params
from jixiao.run.runner import PORTFOLIO_TEMPLATE, RESULT_SCHEMA, UNIT_TEMPLATE, run_units, unit_output_paths
from tests.conftest import PARAMS_DIR

TEMPLATES = [UNIT_TEMPLATE, PORTFOLIO_TEMPLATE]
SAMPLES = [p.stem for p in list_units(PARAMS_DIR)]
# Statements a notebook may hold: imports, assignments and expressions (calls, displays).
ALLOWED = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.Expr)


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_first_code_cell_is_typed_commented_parameters(path):
    nb = jupytext.read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    params = papermill_translators.find_translator("python3", "python").inspect(code[0])
    assert params, "the parameters cell declares parameters"
    for p in params:
        assert p.inferred_type_name != "None" and p.help, f"{p.name}: needs a type annotation and a # comment"


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_notebook_holds_no_logic(path):
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            assert isinstance(node, ALLOWED), f"{path.name}: {type(node).__name__} in a notebook cell:\n{cell.source}"


def test_unit_template_follows_the_report_outline():
    headings = [c.source for c in jupytext.read(UNIT_TEMPLATE).cells if c.cell_type == "markdown"]
    outline = [
        "摘要",
        "一、基本情况",
        "二、",
        "三、综合评价",
        "四、绩效评价指标分析",
        "五、主要经验",
        "六、存在的问题",
        "七、有关建议",
        "八、其他需要说明",
        "附件",
    ]
    positions = [next(i for i, h in enumerate(headings) if part in h) for part in outline]
    assert positions == sorted(positions)
    result_cell = jupytext.read(UNIT_TEMPLATE).cells[-1]
    assert "jixiao-result" in result_cell.metadata["tags"] and "display_result" in result_cell.source


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_templates_are_py_percent_without_outputs(path):
    nb = jupytext.read(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert path.read_text(encoding="utf-8").count("\n# %%") >= 3
    assert not path.with_suffix(".ipynb").exists() or all(
        not c.get("outputs") for c in nbformat.read(path.with_suffix(".ipynb"), as_version=4).cells
    ), "a paired .ipynb must have its outputs stripped"


# --- a real run of the sample units ---------------------------------------------------------
@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    outputs = tmp_path_factory.mktemp("outputs")
    summary = run_units(None, jobs=2, outputs_dir=outputs, params_dir=PARAMS_DIR, progress=False)
    return outputs, summary


@pytest.mark.slow
def test_every_sample_unit_and_the_portfolio_succeed(sample_run):
    _, summary = sample_run
    assert [u.unit_id for u in summary.units] == SAMPLES
    assert summary.exit_code == 0, summary.format()
    assert summary.portfolio is not None and summary.portfolio.status == "ok"


@pytest.mark.slow
@pytest.mark.parametrize("unit", SAMPLES)
def test_executed_notebook_has_no_errors_or_warnings(sample_run, unit):
    outputs, _ = sample_run
    nb = nbformat.read(unit_output_paths(outputs, unit)["notebook"], as_version=4)
    bad = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error" or o.get("name") == "stderr"]
    assert bad == []


@pytest.mark.slow
@pytest.mark.parametrize("unit", SAMPLES)
def test_client_html(sample_run, unit):
    outputs, _ = sample_run
    paths = unit_output_paths(outputs, unit)
    html = paths["client_html"].read_text(encoding="utf-8")
    result = json.loads(paths["result"].read_text(encoding="utf-8"))
    params = load_params(PARAMS_DIR / f"{unit}.yaml")
    body = html[html.index("<main>") :]
    # no input cells, no prompts, nothing external
    assert "jp-InputArea-editor" not in body and "highlight hl-ipython3" not in body and "jp-CodeCell" in body
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "<script src" not in html and not re.search(r'(src|href)="https?://', html)
    # no error output, no warnings (stderr)
    assert "application/vnd.jupyter.stderr" not in body and "Traceback" not in body and "Warning" not in body
    # the unit's name, total and grade
    assert params.display_name in html
    totals = result["totals"]
    if totals["review_total"] is not None and totals["pending_count"]:  # 待核实: a range and a draft
        assert f"{totals['review_total_low']:.2f}–{totals['review_total_high']:.2f}" in html
        assert "征求意见稿" in html and "待核实指标及需补充的材料" in html
    elif totals["review_total"] is not None:
        assert f"{totals['review_total']:.2f}" in html and f"「{totals['grade']}」" in html
    else:  # a 目标审核 or 自评报告审核: an opinion without a score, never called unscored
        assert "审核意见" in html and "不评定得分和等级" in html and "不计分" not in html
    # charts embedded as data URIs
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)


@pytest.mark.slow
def test_scored_unit_embeds_all_its_charts(sample_run):
    outputs, _ = sample_run
    html = unit_output_paths(outputs, "xinhong-2023")["client_html"].read_text(encoding="utf-8")
    assert len(re.findall(r'src="data:image/png;base64,', html)) >= 4


@pytest.mark.slow
@pytest.mark.parametrize("unit", SAMPLES)
def test_result_json_validates_and_records_provenance(sample_run, unit):
    outputs, _ = sample_run
    result = json.loads(unit_output_paths(outputs, unit)["result"].read_text(encoding="utf-8"))
    jsonschema.validate(result, json.loads(RESULT_SCHEMA.read_text(encoding="utf-8")))
    params = load_params(PARAMS_DIR / f"{unit}.yaml")
    prov = result["provenance"]
    for kind, path in params.inputs.items():
        assert prov["inputs"][kind]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prov["template"]["sha256"] == hashlib.sha256(UNIT_TEMPLATE.read_bytes()).hexdigest()
    assert prov["params"]["display_name"] == params.display_name


@pytest.mark.slow
def test_portfolio_page_links_every_unit(sample_run):
    outputs, _ = sample_run
    index = (outputs / "index.html").read_text(encoding="utf-8")
    for unit in SAMPLES:
        assert f'href="{unit}/{unit}.html"' in index
        assert load_params(PARAMS_DIR / f"{unit}.yaml").display_name in index
    assert re.search(r'src="data:image/png;base64,', index) and "<script src" not in index


@pytest.mark.slow
def test_real_result_is_deterministic_apart_from_timestamps(sample_run):
    outputs, _ = sample_run
    path = unit_output_paths(outputs, "xinhong-2023")["result"]
    first = json.loads(path.read_text(encoding="utf-8"))
    run_units(
        ["xinhong-2023"],
        force=True,
        outputs_dir=outputs,
        params_dir=PARAMS_DIR,
        progress=False,
        portfolio_template=None,
    )
    second = json.loads(path.read_text(encoding="utf-8"))
    for doc in (first, second):
        del doc["provenance"]["run"]
    assert first == second
