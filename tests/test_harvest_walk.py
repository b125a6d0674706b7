"""The discovery walks over the fake site: bad links skipped, a broken pager a failure, not the end, an
empty listing page drift; documents parsed off the event loop; a deadline and its grace period."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakesite import BASE, FAKE_PARSER_VERSION, TODAY, FakeSite, crawl, dataset, fake_parse
from osce_scrape.harvest import discover as disc
from osce_scrape.harvest.crawl import HarvestConfig, RunStats, harvest
from osce_scrape.harvest.discover import ListingEntry, ListingPage
from osce_scrape.harvest.fetch import FetchConfig
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


def test_an_empty_first_page_is_drift_not_the_end_of_the_listing(tmp_path: Path) -> None:
    """An empty page 0 (no entries, no pager) is what a changed listing template looks like: drift, a
    reject naming the page, and the backfill is not marked complete (issue 9, finding 10)."""
    stats = crawl(FakeSite.make(0, TODAY), tmp_path)
    assert (stats.listing_drift, stats.errors) == (1, {"DiscoveryError": 1})
    reject = json.loads((tmp_path / "rejects.jsonl").read_text())
    assert reject["url"] == f"{BASE}/press-releases?page=0"
    assert reject["reason"] == (
        "listing page 0 has no entries where entries were expected: the listing's template probably changed"
    )
    with State(tmp_path / "state.sqlite") as state:
        assert state.get_meta(_BACKFILL) is None


def test_an_empty_page_the_pager_pointed_to_is_drift(tmp_path: Path) -> None:
    """Page 1 links page 2, which comes back with no entries and no pager: drift, not the listing's end;
    the 20 records before it are kept."""
    site = FakeSite.make(30, TODAY)
    site.empty_pages.add(2)
    stats = crawl(site, tmp_path)
    assert (stats.listing_drift, stats.new, stats.errors) == (1, 20, {"DiscoveryError": 1})
    with State(tmp_path / "state.sqlite") as state:
        assert state.get_meta(_BACKFILL) is None


SITE = FakeSite.make(12, TODAY)


def config(out: Path, **options: Any) -> HarvestConfig:
    """A harvest of the fake site into `out`: unpaced, 4 at a time, one attempt per page."""
    fetch = FetchConfig(base_url=BASE, rate=0, concurrency=4, max_attempts=1)
    return HarvestConfig(fetch=fetch, out=out, today=TODAY, parser_version=FAKE_PARSER_VERSION, **options)


def hanging(site: FakeSite, paths: set[str]) -> httpx.AsyncBaseTransport:
    """The fake site, where `paths` never answer (a server that accepted the request and went quiet)."""

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path in paths:
            await asyncio.sleep(3600)
        return site.handle(request)

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("discover", "name"),
    [("listing", "parse_listing"), ("sitemap", "parse_sitemap"), ("rss", "parse_feed")],
)
def test_discovery_documents_are_parsed_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, discover: str, name: str
) -> None:
    """A listing, sitemap or feed that takes 0.3 s to parse is parsed in another thread: the event loop
    keeps turning meanwhile (its longest pause stays well under the parse)."""
    real = getattr(disc, name)
    threads: list[str] = []

    def slow(data: bytes, url: str) -> Any:
        threads.append(threading.current_thread().name)
        time.sleep(0.3)  # a huge document: CPU the loop must not wait for
        return real(data, url)

    monkeypatch.setattr(disc, name, slow)
    pauses: list[float] = []

    async def ticker() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            pauses.append(time.monotonic() - before)

    async def main() -> RunStats:
        tick = asyncio.create_task(ticker())
        try:
            return await harvest(config(tmp_path, discover=discover), transport=SITE.transport(),
                                 parser=fake_parse)  # fmt: skip
        finally:
            tick.cancel()

    stats = asyncio.run(main())
    assert stats.new == 12
    assert threads and threading.main_thread().name not in threads
    assert max(pauses) < 0.2


def test_a_deadline_stops_the_run_and_cancels_pages_in_flight_after_the_grace(tmp_path: Path) -> None:
    """Two items never answer: max_duration 0.5 s stops the run, the grace (0.3 s) cancels the two
    pages in flight, the others are published, the stats say "deadline", the two stay pending."""
    site = FakeSite.make(12, TODAY)
    stuck = {site.items[3].path, site.items[4].path}
    started = time.monotonic()
    options = config(tmp_path, max_duration=0.5, stop_grace=0.3)
    stats = asyncio.run(harvest(options, transport=hanging(site, stuck), parser=fake_parse))
    assert time.monotonic() - started < 3
    assert (stats.stopped, stats.stop_reason) == ("deadline", "--max-duration 0.5 s reached")
    assert stats.new == len(dataset(tmp_path)) == 10
    with State(tmp_path / "state.sqlite") as state:
        assert {url for url, _, _ in state.pending()} == {f"{BASE}{path}" for path in stuck}


def test_a_listing_that_never_answers_is_cut_off_too(tmp_path: Path) -> None:
    """Discovery waiting on a listing page that never comes is cancelled after the grace like a page."""
    site = FakeSite.make(30, TODAY)
    transport = hanging(site, {"/press-releases"})
    stats = asyncio.run(
        harvest(config(tmp_path, max_duration=0.2, stop_grace=0.2), transport=transport, parser=fake_parse)
    )
    assert (stats.stopped, stats.new, stats.discovery_documents) == ("deadline", 0, 0)


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
