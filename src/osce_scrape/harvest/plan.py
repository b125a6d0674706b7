"""The incremental rule: which discovered items a run fetches, and with which validators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from osce_scrape.harvest.discover import ListingEntry
from osce_scrape.harvest.state import REJECTED, SKIPPED, UrlState
from osce_scrape.parse.version import PARSER_VERSION


@dataclass(frozen=True)
class Due:
    """An item to fetch: its URL, what the listing said, and the validators to send."""

    url: str
    title: str | None
    date: dt.date | None
    etag: str | None
    last_modified: str | None
    previous_status: str | None


def plan_entry(
    entry: ListingEntry,
    known: UrlState | None,
    today: dt.date,
    recheck_days: int,
    since: dt.date | None = None,
    *,
    parser_version: str = PARSER_VERSION,
) -> Due | None:
    """Fetch what is unseen or failed last time, and rejections whose backoff is over; revalidate what
    is recent; skip the settled past.

    An item is recent when its date (the record's, else the listing's) is within `recheck_days` of
    today, or unknown: recent items are where edits happen, so they are revalidated with a
    conditional request, which costs the site a 304 when nothing changed.
    """
    etag, last_modified = _validators(known, parser_version)
    if since is not None and entry.date is not None and entry.date < since:
        return None
    if known is None or not known.seen:
        # Never fetched, or failed: validators from an earlier success still save a transfer.
        return Due(entry.url, entry.title, entry.date, etag, last_modified, known.status if known else None)
    if known.retry_due(today):
        # A rejection (or a page that was no press release) is retried with backoff however old the
        # page: a passing error template or a slow clock's "date in the future" would otherwise lose
        # the record for good.
        return Due(entry.url, entry.title, entry.date, etag, last_modified, known.status)
    if known.status in (REJECTED, SKIPPED):
        return None  # only its backoff brings it back (an hourly cron must not refetch it every run)
    when = known.record_date or entry.date or known.listing_date
    if when is not None and (today - when).days > recheck_days:
        return None
    return Due(entry.url, entry.title, entry.date, etag, last_modified, known.status)


def _validators(known: UrlState | None, parser_version: str) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) to send: only for a URL whose record this parser made, so that a 304
    keeps a record that is still right. A rejected or skipped page, or a record of another parser version,
    is fetched whole: a parser fix re-derives it (a 304 would keep the old outcome for good)."""
    if known is None or known.status in (REJECTED, SKIPPED) or known.record_parser != parser_version:
        return None, None
    return known.etag, known.last_modified
