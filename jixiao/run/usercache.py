"""The user's cache folder: what jixiao keeps between runs and engagements on one machine.

Only data that any project may share and that can always be made again lives here (the
embedded font's converted glyphs, :mod:`jixiao.run.htmlexport`); nothing of a unit's inputs
or outputs. ``JIXIAO_CACHE_DIR`` names another folder; ``off`` (or empty) turns it off.
Otherwise the platform's cache folder (``~/.cache/jixiao`` on Linux, via platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "user_cache_dir"]

#: Environment variable naming the cache folder (``off`` or empty: no cache).
CACHE_ENV = "JIXIAO_CACHE_DIR"


def user_cache_dir() -> Path | None:
    """The cache folder (not created here), or None when turned off."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        value = value.strip()
        return None if value.lower() in {"", "off", "0", "no", "none"} else Path(value).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("jixiao", appauthor=False))
