"""The crawl's pipeline: discover -> fetch -> archive -> parse -> store, in that order.

Discovery walks the listing (or a sitemap, or the feed) one document at a time and queues the items
the incremental rule wants; workers fetch them (with stored validators), archive every response,
parse in an executor so the event loop never blocks on HTML, and commit each outcome to the
state at once. At the end the output folder publishes the run's records and rewrites the dataset
atomically.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from osce_scrape import discover as disc
from osce_scrape.archive import WarcWriter
from osce_scrape.errors import DiscoveryError, FetchError, RobotsDisallowed
from osce_scrape.fetch import FetchConfig, Fetcher, FetchResult
from osce_scrape.harvest_plan import Due, plan_entry
from osce_scrape.harvest_stats import RunStats
from osce_scrape.harvest_walk import read_feed, walk_listing, walk_sitemaps
from osce_scrape.parse import parse_page
from osce_scrape.parse_job import ParseOutcome, ParserFn, archive_and_parse, main_warc, parse_job, pool_for
from osce_scrape.state import ERROR, OK, REJECTED, State
from osce_scrape.store import OutputFolder

log = logging.getLogger(__name__)

Discovery = Literal["listing", "sitemap", "rss"]
ProgressFn = Callable[[RunStats], None]

# How far discovery may run ahead of the fetch workers, in items per worker: enough to keep every
# worker busy while the next listing page is fetched, small enough that memory stays flat.
QUEUE_PER_WORKER = 8
# The event loop shares the GIL with the parse and WARC threads; at Python's default 5 ms switch
# interval each socket call can wait that long for the GIL back. 0.5 ms gave 1.5x the pages/s of
# a crawl of the mirror (benchmarks/bench_crawl.py); restored when the harvest ends.
SWITCH_INTERVAL = 0.0005


@dataclass(frozen=True)
class HarvestConfig:
    """What one crawl does; `fetch` carries the base URL, politeness and timeouts."""

    fetch: FetchConfig
    out: Path = Path("output")
    discover: Discovery = "listing"
    since: dt.date | None = None
    max_pages: int | None = None
    recheck_days: int = 30
    languages: tuple[str, ...] = ("en",)
    # 0: parse in a thread, archive in another; N: N spawned worker processes that each parse and write
    # their own WARC (a script calling harvest() then needs the `if __name__ == "__main__":` guard).
    parse_processes: int = 0
    today: dt.date | None = None  # for tests; default: today's UTC date

    @property
    def base_url(self) -> str:
        return self.fetch.base_url.rstrip("/")


@dataclass
class _Run:
    config: HarvestConfig
    state: State
    out: OutputFolder
    fetcher: Fetcher
    warc: WarcWriter | None  # None: worker processes archive (see _archive_and_parse)
    archiver: concurrent.futures.Executor  # one thread: WARC records stay in fetch order
    executor: concurrent.futures.Executor
    parser: ParserFn
    on_progress: ProgressFn | None
    stats: RunStats
    queued: set[str] = field(default_factory=set)
    queue: asyncio.Queue[Due | None] = field(default_factory=asyncio.Queue)

    @property
    def today(self) -> dt.date:
        return self.config.today or dt.datetime.now(dt.UTC).date()

    def progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.stats)

    async def crawl(self) -> None:
        """Discovery feeds a bounded queue; workers drain it (twice the fetch concurrency, so
        parsing one page overlaps fetching the next)."""
        workers = max(1, self.config.fetch.concurrency) * 2
        self.queue = asyncio.Queue(maxsize=workers * QUEUE_PER_WORKER)
        tasks = [asyncio.create_task(self.work()) for _ in range(workers)]
        try:
            await self.discover()
            for _ in tasks:
                await self.queue.put(None)
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)  # let cancelled workers unwind

    # --- discovery ------------------------------------------------------------------------------

    async def discover(self) -> None:
        config = self.config
        if config.discover == "listing":
            for language in config.languages:
                await walk_listing(self, self.state, config.base_url, language, config.max_pages)
        elif config.discover == "sitemap":
            await walk_sitemaps(self, config.base_url, config.max_pages)
        else:
            await read_feed(self, config.base_url)

    async def document(self, url: str) -> FetchResult | None:
        """Fetch a discovery document (listing page, sitemap, feed); None when it failed."""
        try:
            result = await self.fetcher.fetch(url)
        except FetchError as exc:
            self.failed(url, exc)
            return None
        await self._archive_and_parse(result, parse=False)
        self.stats.discovery_documents += 1
        return result

    def allowed(self, url: str) -> bool:
        if disc.is_allowed_host(url, self.config.base_url):
            return True
        self.stats.off_host += 1
        log.debug("skipped %s: not on an allowed host", url)
        return False

    async def offer(self, entries: list[disc.ListingEntry]) -> tuple[int, bool]:
        """Queue what the incremental rule wants; return (how many, any before --since)."""
        fresh = [e for e in entries if self.allowed(e.url) and e.url not in self.queued]
        self.state.note_discovered((e.url, e.title, e.date) for e in fresh)
        wanted, older = 0, False
        for entry in fresh:
            self.queued.add(entry.url)
            self.stats.discovered += 1
            due = plan_entry(
                entry,
                self.state.get(entry.url),
                self.today,
                self.config.recheck_days,
                self.config.since,
            )
            if due is None:
                older = older or bool(self.config.since and entry.date and entry.date < self.config.since)
                self.stats.skipped += 1
                continue
            wanted += 1
            self.stats.queued += 1
            await self.queue.put(due)
        self.progress()
        return wanted, older

    # --- fetch, archive, parse, store -----------------------------------------------------------

    async def work(self) -> None:
        while (due := await self.queue.get()) is not None:
            await self._process(due)
            self.progress()

    async def _process(self, due: Due) -> None:
        try:
            result = await self.fetcher.fetch(due.url, etag=due.etag, last_modified=due.last_modified)
        except FetchError as exc:
            self.failed(due.url, exc)
            return
        outcome = await self._archive_and_parse(result, parse=not result.not_modified)
        headers = {k.lower(): v for k, v in result.headers.items()}
        validators = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
        if result.not_modified:
            self.stats.not_modified += 1
            status = due.previous_status if due.previous_status in (OK, REJECTED) else OK
            self.state.note_fetch(due.url, status=status, fetched_at=result.fetched_at,
                                  http_status=result.status, **validators)  # fmt: skip
            return
        self.stats.fetched += 1
        assert outcome is not None
        if outcome.record is None:
            self.stats.rejected += 1
            self.out.reject(due.url, outcome.reason, outcome.kind, result.fetched_at)
            log.info("rejected %s: %s", due.url, outcome.reason)
            status = REJECTED
        else:
            self._compare_with_listing(due, outcome)
            change = self.state.store_record(
                due.url, record_id=outcome.record.id, date=outcome.record.date,
                sha256=outcome.record.sha256, json_line=outcome.record.json_line,
            )  # fmt: skip
            self.stats.unchanged += change == "unchanged"
            status = OK
        self.state.note_fetch(due.url, status=status, fetched_at=result.fetched_at,
                              http_status=result.status, **validators)  # fmt: skip

    async def _archive_and_parse(self, result: FetchResult, *, parse: bool) -> ParseOutcome | None:
        """Archive, then parse if asked, all off the event loop; the WARC has a response before the
        state learns of it, so the archive can always re-derive the dataset.

        Threads (the default): one writes the run's WARC (gzip runs without the GIL), one parses.
        Processes (`parse_processes`): each worker writes its own WARC and parses, in parallel.
        """
        self.stats.bytes += len(result.content)
        self.stats.retries += result.retries
        loop = asyncio.get_running_loop()
        if self.warc is None:
            job = functools.partial(archive_and_parse, self.parser, result, parse)
            return await loop.run_in_executor(self.executor, job)
        await loop.run_in_executor(self.archiver, self.warc.write, result)
        if not parse:
            return None
        return await loop.run_in_executor(
            self.executor, parse_job, self.parser, result.content, result.final_url,
            result.encoding, result.fetched_at,
        )  # fmt: skip

    def _compare_with_listing(self, due: Due, outcome: ParseOutcome) -> None:
        """The page wins; a listing that disagrees with it is reported, not believed."""
        assert outcome.record is not None
        if due.title and _norm(due.title) != _norm(outcome.record.title):
            self.stats.disagree("title", due.url, due.title, outcome.record.title)
        if due.date and due.date != outcome.record.date:
            self.stats.disagree("date", due.url, due.date.isoformat(), outcome.record.date.isoformat())

    def failed(self, url: str, exc: FetchError | DiscoveryError) -> None:
        kind = type(exc).__name__
        now = dt.datetime.now(dt.UTC)
        if isinstance(exc, RobotsDisallowed):
            self.stats.disallowed += 1  # the site's wish, not a failure of the run
        else:
            self.stats.errors[kind] = self.stats.errors.get(kind, 0) + 1
            log.warning("%s: %s", url, exc.reason)
        self.out.reject(url, exc.reason, kind, now)
        if url in self.queued:
            status = getattr(exc, "status", None)
            self.state.note_fetch(url, status=ERROR, fetched_at=now, http_status=status,
                                  error=f"{kind}: {exc.reason}")  # fmt: skip


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


async def harvest(
    config: HarvestConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    parser: ParserFn = parse_page,
    on_progress: ProgressFn | None = None,
) -> RunStats:
    """Crawl per `config` into its output folder and return the run's stats."""
    started = time.monotonic()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        return await _harvest(config, transport, parser, on_progress, started)
    finally:
        sys.setswitchinterval(interval)


async def _harvest(
    config: HarvestConfig,
    transport: httpx.AsyncBaseTransport | None,
    parser: ParserFn,
    on_progress: ProgressFn | None,
    started: float,
) -> RunStats:
    out = OutputFolder(config.out)
    archiver = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc")
    with out.locked(), State(out.state_path) as state, archiver:
        run_name = out.new_run_name(dt.datetime.now(dt.UTC))
        out.adopt_dataset(state)
        stats = RunStats()
        try:
            async with Fetcher(config.fetch, transport=transport) as fetcher:
                with (
                    pool_for(config.parse_processes, out.archive, run_name) as executor,
                    main_warc(config.parse_processes, out.archive, run_name) as warc,
                ):
                    run = _Run(config, state, out, fetcher, warc, archiver, executor, parser,
                               on_progress, stats)  # fmt: skip
                    await run.crawl()
        finally:
            # Publish what was stored even when the crawl broke off: the dataset stays whole.
            stats.new, stats.changed = out.publish(state, run_name)
            stats.seconds = round(time.monotonic() - started, 3)
            stats.run = run_name
            out.write_stats(run_name, stats.as_dict())
        log.info("run %s: %s", run_name, stats.line())
        return stats


def run_harvest(
    config: HarvestConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_progress: ProgressFn | None = None,
) -> RunStats:
    """`harvest` from synchronous code (the CLI)."""
    return asyncio.run(harvest(config, transport=transport, on_progress=on_progress))
