"""Ctrl-C and SIGTERM: the stop switch, and real signals sent to a crawl subprocess over loopback."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from killkit import leftovers, records, start_crawl, stored
from osce_scrape.cli.exit_codes import EXIT_INTERRUPTED
from osce_scrape.harvest.crawl import HarvestConfig, run_harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.harvest.signals import StopSwitch
from osce_scrape.mirror import FaultSpec, MirrorServer, MirrorSite, running_mirror
from osce_scrape.mirror.faults import FaultInjector


def test_stop_switch_keeps_the_first_reason_and_tells_listeners_once() -> None:
    """The first stop wins; listeners run once, at that first stop."""
    switch, heard = StopSwitch(), []
    switch.on_stop(lambda: heard.append(switch.reason))
    assert not switch.stopping
    switch.stop("interrupted by SIGINT")
    switch.stop("site unreachable")
    assert switch.stopping and switch.reason == "interrupted by SIGINT" and heard == ["interrupted by SIGINT"]


@pytest.fixture
def slow_server() -> Iterator[MirrorServer]:
    """Every response trickled over 0.4 s: a crawl of 30 pages at concurrency 2 takes ~7 s."""
    with running_mirror(
        MirrorSite(pages=30, fixtures_dir=None), faults=FaultSpec(rates={"slow": 1.0}, slow=0.4)
    ) as s:
        yield s


def wait_for_records(out: Path, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while stored(out) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stored(out) >= n


def finish(server: MirrorServer, out: Path) -> None:
    """A clean run with the faults off: every press release, once."""
    server.faults = None
    run_harvest(HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0), out=out))
    ids = [r["id"] for r in records(out)]
    assert len(ids) == len(set(ids)) == 30


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_first_signal_finishes_pages_in_flight_and_publishes(
    slow_server: MirrorServer, tmp_path: Path, signum: signal.Signals
) -> None:
    """One SIGINT (or SIGTERM): the crawl stops within a page's time, exits 130, and the dataset holds
    every record it stored (published); the stats say interrupted; the next run completes."""
    out = tmp_path / "out"
    process = start_crawl(slow_server.base_url, out, "--concurrency", "2")
    wait_for_records(out, 4)
    process.send_signal(signum)
    sent = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert process.returncode == EXIT_INTERRUPTED, err.decode()
    assert time.monotonic() - sent < 3  # two pages in flight at 0.4 s each, then publishing
    assert b"what was stored is published; the next run goes on" in err
    published = records(out)
    assert 4 <= len(published) == stored(out) < 30
    stats = json.loads(next((out / "runs").glob("*.json")).read_text())
    assert stats["stopped"] == "interrupted" and stats["new"] == len(published)
    finish(slow_server, out)


@pytest.mark.e2e
def test_second_sigint_stops_at_once_and_stays_safe(tmp_path: Path) -> None:
    """Two SIGINTs: the second ends the run at once (before the 3 s pages in flight finish), exit 130;
    no partial file; the next run publishes what was stored and completes."""
    site = MirrorSite(pages=30, fixtures_dir=None)
    with running_mirror(site, faults=FaultSpec(rates={"slow": 1.0}, slow=0.3)) as server:
        out = tmp_path / "out"
        process = start_crawl(server.base_url, out, "--concurrency", "4")
        wait_for_records(out, 3)
        server.faults = FaultInjector(FaultSpec(rates={"slow": 1.0}, slow=3.0))
        time.sleep(0.6)  # the pages now in flight trickle for 3 s each
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, err = process.communicate(timeout=30)
        assert process.returncode == EXIT_INTERRUPTED, err.decode()
        assert time.monotonic() - sent < 1.5
        assert b"interrupted twice" in err
        records(out)  # whole, if written at all
        assert leftovers(out) == []
        finish(server, out)
