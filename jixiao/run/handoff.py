"""How an executed notebook hands its result to the runner, without parsing HTML.

The template's last cell (tagged :data:`RESULT_TAG`) calls :func:`display_result`,
which displays the result dict under a custom MIME type. The runner reads it back
from the executed notebook with :func:`extract_result`, then drops it from the stored
notebook (:func:`drop_handed_over`); the HTML exporters drop the cell. Kernel side, this module imports nothing heavy.
"""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

from jixiao.core.jsondata import json_ready

__all__ = [
    "RESULT_MIME",
    "FIGURES_MIME",
    "RESULT_TAG",
    "ANALYST_TAG",
    "display_result",
    "extract_result",
    "extract_figures",
    "drop_handed_over",
]

#: MIME type of the result display (nbformat stores ``+json`` data as a JSON object).
RESULT_MIME = "application/vnd.jixiao.result+json"

#: MIME type of the charts' print copies (for the Word report): {key of the screen PNG: base64 PNG}.
FIGURES_MIME = "application/vnd.jixiao.figures+json"

#: Tag of the cell that displays the result.
RESULT_TAG = "jixiao-result"
#: Tag of the cells shown to analysts only (读取说明): dropped from the client HTML and the Word report.
ANALYST_TAG = "jixiao-analyst"


def display_result(result: Any) -> None:
    """Kernel side: display ``result.to_dict()`` (or a dict) for the runner to pick up."""
    from IPython.display import display

    data = json_ready(result.to_dict() if hasattr(result, "to_dict") else result)
    display({RESULT_MIME: data, "text/plain": "（复核结果已交给批量运行器，写入 result.json）"}, raw=True)
    chartstyle = sys.modules.get("jixiao.report.chartstyle")  # loaded when the notebook drew charts
    if chartstyle is not None and chartstyle.PRINT_COPIES:
        copies = {k: base64.b64encode(v).decode("ascii") for k, v in chartstyle.print_copies().items()}
        display({FIGURES_MIME: copies, "text/plain": "（图表的打印版已交给批量运行器，用于 Word 报告）"}, raw=True)


def extract_result(nb: Any) -> dict[str, Any] | None:
    """Runner side: the result dict displayed in an executed notebook (the last one), or None."""
    found = None
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULT_MIME in data:
                found = data[RESULT_MIME]
    if found is None:
        return None
    # Plain dicts (not NotebookNode); tolerate data saved as a JSON string.
    return json.loads(found) if isinstance(found, str) else json.loads(json.dumps(found))


def extract_figures(nb: Any) -> dict[str, bytes]:
    """Runner side: the charts' print copies displayed in an executed notebook ({key of the screen PNG: PNG})."""
    found: dict[str, bytes] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            copies = output.get("data", {}).get(FIGURES_MIME)
            if isinstance(copies, dict):
                found.update({str(k): base64.b64decode(v) for k, v in copies.items()})
    return found


def drop_handed_over(nb: Any) -> None:
    """Runner side: take the handed-over data (result, print copies) out of the notebook once it is read.

    They are written elsewhere (``result.json``, the charts of the Word report); the hand-off cell keeps
    its text line, which is all a notebook viewer shows of it. Stored once, the executed notebook is
    about a third of the size and much quicker to write (the result is thousands of small JSON values).
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data is not None and (RESULT_MIME in data or FIGURES_MIME in data):
                data.pop(RESULT_MIME, None)
                data.pop(FIGURES_MIME, None)
