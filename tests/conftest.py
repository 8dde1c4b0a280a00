"""Shared fixtures: the seed documents and the sample inputs built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


def _seeds_dir() -> Path:
    for candidate in (ROOT.parent / "shared" / "seeds", ROOT / "shared" / "seeds"):
        if candidate.is_dir():
            return candidate
    return SAMPLES  # the samples carry the seed texts too


SEEDS = _seeds_dir()
SEED_000 = SEEDS / "000_3f2b319c8904045a.txt" if (SEEDS / "000_3f2b319c8904045a.txt").exists() else SAMPLES / "xinhong_2023_self_evaluation.txt"
SEED_001 = SEEDS / "001_66265a79e30ddeca.txt"
SEED_003 = SEEDS / "003_8225f3caa16837dd.txt" if (SEEDS / "003_8225f3caa16837dd.txt").exists() else SAMPLES / "hongqiao_2024_report.txt"


@pytest.fixture(scope="session")
def seed_000_path() -> Path:
    return SEED_000


@pytest.fixture(scope="session")
def seed_001_path() -> Path:
    if not SEED_001.exists():
        pytest.fail(f"seed 001 not found at {SEED_001}")
    return SEED_001


@pytest.fixture(scope="session")
def seed_003_path() -> Path:
    return SEED_003


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
