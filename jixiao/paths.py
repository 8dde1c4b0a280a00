"""Project paths, defined once."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJECT_ROOT", "NOTEBOOKS_DIR", "PARAMS_DIR", "OUTPUTS_DIR", "SAMPLES_DIR", "PACKAGE_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
SAMPLES_DIR = PROJECT_ROOT / "samples"
