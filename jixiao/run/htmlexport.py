"""Executed notebook → HTML, in-process (nbconvert ``HTMLExporter``, instances reused).

Two renderings of the same notebook:

- **client** HTML: no code cells, no prompts, no result hand-off cell, no external
  scripts (no require.js / MathJax / mermaid CDN); images are inline data URIs, so the
  file is self-contained and can be mailed to the client;
- **analyst** HTML: the same with the code (and the injected parameters) shown.

Restyling hook: pass an :class:`HtmlStyle` with extra CSS, or a Jinja template file of
your own for the client HTML (it may ``{% extends 'jixiao_client.html.j2' %}``).
:func:`default_style` is the report design the runner uses: ``templates/report.css``,
``templates/jixiao_report.html.j2`` (cover, table of contents, no Jupyter chrome, print
style) and the Chinese font embedded as a subset (:mod:`jixiao.report.webfont`). The client
page's ``<title>`` is the one the cover cell hands over in its output metadata
(``sections.PAGE_TITLE_KEY``), else the title the caller gives.
"""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.strings import clean_html
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets.config import Config

from jixiao.report.assets import REPORT_CSS, TEMPLATES_DIR
from jixiao.report.webfont import FONT_SUBSET_VERSION, embed_font, glyph_font, subset_font
from jixiao.run.atomic import atomic_write_bytes
from jixiao.run.handoff import ANALYST_TAG, RESULT_TAG

__all__ = [
    "HtmlStyle",
    "HtmlRenderer",
    "CLIENT_TEMPLATE",
    "REPORT_TEMPLATE",
    "default_style",
    "page_title",
    "render_client_html",
    "render_analyst_html",
]

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
#: The analyst HTML: the built-in template (code shown) with the 目录 cell filled like the client report's.
ANALYST_TEMPLATE = """{%- extends 'jixiao_client.html.j2' -%}
{%- import 'toc.j2' as toc_macros -%}
{% block markdowncell scoped %}
{%- if 'jixiao-toc' in cell.metadata.get('tags', []) -%}{{ toc_macros.toc(nb) }}{%- else -%}{{ super() }}{%- endif -%}
{%- endblock markdowncell %}
"""
_ANALYST_NAME = "jixiao_analyst.html.j2"
#: The report design's client template (in ``jixiao/templates/``).
REPORT_TEMPLATE = "jixiao_report.html.j2"
#: Output metadata key of the page title (same as ``sections.PAGE_TITLE_KEY``; kept here so
#: that the runner side does not import the kernel-side sections module).
_TITLE_KEY = "jixiao"


@dataclass(frozen=True)
class HtmlStyle:
    """How the HTML looks: the hook for restyling the reports.

    Attributes:
        css: Extra CSS, placed after JupyterLab's own so that it wins (both HTMLs).
        template_file: A Jinja template file name for the client HTML instead of the built-in
            one (found in ``extra_template_paths``); it may extend ``jixiao_client.html.j2``.
            The analyst HTML always uses the built-in one (JupyterLab look, code shown).
        extra_template_paths: Folders searched for ``template_file`` and what it includes.
        theme: ``light`` or ``dark`` (JupyterLab themes).
        language: The ``lang`` attribute of the page.
        embed_font: Embed the Chinese font, subset to each page's characters (both HTMLs).
    """

    css: str = ""
    template_file: str | None = None
    extra_template_paths: tuple[str, ...] = ()
    theme: str = "light"
    language: str = "zh"
    embed_font: bool = False


def default_style() -> HtmlStyle:
    """The report design: ``templates/report.css``, the report template and the embedded font."""
    return HtmlStyle(
        css=REPORT_CSS.read_text(encoding="utf-8"),
        template_file=REPORT_TEMPLATE,
        extra_template_paths=(str(TEMPLATES_DIR),),
        embed_font=True,
    )


def page_title(nb: Any, default: str) -> str:
    """The title a cell handed over in its output metadata (the last one), else ``default``."""
    found = default
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {})
            for entry in (metadata.get(_TITLE_KEY), metadata.get("text/html", {}).get(_TITLE_KEY)):
                if isinstance(entry, dict) and str(entry.get("title", "")).strip():
                    found = str(entry["title"]).strip()
    return found


#: Start tags nbconvert's HTMLExporter makes keyboard-focusable (``tabindex="0"``).
_FOCUSABLE = re.compile(
    r'<div\b(?![^>]*\btabindex=)([^>]*\bclass="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)[\s"][^>]*)>'
)


_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#0*60|#0*62|#0*38|#0*34|#x0*3[cCeE]|#x0*26|#x0*22);)#?\w+;")


class _CachedHighlight:
    """nbconvert's code highlighting, remembered per source (every unit's notebook has the same code cells)."""

    def __init__(self, highlight: Highlight2HTML) -> None:
        self._highlight = highlight
        self._cached = functools.lru_cache(maxsize=1024)(self._render)

    def __call__(self, source: str, language: str | None = None, metadata: Any = None) -> str:
        magics = (metadata or {}).get("magics_language")
        return self._cached(source, language, magics)

    def _render(self, source: str, language: str | None, magics: str | None) -> str:
        return self._highlight(source, language, {"magics_language": magics} if magics else None)


@functools.lru_cache(maxsize=1024)
def _clean_html(element: str) -> str:
    """nbconvert's ``clean_html`` (bleach), remembered: it is applied to the highlighted code cells."""
    return clean_html(element)


class _Exporter(HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass, with the code highlighting cached.

    ``HTMLExporter.from_notebook_node`` parses and re-serialises the whole page (embedded
    PNGs included) only to add ``tabindex="0"`` to input and output areas and a stock English
    ``alt`` to images without one: about half of the export time. The focus attributes are
    added here by a regular expression on the start tags the template writes; the report's
    images all carry a Chinese ``alt`` (``report.html.figure``).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._highlighters: dict[Any, _CachedHighlight] = {}

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code")
        if highlight_code is None:
            highlight_code = self._highlighters.get(lexer)
            if highlight_code is None:
                highlight_code = _CachedHighlight(Highlight2HTML(pygments_lexer=lexer, parent=self))
                self._highlighters[lexer] = highlight_code
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("clean_html", _clean_html)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if re.search(r'class="(?:[^"]*\s)?jp-Notebook[\s"]', html):  # nbconvert's selectors start at .jp-Notebook
            html = _FOCUSABLE.sub(r'<div\1 tabindex="0">', html)
        # like BeautifulSoup's output: character references as characters, except the markup-significant ones
        return _ENTITY.sub(lambda m: htmllib.unescape(m.group(0)), html), resources


class HtmlRenderer:
    """Client and analyst exporters, built once and reused (thread-safe).

    Args:
        style: How the pages look.
        font_cache: A folder where the embedded font's subsets are kept, one file per
            character set and :data:`~jixiao.report.webfont.FONT_SUBSET_VERSION` (a re-run
            reads them instead of assembling; the first page of a process also spares the
            glyph conversion). None: no files.
        glyph_cache: A folder where the font's converted glyphs are kept between processes
            (the user's cache, :func:`jixiao.run.usercache.user_cache_dir`): a new project's
            first pages then assemble from glyphs converted by earlier runs instead of
            converting ~600 glyphs a page (~1 ms each). None: no file.
    """

    def __init__(
        self,
        style: HtmlStyle | None = None,
        font_cache: str | os.PathLike[str] | None = None,
        glyph_cache: str | os.PathLike[str] | None = None,
    ) -> None:
        self.style = style or HtmlStyle()
        self.font_cache = font_cache  # folder of font subsets keyed by character set (sha256), or None
        self.glyph_cache = glyph_cache
        self._glyphs_read = False
        self._client = self._exporter(client=True)
        self._analyst = self._exporter(client=False)
        self._lock = threading.Lock()
        self._glyph_lock = threading.Lock()

    def client(self, nb: Any, title: str) -> str:
        """HTML for the client: outputs and markdown only; titled by the cover cell if it sets a title."""
        return self._render(self._client, nb, page_title(nb, title))

    def analyst(self, nb: Any, title: str) -> str:
        """HTML for the analyst: code cells included."""
        return self._render(self._analyst, nb, title)

    def _render(self, exporter: _Exporter, nb: Any, title: str) -> str:
        resources = {"metadata": {"name": title}, "jixiao_css": self.style.css}
        with self._lock:
            body, _ = exporter.from_notebook_node(_without_handoff(nb), resources=resources)
        if self.style.embed_font:
            body = embed_font(body, self._subset)
        return body

    def _subset(self, characters: str) -> bytes:
        """The font subset for a page's characters, from the cache on disk when it has it."""
        if self.font_cache is None:
            return self._subset_with_glyph_cache(characters)
        key = hashlib.sha256(f"{FONT_SUBSET_VERSION}\0{characters}".encode()).hexdigest()
        path = Path(self.font_cache) / (key + ".woff")
        try:
            return path.read_bytes()
        except OSError:
            pass
        data = self._subset_with_glyph_cache(characters)
        try:
            atomic_write_bytes(path, data)
        except OSError:  # a read-only or full disk costs only the cache
            pass
        return data

    def _subset_with_glyph_cache(self, characters: str) -> bytes:
        """:func:`subset_font`, its glyphs read from the glyph cache first and newly converted ones added to it."""
        if self.glyph_cache is None:
            return subset_font(characters)
        font = glyph_font()
        path = Path(self.glyph_cache) / f"glyphs-{hashlib.sha256(font.stamp().encode()).hexdigest()[:16]}.json"
        with self._glyph_lock:
            if not self._glyphs_read:
                self._glyphs_read = True
                try:
                    font.absorb(path.read_bytes())
                except OSError:  # none yet
                    pass
        before = font.converted
        data = subset_font(characters)
        with self._glyph_lock:
            if font.converted > before:
                exported = font.export()
                try:
                    atomic_write_bytes(path, exported)
                except OSError:  # read-only home, full disk: the glyphs are converted again next time
                    pass
        return data

    def _exporter(self, *, client: bool) -> _Exporter:
        template = (self.style.template_file or _TEMPLATE_NAME) if client else _ANALYST_NAME
        config = Config()
        config.TagRemovePreprocessor.enabled = True
        if client:
            config.TagRemovePreprocessor.remove_cell_tags = {
                RESULT_TAG,
                ANALYST_TAG,
                "injected-parameters",
                "parameters",
            }
        else:
            config.TagRemovePreprocessor.remove_all_outputs_tags = {RESULT_TAG}
        exporter = _Exporter(
            config=config,
            template_name="lab",
            extra_template_paths=[*self.style.extra_template_paths, str(TEMPLATES_DIR)],
            extra_loaders=[DictLoader({_TEMPLATE_NAME: CLIENT_TEMPLATE, _ANALYST_NAME: ANALYST_TEMPLATE})],
            template_file=template,
            exclude_anchor_links=client,
            exclude_input=client,
            exclude_input_prompt=client,
            exclude_output_prompt=client,
            embed_images=True,
            optimistic_validation=True,  # validate once, not after each preprocessor
            theme=self.style.theme,
            language_code=self.style.language,
        )
        return exporter


def _without_handoff(nb: Any) -> Any:
    """``nb`` with the result hand-off cell's outputs left out (neither HTML shows them; copying them is costly).

    A shallow copy: the other cells are shared with ``nb`` (the exporters copy before changing anything).
    """
    if not any(RESULT_TAG in c.get("metadata", {}).get("tags", []) and c.get("outputs") for c in nb.cells):
        return nb
    light = nbformat.NotebookNode(nb)
    cells = []
    for cell in nb.cells:
        if RESULT_TAG in cell.get("metadata", {}).get("tags", []) and cell.get("outputs"):
            cell = nbformat.NotebookNode(cell)
            cell["outputs"] = []
        cells.append(cell)
    light["cells"] = cells
    return light


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
