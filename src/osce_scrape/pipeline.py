"""The offline pipeline: files on disk (HTML, text snapshots) -> records and rejections.

The crawl's own pipeline is in `harvest`; both hand bytes to `parse` and nothing else.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from osce_scrape.errors import NotAPressRelease, ParseError
from osce_scrape.harvest.archive import is_warc, iter_latest_pages
from osce_scrape.models import PressRelease
from osce_scrape.parse.core import parse_page, parse_text

log = logging.getLogger(__name__)

HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt"})
INPUT_SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES


@dataclass(frozen=True)
class Rejection:
    """An input that did not become a record, and why: the crawl's reject line, with the file's
    `path` (or, from a WARC, the page's `url`), `reason`, `kind` (the error's class) and `time`."""

    source: str
    reason: str
    kind: str
    is_url: bool = False

    def to_json_line(self) -> str:
        line = {"url" if self.is_url else "path": self.source, "reason": self.reason, "kind": self.kind,
                "time": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
        return json.dumps(line, ensure_ascii=False)


@dataclass
class ParseSummary:
    """What one `parse` run did: `skipped` inputs are no press release (listings, events, error pages),
    `rejected` ones looked like press releases but failed."""

    parsed: int = 0
    skipped: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.parsed} parsed, {self.skipped} skipped (not press releases), {self.rejected} rejected"


def is_listing_url(url: str) -> bool:
    """A page of the press-release listing (/press-releases?page=N, /ru/press-releases?page=N, as
    `discover.listing_url` writes them): a crawl's discovery document in its WARC, no item."""
    parts = urlsplit(url)
    return parts.path.rstrip("/").endswith("/press-releases") and "page" in parse_qs(parts.query)


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every parseable file named or found (recursively, sorted) under the given paths."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if _is_input(p))
        else:
            yield path


def _is_input(path: Path) -> bool:
    return path.is_file() and (path.suffix.lower() in INPUT_SUFFIXES or is_warc(path))


def parse_file(path: Path) -> PressRelease:
    """Parse one .html/.htm/.txt file; its `file://` URI is the URL of last resort."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", source=str(path)) from exc
    uri = path.resolve().as_uri()
    if path.suffix.lower() in TEXT_SUFFIXES:
        return parse_text(data, url=uri)
    if path.suffix.lower() in HTML_SUFFIXES:
        return parse_page(data, url=uri)
    raise ParseError(f"unsupported file type {path.suffix!r} (want .html, .htm or .txt)", source=str(path))


def parse_paths(paths: Iterable[Path], records: IO[str], rejects: IO[str]) -> ParseSummary:
    """Parse every input under `paths`; write records and rejections as JSON lines.

    WARC archives (.warc, .warc.gz) give the newest 200 HTML response of each URL, parsed with the
    URL and encoding they were fetched with; a rejection then names the URL. The crawl's listing pages
    in them are passed over (robots.txt, sitemaps and feeds are no HTML: never read as pages).
    """
    summary = ParseSummary()
    files = list(iter_input_files(paths))
    for path in files:
        if not is_warc(path):
            _parse_into(summary, str(path), functools.partial(parse_file, path), records, rejects)
    for page in iter_latest_pages([path for path in files if is_warc(path)]):
        if is_listing_url(page.url):
            log.debug("passed over %s: a listing page", page.url)
            continue
        parse = functools.partial(parse_page, page.content, page.url, encoding=page.encoding)
        _parse_into(summary, page.url, parse, records, rejects, is_url=True)
    return summary


def _parse_into(
    summary: ParseSummary,
    source: str,
    parse: Callable[[], PressRelease],
    records: IO[str],
    rejects: IO[str],
    *,
    is_url: bool = False,
) -> None:
    try:
        record = parse()
    except ParseError as exc:
        rejection = Rejection(source, exc.reason, type(exc).__name__, is_url)
        _reject(summary, rejects, rejection, skipped=isinstance(exc, NotAPressRelease))
        return
    except Exception as exc:  # a parser bug: this input is a reject with its traceback logged, not the end
        log.exception("parser crashed on %s", source)
        _reject(summary, rejects, Rejection(source, f"parser crashed: {exc!r}", "ParserCrash", is_url))
        return
    summary.parsed += 1
    records.write(record.to_json_line() + "\n")


def _reject(summary: ParseSummary, rejects: IO[str], rejection: Rejection, *, skipped: bool = False) -> None:
    if skipped:
        summary.skipped += 1
    else:
        summary.rejected += 1
    summary.reasons[rejection.kind] = summary.reasons.get(rejection.kind, 0) + 1
    rejects.write(rejection.to_json_line() + "\n")
    log.info("%s %s: %s", "skipped" if skipped else "rejected", rejection.source, rejection.reason)
