"""The crawl's pipeline: discover -> fetch -> archive -> parse -> store, in that order.

Discovery walks the listing (or a sitemap, or the feed) one document at a time and queues the items
the incremental rule wants; workers fetch them (with stored validators), archive every response,
parse in an executor so the event loop never blocks on HTML, and commit each outcome to the
state at once (`run`). At the end the output folder publishes the run's records and rewrites
the dataset atomically. (The data card is the dataset stage's: the CLI writes it after the crawl.)

Reliability (docs/reliability.md): the first Ctrl-C / SIGTERM gives the pages in flight a few seconds
(`stop_grace`) to finish, cancels the rest and publishes, a second stops at once; `max_duration` stops
the run the same way when its time is up; a circuit breaker stops a run whose site stopped answering;
a full or read-only output folder raises `OutputError` and leaves the previous dataset as it was.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import errno
import logging
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from osce_scrape.errors import OutputError
from osce_scrape.harvest import rederive
from osce_scrape.harvest.circuit import CircuitBreaker
from osce_scrape.harvest.config import Discovery, HarvestConfig
from osce_scrape.harvest.fetch import Fetcher
from osce_scrape.harvest.jobs import ParserFn, main_warc, pool_for
from osce_scrape.harvest.politeness import is_live_site
from osce_scrape.harvest.run import CrawlRun, ProgressFn
from osce_scrape.harvest.signals import StopSwitch, stop_on_signals
from osce_scrape.harvest.state import StateDamaged
from osce_scrape.harvest.stats import RunStats
from osce_scrape.harvest.store import OutputFolder
from osce_scrape.parse import parse_page

__all__ = ["Discovery", "HarvestConfig", "ProgressFn", "RunStats", "harvest", "run_harvest"]

log = logging.getLogger(__name__)

# The event loop shares the GIL with the parse and WARC threads; at Python's default 5 ms switch
# interval each socket call can wait that long for the GIL back. 0.5 ms gave 1.5x the pages/s of
# a crawl of the mirror (benchmarks/bench_crawl.py); restored when the harvest ends.
SWITCH_INTERVAL = 0.0005
# OS errors that mean "the output folder cannot take our writes", not a bug: reported as OutputError.
_STORAGE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.ELOOP}
)  # fmt: skip (ELOOP: a planted symlink)


async def harvest(
    config: HarvestConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    parser: ParserFn = parse_page,
    on_progress: ProgressFn | None = None,
    switch: StopSwitch | None = None,
) -> RunStats:
    """Crawl per `config` into its output folder and return the run's stats.

    `switch.stop(reason)` ends the run early and cleanly (pages in flight get `config.stop_grace`
    seconds to finish, then it publishes).
    """
    started = time.monotonic()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        with _storage_errors(config.out):
            return await _harvest(config, transport, parser, on_progress, switch or StopSwitch(), started)
    finally:
        sys.setswitchinterval(interval)


async def _harvest(
    config: HarvestConfig,
    transport: httpx.AsyncBaseTransport | None,
    parser: ParserFn,
    on_progress: ProgressFn | None,
    switch: StopSwitch,
    started: float,
) -> RunStats:
    out = OutputFolder(config.out)
    with out.locked(), out.open_state() as state:
        run_name = out.new_run_name(dt.datetime.now(dt.UTC))
        stats = RunStats(base_url=config.base_url, synthetic=not is_live_site(config.base_url))
        stats.quarantined = len(out.set_aside_files)
        stats.quarantined += out.adopt_dataset(state)[1] + out.check_records(state)
        rederive.rederive(state, out, parser, config.parser_version, stats)
        try:
            async with Fetcher(config.fetch, transport=transport) as fetcher:
                with (
                    pool_for(config.parse_processes, out.archive, run_name) as executor,
                    main_warc(config.parse_processes, out.archive, run_name) as warc,
                    # Inside the WARC's block: its thread finishes the record in hand before the file closes.
                    concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="warc") as archiver,
                ):
                    breaker = CircuitBreaker(config.max_failures)
                    run = CrawlRun(config, state, out, fetcher, warc, archiver, executor, parser,
                                   on_progress, stats, switch, breaker)  # fmt: skip
                    deadline = _arm_deadline(run, config.max_duration, started)
                    try:
                        await run.crawl()
                    finally:  # what the site saw: every request (robots.txt, redirects, retries)
                        if deadline is not None:
                            deadline.cancel()
                        stats.requests, stats.wire_bytes = fetcher.stats.requests, fetcher.stats.bytes
                        stats.retries = fetcher.stats.retries  # those of pages that failed too
        finally:
            if switch.stopping and not stats.stopped:
                stats.stopped, stats.stop_reason = "interrupted", switch.reason or "interrupted"
            # Publish what was stored even when the crawl broke off: the dataset stays whole. Not
            # after a second Ctrl-C: that one means now; the state keeps it all for the next run.
            if not switch.hard:
                stats.new, stats.changed = out.publish(state, run_name)
            stats.seconds = round(time.monotonic() - started, 3)
            stats.run = run_name
            out.write_stats(run_name, stats.as_dict())
        log.info("run %s: %s", run_name, stats.line())
        return stats


def _arm_deadline(run: CrawlRun, max_duration: float | None, started: float) -> asyncio.TimerHandle | None:
    """Stop `run` (kind "deadline") `max_duration` seconds after `started`; None without a deadline."""
    if max_duration is None:
        return None
    left = max(0.0, max_duration - (time.monotonic() - started))
    reason = f"--max-duration {max_duration:g} s reached"
    return asyncio.get_running_loop().call_later(left, run.stop, "deadline", reason)


@contextmanager
def _storage_errors(folder: Path) -> Iterator[None]:
    """A read-only or full output folder becomes one clear OutputError (the dataset is untouched:
    every file is written beside it and renamed)."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise OutputError(f"cannot write the state: {exc}", source=str(folder)) from exc
    except sqlite3.DatabaseError as exc:  # a corrupt page met mid-run (opening checks the file first)
        raise StateDamaged(f"the state is damaged ({exc}); the next run sets it aside and starts afresh "
                           "from the dataset", source=str(folder / "state.sqlite")) from exc  # fmt: skip
    except OSError as exc:
        if exc.errno not in _STORAGE_ERRNOS:
            raise
        where = exc.filename or folder
        raise OutputError(f"cannot write {where}: {exc.strerror}", source=str(folder)) from exc


def run_harvest(
    config: HarvestConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_progress: ProgressFn | None = None,
    switch: StopSwitch | None = None,
) -> RunStats:
    """`harvest` from synchronous code (the CLI), with Ctrl-C and SIGTERM handled (see `signals`).

    A second signal cancels the crawl at once and raises KeyboardInterrupt.
    """
    stop = switch or StopSwitch()

    async def main() -> RunStats:
        task = asyncio.current_task()
        assert task is not None
        with stop_on_signals(stop, task):
            return await harvest(config, transport=transport, on_progress=on_progress, switch=stop)

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        if stop.hard:
            raise KeyboardInterrupt from None
        raise
