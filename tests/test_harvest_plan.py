"""The incremental rule, case by case."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from osce_scrape.harvest.discover import ListingEntry
from osce_scrape.harvest.plan import plan_entry
from osce_scrape.harvest.state import ERROR, NEW, OK, REJECTED, SKIPPED, UrlState
from osce_scrape.parse.version import PARSER_VERSION

TODAY = dt.date(2026, 3, 1)
URL = "http://x/secretariat/1"


def known(
    status: str,
    record_date: dt.date | None = None,
    etag: str | None = '"e"',
    parser: str | None = PARSER_VERSION,
) -> UrlState:
    return UrlState(URL, None, None, status, 200, etag, "Mon, 01 Jan 2024 00:00:00 GMT", "1", None,
                    record_date, None, None, None, parser)  # fmt: skip


def entry(days_ago: int | None) -> ListingEntry:
    date = None if days_ago is None else TODAY - dt.timedelta(days=days_ago)
    return ListingEntry(URL, "T", date, None)


@pytest.mark.parametrize(
    ("listing_age", "state", "fetch", "conditional"),
    [
        (400, None, True, False),  # never seen: fetched, however old
        (400, known(NEW, etag=None), True, False),  # discovered by a killed run, never fetched
        (400, known(ERROR), True, True),  # failed last time: again, with old validators
        (5, known(OK, TODAY - dt.timedelta(days=5)), True, True),  # recent: revalidated
        (30, known(OK, TODAY - dt.timedelta(days=30)), True, True),  # the window is inclusive
        (31, known(OK, TODAY - dt.timedelta(days=31)), False, False),  # settled past: skipped
        (None, known(OK, None), True, True),  # no date anywhere: cannot tell, revalidate
        (2, known(OK, TODAY - dt.timedelta(days=300)), False, False),  # the record's date wins
        (400, known(REJECTED), False, False),  # an old rejection stays rejected until its retry day
        (400, replace(known(REJECTED), retry_on=TODAY), True, False),  # backoff over: fetched whole
        (400, replace(known(REJECTED), retry_on=TODAY + dt.timedelta(days=1)), False, False),  # not yet
        (3, known(REJECTED), False, False),  # a recent rejection waits for its backoff too (not every run)
        (3, known(SKIPPED), False, False),  # so does a page that was no press release
        (400, replace(known(SKIPPED), retry_on=TODAY), True, False),  # backoff over: fetched whole
        (3, known(OK, TODAY, parser="0.9"), True, False),  # another parser's record: fetched whole
        (400, known(ERROR, parser=None), True, False),  # failed, no record: a 304 would leave none
    ],
)
def test_plan_entry(listing_age: int | None, state: UrlState | None, fetch: bool, conditional: bool) -> None:
    """Unseen or failed items are fetched, recent ones revalidated, old settled ones skipped."""
    due = plan_entry(entry(listing_age), state, TODAY, recheck_days=30)
    assert (due is not None) == fetch
    if due is not None:
        assert (due.etag is not None) == conditional
        assert due.previous_status == (state.status if state else None)


def test_since_skips_older_entries_even_unseen() -> None:
    """With --since, an entry dated before it is not fetched; one on the day is."""
    since = TODAY - dt.timedelta(days=10)
    assert plan_entry(entry(11), None, TODAY, 30, since) is None
    assert plan_entry(entry(10), None, TODAY, 30, since) is not None
    assert plan_entry(entry(None), None, TODAY, 30, since) is not None  # undated: cannot tell


def test_validators_come_from_the_stored_url() -> None:
    """A URL whose record this parser made is revalidated with its own ETag and Last-Modified."""
    due = plan_entry(entry(3), known(OK, TODAY), TODAY, 30, parser_version=PARSER_VERSION)
    assert due is not None
    assert (due.etag, due.last_modified) == ('"e"', "Mon, 01 Jan 2024 00:00:00 GMT")
