"""Shared fixtures: where the reference material and the fixture pages are."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from osce_scrape.dataset.gazetteer import Gazetteer, default_gazetteer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests' own helper modules (pagekit)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """fixtures/reference: the checkout's copies of the real reference material the tests read."""
    return ROOT / "fixtures" / "reference"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The default gazetteer with its small-places tier loaded: ~6 s once per session (GeoNames'
    ~200,000 places indexed), paid here in one setup instead of inside whichever test first misses."""
    warm = default_gazetteer()
    warm.lookup("MITROVO POLJE")  # a miss in the large tier: loads the small one
    return warm


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return ROOT / "fixtures" / "pages"
