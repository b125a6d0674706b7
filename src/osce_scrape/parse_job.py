"""Parsing one fetched page off the event loop: a picklable function for a thread or process pool.

It returns everything the store needs (the JSON line, its content hash) so the expensive steps
(parsing, validation, serialisation, hashing) all happen outside the crawl's event loop.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from osce_scrape.errors import ParseError
from osce_scrape.models import PressRelease
from osce_scrape.store import record_sha256

log = logging.getLogger(__name__)

ParserFn = Callable[..., PressRelease]  # parse_page(content, url, *, encoding=...)


@dataclass(frozen=True)
class ParsedRecord:
    id: str
    title: str
    date: dt.date
    json_line: str
    sha256: str


@dataclass(frozen=True)
class ParseOutcome:
    """A record, or the reason and error kind of a rejection."""

    record: ParsedRecord | None
    reason: str = ""
    kind: str = ""


def parse_job(
    parser: ParserFn, content: bytes, url: str, encoding: str | None, fetched_at: dt.datetime
) -> ParseOutcome:
    """Parse `content`, stamp provenance.fetched_at, serialise and hash; rejections are outcomes."""
    try:
        record = parser(content, url, encoding=encoding)
    except ParseError as exc:
        return ParseOutcome(None, exc.reason, type(exc).__name__)
    except Exception as exc:  # a parser bug on one page must not end a crawl of thousands
        log.exception("parser crashed on %s", url)
        return ParseOutcome(None, f"parser crashed: {exc!r}", "ParserCrash")
    record = record.model_copy(
        update={"provenance": record.provenance.model_copy(update={"fetched_at": fetched_at})}
    )
    json_line = record.to_json_line()
    sha = record_sha256(json.loads(json_line))
    return ParseOutcome(ParsedRecord(record.id, record.title, record.date, json_line, sha))
