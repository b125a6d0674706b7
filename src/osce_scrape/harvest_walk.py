"""Discovery walks: the listing (following its pager), sitemaps (following indexes), the feed.

Each walk fetches discovery documents one at a time through the run and offers their entries; the
run decides, by the incremental rule, what to queue, and says whether to go on.
"""

from __future__ import annotations

import logging
from typing import Protocol

from osce_scrape import discover as disc
from osce_scrape.errors import DiscoveryError
from osce_scrape.fetch import FetchResult
from osce_scrape.state import State

log = logging.getLogger(__name__)

MAX_SITEMAPS = 10_000  # a sitemap index that never ends is a trap, not a site
_BACKFILL_KEY = "backfill_complete:{}"  # a run once walked this language's listing to its last page


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


def language_listing_url(base_url: str, language: str, page: int) -> str:
    """English at /press-releases, others under their prefix (/ru/press-releases?page=N)."""
    prefix = base_url if language == "en" else f"{base_url}/{language}"
    return disc.listing_url(prefix, page)


async def walk_listing(run: Run, state: State, base_url: str, language: str, max_pages: int | None) -> None:
    """Follow the pager to the last page, --max-pages, entries older than --since, or (once a run has
    walked the whole listing) the first page with nothing due."""
    backfilled = state.get_meta(_BACKFILL_KEY.format(language)) == "1"
    url: str | None = language_listing_url(base_url, language, 0)
    pages = 0
    while url is not None:
        if run.stopping or (max_pages is not None and pages >= max_pages):
            return  # unfinished: the backfill mark is only set by a walk that reached the end
        result = await run.document(url)
        if result is None:
            return
        page = disc.parse_listing(result.content, result.final_url)
        pages += 1
        if not page.entries:
            break
        wanted, older = await run.offer(page.entries)
        if older:
            log.info("listing %s: entries older than --since, stopping", url)
            return
        if backfilled and not wanted:
            log.info("listing %s: nothing new on this page, stopping (incremental)", url)
            return
        url = page.next_url if page.next_url and page.next_url != url else None
    state.set_meta(_BACKFILL_KEY.format(language), "1")


async def walk_sitemaps(run: Run, base_url: str, max_pages: int | None) -> None:
    """sitemap.xml and the child sitemaps of indexes, breadth first, each once, at most --max-pages."""
    pending = [f"{base_url}/sitemap.xml"]
    seen: set[str] = set()
    limit = max_pages or MAX_SITEMAPS
    while pending and len(seen) < limit and not run.stopping:
        url = pending.pop(0)
        if url in seen or not run.allowed(url):
            continue
        seen.add(url)
        result = await run.document(url, html=False)
        if result is None:
            continue
        try:
            doc = disc.parse_sitemap(result.content, result.final_url)
        except DiscoveryError as exc:
            run.failed(url, exc)
            continue
        pending.extend(doc.sitemaps)
        await run.offer(doc.urls)


async def read_feed(run: Run, base_url: str) -> None:
    """The items of rss.xml."""
    url = f"{base_url}/rss.xml"
    result = await run.document(url, html=False)
    if result is None:
        return
    try:
        entries = disc.parse_feed(result.content, result.final_url)
    except DiscoveryError as exc:
        run.failed(url, exc)
        return
    await run.offer(entries)
