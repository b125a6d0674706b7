"""The offline pipeline: files on disk (HTML, text snapshots) -> records and rejections.

The crawl's own pipeline is in `harvest`; both hand bytes to `parse` and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from osce_scrape.errors import NotAPressRelease, ParseError
from osce_scrape.files import is_warc
from osce_scrape.harvest.jobs import ordered_map
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


@dataclass(frozen=True)
class _Input:
    """One page to parse: a file, or (from a WARC) a page's bytes with its URL and declared encoding."""

    source: str
    path: Path | None = None
    content: bytes = b""
    encoding: str | None = None


@dataclass(frozen=True)
class _Outcome:
    """What one input gave, ready to write: a record's JSON line, or a rejection (with the traceback of
    a parser crash, logged where the output is written)."""

    line: str | None = None
    rejection: Rejection | None = None
    skipped: bool = False
    traceback: str = ""


def parse_paths(paths: Iterable[Path], records: IO[str], rejects: IO[str], jobs: int = 1) -> ParseSummary:
    """Parse every input under `paths`; write records and rejections as JSON lines.

    WARC archives (.warc, .warc.gz) give the newest 200 HTML response of each URL, parsed with the
    URL and encoding they were fetched with; a rejection then names the URL. The crawl's listing pages
    in them are passed over (robots.txt, sitemaps and feeds are no HTML: never read as pages).
    With `jobs` above 1, pages are parsed in that many worker processes; the output is the same, in
    the same order.
    """
    summary = ParseSummary()
    for outcome in ordered_map(_parse_chunk, _inputs(paths), jobs):
        if outcome.rejection is None:
            summary.parsed += 1
            records.write(f"{outcome.line}\n")
            continue
        if outcome.traceback:
            log.error("parser crashed on %s\n%s", outcome.rejection.source, outcome.traceback.rstrip())
        _reject(summary, rejects, outcome.rejection, skipped=outcome.skipped)
    return summary


def _inputs(paths: Iterable[Path]) -> Iterator[_Input]:
    """Files first, then the pages of the WARC archives, streamed."""
    files = list(iter_input_files(paths))
    yield from (_Input(str(path), path=path) for path in files if not is_warc(path))
    if not (warcs := [path for path in files if is_warc(path)]):
        return
    from osce_scrape.harvest.archive import iter_latest_pages  # warcio and the fetcher: for WARCs only

    for page in iter_latest_pages(warcs):
        if is_listing_url(page.url):
            log.debug("passed over %s: a listing page", page.url)
            continue
        yield _Input(page.url, content=page.content, encoding=page.encoding)


def _parse_chunk(inputs: list[_Input]) -> list[_Outcome]:
    """Parse a chunk of inputs (in a worker process, or here): module-level, so a pool can pickle it."""
    return [_parse_one(item) for item in inputs]


def _parse_one(item: _Input) -> _Outcome:
    is_url = item.path is None
    try:
        if item.path is not None:
            record = parse_file(item.path)
        else:
            record = parse_page(item.content, item.source, encoding=item.encoding)
    except ParseError as exc:
        rejection = Rejection(item.source, exc.reason, type(exc).__name__, is_url)
        return _Outcome(rejection=rejection, skipped=isinstance(exc, NotAPressRelease))
    except Exception as exc:  # a parser bug: this input is a reject with its traceback logged, not the end
        reason = f"parser crashed: {exc!r}"
        return _Outcome(
            rejection=Rejection(item.source, reason, "ParserCrash", is_url), traceback=traceback.format_exc()
        )
    return _Outcome(line=record.to_json_line())


def _reject(summary: ParseSummary, rejects: IO[str], rejection: Rejection, *, skipped: bool = False) -> None:
    if skipped:
        summary.skipped += 1
    else:
        summary.rejected += 1
    summary.reasons[rejection.kind] = summary.reasons.get(rejection.kind, 0) + 1
    rejects.write(rejection.to_json_line() + "\n")
    log.info("%s %s: %s", "skipped" if skipped else "rejected", rejection.source, rejection.reason)
