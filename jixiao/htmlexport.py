"""Executed notebook → HTML, in-process (nbconvert ``HTMLExporter``, instances reused).

Two renderings of the same notebook:

- **client** HTML: no code cells, no prompts, no result hand-off cell, no external
  scripts (no require.js / MathJax / mermaid CDN); images are inline data URIs, so the
  file is self-contained and can be mailed to the client;
- **analyst** HTML: the same with the code (and the injected parameters) shown.

Restyling hook (for the report design): pass an :class:`HtmlStyle` with extra CSS,
or a Jinja template file of your own (it may ``{% extends 'jixiao_client.html.j2' %}``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from jinja2 import DictLoader
from nbconvert import HTMLExporter
from traitlets.config import Config

from .handoff import RESULT_TAG

__all__ = ["HtmlStyle", "HtmlRenderer", "CLIENT_TEMPLATE", "render_client_html", "render_analyst_html"]

#: The built-in template: JupyterLab's, minus every external script; ``resources.jixiao_css`` appended.
CLIENT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
{%- if resources.jixiao_css %}<style type="text/css">
{{ resources.jixiao_css }}
</style>{% endif -%}
{%- endblock html_head_css -%}
"""
_TEMPLATE_NAME = "jixiao_client.html.j2"


@dataclass(frozen=True)
class HtmlStyle:
    """How the HTML looks: the hook for restyling the reports.

    Attributes:
        css: Extra CSS, placed after JupyterLab's own so that it wins.
        template_file: A Jinja template file name to use instead of the built-in one
            (found in ``extra_template_paths``); it may extend ``jixiao_client.html.j2``.
        extra_template_paths: Folders searched for ``template_file`` and what it includes.
        theme: ``light`` or ``dark`` (JupyterLab themes).
        language: The ``lang`` attribute of the page.
    """

    css: str = ""
    template_file: str | None = None
    extra_template_paths: tuple[str, ...] = ()
    theme: str = "light"
    language: str = "zh"


class HtmlRenderer:
    """Client and analyst exporters, built once and reused (thread-safe)."""

    def __init__(self, style: HtmlStyle | None = None) -> None:
        self.style = style or HtmlStyle()
        self._client = self._exporter(client=True)
        self._analyst = self._exporter(client=False)
        self._lock = threading.Lock()

    def client(self, nb: Any, title: str) -> str:
        """HTML for the client: outputs and markdown only."""
        return self._render(self._client, nb, title)

    def analyst(self, nb: Any, title: str) -> str:
        """HTML for the analyst: code cells included."""
        return self._render(self._analyst, nb, title)

    def _render(self, exporter: HTMLExporter, nb: Any, title: str) -> str:
        resources = {"metadata": {"name": title}, "jixiao_css": self.style.css}
        with self._lock:
            body, _ = exporter.from_notebook_node(nb, resources=resources)
        return body

    def _exporter(self, *, client: bool) -> HTMLExporter:
        config = Config()
        config.TagRemovePreprocessor.enabled = True
        if client:
            config.TagRemovePreprocessor.remove_cell_tags = {RESULT_TAG, "injected-parameters", "parameters"}
        else:
            config.TagRemovePreprocessor.remove_all_outputs_tags = {RESULT_TAG}
        exporter = HTMLExporter(
            config=config,
            template_name="lab",
            extra_template_paths=list(self.style.extra_template_paths),
            extra_loaders=[DictLoader({_TEMPLATE_NAME: CLIENT_TEMPLATE})],
            template_file=self.style.template_file or _TEMPLATE_NAME,
            exclude_input=client,
            exclude_input_prompt=client,
            exclude_output_prompt=client,
            embed_images=True,
            theme=self.style.theme,
            language_code=self.style.language,
        )
        return exporter


_DEFAULT: HtmlRenderer | None = None
_DEFAULT_LOCK = threading.Lock()


def _default_renderer() -> HtmlRenderer:
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = HtmlRenderer()
        return _DEFAULT


def render_client_html(nb: Any, title: str, style: HtmlStyle | None = None) -> str:
    """Client HTML of an executed notebook (see :class:`HtmlRenderer`)."""
    renderer = HtmlRenderer(style) if style else _default_renderer()
    return renderer.client(nb, title)


def render_analyst_html(nb: Any, title: str, style: HtmlStyle | None = None) -> str:
    """Analyst HTML (with code) of an executed notebook."""
    renderer = HtmlRenderer(style) if style else _default_renderer()
    return renderer.analyst(nb, title)
