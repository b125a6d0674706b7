"""The crawl against a hostile site on loopback (tests/hostilekit.py), through the real CLI: pagers that
cycle or never end, a listing whose template changed, a run deadline, SIGTERM while pages never finish,
parse workers outliving a SIGKILLed crawl, a deleted `.lock`.

Every test is bounded: the site stops answering a runaway pager, subprocesses are waited on with a
timeout and killed after it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from hostilekit import (
    HostileSite,
    Reply,
    Request,
    article_html,
    crawl,
    last_stats,
    listing_entry,
    listing_html,
    rejects,
    serving,
)
from killkit import records, start_crawl, stored
from osce_scrape.cli.exit_codes import (
    EXIT_DEADLINE,
    EXIT_DRIFT,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
)
from osce_scrape.harvest.config import STOP_GRACE
from osce_scrape.harvest.state import State

pytestmark = pytest.mark.e2e

RUNAWAY = 60  # listing requests after which the site answers 404: a walk that never stops still ends


def backfill_marked(out: Path) -> bool:
    with State(out / "state.sqlite") as state:
        return state.get_meta("backfill_complete:en") == "1"


def listing_requests(site: HostileSite) -> int:
    return site.paths_requested().count("/press-releases")


def capped(site: HostileSite, pager: Any) -> Any:
    """A listing handler that answers `pager(number)` until RUNAWAY requests, then 404."""

    def handle(request: Request) -> Reply:
        if listing_requests(site) > RUNAWAY:
            return Reply(404, b"<html><body>enough</body></html>")
        reply: Reply = pager(int(request.query.get("page", "0")))
        return reply

    return handle


# --- pagers that cycle or never end (issue 9, finding 5) ---------------------------------------------


def test_a_pager_leading_back_to_page_0_stops_at_the_page_seen_before(tmp_path: Path) -> None:
    """The last listing page links to page 0: the walk reads 3 pages, not 60, warns naming the page,
    counts the loop, keeps all 25 records, and does not call the listing walked to its end (exit 1)."""
    site = HostileSite.make(25)

    def pager(number: int) -> Reply:
        reply = site.listing(number)
        if number == 2:  # the last page: its "next" goes back to the start
            entries = [listing_entry(i.path, i.title, i.date) for i in site.items[20:]]
            reply = Reply(body=listing_html(entries, "/press-releases?page=0"))
        return reply

    site.routes["/press-releases"] = capped(site, pager)
    with serving(site) as server:
        result = crawl(server.base_url, tmp_path)
    assert listing_requests(site) == 3
    assert result.exit_code == EXIT_INCOMPLETE, result.output
    assert len(records(tmp_path)) == 25
    stats = last_stats(tmp_path)
    assert (stats["pager_loops"], stats["new"], stats["errors"]) == (1, 25, {"DiscoveryError": 1})
    [reject] = rejects(tmp_path)
    assert reject["url"] == f"{server.base_url}/press-releases?page=2"
    assert "listing page 2 leads back to listing page 0, read before" in reject["reason"]
    assert not backfill_marked(tmp_path)


def test_a_pager_that_never_ends_stops_at_the_first_page_adding_nothing(tmp_path: Path) -> None:
    """Every page shows the same 10 entries and a next page: the walk stops at page 1 (nothing new),
    counts the loop, and the 10 records are published."""
    site = HostileSite.make(10)

    def pager(number: int) -> Reply:
        entries = [listing_entry(i.path, i.title, i.date) for i in site.items]
        return Reply(body=listing_html(entries, f"/press-releases?page={number + 1}"))

    site.routes["/press-releases"] = capped(site, pager)
    with serving(site) as server:
        result = crawl(server.base_url, tmp_path)
    assert listing_requests(site) == 2
    assert result.exit_code == EXIT_INCOMPLETE, result.output
    stats = last_stats(tmp_path)
    assert (stats["pager_loops"], stats["new"]) == (1, 10)
    assert len(records(tmp_path)) == 10
    assert "listing page 1 adds no entry the walk had not read" in rejects(tmp_path)[0]["reason"]
    assert not backfill_marked(tmp_path)


# --- a listing whose template changed (issue 9, finding 10) ------------------------------------------


@pytest.mark.parametrize(("empty_page", "published"), [(0, 0), (1, 10)], ids=["first page", "next page"])
def test_a_listing_page_with_no_entries_is_drift(tmp_path: Path, empty_page: int, published: int) -> None:
    """A listing page the walk expected entries on (page 0, or the page the pager pointed to) comes with
    entries in markup discover does not know and no pager: exit 6, the backfill is not marked complete,
    what came before is published."""
    site = HostileSite.make(25)

    def pager(number: int) -> Reply:
        if number < empty_page:
            return site.listing(number)
        rows = "".join(f'<div class="views-row"><a href="{i.path}">{i.title}</a></div>' for i in site.items)
        return Reply(body=f"<html><body>{rows}</body></html>".encode())

    site.routes["/press-releases"] = capped(site, pager)
    with serving(site) as server:
        result = crawl(server.base_url, tmp_path)
    assert result.exit_code == EXIT_DRIFT, result.output
    assert "no entries" in result.output and "template" in result.output
    assert len(records(tmp_path)) == published
    stats = last_stats(tmp_path)
    assert (stats["listing_drift"], stats["new"]) == (1, published)
    assert [r["url"] for r in rejects(tmp_path)] == [f"{server.base_url}/press-releases?page={empty_page}"]
    assert not backfill_marked(tmp_path)


# --- the run deadline (issue 9, finding 4) -----------------------------------------------------------


def test_max_duration_stops_the_run_publishes_and_exits_8(tmp_path: Path) -> None:
    """Items answering in 0.3 s, one at a time, 40 of them (12 s): --max-duration 2 stops the run at
    ~2 s like an interrupt; what was stored is published, the stats say "deadline", exit 8; the next run
    fetches the rest."""
    site = HostileSite.make(40)
    for item in site.items:
        site.routes[item.path] = Reply(body=article_html(item.node, item.title, item.date), header_delay=0.3)
    with serving(site) as server:
        started = time.monotonic()
        result = crawl(server.base_url, tmp_path, "--concurrency", "1", "--max-duration", "2")
        took = time.monotonic() - started
        assert result.exit_code == EXIT_DEADLINE, result.output
        assert took < 5
        stats = last_stats(tmp_path)
        assert stats["stopped"] == "deadline" and "--max-duration 2" in stats["stop_reason"]
        assert 0 < stats["new"] == len(records(tmp_path)) < 40
        site.routes.clear()
        again = crawl(server.base_url, tmp_path)
    assert again.exit_code == 0, again.output
    assert len(records(tmp_path)) == 40


# --- SIGTERM while pages never finish (issue 9, finding 4) -------------------------------------------


@contextlib.contextmanager
def crawling(base_url: str, out: Path, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """`osce-scrape crawl` in a subprocess, killed (with its children) if the test leaves it running."""
    process = start_crawl(base_url, out, *extra)
    try:
        yield process
    finally:
        if process.poll() is None:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
            process.wait(timeout=10)


def wait_until(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_sigterm_cancels_pages_that_never_finish_after_the_grace_period(tmp_path: Path) -> None:
    """Five items answer, fifteen drip a byte every half second (hours): one SIGTERM ends the run within
    the grace period, exit 130, the five are published, the dripping ones stay pending for the next run,
    which fetches them."""
    site = HostileSite.make(20)
    for item in site.items[5:]:
        body = article_html(item.node, item.title, item.date)
        site.routes[item.path] = Reply(body=body, drip=0.5)
    out = tmp_path / "out"
    with serving(site) as server:
        with crawling(server.base_url, out, "--concurrency", "2") as process:
            wait_until(lambda: stored(out) >= 5 and site.paths_requested()[-1] == site.items[6].path)
            process.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            _, err = process.communicate(timeout=STOP_GRACE + 10)
            took = time.monotonic() - sent
        assert process.returncode == EXIT_INTERRUPTED, err.decode()
        assert STOP_GRACE - 0.5 < took < STOP_GRACE + 3
        assert len(records(out)) == 5
        assert last_stats(out)["stopped"] == "interrupted"
        with State(out / "state.sqlite") as state:
            pending = {url for url, _title, _date in state.pending()}
        assert {f"{server.base_url}{i.path}" for i in site.items[5:7]} <= pending
        site.routes.clear()
        again = crawl(server.base_url, out)
    assert again.exit_code == 0, again.output
    assert len(records(out)) == 20


# --- parse workers and the lock (issue 9, finding 11) ------------------------------------------------


def slow_site(n: int, delay: float) -> HostileSite:
    site = HostileSite.make(n)
    for item in site.items:
        site.routes[item.path] = Reply(
            body=article_html(item.node, item.title, item.date), header_delay=delay
        )
    return site


def test_parse_workers_die_with_a_sigkilled_crawl(tmp_path: Path) -> None:
    """A crawl with --parse-processes 2 is SIGKILLed mid-run: its worker processes end within seconds
    instead of living on as orphans."""
    site = slow_site(40, 0.2)
    out = tmp_path / "out"
    with serving(site) as server, crawling(server.base_url, out, "--parse-processes", "2") as process:
        wait_until(lambda: stored(out) >= 2)
        children = psutil.Process(process.pid).children(recursive=True)
        workers = [c for c in children if "spawn_main" in " ".join(c.cmdline())]
        assert workers
        try:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            _gone, alive = psutil.wait_procs(children, timeout=5)
            assert alive == []
        finally:
            for child in children:
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()


def test_a_deleted_lock_file_does_not_admit_a_second_run(tmp_path: Path) -> None:
    """While a crawl runs someone deletes OUT/.lock: a second crawl of the same folder is still refused
    (exit 5), and the first goes on to publish."""
    site = slow_site(20, 0.1)
    out = tmp_path / "out"
    with serving(site) as server, crawling(server.base_url, out, "--concurrency", "1") as process:
        wait_until(lambda: stored(out) >= 1)
        (out / ".lock").unlink()
        second = crawl(server.base_url, out)
        assert second.exit_code == EXIT_LOCKED, second.output
        assert "is using this folder" in second.output
        _, err = process.communicate(timeout=30)
        assert process.returncode == 0, err.decode()
    assert len(records(out)) == 20
    assert os.listdir(out / "runs") and len(list((out / "runs").glob("*.json"))) == 1


def test_an_endless_sitemap_tree_is_a_bounded_trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sitemap names 1,000 more (and itself): the walk queues no more children than it can still
    read, stops at the cap (here 30 documents), and says so (a reject line naming the trap, exit 1)."""
    monkeypatch.setattr("osce_scrape.harvest.walk.MAX_SITEMAPS", 30)
    site = HostileSite.make(2)

    def tree(request: Request) -> Reply:
        name = request.path.rsplit("/", 1)[-1]
        children = "".join(f"<sitemap><loc>http://{request.headers['host']}/maps/{name}-{i}.xml</loc></sitemap>"
                           for i in range(1_000))  # fmt: skip
        return Reply(body=f"<sitemapindex>{children}</sitemapindex>".encode(), content_type=b"text/xml")

    site.routes["/sitemap.xml"] = tree
    with serving(site) as server:
        for n in range(1_000):
            site.routes[f"/maps/sitemap.xml-{n}.xml"] = tree
        result = crawl(server.base_url, tmp_path, "--discover", "sitemap")
    assert result.exit_code == EXIT_INCOMPLETE, result.output
    assert len([path for path in site.paths_requested() if path.endswith(".xml")]) == 30
    [reject] = rejects(tmp_path)
    assert reject["url"].endswith("/sitemap.xml") and "past 30 documents: a trap" in reject["reason"]
