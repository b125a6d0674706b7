"""Every response as fetched, in WARC (warcio): append-only, one gzip file per run, read offline.

Each fetch becomes a request record and a response record (linked by WARC-Concurrent-To), each its
own gzip member, flushed as written: a killed run leaves whole records plus at most one torn one,
which the reader drops. Bodies are stored decoded (the fetcher undoes gzip to cap its size), so the
archived headers lose Content-Encoding / Transfer-Encoding and get the decoded Content-Length.
A header block is written as printable ASCII whatever the server sent (`_ascii`): warcio raises on the
rest.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import quote, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from osce_scrape.files import is_warc, run_order, run_stamp
from osce_scrape.harvest.fetch import DEFAULT_USER_AGENT, FetchResult
from osce_scrape.harvest.http_body import detect_encoding
from osce_scrape.harvest.pausepoints import pause_point

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# warcio gzips at level 9: ~1.4 ms of CPU for a 90 KB page, half the crawl's own cost; level 1 takes
# ~0.2 ms for files about 10% larger (measured in benchmarks/bench_crawl.py's profile of a mirror crawl).
GZIP_LEVEL = 1
_DROPPED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
# How warcio reports a file cut short or damaged: the reader keeps the records before it. (A header
# block cut before WARC-Target-URI makes warcio call None.startswith: an AttributeError.)
_TORN = (ArchiveLoadFailed, EOFError, zlib.error, ValueError, AttributeError)


class WarcWriter:
    """Appends a run's request/response pairs to `folder/<UTC timestamp>.warc.gz`."""

    def __init__(self, folder: Path, *, name: str | None = None) -> None:
        if name is not None and (not name or name.startswith(".") or "/" in name or "\\" in name):
            raise ValueError(f"WARC name {name!r} must be a plain file name inside {folder}")
        self.path = folder / f"{name or run_stamp()}.warc.gz"
        self.records = 0
        self._file: IO[bytes] | None = None
        self._writer: Any = None  # warcio is untyped

    def __enter__(self) -> WarcWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("ab")  # append: a re-run within the same second adds to it
        self._writer = _FastGzipWriter(self._file, gzip=False, warc_version="1.1")
        info = {"software": DEFAULT_USER_AGENT, "format": "WARC File Format 1.1"}
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, info))
        self._file.flush()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def write(self, result: FetchResult) -> None:
        """Archive one fetch: its request and its final response (after redirects)."""
        if self._writer is None or self._file is None:
            raise RuntimeError("WarcWriter.write outside its `with` block")
        date = result.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        url = _ascii(result.final_url)
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(result.content),
            length=len(result.content),
            http_headers=_response_headers(result),
            warc_headers_dict={"WARC-Date": date},
        )
        path = urlsplit(url)
        target = path.path or "/"
        if path.query:
            target += "?" + path.query
        request = self._writer.create_warc_record(
            url,
            "request",
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", _ascii_headers(result.request_headers.items()), is_http_request=True
            ),
        )
        self._writer.write_request_response_pair(request, response)
        pause_point("warc-write")  # a kill here leaves a torn record at the end, which the reader drops
        self._file.flush()  # each pair on disk before the next fetch: what a killed run keeps
        self.records += 2


class _GzipMember:
    """One record's gzip member, at a level that costs a fraction of warcio's fixed level 9."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _FastGzipWriter(WARCWriter):  # type: ignore[misc]  # warcio is untyped
    """warcio's writer with each record gzipped by `_GzipMember` (a valid .warc.gz: one member a record)."""

    def _write_warc_record(self, out: IO[bytes], record: Any) -> None:
        super()._write_warc_record(_GzipMember(out), record)


def _response_headers(result: FetchResult) -> StatusAndHeaders:
    try:
        phrase = HTTPStatus(result.status).phrase
    except ValueError:
        phrase = "Unknown"
    headers = _ascii_headers((k, v) for k, v in result.headers.items() if k.lower() not in _DROPPED_HEADERS)
    headers.append(("Content-Length", str(len(result.content))))
    return StatusAndHeaders(f"{result.status} {phrase}", headers, protocol="HTTP/1.1")


def _ascii_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_ascii(name), _ascii(value)) for name, value in headers]


def _ascii(text: str) -> str:
    """`text` as printable ASCII: any other character (non-ASCII, CR, LF, NUL) percent-encoded as UTF-8,
    so no header value can break its line or the WARC's header block."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(char if " " <= char <= "~" else _escape(char) for char in text)


def _escape(char: str) -> str:
    return quote(char, safe="", errors="surrogatepass")  # a lone surrogate too: never raises


@dataclass(frozen=True)
class ArchivedResponse:
    """One archived HTTP response."""

    url: str
    status: int
    headers: dict[str, str]  # lower-case names
    content: bytes
    fetched_at: datetime

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES

    @property
    def encoding(self) -> str | None:
        return detect_encoding(self.headers.get("content-type"), self.content)


def warc_files(path: Path) -> list[Path]:
    """`path` itself, or every WARC under the folder (recursively), oldest run name first."""
    if path.is_dir():
        return sorted((p for p in path.rglob("*") if p.is_file() and is_warc(p)), key=_file_order)
    return [path]


def _file_order(path: Path) -> tuple[tuple[str, int, int, str], Path]:
    return run_order(path.name), path


def iter_warc_responses(path: Path) -> Iterator[ArchivedResponse]:
    """Every whole response record in a WARC file, or in every WARC of a folder."""
    for file in warc_files(path):
        yield from _read_file(file)


def _read_file(file: Path) -> Iterator[ArchivedResponse]:
    with file.open("rb") as handle:
        records = iter(ArchiveIterator(handle))
        while True:
            try:
                record = next(records)
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                payload = record.raw_stream.read()
            except StopIteration:
                return
            except _TORN as exc:  # warcio reports torn input in these ways
                log.warning("%s: unreadable from here on (%r); kept the records before", file, exc)
                return
            try:
                response = _whole_response(record, payload)
            except _ForeignRecord as exc:  # another tool's WARC: skip what we cannot read, go on
                log.warning("%s: skipped a response record: %s", file, exc)
                continue
            if response is None:
                log.warning("%s: a torn record at the end (killed run?), dropped", file)
                return
            yield response


class _ForeignRecord(Exception):
    """A whole response record we cannot use: no URL, a status or a WARC-Date we cannot read."""


def _whole_response(record: Any, payload: bytes) -> ArchivedResponse | None:
    """The response, or None when its payload is shorter than declared or fails its digest."""
    declared = record.http_headers.get_header("Content-Length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) != len(payload):
        return None
    digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
    sha1 = base64.b32encode(hashlib.sha1(payload).digest()).decode()
    if digest.startswith("sha1:") and digest[5:] != sha1:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    status = record.http_headers.get_statuscode()
    date = record.rec_headers.get_header("WARC-Date") or ""
    try:
        fetched_at = datetime.fromisoformat(date.replace("Z", "+00:00"))
        code = int(status)
    except (TypeError, ValueError) as exc:
        raise _ForeignRecord(f"{url}: status {status!r}, WARC-Date {date!r} ({exc})") from exc
    if not url:
        raise _ForeignRecord("no WARC-Target-URI")
    return ArchivedResponse(
        url=url,
        status=code,
        headers={k.lower(): v for k, v in record.http_headers.headers},
        content=payload,
        # WARC-Date is UTC (WARC 1.1, 5.4); a zoneless one must still compare with ours
        fetched_at=fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC),
    )


def iter_latest_pages(paths: list[Path]) -> Iterator[ArchivedResponse]:
    """The last 200 HTML response of each URL across WARC files or folders: the dataset's pages.

    "Last" in archive order (files by run name, records in the order written), not by WARC-Date: a
    run whose clock was set ahead must not make its stale captures win over later runs' for good.
    Two passes (first the positions, then the bodies) so memory holds URLs, never every page.
    """
    files = sorted({file for path in paths for file in warc_files(path)}, key=_file_order)
    latest: dict[str, tuple[int, int]] = {}
    for number, file in enumerate(files):
        for position, response in enumerate(_read_file(file)):
            if response.status == 200 and response.is_html:
                latest[response.url] = (number, position)
    for number, file in enumerate(files):
        for position, response in enumerate(_read_file(file)):
            if latest.get(response.url) == (number, position):
                yield response
