"""End to end over loopback: the real fetcher, parser and output against the offline mirror."""

from __future__ import annotations

import itertools
import json
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from killkit import stored
from osce_scrape.cli.main import cli
from osce_scrape.harvest.crawl import HarvestConfig, RunStats, run_harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.mirror import FaultSpec, MirrorServer, MirrorSite, RequestRecord, running_mirror
from osce_scrape.models import PressRelease

pytestmark = pytest.mark.e2e

FIELDS = ("id", "url", "language", "content_type", "title", "date", "place", "sources",
          "fields_of_work", "body", "contacts", "translations")  # fmt: skip


def generated(pages: int, **options: Any) -> MirrorSite:
    """A mirror of generated pages only: the crawl's mechanics, apart from the hard fixture pages."""
    return MirrorSite(pages=pages, fixtures_dir=None, **options)


@pytest.fixture
def server() -> Iterator[MirrorServer]:
    with running_mirror(generated(35)) as running:
        yield running


def crawl(server: MirrorServer, out: Path, **options: Any) -> RunStats:
    fetch_options = {k: options.pop(k) for k in list(options) if k in FetchConfig.__dataclass_fields__}
    fetch = FetchConfig(base_url=server.base_url, **{"rate": 0, "concurrency": 4, **fetch_options})
    return run_harvest(HarvestConfig(fetch=fetch, out=out, **options))


def dataset(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "press_releases.jsonl").read_text().splitlines()]


def items(log: list[RequestRecord], start: int = 0) -> list[RequestRecord]:
    """Requests for item pages (not listing, robots, sitemaps)."""
    return [r for r in log[start:] if not r.path.startswith(("/press-releases", "/robots.txt"))]


def assert_matches_mirror(out: Path, site: MirrorSite) -> None:
    """The dataset holds exactly the mirror's press releases, every field as expected; a failure
    lists each missing record (with its URL) and each wrong field."""
    expected = {record["id"]: (url, record) for url, record in site.expected_records().items()}
    got = {record["id"]: record for record in dataset(out)}
    problems = {rid: f"missing ({url})" for rid, (url, _) in expected.items() if rid not in got}
    problems |= {rid: "not on the mirror" for rid in got if rid not in expected}
    for rid, (url, want) in expected.items():
        if rid in got and (wrong := [f for f in FIELDS if got[rid][f] != want[f]]):
            problems[rid] = f"{url}: wrong {', '.join(wrong)}"
    assert problems == {}


def test_full_crawl_with_fixture_pages_gives_exactly_the_mirrors_press_releases(tmp_path: Path) -> None:
    """Over every fixture page (all eras, encodings, non-articles) plus generated ones: exactly the
    mirror's press releases, every field as expected, and exactly its non-articles rejected."""
    site = MirrorSite(pages=len(MirrorSite(pages=0).fixtures) + 20)
    with running_mirror(site) as running:
        stats = crawl(running, tmp_path)
    assert_matches_mirror(tmp_path, site)
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert sorted(r["url"] for r in rejects) == sorted(site.non_article_urls())
    assert stats.errors == {}


def test_full_crawl_gives_a_sorted_valid_dataset(server: MirrorServer, tmp_path: Path) -> None:
    """Every generated press release, every field as expected, in a sorted dataset of valid records."""
    stats = crawl(server, tmp_path)
    assert_matches_mirror(tmp_path, server.site)
    lines = (tmp_path / "press_releases.jsonl").read_text().splitlines()
    records = [PressRelease.model_validate_json(line) for line in lines]
    assert [(r.date, r.id) for r in records] == sorted((r.date, r.id) for r in records)
    assert all(r.provenance.fetched_at is not None for r in records)
    assert (stats.new, stats.errors, stats.rejected) == (35, {}, 0)
    assert len((tmp_path / "runs" / f"{stats.run}.jsonl").read_text().splitlines()) == 35


def test_second_run_fetches_only_recent_items_and_writes_an_empty_run_file(
    server: MirrorServer, tmp_path: Path
) -> None:
    """Run two revalidates exactly the items dated within --recheck-days (304s) and nothing else."""
    recent = server.site.add_pages(3)  # dated today: the only items within 30 days
    crawl(server, tmp_path)
    start = len(server.request_log)
    stats = crawl(server, tmp_path)
    again = items(server.request_log, start)
    assert sorted(server.base_url + r.path for r in again) == sorted(recent)
    assert all(r.status == 304 and "if-none-match" in r.headers for r in again)
    listing = [r for r in server.request_log[start:] if r.path.startswith("/press-releases")]
    assert len(listing) == 2  # page 0 holds the recent items; page 1 has nothing due: stop
    assert (tmp_path / "runs" / f"{stats.run}.jsonl").read_text() == ""
    assert (stats.new, stats.changed, stats.not_modified) == (0, 0, 3)


def test_an_edited_page_shows_up_as_changed(server: MirrorServer, tmp_path: Path) -> None:
    """A recent page edited on the mirror is refetched and published as changed; new pages as new."""
    [url] = server.site.add_pages(1)
    crawl(server, tmp_path)
    server.site.edit_page(url, "A corrected first paragraph.\n\nAnd a second one.")
    added = server.site.add_pages(2)
    stats = crawl(server, tmp_path)
    assert (stats.changed, stats.new) == (1, 2)
    run = [json.loads(line) for line in (tmp_path / "runs" / f"{stats.run}.jsonl").read_text().splitlines()]
    assert {r["id"] for r in run} == {server.site.expected_records()[u]["id"] for u in [url, *added]}
    assert_matches_mirror(tmp_path, server.site)


def test_robots_disallow_is_respected(tmp_path: Path) -> None:
    """No request ever reaches a path robots.txt disallows; the page is reported, not fetched."""
    site = generated(15)
    banned = next(iter(site.expected_records())).split("/", 3)[3]
    site.disallow.append(f"/{banned}")
    with running_mirror(site) as running:
        stats = crawl(running, tmp_path)
        assert not [r for r in running.request_log if r.path == f"/{banned}"]
    assert stats.disallowed == 1 and len(dataset(tmp_path)) == 14


def test_rate_limit_holds_at_the_server(tmp_path: Path) -> None:
    """At --rate 20, requests never come faster than 20/s overall, nor in bursts: unpaced requests
    arrive ~1 ms apart, paced ones 50 ms; a loaded machine may delay one arrival and shorten the next
    gap, so the bound on a single gap is a third of the interval and the median stays near it."""
    with running_mirror(generated(12)) as running:
        crawl(running, tmp_path, rate=20)
        times = sorted(r.time for r in running.request_log if r.path != "/robots.txt")  # log: by finish
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 14
    assert min(gaps) >= 0.05 / 3 and statistics.median(gaps) >= 0.045
    assert (len(times) - 1) / (times[-1] - times[0]) <= 20 * 1.05


def test_crawl_delay_of_robots_txt_is_honoured(tmp_path: Path) -> None:
    """A Crawl-delay of 0.1 s spaces requests even at --rate 0 (bounds with margin for a loaded machine,
    as in the rate test)."""
    with running_mirror(generated(6, crawl_delay=0.1)) as running:
        crawl(running, tmp_path)
        times = sorted(r.time for r in running.request_log if r.path != "/robots.txt")  # log: by finish
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1 / 3 and statistics.median(gaps) >= 0.09
    assert (len(times) - 1) / (times[-1] - times[0]) <= 10 * 1.05


def test_concurrency_limit_holds_at_the_server(tmp_path: Path) -> None:
    """With every response trickled over 0.2 s, the server never has more than 3 requests in flight
    at --concurrency 3, and does reach 3."""
    slow = 0.2
    faults = FaultSpec(rates={"slow": 1.0}, slow=slow)
    with running_mirror(generated(20), faults=faults) as running:
        crawl(running, tmp_path, concurrency=3)
        starts = sorted(r.time for r in running.request_log)
    # Each request occupies at least [arrival, arrival + slow): count overlaps of those intervals.
    in_flight = max(sum(1 for s in starts if t <= s < t + slow * 0.95) for t in starts)
    assert in_flight == 3
    assert len(dataset(tmp_path)) == 20


def test_crawl_command_over_the_mirror(server: MirrorServer, tmp_path: Path) -> None:
    """`osce-scrape crawl` exits 0 and prints a one-line summary; the dataset is complete."""
    result = CliRunner().invoke(
        cli, ["crawl", "--base-url", server.base_url, "--rate", "0", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "35 new" in result.output
    assert len(dataset(tmp_path)) == 35


def test_demo_command(tmp_path: Path) -> None:
    """`osce-scrape demo` serves, crawls and says where the data is."""
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path), "--pages", "12"])
    assert result.exit_code == 0, result.output
    site = MirrorSite(pages=12)  # the same site the demo serves: fixture pages, then generated ones
    records = len(site.expected_records())
    summary = f"dataset: {tmp_path / 'press_releases.jsonl'} ({records} press releases, synthetic"
    assert summary in result.output
    assert f"mirror serving {records} press releases" in result.output
    assert len(dataset(tmp_path)) == records


def test_the_archive_rederives_the_dataset(server: MirrorServer, tmp_path: Path) -> None:
    """`osce-scrape parse OUT/archive/` gives the same records as the crawl, without the network."""
    crawl(server, tmp_path / "out")
    result = CliRunner().invoke(
        cli, ["parse", str(tmp_path / "out" / "archive"), "-o", str(tmp_path / "again.jsonl")]
    )
    again = [json.loads(line) for line in (tmp_path / "again.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in again) == sorted(r["id"] for r in dataset(tmp_path / "out"))
    assert result.exit_code in (0, 1)  # listing pages in the archive are rejected as non-articles


def test_a_killed_crawl_resumes_without_refetching(tmp_path: Path) -> None:
    """SIGKILL mid-crawl leaves no broken file; the next run publishes what the killed one stored,
    fetches only the rest, and ends with exactly the mirror's press releases."""
    site = generated(120)
    with running_mirror(site) as running:
        command = [str(Path(sys.executable).parent / "osce-scrape"), "crawl", "--base-url", running.base_url,
                   "--rate", "40", "--out", str(tmp_path), "-q"]  # fmt: skip
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while stored(tmp_path) < 30 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        killed_with = stored(tmp_path)
        assert 30 <= killed_with < 120
        assert not (tmp_path / "press_releases.jsonl").exists()  # never written half
        start = len(running.request_log)
        stats = crawl(running, tmp_path)
        refetched = items(running.request_log, start)
    assert len(refetched) <= 120 - killed_with + 4  # + the few in flight when it died
    assert stats.new == 120
    assert_matches_mirror(tmp_path, site)


def test_sitemap_discovery_over_the_mirror(server: MirrorServer, tmp_path: Path) -> None:
    """--discover sitemap (an index, one child gzipped) finds every press release, without the listing."""
    stats = crawl(server, tmp_path, discover="sitemap")
    assert not [r for r in server.request_log if r.path.startswith("/press-releases")]
    assert stats.errors == {} and stats.new == 35
    assert_matches_mirror(tmp_path, server.site)


def test_feed_discovery_over_the_mirror(server: MirrorServer, tmp_path: Path) -> None:
    """--discover rss fetches the feed's items (the newest 20), each record as the mirror expects."""
    stats = crawl(server, tmp_path, discover="rss")
    assert not [r for r in server.request_log if r.path.startswith("/press-releases")]
    expected = {r["id"]: r for r in server.site.expected_records().values()}
    got = dataset(tmp_path)
    assert stats.errors == {} and stats.new == len(got) == 20
    newest = sorted(expected.values(), key=lambda r: r["date"], reverse=True)[19]["date"]
    for record in got:
        assert {f: record[f] for f in FIELDS} == {f: expected[record["id"]][f] for f in FIELDS}
        assert record["date"] >= newest


def test_transient_faults_are_retried_to_a_complete_dataset(tmp_path: Path) -> None:
    """503s, resets and truncated bodies on the first two tries of pages: retries give every record."""
    faults = FaultSpec.parse("503:0.25,reset:0.1,truncate:0.1,first=2,seed=3,retry-after=0")
    with running_mirror(generated(35), faults=faults) as running:
        stats = crawl(running, tmp_path, max_attempts=5, backoff_initial=0.01, backoff_max=0.05)
        assert running.faults is not None and sum(running.faults.injected.values()) > 5
        assert_matches_mirror(tmp_path, running.site)
    assert stats.errors == {} and stats.retries > 5


def test_permanent_errors_are_counted_and_quarantined_nothing_dropped(tmp_path: Path) -> None:
    """Pages answering 404 are not retried; each is an error by kind and a reject line, so records,
    errors and rejects account for every discovered page."""
    faults = FaultSpec.parse("404:0.2,seed=5")
    with running_mirror(generated(35), faults=faults) as running:
        stats = crawl(running, tmp_path)
        missing = {r.path for r in running.request_log if r.status == 404}
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    item_errors = [r for r in rejects if "/press-releases" not in r["url"]]
    assert stats.errors.get("HttpStatusError", 0) == len(rejects) > 0
    assert {r["kind"] for r in rejects} == {"HttpStatusError"}
    assert len(dataset(tmp_path)) + len(item_errors) == stats.discovered
    assert {r["url"].split("/", 3)[3] for r in rejects} <= {p.lstrip("/") for p in missing}
