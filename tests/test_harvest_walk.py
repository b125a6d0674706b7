"""The discovery walks over the fake site: bad links skipped, a broken pager a failure, not the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakesite import BASE, TODAY, FakeSite, crawl, dataset
from osce_scrape.harvest.discover import ListingEntry, ListingPage
from osce_scrape.harvest.state import State
from osce_scrape.harvest.walk import _broken_pager

_BACKFILL = "backfill_complete:en"
ENTRY = ListingEntry(f"{BASE}/secretariat/1", "A title", TODAY, None)
NEXT = f"{BASE}/press-releases?page=4"


def test_a_bad_link_is_skipped_and_counted_not_the_end_of_the_crawl(tmp_path: Path) -> None:
    """An entry linking "http://[bad" (urljoin raises) is counted in bad_links; the rest are records."""
    site = FakeSite.make(12, TODAY)
    site.extra_entries = ["http://[bad"]
    stats = crawl(site, tmp_path)
    assert stats.bad_links == 1
    assert (stats.new, stats.errors) == (12, {})
    assert len(dataset(tmp_path)) == 12


def test_an_empty_page_before_the_last_is_a_failure_not_the_end(tmp_path: Path) -> None:
    """Listing page 1 of 3 comes back empty: a DiscoveryError, no backfill mark; the next run walks on."""
    site = FakeSite.make(30, TODAY)
    site.pager_last = True
    site.empty_pages.add(1)
    stats = crawl(site, tmp_path, recheck_days=0)
    assert stats.errors == {"DiscoveryError": 1}
    assert (
        "listing page 1 is empty, but the pager goes on to page 2" in (tmp_path / "rejects.jsonl").read_text()
    )
    with State(tmp_path / "state.sqlite") as state:
        assert state.get_meta(_BACKFILL) is None
    site.empty_pages.clear()
    second = crawl(site, tmp_path, recheck_days=0)
    assert (second.new, second.errors) == (20, {})
    with State(tmp_path / "state.sqlite") as state:
        assert state.get_meta(_BACKFILL) == "1"


def test_an_empty_site_is_the_end_of_its_listing(tmp_path: Path) -> None:
    """An empty page 0 with no next page and no pager is the listing's real end: no error, backfill done."""
    stats = crawl(FakeSite.make(0, TODAY), tmp_path)
    assert stats.errors == {}
    with State(tmp_path / "state.sqlite") as state:
        assert state.get_meta(_BACKFILL) == "1"


@pytest.mark.parametrize(
    ("url", "page", "next_url", "last_page", "problem"),
    [
        (f"{BASE}/press-releases?page=3", ListingPage([], None, None), None, 9,
         "listing page 3 is empty, but the pager goes on to page 9"),
        (f"{BASE}/press-releases?page=3", ListingPage([ENTRY], None, None), None, 9,
         "listing page 3 has no next page, but the pager goes on to page 9"),
        (f"{BASE}/press-releases?page=3", ListingPage([], NEXT, None), NEXT, None,
         "listing page 3 is empty, but links a next page"),
        (f"{BASE}/press-releases?page=9", ListingPage([], None, None), None, 9, None),
        (f"{BASE}/press-releases?page=3", ListingPage([ENTRY], NEXT, 9), NEXT, 9, None),
    ],
)  # fmt: skip
def test_broken_pager(url: str, page: ListingPage, next_url: str | None, last_page: int | None,
                      problem: str | None) -> None:  # fmt: skip
    """A page is a sound end only with no next page, none promised by the pager; sound pages go on."""
    assert _broken_pager(url, page, next_url, last_page) == problem


def test_the_backfill_mark_needs_the_last_page(tmp_path: Path) -> None:
    """A walk over every page (no pager-last, the last page has no next link) marks the backfill done."""
    site = FakeSite.make(25, TODAY)
    crawl(site, tmp_path)
    with State(tmp_path / "state.sqlite") as state:
        assert state.get_meta(_BACKFILL) == "1"
    assert f"{BASE}/press-releases?page=2" in [str(r.url) for r in site.requests]
