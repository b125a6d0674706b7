"""The crawl pipeline over a fake site (httpx.MockTransport): discovery, incremental rule, output."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakesite import BASE, FAKE_PARSER_VERSION, TODAY, FakeSite, crawl, dataset, fake_parse
from osce_scrape.errors import OutputLocked
from osce_scrape.harvest.archive import iter_warc_responses
from osce_scrape.harvest.crawl import HarvestConfig, RunStats, harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.harvest.state import ERROR, SKIPPED, State
from osce_scrape.harvest.store import OutputFolder
from osce_scrape.harvest.walk import language_listing_url


def run_records(out: Path, stats: RunStats) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "runs" / f"{stats.run}.jsonl").read_text().splitlines()]


def item_requests(site: FakeSite, start: int = 0) -> list[httpx.Request]:
    return [r for r in site.requests[start:] if r.url.path.startswith("/secretariat/")]


def listing_pages(site: FakeSite, start: int = 0) -> list[str]:
    return [r.url.params["page"] for r in site.requests[start:] if r.url.path.endswith("press-releases")]


def test_full_crawl_writes_every_item_sorted_with_provenance(tmp_path: Path) -> None:
    """A first crawl follows the pager to the end and writes every item, sorted by date then id."""
    site = FakeSite.make(25, TODAY)
    stats = crawl(site, tmp_path)
    records = dataset(tmp_path)
    assert sorted(r["id"] for r in records) == sorted(i.path.rsplit("/", 1)[1] for i in site.items)
    assert [(r["date"], r["id"]) for r in records] == sorted((r["date"], r["id"]) for r in records)
    assert all(r["provenance"]["fetched_at"] for r in records)
    assert listing_pages(site) == ["0", "1", "2"]
    assert (stats.discovered, stats.fetched, stats.new, stats.changed, stats.rejected) == (25, 25, 25, 0, 0)
    assert len(run_records(tmp_path, stats)) == 25
    saved = json.loads((tmp_path / "runs" / f"{stats.run}.json").read_text())
    assert (saved["new"], saved["fetched"], saved["discovery_documents"]) == (25, 25, 3)
    assert saved["bytes"] > 0 and saved["seconds"] > 0
    assert (tmp_path / "archive" / f"{stats.run}.warc.gz").stat().st_size > 0


def test_second_run_revalidates_only_recent_items_and_stops_early(tmp_path: Path) -> None:
    """Run two sends conditional requests for the 31 items of the last 30 days only, stops at the
    first listing page with nothing due, and writes an empty run file."""
    site = FakeSite.make(60, TODAY)  # one item a day, newest first: page 4 holds days 40-49
    crawl(site, tmp_path)
    start = len(site.requests)
    stats = crawl(site, tmp_path)
    revalidated = item_requests(site, start)
    assert len(revalidated) == 31
    assert all(r.headers.get("if-none-match") for r in revalidated)
    assert listing_pages(site, start) == ["0", "1", "2", "3", "4"]
    assert (stats.not_modified, stats.fetched, stats.new, stats.changed) == (31, 0, 0, 0)
    assert (tmp_path / "runs" / f"{stats.run}.jsonl").read_text() == ""
    assert len(dataset(tmp_path)) == 60


def test_an_edited_recent_page_shows_up_as_changed(tmp_path: Path) -> None:
    """A recent page edited on the site is refetched (new ETag) and published as changed."""
    site = FakeSite.make(15, TODAY)
    crawl(site, tmp_path)
    site.items[3].body, site.items[3].version = "Corrected body.", 2
    stats = crawl(site, tmp_path)
    assert (stats.changed, stats.new, stats.fetched, stats.not_modified) == (1, 0, 1, 14)
    assert [r["body"] for r in run_records(tmp_path, stats)] == ["Corrected body."]
    by_id = {r["id"]: r for r in dataset(tmp_path)}
    assert by_id["1003"]["body"] == "Corrected body." and len(by_id) == 15


def test_a_refetch_with_the_same_content_is_not_a_change(tmp_path: Path) -> None:
    """A page re-sent in full (new ETag) but with the same content is unchanged, not published."""
    site = FakeSite.make(5, TODAY)
    crawl(site, tmp_path)
    site.items[0].version = 2
    stats = crawl(site, tmp_path)
    assert (stats.fetched, stats.unchanged, stats.changed) == (1, 1, 0)
    assert run_records(tmp_path, stats) == []


def test_old_items_are_not_refetched(tmp_path: Path) -> None:
    """An item older than --recheck-days, seen before, is skipped (its edits are not looked for)."""
    site = FakeSite.make(5, TODAY)
    crawl(site, tmp_path, recheck_days=2)
    start = len(site.requests)
    stats = crawl(site, tmp_path, recheck_days=2)
    assert sorted(r.url.path for r in item_requests(site, start)) == [
        "/secretariat/1000", "/secretariat/1001", "/secretariat/1002"]  # fmt: skip
    assert stats.skipped == 2


def test_listing_disagreement_keeps_the_page_and_reports_it(tmp_path: Path) -> None:
    """When the listing's title differs from the page's, the record has the page's; stats say so."""
    site = FakeSite.make(3, TODAY)
    site.listing_titles["/secretariat/1001"] = "Old headline"
    stats = crawl(site, tmp_path)
    assert {r["id"]: r["title"] for r in dataset(tmp_path)}["1001"] == "Item 1"
    assert stats.listing_disagreements == {"title": 1}
    assert stats.disagreement_examples[0]["listing"] == "Old headline"


def test_run_stats_count_the_requests_the_site_saw(tmp_path: Path) -> None:
    """requests counts every HTTP request (robots.txt, the listing, each item); wire_bytes what came in."""
    site = FakeSite.make(3, TODAY)
    stats = crawl(site, tmp_path)
    assert stats.requests == len(site.requests) == 1 + 1 + 3
    assert stats.wire_bytes > 0
    assert json.loads((tmp_path / "runs" / f"{stats.run}.json").read_text())["requests"] == 5


def test_off_host_entries_are_counted_and_never_fetched(tmp_path: Path) -> None:
    """Listing links to other hosts are counted as off_host and not requested."""
    site = FakeSite.make(3, TODAY)
    site.extra_entries = ["http://elsewhere.test/secretariat/9", "https://site.test/secretariat/9"]
    stats = crawl(site, tmp_path)
    assert stats.off_host == 2
    assert {r.url.host for r in site.requests} == {"site.test"}
    assert {r.url.scheme for r in site.requests} == {"http"}


def test_rejected_pages_are_quarantined_with_their_reason(tmp_path: Path) -> None:
    """A page that is not a press release goes to rejects.jsonl, not to the dataset: skipped, no failure."""
    site = FakeSite.make(4, TODAY)
    site.items[2].kind = "event"
    stats = crawl(site, tmp_path)
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [(r["url"], r["kind"], r["reason"]) for r in rejects] == [
        (f"{BASE}/secretariat/1002", "NotAPressRelease", "an event, not a press release")]  # fmt: skip
    assert dt.datetime.fromisoformat(rejects[0]["time"]).tzinfo is not None
    assert (stats.not_press_releases, stats.rejected, len(dataset(tmp_path))) == (1, 0, 3)
    with State(tmp_path / "state.sqlite") as state:
        known = state.get(f"{BASE}/secretariat/1002")
        assert known is not None and known.status == SKIPPED


def test_failed_fetches_are_counted_and_retried_next_run(tmp_path: Path) -> None:
    """A page answering 500 is an error by kind, its retry counted (2 attempts: 1 retry); the next run
    fetches it again and gets its record."""
    site = FakeSite.make(12, TODAY)
    site.failing.add("/secretariat/1011")
    stats = crawl(site, tmp_path, recheck_days=0)
    assert stats.errors == {"HttpStatusError": 1} and stats.retries == 1
    with State(tmp_path / "state.sqlite") as state:
        known = state.get(f"{BASE}/secretariat/1011")
        assert known is not None and known.status == ERROR and known.http_status == 500
    site.failing.clear()
    second = crawl(site, tmp_path, recheck_days=0)
    assert (second.new, second.fetched, second.errors) == (1, 1, {})
    assert len(dataset(tmp_path)) == 12


def test_robots_disallow_is_respected(tmp_path: Path) -> None:
    """A URL robots.txt disallows is never requested; it is counted and listed in rejects."""
    site = FakeSite.make(5, TODAY)
    site.robots = "User-agent: *\nDisallow: /secretariat/1003\n"
    stats = crawl(site, tmp_path)
    assert "/secretariat/1003" not in site.paths_requested()
    assert stats.disallowed == 1 and stats.errors == {}
    assert "RobotsDisallowed" in (tmp_path / "rejects.jsonl").read_text()
    assert len(dataset(tmp_path)) == 4


def test_since_stops_the_listing_at_older_entries(tmp_path: Path) -> None:
    """--since fetches only items on or after the date and reads no listing page beyond them."""
    site = FakeSite.make(40, TODAY)
    crawl(site, tmp_path, since=TODAY - dt.timedelta(days=12))
    assert len(item_requests(site)) == 13
    assert listing_pages(site) == ["0", "1"]


def test_max_pages_bounds_the_listing(tmp_path: Path) -> None:
    """--max-pages 2 reads two listing pages and fetches their 20 items."""
    site = FakeSite.make(40, TODAY)
    stats = crawl(site, tmp_path, max_pages=2)
    assert listing_pages(site) == ["0", "1"] and stats.fetched == 20


def test_an_interrupted_backfill_is_resumed_not_stopped_early(tmp_path: Path) -> None:
    """After a run cut short by --max-pages, the next run walks past pages it has seen."""
    site = FakeSite.make(30, TODAY)
    crawl(site, tmp_path, max_pages=1, recheck_days=0)
    stats = crawl(site, tmp_path, recheck_days=0)
    assert stats.new == 20 and len(dataset(tmp_path)) == 30


def test_languages_walk_prefixed_listings(tmp_path: Path) -> None:
    """--languages en,ru walks /press-releases and /ru/press-releases."""
    site = FakeSite.make(4, TODAY)
    crawl(site, tmp_path, languages=("en", "ru"))
    assert f"{BASE}/ru/press-releases?page=0" in [str(r.url) for r in site.requests]
    assert sorted(r["language"] for r in dataset(tmp_path)) == ["en"] * 4 + ["ru"] * 4


def test_language_listing_url() -> None:
    """English has no prefix; other languages put theirs before /press-releases."""
    assert language_listing_url(BASE, "en", 2) == f"{BASE}/press-releases?page=2"
    assert language_listing_url(BASE, "ru", 0) == f"{BASE}/ru/press-releases?page=0"


@pytest.mark.parametrize("discovery", ["sitemap", "rss"])
def test_sitemap_and_feed_discovery(tmp_path: Path, discovery: str) -> None:
    """--discover sitemap|rss finds every item without reading the listing."""
    site = FakeSite.make(7, TODAY)
    stats = crawl(site, tmp_path, discover=discovery)
    assert listing_pages(site) == [] and stats.new == 7 and len(dataset(tmp_path)) == 7


class _Crash(Exception):
    pass


def test_a_crash_mid_run_keeps_a_whole_dataset_and_the_next_run_completes(tmp_path: Path) -> None:
    """A run broken off mid-crawl still publishes what it stored; a re-run adds the rest."""
    site = FakeSite.make(30, TODAY)

    def crashing(request: httpx.Request) -> httpx.Response:
        if len(item_requests(site)) >= 12:
            raise _Crash("killed")
        return site.handle(request)

    with pytest.raises(_Crash):
        crawl(site, tmp_path, transport=httpx.MockTransport(crashing), recheck_days=0)
    first = dataset(tmp_path)
    assert 0 < len(first) < 30
    stats = crawl(site, tmp_path, recheck_days=0)
    assert len(dataset(tmp_path)) == 30
    assert stats.new == 30 - len(first)


def test_the_output_folder_is_locked_while_a_run_uses_it(tmp_path: Path) -> None:
    """A second run on the same folder fails fast with OutputLocked."""
    with OutputFolder(tmp_path).locked(), pytest.raises(OutputLocked):
        crawl(FakeSite.make(1, TODAY), tmp_path)


def test_a_lost_state_is_rebuilt_from_the_dataset(tmp_path: Path) -> None:
    """With state.sqlite gone, the previous dataset is read back and merged: nothing is dropped,
    and unchanged pages are not reported as new."""
    site = FakeSite.make(6, TODAY)
    crawl(site, tmp_path)
    for name in ("state.sqlite", "state.sqlite-wal", "state.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    del site.items[0]
    stats = crawl(site, tmp_path)
    assert (stats.new, stats.unchanged) == (0, 5)
    assert len(dataset(tmp_path)) == 6


def test_progress_is_reported(tmp_path: Path) -> None:
    """on_progress is called as items finish, ending with every queued item done."""
    seen: list[tuple[int, int]] = []
    fetch = FetchConfig(base_url=BASE, rate=0)
    config = HarvestConfig(fetch=fetch, out=tmp_path, today=TODAY, parser_version=FAKE_PARSER_VERSION)
    site = FakeSite.make(5, TODAY)
    asyncio.run(harvest(config, transport=site.transport(), parser=fake_parse,
                        on_progress=lambda s: seen.append((s.done, s.queued))))  # fmt: skip
    assert seen[-1] == (5, 5)


def test_parse_processes_give_the_same_dataset_and_archive_every_response(tmp_path: Path) -> None:
    """With worker processes, each archives into its own WARC; together they hold every response,
    and the dataset is the same as with threads."""
    site = FakeSite.make(12, TODAY)
    crawl(site, tmp_path / "threads")
    start = len(site.requests)
    crawl(site, tmp_path / "processes", parse_processes=2)
    assert dataset(tmp_path / "processes") == [
        {**r, "provenance": {**r["provenance"], "fetched_at": p["provenance"]["fetched_at"]}}
        for r, p in zip(dataset(tmp_path / "threads"), dataset(tmp_path / "processes"), strict=True)
    ]
    archived = [r.url for r in iter_warc_responses(tmp_path / "processes" / "archive")]
    fetched = [str(r.url) for r in site.requests[start:] if r.url.path != "/robots.txt"]
    assert sorted(archived) == sorted(fetched) and len(archived) == 14  # 2 listing pages, 12 items
    names = [f.name for f in (tmp_path / "processes" / "archive").iterdir()]
    assert names and all(re.fullmatch(r"\d{8}T\d{6}Z-\d+\.warc\.gz", name) for name in names)


def test_output_paths_never_come_from_server_text(tmp_path: Path) -> None:
    """Hostile links (dot-dot paths, encoded slashes) and a hostile Content-Disposition write nothing
    outside --out, and every file written has a name of our own making."""
    site = FakeSite.make(3, TODAY)
    site.extra_entries += [
        "/../../escape/1",
        "/%2e%2e/%2e%2e/evil",
        "/secretariat/..%2F..%2Fx",
        "/a?f=../../b",
    ]
    handle = site.handle

    def hostile(request: httpx.Request) -> httpx.Response:
        response = handle(request)
        response.headers["Content-Disposition"] = 'attachment; filename="../../owned.jsonl"'
        return response

    out = tmp_path / "out"
    crawl(site, out, transport=httpx.MockTransport(hostile))
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    allowed = re.compile(
        r"out/(press_releases\.jsonl|rejects\.jsonl|state\.sqlite(-wal|-shm)?|\.lock|DATASET\.md|manifest\.json"
        r"|runs/\d{8}T\d{6}Z(-\d+)?\.jsonl?|archive/\d{8}T\d{6}Z(-\d+)?\.warc\.gz)"
    )
    assert [name for name in written if not allowed.fullmatch(name)] == []
    assert len(dataset(out)) == 3


def test_empty_or_non_html_pages_are_errors_retried_next_run(tmp_path: Path) -> None:
    """An empty 200 and a 200 PDF are UnexpectedContent errors (reason given), left `error` in the
    state, so the next run fetches them again and gets the records."""
    site = FakeSite.make(3, TODAY)
    pdf = httpx.Response(200, content=b"%PDF-1.4", headers={"content-type": "application/pdf"})
    bad = {site.items[0].path: httpx.Response(200, content=b""), site.items[1].path: pdf}

    def glitch(request: httpx.Request) -> httpx.Response:
        return bad.get(request.url.path) or site.handle(request)

    stats = crawl(site, tmp_path, transport=httpx.MockTransport(glitch))
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert stats.errors == {"UnexpectedContent": 2}
    assert sorted(r["reason"] for r in rejects) == ["Content-Type application/pdf is not HTML", "empty body"]
    with State(tmp_path / "state.sqlite") as state:
        assert {getattr(state.get(BASE + path), "status", None) for path in bad} == {ERROR}
    again = crawl(site, tmp_path)
    assert again.errors == {} and len(dataset(tmp_path)) == 3


def test_rejected_pages_are_fetched_whole_and_a_parser_fix_takes_them(tmp_path: Path) -> None:
    """A skipped page is left alone until its backoff is over, then refetched without validators, so a
    fixed parser turns it into a record."""
    site = FakeSite.make(4, TODAY)
    site.items[2].kind = "event"
    crawl(site, tmp_path)
    site.items[2].kind = "press"  # stands for a parser that now reads the page (same ETag: no edit)
    start = len(site.requests)
    crawl(site, tmp_path)
    assert not [r for r in item_requests(site, start) if r.url.path == "/secretariat/1002"]  # not due yet
    with sqlite3.connect(tmp_path / "state.sqlite") as db:  # days later: its backoff is over
        db.execute("UPDATE urls SET retry_on = '2000-01-01' WHERE status = 'skipped'")
    start = len(site.requests)
    stats = crawl(site, tmp_path)
    [request] = [r for r in item_requests(site, start) if r.url.path == "/secretariat/1002"]
    assert "if-none-match" not in request.headers
    assert (stats.new, stats.rejected, stats.not_modified) == (1, 0, 3)
    assert len(dataset(tmp_path)) == 4


def test_records_of_another_parser_version_are_fetched_whole(tmp_path: Path) -> None:
    """After a parser version change, recent pages are fetched without validators and re-derived."""
    site = FakeSite.make(3, TODAY)
    crawl(site, tmp_path)
    start = len(site.requests)
    stats = crawl(site, tmp_path, parser_version="fake-2")
    assert not any("if-none-match" in r.headers for r in item_requests(site, start))
    assert (stats.fetched, stats.not_modified, stats.unchanged) == (3, 0, 3)


def test_a_page_with_a_record_that_reads_as_no_press_release_is_rejected_and_keeps_it(tmp_path: Path) -> None:
    """A page that gave a record and now reads as an event (an error template, a parser regression) is a
    rejection, not a skip (it counts for exit 1), its record stays, and its retry is fetched whole."""
    site = FakeSite.make(3, TODAY)
    crawl(site, tmp_path)
    site.items[1].kind, site.items[1].version = "event", 2
    stats = crawl(site, tmp_path)
    assert (stats.rejected, stats.not_press_releases) == (1, 0)
    assert sorted(r["id"] for r in dataset(tmp_path)) == ["1000", "1001", "1002"]
    with State(tmp_path / "state.sqlite") as state:
        known = state.get(BASE + site.items[1].path)
        assert known is not None and (known.status, known.record_id) == ("rejected", "1001")
    with sqlite3.connect(tmp_path / "state.sqlite") as db:  # its backoff is over
        db.execute("UPDATE urls SET retry_on = '2000-01-01' WHERE status = 'rejected'")
    db.close()
    site.items[1].kind = "press"
    start = len(site.requests)
    crawl(site, tmp_path)
    [request] = [r for r in item_requests(site, start) if r.url.path == site.items[1].path]
    assert "if-none-match" not in request.headers


def test_a_resumed_backlog_does_not_end_the_walk_before_new_items_on_later_pages(tmp_path: Path) -> None:
    """A run killed after noting listing page 0 leaves its 10 items pending; the next run queues them
    first, and meeting them again on page 0 still counts as wanted, so the walk goes on to page 1 and
    its 5 other new items (it stopped at page 0 and missed them)."""
    site = FakeSite.make(5, TODAY - dt.timedelta(days=60))
    crawl(site, tmp_path)  # the backfill is complete
    new = FakeSite.make(15, TODAY).items
    for n, item in enumerate(new):
        item.path = f"/secretariat/{2000 + n}"
    site.items[:0] = new
    with State(tmp_path / "state.sqlite") as state:  # a run killed after noting page 0
        state.note_discovered((BASE + item.path, item.title, item.date) for item in new[:10])
    stats = crawl(site, tmp_path)
    assert stats.new == 15
    assert len(dataset(tmp_path)) == 20
