"""How an executed notebook hands its result to the runner, without parsing HTML.

The template's last cell (tagged :data:`RESULT_TAG`) calls :func:`display_result`,
which displays the result dict under a custom MIME type. The runner reads it back
from the executed notebook with :func:`extract_result`; the HTML exporters drop the
cell. Kernel side, this module imports nothing heavy.
"""

from __future__ import annotations

import json
from typing import Any

from jixiao.core.jsondata import json_ready

__all__ = ["RESULT_MIME", "RESULT_TAG", "display_result", "extract_result"]

#: MIME type of the result display (nbformat stores ``+json`` data as a JSON object).
RESULT_MIME = "application/vnd.jixiao.result+json"

#: Tag of the cell that displays the result.
RESULT_TAG = "jixiao-result"


def display_result(result: Any) -> None:
    """Kernel side: display ``result.to_dict()`` (or a dict) for the runner to pick up."""
    from IPython.display import display

    data = json_ready(result.to_dict() if hasattr(result, "to_dict") else result)
    display({RESULT_MIME: data, "text/plain": "（复核结果已交给批量运行器，写入 result.json）"}, raw=True)


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
