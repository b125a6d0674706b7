"""End to end against a hostile server on loopback (tests/hostilekit.py): the real CLI (or run_harvest, for
options the CLI does not carry) meets raw bytes on the wire and must neither crash nor stall nor duplicate.
One test per finding of issue 9; the unit tests of each fix sit beside their module's tests.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hostilekit import (
    HostileServer,
    HostileSite,
    Reply,
    article_html,
    listing_entry,
    listing_html,
    records,
    rejects,
    serving,
)
from osce_scrape.cli.main import cli
from osce_scrape.harvest.crawl import HarvestConfig, RunStats, run_harvest
from osce_scrape.harvest.fetch import FetchConfig

pytestmark = pytest.mark.e2e

DAY = dt.date.today() - dt.timedelta(days=3)
CYRILLIC = "/ru/секретариат/500100"
CYRILLIC_URI = "/ru/%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82%D0%B0%D1%80%D0%B8%D0%B0%D1%82/500100"


def crawl_cli(server: HostileServer, out: Path) -> int:
    """One `osce-scrape crawl` of the server into `out`; its exit code."""
    args = ["crawl", "--base-url", server.base_url, "--rate", "0", "--out", str(out), "--no-card", "-q"]
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code


def crawl_api(server: HostileServer, out: Path, **fetch: Any) -> RunStats:
    """One run_harvest of the server, for FetchConfig options the CLI does not expose."""
    config = FetchConfig(base_url=server.base_url, rate=0, **fetch)
    return run_harvest(HarvestConfig(fetch=config, out=out))


def test_non_ascii_link_is_crawled_as_one_ascii_uri(tmp_path: Path) -> None:
    """Finding 2: a raw Cyrillic link is fetched, archived and recorded as its percent-encoded URI, twice."""
    site = HostileSite.make(1)
    entries = [listing_entry(CYRILLIC, "Russian item", DAY), listing_entry("/secretariat/500000", "x", DAY)]
    site.routes["/press-releases"] = Reply(body=listing_html(entries, None))
    site.routes[CYRILLIC_URI] = Reply(body=article_html(500100, "Russian item", DAY, lang="ru"))
    with serving(site) as server:
        assert crawl_cli(server, tmp_path) == 0
        assert crawl_cli(server, tmp_path) == 0  # the second run revalidates: state keys work too
        urls = sorted(record["url"] for record in records(tmp_path))
        assert urls == [server.base_url + CYRILLIC_URI, server.base_url + "/secretariat/500000"]
    assert sorted(record["id"] for record in records(tmp_path)) == ["500000", "500100-ru"]
    assert rejects(tmp_path) == []
    assert site.paths_requested().count(CYRILLIC_URI) == 2


def test_hostile_response_headers_neither_crash_nor_stick(tmp_path: Path) -> None:
    """Finding 3: non-ASCII Set-Cookie, 100 cookies, non-ASCII or huge validators: two runs exit 0, no
    Cookie is ever sent and no unsendable validator comes back as If-None-Match / If-Modified-Since."""
    site = HostileSite.make(3)
    cookies = [(b"Set-Cookie", b"c%d=%s; Path=/" % (i, b"x" * 100)) for i in range(100)]
    site.routes["/press-releases"] = Reply(
        body=site.listing(0).body, headers=[(b"Set-Cookie", "s=café".encode()), *cookies]
    )
    item = site.items
    site.routes[item[0].path] = Reply(
        body=article_html(item[0].node, item[0].title, item[0].date),
        headers=[(b"ETag", '"café"'.encode()), (b"Last-Modified", b"Mon, 01 Jan 2024 00:00:00 GMT\xe9"),
                 (b"X-Note", "naïve ☃".encode()), (b"X-Latin", b"\xff\xfe")],
    )  # fmt: skip
    huge_etag = (b"ETag", b'"' + b"e" * 5000 + b'"')
    site.routes[item[1].path] = Reply(
        body=article_html(item[1].node, item[1].title, item[1].date), headers=[huge_etag]
    )
    with serving(site) as server:
        assert crawl_cli(server, tmp_path) == 0
        assert crawl_cli(server, tmp_path) == 0
    assert sorted(record["id"] for record in records(tmp_path)) == ["500000", "500001", "500002"]
    assert rejects(tmp_path) == []
    assert not any("cookie" in request.headers for request in site.requests)
    sent = [r.headers for r in site.requests if r.path in (item[0].path, item[1].path)]
    assert len(sent) == 4
    assert not any("if-none-match" in h or "if-modified-since" in h for h in sent)


def test_dripping_and_silent_responses_end_at_the_deadline(tmp_path: Path) -> None:
    """Finding 4: a 1 byte/s body and 30 s of silence before the headers each fail after the 1 s deadline
    (tried twice), the other item is recorded, and the whole run takes seconds, not minutes."""
    site = HostileSite.make(3)
    item = site.items
    site.routes[item[0].path] = Reply(body=article_html(item[0].node, "Drip", DAY), drip=1.0)
    site.routes[item[1].path] = Reply(body=article_html(item[1].node, "Silent", DAY), header_delay=30)
    started = time.monotonic()
    with serving(site) as server:
        stats = crawl_api(server, tmp_path, response_deadline=1.0, max_attempts=2, backoff_initial=0.05,
                          read_timeout=30)  # fmt: skip
    assert time.monotonic() - started < 15
    assert [record["id"] for record in records(tmp_path)] == ["500002"]
    reasons = {reject["url"].rsplit("/", 1)[1]: reject["reason"] for reject in rejects(tmp_path)}
    assert set(reasons) == {"500000", "500001"}
    assert all("1 s deadline" in reason for reason in reasons.values())
    assert stats.errors == {"NetworkError": 2}
    assert site.paths_requested().count(item[0].path) == 2


def test_absurd_crawl_delay_is_capped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Finding 4: `Crawl-delay: 1000000000` is capped (here at 0.2 s), with a warning naming both values."""
    site = HostileSite.make(2)
    site.robots = b"User-agent: *\nCrawl-delay: 1000000000\nAllow: /\n"
    started = time.monotonic()
    with serving(site) as server, caplog.at_level(logging.WARNING, "osce_scrape"):
        stats = crawl_api(server, tmp_path, max_crawl_delay=0.2)
    assert time.monotonic() - started < 10
    assert (stats.new, stats.errors) == (2, {})
    assert any("1e+09" in r.message and "0.2 s" in r.message for r in caplog.records)


def test_robots_with_a_bom_is_obeyed(tmp_path: Path) -> None:
    """Finding 7: a robots.txt that starts with a UTF-8 BOM and says `Disallow: /` stops the crawl, exit 4."""
    site = HostileSite.make(2)
    site.robots = b"\xef\xbb\xbfUser-agent: *\nDisallow: /\n"
    with serving(site) as server:
        assert crawl_cli(server, tmp_path) == 4
    assert records(tmp_path) == []
    assert site.paths_requested() == ["/robots.txt"]


def test_url_variants_of_one_page_are_one_record(tmp_path: Path) -> None:
    """Finding 11: query, trailing slash, upper-case scheme and host, fragment: one item, fetched once."""
    site = HostileSite.make(2)
    with serving(site) as server:
        host = server.base_url.removeprefix("http://")
        one = "/secretariat/500000"
        variants = [one, f"{one}/", f"{one}?utm_source=x", f"{one}/?a=1&b=2", f"{one}#main", f"HTTP://{host}{one}",
                    f"http://{host.upper()}{one}#x", f"{one}?", "/secretariat/500001"]  # fmt: skip
        item = [site.items[0]] * 8 + [site.items[1]]
        entries = [listing_entry(href, it.title, it.date) for href, it in zip(variants, item, strict=True)]
        site.routes["/press-releases"] = Reply(body=listing_html(entries, None))
        assert crawl_cli(server, tmp_path) == 0
        urls = sorted(record["url"] for record in records(tmp_path))
        assert urls == [server.base_url + "/secretariat/500000", server.base_url + "/secretariat/500001"]
    assert rejects(tmp_path) == []
    assert [path for path in site.paths_requested() if path.startswith("/secretariat")] == [
        "/secretariat/500000", "/secretariat/500001"]  # fmt: skip
