"""The bundled CJK font for matplotlib charts.

Charts carry Chinese text and must render on a fresh machine that has no system
CJK font. The pip package ``pylopdf-fonts-zh-cn`` ships Noto Sans SC and Noto
Serif SC as CFF-based OpenType files; this module registers the Sans file with
matplotlib's font manager and makes it the default family.

Licence: Noto Sans SC / Noto Serif SC are licensed under the SIL Open Font
License 1.1. The package ships the full OFL text in its distribution metadata
(``licenses/LICENSE``); :func:`licence_text` returns it. The OFL allows bundling
and embedding the fonts in any software and documents (a rendered chart is a
document and is not bound by the licence).

Output formats: Agg (PNG) and SVG (glyphs drawn as paths) render the CFF
outlines and are tested; the client report embeds PNG. PDF output writes
without warnings but is not checked by the tests.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
from pathlib import Path

from matplotlib import font_manager, rcParams

__all__ = [
    "FONT_PACKAGE",
    "FONT_PIP_NAME",
    "LICENCE_NOTE",
    "ensure_cjk_font",
    "font_path",
    "licence_text",
]

#: Import name and pip name of the package that ships the fonts.
FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_PIP_NAME = "pylopdf-fonts-zh-cn"

_FILES = {"sans": "NotoSansSC-Regular.otf", "serif": "NotoSerifSC-Regular.otf"}

#: Families tried after the CJK family for glyphs it lacks.
FALLBACK_FAMILIES = ["DejaVu Sans"]

#: One-line licence note for report footers and "about" sections.
LICENCE_NOTE = "图表字体：思源黑体，依 SIL 开源字体许可协议（OFL 1.1）授权。"

# fname -> family name, for fonts this module has added to a font manager.
_family_by_path: dict[str, str] = {}


def _missing_package_error() -> ModuleNotFoundError:
    return ModuleNotFoundError(
        f"缺少中文字体包 {FONT_PIP_NAME}，图表中的中文无法显示。请运行 `pip install {FONT_PIP_NAME}` 安装后重试。"
    )


def font_path(kind: str = "sans") -> str:
    """Return the absolute path of the bundled font file.

    Args:
        kind: "sans" (Noto Sans SC, used for charts) or "serif" (Noto Serif SC).

    Raises:
        ModuleNotFoundError: the font package is not installed (Chinese message).
        ValueError: unknown ``kind``.
    """
    if kind not in _FILES:
        raise ValueError(f"未知的字体类型：{kind!r}（可选：sans、serif）")
    try:
        resource = importlib.resources.files(FONT_PACKAGE) / _FILES[kind]
    except ModuleNotFoundError:
        raise _missing_package_error() from None
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(
            f"中文字体包 {FONT_PIP_NAME} 中找不到字体文件 {_FILES[kind]}，请重新安装：pip install --force-reinstall {FONT_PIP_NAME}"
        )
    return str(path)


def licence_text() -> str:
    """Return the SIL OFL 1.1 text shipped with the font package (or the short note)."""
    try:
        text = importlib.metadata.distribution(FONT_PIP_NAME).read_text("licenses/LICENSE")
    except importlib.metadata.PackageNotFoundError:
        text = None
    return text or LICENCE_NOTE


def _register(path: str) -> str:
    """Add the font file to the current font manager once; return its family name."""
    manager = font_manager.fontManager
    for entry in manager.ttflist:
        if entry.fname == path:
            return _family_by_path.setdefault(path, entry.name)
    manager.addfont(path)  # also clears the findfont cache
    family = next(entry.name for entry in manager.ttflist if entry.fname == path)
    _family_by_path[path] = family
    return family


def ensure_cjk_font() -> str:
    """Register the bundled Noto Sans SC with matplotlib and make it the default.

    Idempotent and cheap: the font file is parsed once per font manager. The
    rcParams are set on every call so that a notebook that reset them
    (``rcdefaults``, a style sheet) gets the CJK font back. Sets
    ``font.family`` to ``[family, *FALLBACK_FAMILIES]``, puts the family first in
    ``font.sans-serif``, and sets ``axes.unicode_minus=False`` and
    ``text.usetex=False``.

    Returns:
        The registered family name ("Noto Sans SC").

    Raises:
        ModuleNotFoundError: the font package is not installed (Chinese message).
    """
    family = _register(font_path("sans"))
    wanted = [family, *[f for f in FALLBACK_FAMILIES if f != family]]
    if list(rcParams["font.family"]) != wanted:
        rcParams["font.family"] = wanted
    sans = list(rcParams["font.sans-serif"])
    if not sans or sans[0] != family:
        rcParams["font.sans-serif"] = [family, *[f for f in sans if f != family]]
    rcParams["axes.unicode_minus"] = False
    rcParams["text.usetex"] = False
    return family
