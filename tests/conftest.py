"""Shared fixtures: the seed documents and the sample inputs built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PARAMS_DIR = ROOT / "params"
NOTEBOOKS_DIR = ROOT / "notebooks"
SAMPLES_DIR = SAMPLES
DATA = Path(__file__).resolve().parent / "data"


#: The three seed documents, copied into the repository (the tests read nothing outside it).
SEEDS = DATA / "seeds"
SEED_000 = SEEDS / "000_3f2b319c8904045a.txt"
SEED_001 = SEEDS / "001_66265a79e30ddeca.txt"
SEED_003 = SEEDS / "003_8225f3caa16837dd.txt"


@pytest.fixture(scope="session")
def seed_000_path() -> Path:
    return SEED_000


@pytest.fixture(scope="session")
def seed_001_path() -> Path:
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


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory):
    """The tests' runs keep their user cache (the font's converted glyphs) in a temporary folder, not in ~/.cache."""
    from jixiao.run.usercache import CACHE_ENV

    patch = pytest.MonkeyPatch()
    patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("user-cache")))
    yield
    patch.undo()
