"""A new parser version re-derives every stored page from the WARC archive, without refetching.

The state remembers which parser version last settled its pages (`meta.parser_version`). When the
crawl's parser is another, the last archived capture of every URL the state settled (a record or a
rejection) is parsed again before the crawl: records are brought up to date, pages the old parser
rejected may become records. The site is not asked for anything; what the archive lacks (a page whose
final URL differs after a redirect) is refetched whole by the incremental rule, as before.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator

from osce_scrape.harvest.archive import ArchivedResponse, iter_latest_pages
from osce_scrape.harvest.jobs import ParserFn, ordered_map, parse_jobs
from osce_scrape.harvest.state import OK, REJECTED, SKIPPED, RecordConflict, State, UrlState
from osce_scrape.harvest.stats import RunStats
from osce_scrape.harvest.store import OutputFolder

log = logging.getLogger(__name__)

PARSER_KEY = "parser_version"  # meta: the parser version that last settled the state's pages
# Settled pages from which re-derivation parses on every core: a spawned worker takes ~0.5 s to start
# (to import the parser), what one core parses 200 pages in.
POOL_MIN_PAGES = 500


def rederive(state: State, out: OutputFolder, parser: ParserFn, version: str, stats: RunStats) -> None:
    """Re-parse the archived pages of the state's settled URLs when `version` is not the state's."""
    if state.get_meta(PARSER_KEY) == version:
        return
    if state.has_outcomes() and out.archive.is_dir():
        log.info("parser %s (the state's pages were parsed by %s): re-deriving them from %s",
                 version, state.get_meta(PARSER_KEY) or "an earlier version", out.archive)  # fmt: skip
        settled = sum(n for status, n in state.counts().items() if status in {OK, REJECTED, SKIPPED})
        jobs = (os.cpu_count() or 1) if settled >= POOL_MIN_PAGES else 1
        rederive_pages(state, out, parser, iter_latest_pages([out.archive]), stats, jobs)
    state.set_meta(PARSER_KEY, version)  # after: a killed re-derivation starts again next run


def rederive_pages(
    state: State,
    out: OutputFolder,
    parser: ParserFn,
    pages: Iterable[ArchivedResponse],
    stats: RunStats,
    jobs: int = 1,
) -> None:
    """Parse each archived page of a settled URL again and store what it gives now: in `jobs` worker
    processes (spawned: the crawl's event loop runs in this thread), the state written here, in order."""
    settled: deque[tuple[ArchivedResponse, UrlState]] = deque()  # the pages in the workers' hands

    def work() -> Iterator[tuple[ParserFn, bytes, str, str | None, dt.datetime]]:
        for page in pages:
            known = state.get(page.url)
            if known is None or not known.seen:
                continue  # a listing page, or a URL the crawl will fetch anyway
            settled.append((page, known))
            yield parser, page.content, page.url, page.encoding, page.fetched_at

    for outcome in ordered_map(parse_jobs, work(), jobs, fork=False):
        page, known = settled.popleft()
        stats.rederived += 1
        if outcome.record is None:
            # A record the new parser rejects keeps its old version (a parser regression must not
            # delete data); counted as a rejection so the run does not end in exit 0.
            if known.record_id is not None:
                stats.rejected += 1
            elif outcome.skipped:
                stats.not_press_releases += 1
            out.reject(
                page.url, f"re-derived from the archive: {outcome.reason}", outcome.kind, page.fetched_at
            )
            status = SKIPPED if outcome.skipped and known.record_id is None else REJECTED
            state.note_fetch(page.url, status=status, fetched_at=page.fetched_at)
            continue
        try:
            state.store_record(page.url, record_id=outcome.record.id, date=outcome.record.date,
                               sha256=outcome.record.sha256, json_line=outcome.record.json_line)  # fmt: skip
        except RecordConflict as exc:
            stats.conflicts += 1
            out.reject(page.url, exc.reason, type(exc).__name__, page.fetched_at)
            state.note_fetch(page.url, status=REJECTED, fetched_at=page.fetched_at)
            continue
        state.note_fetch(page.url, status=OK, fetched_at=page.fetched_at)
