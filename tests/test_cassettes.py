"""A crawl replayed from VCR.py cassettes: no server, no network, every record checked.

The cassette holds a small crawl of the mirror (generated pages only, so it does not depend on the
fixture pages of the day) and, beside it, the records the mirror said a correct parser makes of it.
Re-record it against the mirror (a fixed loopback port; writes both files):

    .venv/bin/pytest tests/test_cassettes.py -k mirror --record-mode=rewrite

Record fresh cassettes of the live site (opt-in, never in CI; one polite request a second):

    .venv/bin/pytest tests/test_cassettes.py -m live --record-mode=rewrite
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from osce_scrape.harvest.crawl import HarvestConfig, RunStats, run_harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.mirror import MirrorSite, running_mirror
from osce_scrape.models import PressRelease

PORT = 48321  # fixed, so the URLs in the cassette replay exactly
BASE = f"http://127.0.0.1:{PORT}"
PAGES = 12
EXPECTED = Path(__file__).parent / "cassettes" / "mirror_crawl.expected.json"
FIELDS = ("id", "url", "language", "content_type", "title", "date", "place", "sources",
          "fields_of_work", "body", "contacts", "translations")  # fmt: skip


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # Requests run concurrently, so their order differs between runs: match on method and URL only.
    return {"match_on": ["method", "uri"], "record_on_exception": False}


def crawl(base: str, out: Path, **options: Any) -> RunStats:
    fetch = FetchConfig(base_url=base, **options)
    return run_harvest(HarvestConfig(fetch=fetch, out=out))


def records(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "press_releases.jsonl").read_text().splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


@pytest.mark.vcr
def test_mirror_crawl_replays_from_cassettes(record_mode: str, tmp_path: Path) -> None:
    """Replayed with record mode none, the crawl rebuilds every recorded press release exactly."""
    if record_mode == "none":
        stats = crawl(BASE, tmp_path, rate=0)  # nothing listens on PORT: VCR answers everything
    else:
        site = MirrorSite(pages=PAGES, fixtures_dir=None)
        with running_mirror(site, port=PORT):
            stats = crawl(BASE, tmp_path, rate=0)
        expected = {r["id"]: r for r in site.expected_records().values()}
        EXPECTED.write_text(json.dumps(expected, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    expected = json.loads(EXPECTED.read_text())
    got = records(tmp_path)
    assert sorted(got) == sorted(expected) and len(got) == PAGES
    for record_id, want in expected.items():
        assert {f: got[record_id][f] for f in FIELDS} == {f: want[f] for f in FIELDS}, record_id
    assert (stats.errors, stats.rejected, stats.new) == ({}, 0, PAGES)


@pytest.mark.live
@pytest.mark.vcr
def test_live_site_crawl(tmp_path: Path) -> None:
    """The live site: one listing page at 1 request/s gives valid records (recorded, then replayable)."""
    stats = run_harvest(HarvestConfig(fetch=FetchConfig(base_url="https://www.osce.org", rate=1.0),
                                      out=tmp_path, max_pages=1))  # fmt: skip
    got = records(tmp_path)
    assert stats.discovered > 0 and len(got) > 0
    for line in (tmp_path / "press_releases.jsonl").read_text().splitlines():
        PressRelease.model_validate_json(line)
