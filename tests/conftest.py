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
    """The process-wide gazetteer over the shipped place index (opening it takes ~10 ms)."""
    return default_gazetteer()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return ROOT / "fixtures" / "pages"
