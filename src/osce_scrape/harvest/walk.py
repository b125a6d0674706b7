"""Discovery walks: the listing (following its pager), sitemaps (following indexes), the feed.

Each walk fetches discovery documents one at a time through the run and offers their entries; the
run decides, by the incremental rule, what to queue, and says whether to go on. Documents are parsed
in a thread: an 8 MB listing of 40,000 entries took 5 s to parse (2 busy cores), and on the event loop
that would stall every fetch, the deadline and Ctrl-C meanwhile.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from osce_scrape.errors import DiscoveryError
from osce_scrape.harvest import discover as disc
from osce_scrape.harvest.fetch import FetchResult
from osce_scrape.harvest.state import State

log = logging.getLogger(__name__)

MAX_SITEMAPS = 10_000  # a sitemap index that never ends is a trap, not a site
_BACKFILL_KEY = "backfill_complete:{}"  # a run once walked this language's listing to its last page
T = TypeVar("T")


class Run(Protocol):
    """What a walk needs from the run."""

    @property
    def stopping(self) -> bool:
        """The run was asked to stop (Ctrl-C, circuit breaker): walk no further."""

    async def document(self, url: str, *, html: bool = True) -> FetchResult | None:
        """Fetch and archive a discovery document (HTML or not); None when it failed (already reported)."""

    async def offer(self, entries: list[disc.ListingEntry]) -> tuple[int, bool]:
        """Queue what is due; return (how many, whether any entry is older than --since)."""

    def allowed(self, url: str) -> bool:
        """On the crawl's hosts (others are counted and skipped)."""

    def failed(self, url: str, exc: DiscoveryError) -> None:
        """Count and quarantine a document that could not be read."""

    def drift(self, url: str, exc: DiscoveryError) -> None:
        """A listing page with no entries where entries were expected: the template changed (exit 6)."""

    def pager_loop(self, url: str, exc: DiscoveryError) -> None:
        """A listing page whose pager loops (back to a page read, or on with nothing new): counted."""

    def skipped_links(self, url: str, count: int) -> None:
        """Count the links of document `url` that were no URL at all (skipped, logged by discover)."""


def language_listing_url(base_url: str, language: str, page: int) -> str:
    """English at /press-releases, others under their prefix (/ru/press-releases?page=N)."""
    prefix = base_url if language == "en" else f"{base_url}/{language}"
    return disc.listing_url(prefix, page)


async def walk_listing(run: Run, state: State, base_url: str, language: str, max_pages: int | None) -> None:
    """Follow the pager to the last page, --max-pages, entries older than --since, or (once a run has
    walked the whole listing) the first page with nothing due.

    Only a walk that reached a page with no next page marks the language's backfill complete. A page
    that breaks the pager (no next page before the pager's last) is a failure, not the end; a page with
    no entries is drift (every page the walk reads is one that should have entries: the first, or one a
    pager pointed to); a pager that loops (back to a page read, or on to pages adding nothing) is
    stopped at once, counted and reported.
    """
    backfilled = state.get_meta(_BACKFILL_KEY.format(language)) == "1"
    url: str | None = language_listing_url(base_url, language, 0)
    pages = 0
    last_page: int | None = None  # the highest page number a pager showed
    read: set[str] = set()  # listing pages and entries this walk has read: a loop is seen by them
    entries: set[str] = set()
    while url is not None:
        if run.stopping or (max_pages is not None and pages >= max_pages):
            return  # unfinished: the backfill mark is only set by a walk that reached the end
        page = await _read(run, url, disc.parse_listing)
        if page is None:
            return
        pages += 1
        read.add(url)
        run.skipped_links(url, page.skipped)
        last_page = max(last_page or 0, page.last_page) if page.last_page is not None else last_page
        next_url = page.next_url if page.next_url and page.next_url != url else None
        problem = _broken_pager(url, page, next_url, last_page)
        if not page.entries:
            run.drift(url, DiscoveryError(problem or _no_entries(url), source=url))
            return
        if problem:
            run.failed(url, DiscoveryError(problem, source=url))
            return
        if all(entry.url in entries for entry in page.entries):
            run.pager_loop(url, DiscoveryError(f"{_name(url)} adds no entry the walk had not read: the "
                                               "pager goes on forever", source=url))  # fmt: skip
            return
        entries.update(entry.url for entry in page.entries)
        wanted, older = await run.offer(page.entries)
        if older:
            log.info("listing %s: entries older than --since, stopping", url)
            return
        if backfilled and not wanted:
            log.info("listing %s: nothing new on this page, stopping (incremental)", url)
            return
        if next_url in read:
            run.pager_loop(url, DiscoveryError(f"{_name(url)} leads back to {_name(next_url)}, read before: "
                                               "the pager loops", source=url))  # fmt: skip
            return
        url = next_url
    state.set_meta(_BACKFILL_KEY.format(language), "1")


def _name(url: str | None) -> str:
    """The page as a reader says it: `listing page 3`, or the URL when it has no page number."""
    number = disc.page_number(url) if url else None
    return f"listing page {number}" if number is not None else f"listing page {url}"


def _no_entries(url: str) -> str:
    return f"{_name(url)} has no entries where entries were expected: the listing's template probably changed"


def _broken_pager(
    url: str, page: disc.ListingPage, next_url: str | None, last_page: int | None
) -> str | None:
    """Why this listing page cannot be where the listing ends or goes on; None when it is sound."""
    number = disc.page_number(url)
    if next_url is None and last_page is not None and number is not None and number < last_page:
        what = "is empty" if not page.entries else "has no next page"
        return f"listing page {number} {what}, but the pager goes on to page {last_page}"
    if not page.entries and next_url is not None:
        return f"listing page {number} is empty, but links a next page"
    return None


async def walk_sitemaps(run: Run, base_url: str, max_pages: int | None) -> None:
    """sitemap.xml and the child sitemaps of indexes, breadth first, each once, at most --max-pages.

    Children are queued once each, and no more of them than can still be read (an index naming itself,
    or 400,000 children that all name 400,000 more, costs neither requests nor memory). A tree that
    still goes on at MAX_SITEMAPS is a trap: reported (exit 1). A walk that finds no item at all is drift,
    like an empty listing: the site's sitemap changed (exit 6)."""
    root = f"{base_url}/sitemap.xml"
    pending, queued = collections.deque([root]), {root}
    read = found = 0
    limit, overflow = max_pages or MAX_SITEMAPS, False
    while pending and read < limit and not run.stopping:
        url = pending.popleft()
        read += 1
        doc = await _read(run, url, disc.parse_sitemap, html=False)
        if doc is None:
            continue
        run.skipped_links(url, doc.skipped)
        for child in doc.sitemaps:
            if child in queued or not run.allowed(child):
                continue
            if len(queued) >= limit:
                overflow = True
                break
            queued.add(child)
            pending.append(child)
        found += len(doc.urls)
        await run.offer(doc.urls)
    if run.stopping:
        return
    if overflow and max_pages is None:
        run.failed(root, DiscoveryError(f"the sitemap tree goes on past {MAX_SITEMAPS} documents: a trap; "
                                        "the walk stopped there", source=root))  # fmt: skip
    elif read and not found:
        run.drift(
            root, DiscoveryError("the sitemaps list no item: their format probably changed", source=root)
        )


async def read_feed(run: Run, base_url: str) -> None:
    """The items of rss.xml; a feed with none is drift (its format probably changed)."""
    url = f"{base_url}/rss.xml"
    entries = await _read(run, url, disc.parse_feed, html=False)
    if entries is None:
        return
    if not entries:
        run.drift(url, DiscoveryError("the feed lists no item: its format probably changed", source=url))
        return
    await run.offer(entries)


async def _read(run: Run, url: str, parse: Callable[[bytes, str], T], *, html: bool = True) -> T | None:
    """Fetch a discovery document and parse it; None when either failed (reported to the run)."""
    result = await run.document(url, html=html)
    if result is None:
        return None
    try:
        return await asyncio.to_thread(parse, result.content, result.final_url)
    except DiscoveryError as exc:
        run.failed(url, exc)
    except ValueError as exc:  # a parse step that missed one odd input: one document lost, not the crawl
        run.failed(url, DiscoveryError(f"unreadable: {exc}", source=url))
    return None
