"""Where the report's Jinja templates and stylesheet ship (inside the package)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["TEMPLATES_DIR", "REPORT_CSS"]

#: Jinja2 templates of the narrative and the HTML report page.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: The report stylesheet (screen and print).
REPORT_CSS = TEMPLATES_DIR / "report.css"
