"""Tests of the WARC archive: round trips, linked request/response records, torn files, re-parsing."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from osce_scrape import pipeline
from osce_scrape.errors import NotAPressRelease
from osce_scrape.files import run_stamp
from osce_scrape.harvest.archive import (
    WarcWriter,
    iter_latest_pages,
    iter_warc_responses,
)
from osce_scrape.harvest.fetch import FetchResult

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def result(
    path: str,
    body: bytes = b"<html><p>release</p></html>",
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    at: datetime = T0,
    **headers: str,
) -> FetchResult:
    url = f"http://site.test{path}"
    return FetchResult(
        url=url,
        final_url=url,
        status=status,
        headers={"content-type": content_type, "etag": '"abc"', **headers},
        content=body,
        encoding=None,
        fetched_at=at,
        not_modified=status == 304,
        retries=0,
        request_headers={"host": "site.test", "user-agent": "osce-scrape/test"},
    )


def write(folder: Path, *results: FetchResult, name: str = "run") -> Path:
    with WarcWriter(folder, name=name) as warc:
        for item in results:
            warc.write(item)
    return warc.path


def test_round_trip_keeps_url_status_headers_body_and_time(tmp_path: Path) -> None:
    """What is written comes back: URL, status, headers, exact body, fetch time, encoding."""
    body = "<html><p>Überall – ČĆŠŽ</p></html>".encode()
    path = write(tmp_path, result("/p/1?x=1", body), result("/p/2", b"two", content_type="text/plain"))
    assert path == tmp_path / "run.warc.gz"
    first, second = iter_warc_responses(path)
    assert (first.url, first.status, first.content, first.fetched_at) == (
        "http://site.test/p/1?x=1", 200, body, T0)  # fmt: skip
    assert first.headers["etag"] == '"abc"'
    assert first.encoding == "utf-8"
    assert first.is_html and not second.is_html
    assert second.content == b"two"


def test_request_and_response_records_are_linked(tmp_path: Path) -> None:
    """Each fetch is a response plus a request record pointing at it with WARC-Concurrent-To."""
    path = write(tmp_path, result("/p/1?x=1"))
    with path.open("rb") as handle:
        records = [(r.rec_type, r.rec_headers, r.http_headers) for r in ArchiveIterator(handle)]
    types = [kind for kind, _, _ in records]
    assert types == ["warcinfo", "response", "request"]
    (_, response, _), (_, request, request_http) = records[1], records[2]
    assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")
    assert request.get_header("WARC-Target-URI") == "http://site.test/p/1?x=1"
    assert (request_http.protocol, request_http.statusline) == ("GET", "/p/1?x=1 HTTP/1.1")
    assert request_http.get_header("user-agent") == "osce-scrape/test"
    assert response.get_header("WARC-Date") == "2024-05-01T12:00:00.123456Z"


def test_decoded_bodies_lose_their_transfer_headers(tmp_path: Path) -> None:
    """Bodies are stored decoded: Content-Encoding goes, Content-Length is the stored length."""
    path = write(tmp_path, result("/p/1", b"12345", **{"content-encoding": "gzip",
                                                        "content-length": "99"}))  # fmt: skip
    [archived] = iter_warc_responses(path)
    assert "content-encoding" not in archived.headers
    assert archived.headers["content-length"] == "5"
    assert archived.content == b"12345"


def test_same_run_name_appends(tmp_path: Path) -> None:
    """The archive is append-only: a second writer on the same file adds, never truncates."""
    write(tmp_path, result("/p/1"))
    path = write(tmp_path, result("/p/2"))
    assert [r.url for r in iter_warc_responses(path)] == ["http://site.test/p/1", "http://site.test/p/2"]


def test_default_name_is_the_utc_run_timestamp(tmp_path: Path) -> None:
    """Without a name the file is archive/<UTC timestamp>.warc.gz."""
    assert run_stamp(T0) == "20240501T120000Z"
    with WarcWriter(tmp_path / "archive") as warc:
        warc.write(result("/p/1"))
    assert warc.path.parent == tmp_path / "archive"
    assert warc.path.name.endswith("Z.warc.gz") and len(warc.path.name) == len("20240501T120000Z.warc.gz")
    assert warc.records == 2


def test_truncated_file_yields_only_whole_records(tmp_path: Path) -> None:
    """A run killed mid-write: at every cut, the reader returns a prefix of whole responses."""
    bodies = [bytes([65 + i]) * 3000 for i in range(3)]
    path = write(tmp_path, *(result(f"/p/{i}", body) for i, body in enumerate(bodies)))
    data = path.read_bytes()
    counts = set()
    for cut in range(len(data) - 1, 0, -11):
        path.write_bytes(data[:cut])
        got = [r.content for r in iter_warc_responses(path)]
        assert got == bodies[: len(got)], cut
        counts.add(len(got))
    assert counts == {0, 1, 2, 3}


def _foreign_warc(path: Path, records: list[tuple[str, str, str]]) -> None:
    """A WARC as another tool may write it: (status line, WARC-Date, body) per response record."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for status, date, body in records:
            http = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                "http://site.test/p", "response", payload=io.BytesIO(body.encode()), length=len(body),
                http_headers=http, warc_headers_dict={"WARC-Date": date}))  # fmt: skip


def test_foreign_records_are_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    """A status that is no number or a WARC-Date that is no date is skipped with a warning; the records
    after it are read; a zoneless WARC-Date is taken as UTC."""
    path = tmp_path / "other.warc.gz"
    _foreign_warc(path, [("abc Weird", "2024-05-01T12:00:00Z", "bad status"),
                         ("200 OK", "yesterday", "bad date"),
                         ("200 OK", "2024-05-01T12:00:00", "fine")])  # fmt: skip
    [response] = list(iter_warc_responses(path))
    assert (response.content, response.status) == (b"fine", 200)
    assert response.fetched_at == datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_folder_reader_reads_warcs_in_name_order(tmp_path: Path) -> None:
    """A folder is read recursively, WARC files only, oldest name first."""
    write(tmp_path, result("/p/new"), name="20240502T000000Z")
    write(tmp_path / "sub", result("/p/old"), name="20240501T000000Z")
    (tmp_path / "notes.txt").write_text("not a warc")
    (tmp_path / "sub" / "20240503T000000Z.warc.gz.tmp").write_bytes(b"not a warc either")
    urls = [r.url for r in iter_warc_responses(tmp_path)]
    assert urls == ["http://site.test/p/old", "http://site.test/p/new"]


def test_latest_pages_keep_the_newest_html_200_per_url(tmp_path: Path) -> None:
    """Across runs, each URL's newest 200 HTML response wins; 304s, 404s and non-HTML are skipped."""
    later = T0 + timedelta(days=1)
    write(tmp_path, result("/p/1", b"v1"), result("/robots.txt", b"", content_type="text/plain"),
          name="20240501T000000Z")  # fmt: skip
    write(tmp_path, result("/p/1", b"v2", at=later), result("/p/2", b"", status=304, at=later),
          result("/p/3", b"gone", status=404, at=later), name="20240502T000000Z")  # fmt: skip
    pages = list(iter_latest_pages([tmp_path]))
    assert [(p.url, p.content) for p in pages] == [("http://site.test/p/1", b"v2")]


class _Record:
    def __init__(self, url: str, encoding: str | None) -> None:
        self.line = json.dumps({"url": url, "encoding": encoding})

    def to_json_line(self) -> str:
        return self.line


def test_parse_paths_reads_warc_with_url_and_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`parse` over an archive folder hands each page's URL and encoding to parse_page."""

    def fake_parse_page(html: bytes, url: str | None = None, *, encoding: str | None = None) -> object:
        if b"listing" in html:
            raise NotAPressRelease("a listing page", source=url)
        return _Record(url or "", encoding)

    monkeypatch.setattr(pipeline, "parse_page", fake_parse_page)
    latin = result("/p/1", "<p>Curaçao</p>".encode("cp1252"), content_type="text/html; charset=windows-1252")
    write(tmp_path / "archive", latin, result("/press-releases", b"<p>listing</p>"))
    records, rejects = io.StringIO(), io.StringIO()
    summary = pipeline.parse_paths([tmp_path / "archive"], records, rejects)
    assert (summary.parsed, summary.skipped, summary.rejected) == (1, 1, 0)
    assert json.loads(records.getvalue()) == {"url": "http://site.test/p/1", "encoding": "windows-1252"}
    rejection = json.loads(rejects.getvalue())
    assert rejection["url"] == "http://site.test/press-releases"
    assert rejection["kind"] == "NotAPressRelease"


def test_any_header_or_url_text_is_archived_as_ascii(tmp_path: Path) -> None:
    """Issue 9, finding 3: non-ASCII URLs, header names and values (with ";", CR/LF, NUL) are written as
    ASCII (percent-encoded) without raising, and the record reads back under its ASCII URL."""
    odd = result("/ru/секретариат/1?q=é")
    headers = {"set-cookie": "s=café; Path=/ü", "x-ünï": "v", "x-split": "a\r\nInjected: 1",
               "x-nul": "\x00\x7f"}  # fmt: skip
    odd = dataclasses.replace(odd, headers={**odd.headers, **headers},
                              request_headers={**odd.request_headers, "if-none-match": '"é"'})  # fmt: skip
    path = write(tmp_path, odd)
    [back] = iter_warc_responses(path)
    cyrillic = "%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82%D0%B0%D1%80%D0%B8%D0%B0%D1%82"  # секретариат
    assert back.url == f"http://site.test/ru/{cyrillic}/1?q=%C3%A9"
    assert back.content == odd.content
    assert back.headers["set-cookie"] == "s=caf%C3%A9; Path=/%C3%BC"
    assert back.headers["x-%c3%bcn%c3%af"] == "v"
    assert back.headers["x-split"] == "a%0D%0AInjected: 1"
    assert back.headers["x-nul"] == "%00%7F"
    assert "injected" not in back.headers
    with path.open("rb") as handle:
        requests = [r for r in ArchiveIterator(handle) if r.rec_type == "request"]
    assert requests[0].http_headers.protocol == "GET"
    assert requests[0].http_headers.get_header("if-none-match") == '"%C3%A9"'


def test_latest_pages_follow_archive_order_not_a_clock_set_ahead(tmp_path: Path) -> None:
    """A run whose clock ran ten days ahead does not make its capture win over a later run's: the
    last capture in run order (then record order within a file) is the page, whatever its WARC-Date;
    a second run in the same second ("…Z_01") comes after the first."""
    ahead = T0 + timedelta(days=10)
    write(tmp_path, result("/p/1", b"stale", at=ahead), result("/p/2", b"first", at=ahead),
          name="20240501T000000Z")  # fmt: skip
    write(tmp_path, result("/p/1", b"fresh", at=T0), name="20240502T000000Z")
    write(tmp_path, result("/p/2", b"second", at=T0), result("/p/2", b"third", at=T0 - timedelta(hours=1)),
          name="20240501T000000Z_01")  # fmt: skip
    pages = {p.url: p.content for p in iter_latest_pages([tmp_path])}
    assert pages == {"http://site.test/p/1": b"fresh", "http://site.test/p/2": b"third"}
