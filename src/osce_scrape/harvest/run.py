"""One crawl run's work: discovery feeding a bounded queue, workers that fetch, archive, parse, store.

Kept apart from `harvest` (which opens the output folder, the state and the pools, and publishes)
so each reads in one sitting. A run stops early, cleanly, when its `StopSwitch` is thrown: by
Ctrl-C / SIGTERM, by the circuit breaker when the site stops answering, or by --max-duration. Pages
in flight then get `config.stop_grace` seconds to finish; whatever is still busy after that (a page
dripping a byte a second) is cancelled and stays queued in the state for the next run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from osce_scrape.errors import (
    DiscoveryError,
    FetchError,
    HttpStatusError,
    RobotsDisallowed,
    RobotsUnavailable,
    UnexpectedContent,
)
from osce_scrape.harvest import discover as disc
from osce_scrape.harvest.archive import HTML_TYPES, WarcWriter
from osce_scrape.harvest.circuit import CircuitBreaker
from osce_scrape.harvest.config import HarvestConfig
from osce_scrape.harvest.fetch import Fetcher, FetchResult, is_transient
from osce_scrape.harvest.jobs import ParseOutcome, ParserFn, archive_and_parse, parse_job
from osce_scrape.harvest.plan import Due, plan_entry
from osce_scrape.harvest.politeness import is_allowed_host
from osce_scrape.harvest.signals import StopSwitch
from osce_scrape.harvest.state import ERROR, OK, REJECTED, SKIPPED, RecordConflict, State
from osce_scrape.harvest.stats import RunStats, StopKind
from osce_scrape.harvest.store import OutputFolder
from osce_scrape.harvest.walk import read_feed, walk_listing, walk_sitemaps

log = logging.getLogger(__name__)

ProgressFn = Callable[[RunStats], None]

# How far discovery may run ahead of the fetch workers, in items per worker: enough to keep every
# worker busy while the next listing page is fetched, small enough that memory stays flat.
QUEUE_PER_WORKER = 8
BACKLOG_CHUNK = 100  # pending URLs offered at a time, like a listing page
GONE_STATUSES = (404, 410)  # a record's page answering these is withdrawn, not silently kept live


def content_problem(result: FetchResult, *, html: bool) -> str | None:
    """Why a 200 is no usable document (empty, or not HTML when HTML was asked); None when fine."""
    if result.not_modified:
        return None
    if not result.content.strip():
        return "empty body"
    headers = {k.lower(): v for k, v in result.headers.items()}
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if html and content_type and content_type not in HTML_TYPES:
        return f"Content-Type {content_type} is not HTML"
    return None


@dataclass
class CrawlRun:
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
    switch: StopSwitch
    breaker: CircuitBreaker
    queued: set[str] = field(default_factory=set)
    # URLs queued from earlier runs' backlog: when the walk meets them on a listing page they count as
    # wanted there, so a page of them does not end an incremental walk before the new items after it.
    resumed: set[str] = field(default_factory=set)
    queue: asyncio.Queue[Due | None] = field(default_factory=asyncio.Queue)
    workers: int = 1
    tasks: list[asyncio.Task[None]] = field(default_factory=list)  # discovery and the workers
    cut_off: bool = False  # the stop's grace ran out and the busy tasks were cancelled

    @property
    def today(self) -> dt.date:
        return self.config.today or dt.datetime.now(dt.UTC).date()

    @property
    def stopping(self) -> bool:
        return self.switch.stopping

    def progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.stats)

    async def crawl(self) -> None:
        """Discovery feeds a bounded queue; workers drain it (twice the fetch concurrency, so
        parsing one page overlaps fetching the next). After a stop, what is still busy when the
        grace runs out is cancelled, and the crawl returns normally (the caller publishes)."""
        self.workers = max(1, self.config.fetch.concurrency) * 2
        self.queue = asyncio.Queue(maxsize=self.workers * QUEUE_PER_WORKER)
        self.switch.on_stop(self._release_workers)
        self.tasks = [asyncio.create_task(self.work()) for _ in range(self.workers)]
        self.tasks.append(asyncio.create_task(self._feed()))
        try:
            await asyncio.gather(*self.tasks)
        except asyncio.CancelledError:
            if not self.cut_off or _cancelling():
                raise  # our own task was cancelled (a second Ctrl-C): not the grace running out
        finally:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)  # let cancelled tasks unwind

    async def _feed(self) -> None:
        """Discover, then tell each worker the queue is done (unless stopping: it was told already)."""
        await self.discover()
        if not self.stopping:
            for _ in range(self.workers):
                await self.queue.put(None)

    def _release_workers(self) -> None:
        """On a stop: drop what is queued (still `new` in the state: the next run fetches it), wake
        every idle worker, and give the busy ones (and discovery) the grace period to finish."""
        while not self.queue.empty():
            self.queue.get_nowait()
        for _ in range(self.workers):
            self.queue.put_nowait(None)  # room: the queue holds QUEUE_PER_WORKER x workers
        asyncio.get_running_loop().call_later(self.config.stop_grace, self._cut_off)

    def _cut_off(self) -> None:
        """The grace is over: cancel what is still busy; its pages stay queued in the state."""
        busy = [task for task in self.tasks if not task.done()]
        if not busy:
            return
        log.warning("%d tasks still busy %g s after the stop: cancelled (their pages stay queued for "
                    "the next run)", len(busy), self.config.stop_grace)  # fmt: skip
        self.cut_off = True
        for task in busy:
            task.cancel()

    def stop(self, kind: StopKind, reason: str) -> None:
        if not self.stopping:
            self.stats.stopped, self.stats.stop_reason = kind, reason
        self.switch.stop(reason, announce=kind != "unreachable")

    # --- discovery ------------------------------------------------------------------------------

    async def discover(self) -> None:
        await self.resume_backlog()
        config = self.config
        if config.discover == "listing":
            for language in config.languages:
                if self.stopping:
                    return
                await walk_listing(self, self.state, config.base_url, language, config.max_pages)
        elif config.discover == "sitemap":
            await walk_sitemaps(self, config.base_url, config.max_pages)
        else:
            await read_feed(self, config.base_url)

    async def resume_backlog(self) -> None:
        """Queue what earlier runs discovered but never settled (killed or stopped with items queued,
        or failed): an incremental walk stops at the first page with nothing due and would not
        reach them again."""
        pending = self.state.pending(self.today)
        if pending:
            log.info("%d URLs left pending by earlier runs: fetching them first", len(pending))
        for start in range(0, len(pending), BACKLOG_CHUNK):
            if self.stopping:
                return
            chunk = pending[start : start + BACKLOG_CHUNK]
            await self.offer([disc.ListingEntry(url, title, date, None) for url, title, date in chunk])
            self.resumed.update(url for url, _, _ in chunk)

    async def document(self, url: str, *, html: bool = True) -> FetchResult | None:
        """Fetch a discovery document (listing page, sitemap, feed); None when it failed."""
        first = self.stats.discovery_documents == 0
        try:
            result = await self.fetcher.fetch(url)
        except FetchError as exc:
            self.failed(url, exc)
            if first and (is_transient(exc) or isinstance(exc, RobotsUnavailable)):
                self.stop("unreachable", f"site unreachable: {url}: {exc.reason}")
            elif isinstance(exc, RobotsDisallowed):
                self.stats.robots_forbidden = True
            return None
        self.breaker.success()
        await self._archive_and_parse(result, parse=False)
        if problem := content_problem(result, html=html):
            self.failed(url, UnexpectedContent(problem, source=url))
            return None  # an empty or foreign page is no end of the listing: the walk stops unfinished
        self.stats.discovery_documents += 1
        return result

    def drift(self, url: str, exc: DiscoveryError) -> None:
        self.stats.listing_drift += 1
        self.failed(url, exc)

    def pager_loop(self, url: str, exc: DiscoveryError) -> None:
        self.stats.pager_loops += 1
        self.failed(url, exc)

    def skipped_links(self, url: str, count: int) -> None:
        self.stats.bad_links += count
        log.debug("%s: %d links skipped (not URLs of the site)", url, count)

    def allowed(self, url: str) -> bool:
        if is_allowed_host(url, self.config.base_url):
            return True
        self.stats.off_host += 1
        log.debug("skipped %s: not on an allowed host", url)
        return False

    async def offer(self, entries: list[disc.ListingEntry]) -> tuple[int, bool]:
        """Queue what the incremental rule wants; return (how many, any before --since)."""
        resumed = [e for e in entries if e.url in self.resumed]
        self.resumed.difference_update(e.url for e in resumed)
        fresh = [e for e in entries if self.allowed(e.url) and e.url not in self.queued]
        self.state.note_discovered((e.url, e.title, e.date) for e in fresh)
        wanted, older = 0, False
        for entry in fresh:
            if self.stopping:
                break
            self.queued.add(entry.url)
            self.stats.discovered += 1
            due = plan_entry(entry, self.state.get(entry.url), self.today, self.config.recheck_days,
                             self.config.since, parser_version=self.config.parser_version)  # fmt: skip
            if due is None:
                older = older or bool(self.config.since and entry.date and entry.date < self.config.since)
                self.stats.skipped += 1
                continue
            wanted += 1
            self.stats.queued += 1
            await self.queue.put(due)
        self.progress()
        return wanted + len(resumed), older

    # --- fetch, archive, parse, store -----------------------------------------------------------

    async def work(self) -> None:
        while not self.stopping and (due := await self.queue.get()) is not None:
            await self._process(due)
            self.progress()

    async def _process(self, due: Due) -> None:
        try:
            result = await self.fetcher.fetch(due.url, etag=due.etag, last_modified=due.last_modified)
        except FetchError as exc:
            self.failed(due.url, exc)
            if isinstance(exc, HttpStatusError) and exc.status in GONE_STATUSES:
                self.gone(due.url, exc.status)
            return
        self.breaker.success()
        problem = content_problem(result, html=True)
        outcome = await self._archive_and_parse(result, parse=not result.not_modified and problem is None)
        if problem:
            self.failed(due.url, UnexpectedContent(problem, source=due.url))
            return
        etag, last_modified = result.validators  # only what can be sent back (printable ASCII)
        validators = {"etag": etag, "last_modified": last_modified}
        if result.not_modified:
            self.stats.not_modified += 1
            status = due.previous_status if due.previous_status in (OK, REJECTED, SKIPPED) else OK
            self.state.note_fetch(due.url, status=status, fetched_at=result.fetched_at,
                                  http_status=result.status, **validators)  # fmt: skip
            return
        self.stats.fetched += 1
        assert outcome is not None
        if outcome.record is None and outcome.skipped and not self._has_record(due.url):
            self.stats.not_press_releases += 1
            self.out.reject(due.url, outcome.reason, outcome.kind, result.fetched_at)
            log.info("skipped %s (not a press release): %s", due.url, outcome.reason)
            status = SKIPPED
        elif outcome.record is None:
            # A press release that fails, or a page with a record that no longer reads as one (an error
            # template, a parser regression): its record is kept, the page retried with backoff.
            self.stats.rejected += 1
            self.out.reject(due.url, outcome.reason, outcome.kind, result.fetched_at)
            log.info("rejected %s: %s", due.url, outcome.reason)
            status = REJECTED
        else:
            self._compare_with_listing(due, outcome)
            try:
                change = self.state.store_record(
                    due.url, record_id=outcome.record.id, date=outcome.record.date,
                    sha256=outcome.record.sha256, json_line=outcome.record.json_line,
                )  # fmt: skip
            except RecordConflict as exc:
                self.conflict(exc, result.fetched_at)
                status = REJECTED  # tried again with backoff: one of the two pages may get fixed
            else:
                self.stats.unchanged += change == "unchanged"
                status = OK
        self.state.note_fetch(due.url, status=status, fetched_at=result.fetched_at,
                              http_status=result.status, **validators)  # fmt: skip

    def _has_record(self, url: str) -> bool:
        known = self.state.get(url)
        return known is not None and known.record_id is not None

    async def _archive_and_parse(self, result: FetchResult, *, parse: bool) -> ParseOutcome | None:
        """Archive, then parse if asked, all off the event loop; the WARC has a response before the
        state learns of it, so the archive can always re-derive the dataset.

        Threads (the default): one writes the run's WARC (gzip runs without the GIL), one parses.
        Processes (`parse_processes`): each worker writes its own WARC and parses, in parallel.
        """
        self.stats.bytes += len(result.content)
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

    def conflict(self, exc: RecordConflict, when: dt.datetime) -> None:
        """Two pages claim one record id: the first record stays, the second page is a reject line."""
        self.stats.conflicts += 1
        self.out.reject(exc.source or "", exc.reason, type(exc).__name__, when)
        log.warning("%s", exc)

    def gone(self, url: str, status: int) -> None:
        """A record's page answers 404/410: the record stays, listed as withdrawn (withdrawn.jsonl)."""
        if (record_id := self.state.mark_withdrawn(url, dt.datetime.now(dt.UTC))) is not None:
            self.stats.withdrawn += 1
            log.warning("%s answers %d: record %s is marked withdrawn (kept)", url, status, record_id)

    def failed(self, url: str, exc: FetchError | DiscoveryError) -> None:
        """Count, log and quarantine a failure; the URL stays `error`, so the next run retries it."""
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
        if isinstance(exc, FetchError) and self.breaker.failure(exc):
            self.stop("unreachable", f"site unreachable: {self.breaker.consecutive} pages failed in a row")


def _cancelling() -> bool:
    """The running task itself was asked to stop (a second Ctrl-C cancels the whole crawl)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()
