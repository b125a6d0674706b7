"""A hostile (or just broken) site on loopback, for end-to-end tests of the crawl against the worst a server
can send: raw bytes on the wire, so headers need not be ASCII, bodies may drip a byte at a time, pagers
may cycle, canonicals may lie.

`HostileSite` is a small press-release site the real parser accepts (robots.txt, a paged listing, item
pages in the site's layout); every path's answer can be replaced with a `Reply` or a function of the
request. `serving(site)` runs it on 127.0.0.1 in a thread and stops it, closing every connection, at the
end of the `with` block. All traffic stays on loopback; a test bounds its own run (`--max-duration`,
timeouts).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner, Result

from osce_scrape.cli.main import cli
from pagekit import page

REASONS = {200: "OK", 301: "Moved Permanently", 304: "Not Modified", 404: "Not Found", 410: "Gone",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip
HTML = b"text/html; charset=utf-8"
PER_PAGE = 10


@dataclass
class Request:
    """One request as the server read it."""

    method: str
    target: str  # the raw request target, percent-encoding as sent
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.target).query).items()}


@dataclass
class Reply:
    """What to send: any status, raw header lines (bytes, so anything), a body, and how slowly."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes | None = HTML
    header_delay: float = 0.0  # seconds before the status line is sent
    drip: float = 0.0  # seconds between body chunks of `drip_size` bytes (0: all at once)
    drip_size: int = 1
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


Handler = Callable[[Request], Reply]


def article_html(node: int, title: str, date: dt.date, *, canonical: str | None = None, body: str = "",
                 lang: str = "en", head: str = "") -> bytes:  # fmt: skip
    """An item page in today's layout that the real parser makes a record of (title, dateline, body)."""
    when = f"{date.day} {date.strftime('%B %Y')}"
    text = body or (
        f"<p>VIENNA, {when} – The OSCE Secretariat today reported on item {node}, one of the press releases "
        "of this test site, with enough words in its lead paragraph to be the article's prose.</p>"
        f"<p>Its second paragraph says more about item {node}, so the body has two paragraphs.</p>"
    )
    article = (
        f"<h1>{title}</h1><div class='field-content-type'>Press release</div>"
        f"<ul class='meta'><li>Source: <a href='/secretariat'>OSCE Secretariat</a></li></ul>{text}"
    )
    return page(article, canonical=canonical, lang=lang, head=head).encode("utf-8")


def listing_entry(href: str, title: str, date: dt.date | None) -> str:
    """One entry of the site's listing markup (apachesolr result), as `discover` reads it."""
    when = f"{date.day} {date.strftime('%B %Y')}" if date else ""
    return (
        f'<div class="search-result-news"><dt class="search-title"><h3><a href="{href}">{title}</a></h3>'
        f'</dt><div class="publishing-date"><span>Publishing date:</span> {when}</div></div>'
    )


def listing_html(entries: list[str], next_href: str | None) -> bytes:
    pager = (
        f'<ul class="pager"><li class="pager-next"><a href="{next_href}">next</a></li></ul>'
        if next_href
        else ""
    )
    return f"<html><body>{''.join(entries)}{pager}</body></html>".encode()


@dataclass
class Item:
    node: int
    title: str
    date: dt.date

    @property
    def path(self) -> str:
        return f"/secretariat/{self.node}"


@dataclass
class HostileSite:
    """A well-behaved site by default; put a `Reply` or a handler in `routes` (by path) to make it hostile."""

    items: list[Item]
    robots: bytes = b"User-agent: *\nAllow: /\n"
    routes: dict[str, Reply | Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    @classmethod
    def make(cls, n: int, today: dt.date | None = None) -> HostileSite:
        start = today or dt.date.today() - dt.timedelta(days=1)
        return cls([Item(500_000 + i, f"Item {i} of the hostile site", start - dt.timedelta(days=i))
                    for i in range(n)])  # fmt: skip

    def answer(self, request: Request) -> Reply:
        self.requests.append(request)
        route = self.routes.get(request.path)
        if route is not None:
            return route if isinstance(route, Reply) else route(request)
        if request.path == "/robots.txt":
            return Reply(body=self.robots, content_type=b"text/plain")
        if request.path == "/press-releases":
            return self.listing(int(request.query.get("page", "0") or 0))
        for item in self.items:
            if request.path == item.path:
                return Reply(body=article_html(item.node, item.title, item.date))
        return Reply(404, b"<html><body><h1>Page not found</h1></body></html>")

    def listing(self, number: int) -> Reply:
        chunk = self.items[number * PER_PAGE : (number + 1) * PER_PAGE]
        more = (number + 1) * PER_PAGE < len(self.items)
        entries = [listing_entry(item.path, item.title, item.date) for item in chunk]
        return Reply(body=listing_html(entries, f"/press-releases?page={number + 1}" if more else None))

    def paths_requested(self) -> list[str]:
        return [request.path for request in self.requests]


class HostileServer:
    """Serves a `HostileSite` on 127.0.0.1 from a thread; `stop()` closes the listener and connections."""

    def __init__(self, site: HostileSite) -> None:
        self.site = site
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="hostile-server")
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _listen(self) -> asyncio.Server:
        return await asyncio.start_server(self._connection, "127.0.0.1", 0)

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while request := await _read_request(reader):
                reply = self.site.answer(request)
                await _send(writer, reply, head_only=request.method == "HEAD")
                if not reply.content_length:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client hung up, or the server is stopping: nothing to answer
        finally:
            self._tasks.discard(task)
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, _version = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (header := await reader.readline()).strip():
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, target, headers)


async def _send(writer: asyncio.StreamWriter, reply: Reply, *, head_only: bool) -> None:
    if reply.header_delay:
        await asyncio.sleep(reply.header_delay)
    lines = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}".encode()]
    if reply.content_type is not None:
        lines.append(b"Content-Type: " + reply.content_type)
    if reply.content_length:
        lines.append(b"Content-Length: " + str(len(reply.body)).encode())
    else:
        lines.append(b"Connection: close")
    lines += [name + b": " + value for name, value in reply.headers]
    writer.write(b"\r\n".join(lines) + b"\r\n\r\n")
    await writer.drain()
    if head_only or reply.status == 304:
        return
    if not reply.drip:
        writer.write(reply.body)
        await writer.drain()
        return
    for start in range(0, len(reply.body), reply.drip_size):
        writer.write(reply.body[start : start + reply.drip_size])
        await writer.drain()
        await asyncio.sleep(reply.drip)


@contextlib.contextmanager
def serving(site: HostileSite) -> Iterator[HostileServer]:
    """`site` on 127.0.0.1 for the `with` block; every connection closed after it."""
    server = HostileServer(site)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- running the crawl and reading what it left ---------------------------------------------------------
def crawl(base_url: str, out: Path, *extra: str) -> Result:
    """`osce-scrape crawl` of `base_url` into `out`, in this process, unpaced, without the data card."""
    args = ["crawl", "--base-url", base_url, "--rate", "0", "--out", str(out), "--no-card", *extra]
    return CliRunner().invoke(cli, args)


def json_lines(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file; none when it does not exist."""
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def records(out: Path) -> list[dict[str, Any]]:
    return json_lines(out / "press_releases.jsonl")


def rejects(out: Path) -> list[dict[str, Any]]:
    return json_lines(out / "rejects.jsonl")


def last_stats(out: Path) -> dict[str, Any]:
    """The stats of the latest run (run names sort in the order runs started)."""
    return dict(json.loads(sorted((out / "runs").glob("*.json"))[-1].read_text()))
