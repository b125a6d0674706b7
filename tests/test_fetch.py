"""Tests of the fetcher: retries, throttling, caps, redirects, robots.txt, pacing, validators, encodings.

HTTP is faked with httpx.MockTransport and time with a fake clock, so a minute of backoff costs nothing;
one test at the end talks to a real asyncio server on 127.0.0.1 for timeouts and connection resets.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import gzip
import itertools
import re
import socket
import struct
import time
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from clockkit import FakeClock
from osce_scrape.errors import (
    FetchError,
    HostNotAllowed,
    HttpStatusError,
    NetworkError,
    RedirectError,
    ResponseTooLarge,
    RobotsDisallowed,
)
from osce_scrape.harvest.fetch import DEFAULT_USER_AGENT, FetchConfig, Fetcher, FetchResult
from osce_scrape.harvest.http_body import detect_encoding

BASE = "http://site.test"
Handler = Callable[[httpx.Request], httpx.Response]


class Site:
    """A fake site: path -> handler; robots.txt 404 unless given; logs (path, fake time) per request."""

    def __init__(self, clock: FakeClock, routes: dict[str, Handler], robots: Handler | None = None):
        self.clock = clock
        self.routes = routes
        self.robots = robots or (lambda request: httpx.Response(404))
        self.log: list[tuple[str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.log.append((request.url.path, self.clock.now))
        if request.url.path == "/robots.txt":
            return self.robots(request)
        route = self.routes.get(request.url.path)
        return route(request) if route else httpx.Response(404)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.log if p == path)

    def times(self, path_prefix: str = "/p") -> list[float]:
        return [t for p, t in self.log if p.startswith(path_prefix)]


def ok(body: bytes = b"<p>ok</p>", **headers: str) -> Handler:
    return lambda request: httpx.Response(200, headers=headers, content=body)


def sequence(*responses: httpx.Response | Exception) -> Handler:
    """Answers in turn, the last one forever."""
    items = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def fetcher(site: Site, **config: Any) -> Fetcher:
    config.setdefault("rate", 0)
    return Fetcher(
        FetchConfig(BASE, **config),
        transport=httpx.MockTransport(site),
        clock=site.clock,
        sleep=site.clock.sleep,
    )


def fetch(site: Site, *urls: str, **config: Any) -> tuple[list[FetchResult], Fetcher]:
    """Fetch the URLs in turn with a fresh fetcher; the first error propagates."""

    async def main() -> tuple[list[FetchResult], Fetcher]:
        async with fetcher(site, **config) as f:
            return [await f.fetch(url) for url in urls], f

    return asyncio.run(main())


def fetch_error(site: Site, url: str, **config: Any) -> tuple[Exception, Fetcher]:
    async def main() -> tuple[Exception, Fetcher]:
        async with fetcher(site, **config) as f:
            try:
                await f.fetch(url)
            except Exception as exc:
                return exc, f
            raise AssertionError(f"{url} did not fail")

    return asyncio.run(main())


async def streamed(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


# --- basics ---------------------------------------------------------------------------------------


def test_fetch_returns_body_headers_and_what_was_sent() -> None:
    """A 200 comes back with its body, headers, encoding and the request headers (User-Agent)."""
    site = Site(FakeClock(), {"/p/1": ok(b"<p>hi</p>", **{"Content-Type": "text/html; charset=utf-8"})})
    [result], f = fetch(site, f"{BASE}/p/1")
    assert (result.status, result.content, result.not_modified, result.retries) == (
        200, b"<p>hi</p>", False, 0)  # fmt: skip
    assert result.url == result.final_url == f"{BASE}/p/1"
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert result.encoding == "utf-8"
    assert result.request_headers["user-agent"] == DEFAULT_USER_AGENT
    assert result.fetched_at.tzinfo is UTC
    assert (f.stats.requests, f.stats.bytes, f.stats.errors) == (2, 9, {})  # robots.txt + page


def test_default_user_agent_names_tool_version_and_contact() -> None:
    """The User-Agent says who we are and where to complain."""
    assert re.fullmatch(r"osce-scrape/\S+ \(\+https://github\.com/osce-scrape/osce-scrape\)",
                        DEFAULT_USER_AGENT)  # fmt: skip


# --- retries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status: int) -> None:
    """429/500/502/503/504 are retried; the success carries its retry count, the stats count it."""
    site = Site(FakeClock(), {"/p/1": sequence(httpx.Response(status), httpx.Response(200))})
    [result], f = fetch(site, f"{BASE}/p/1")
    assert result.status == 200
    assert result.retries == 1
    assert f.stats.retries == 1
    assert site.hits("/p/1") == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_4xx_are_not_retried(status: int) -> None:
    """A 4xx other than 429 is final: one request, an HttpStatusError naming the URL."""
    site = Site(FakeClock(), {"/p/1": lambda request: httpx.Response(status)})
    exc, f = fetch_error(site, f"{BASE}/p/1")
    assert isinstance(exc, HttpStatusError)
    assert (exc.status, exc.source) == (status, f"{BASE}/p/1")
    assert site.hits("/p/1") == 1
    assert f.stats.retries == 0
    assert f.stats.errors == {"HttpStatusError": 1}


def test_attempts_are_bounded_and_last_error_raised() -> None:
    """An endless 503 is tried max_attempts times, then its HttpStatusError is raised."""
    site = Site(FakeClock(), {"/p/1": lambda request: httpx.Response(503)})
    exc, f = fetch_error(site, f"{BASE}/p/1", max_attempts=3)
    assert isinstance(exc, HttpStatusError) and exc.status == 503
    assert site.hits("/p/1") == 3
    assert f.stats.retries == 2


def test_total_retry_time_is_bounded() -> None:
    """With plenty of attempts left, retrying stops before the waits exceed max_retry_seconds."""
    clock = FakeClock()
    site = Site(clock, {"/p/1": lambda request: httpx.Response(500)})
    exc, _ = fetch_error(site, f"{BASE}/p/1", max_attempts=100, max_retry_seconds=60,
                         backoff_initial=5, backoff_max=1000)  # fmt: skip
    assert isinstance(exc, HttpStatusError)
    assert sum(clock.sleeps) <= 60
    assert 2 <= site.hits("/p/1") < 10


def test_backoff_is_exponential_with_jitter() -> None:
    """Waits double from backoff_initial, each plus up to backoff_initial of jitter."""
    clock = FakeClock()
    site = Site(clock, {"/p/1": lambda request: httpx.Response(502)})
    fetch_error(site, f"{BASE}/p/1", max_attempts=5, backoff_initial=1.0)
    assert len(clock.sleeps) == 4
    for wait, base in zip(clock.sleeps, [1, 2, 4, 8], strict=True):
        assert base <= wait <= base + 1


def test_retry_after_seconds_is_honoured() -> None:
    """A 429 with Retry-After: 7 waits exactly 7 s before the retry."""
    clock = FakeClock()
    throttled = httpx.Response(429, headers={"Retry-After": "7"})
    site = Site(clock, {"/p/1": sequence(throttled, httpx.Response(200))})
    [result], _ = fetch(site, f"{BASE}/p/1")
    assert result.retries == 1
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    """A 503 with Retry-After as an HTTP-date 30 s ahead waits about 30 s."""
    clock = FakeClock()
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    site = Site(clock, {"/p/1": sequence(httpx.Response(503, headers={"Retry-After": when}),
                                         httpx.Response(200))})  # fmt: skip
    fetch(site, f"{BASE}/p/1")
    assert len(clock.sleeps) == 1
    assert 28.0 <= clock.sleeps[0] <= 30.0


def test_retry_after_beyond_the_budget_gives_up_at_once() -> None:
    """A Retry-After longer than max_retry_seconds is not waited for: the 429 is raised."""
    clock = FakeClock()
    site = Site(clock, {"/p/1": lambda r: httpx.Response(429, headers={"Retry-After": "3600"})})
    exc, _ = fetch_error(site, f"{BASE}/p/1", max_retry_seconds=120)
    assert isinstance(exc, HttpStatusError) and exc.status == 429
    assert exc.retry_after == 120  # capped at the budget
    assert site.hits("/p/1") == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("retry_after", ["99999999999", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_retry_after_of_years_pauses_the_host_only_for_the_budget(retry_after: str) -> None:
    """A Retry-After of centuries holds the host's next page back by max_retry_seconds, not forever."""
    clock = FakeClock()
    site = Site(clock, {"/p/1": lambda r: httpx.Response(503, headers={"Retry-After": retry_after}),
                        "/p/2": ok()})  # fmt: skip

    async def main() -> FetchResult:
        async with fetcher(site, max_retry_seconds=120) as f:
            with pytest.raises(HttpStatusError):
                await f.fetch(f"{BASE}/p/1")
            return await f.fetch(f"{BASE}/p/2")

    result = asyncio.run(main())
    assert result.status == 200
    assert sum(clock.sleeps) == pytest.approx(120)


def test_429_slows_the_whole_host() -> None:
    """After a 429 on one page, the host's other pages are spaced at half the rate (2 s at rate 1)."""
    clock = FakeClock()
    site = Site(clock, {"/p/1": sequence(httpx.Response(429), httpx.Response(200)),
                        "/p/2": ok(), "/p/3": ok()})  # fmt: skip
    _, f = fetch(site, f"{BASE}/p/1", f"{BASE}/p/2", f"{BASE}/p/3", rate=1.0, backoff_initial=0.1)
    times = site.times("/p/")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4
    assert min(gaps[1:]) >= 2.0
    assert f.limiter(BASE).penalty == 2.0


def test_connection_errors_are_retried() -> None:
    """A refused connection, then success: one retry, the page arrives."""
    refused = httpx.ConnectError("connection refused")
    site = Site(FakeClock(), {"/p/1": sequence(refused, httpx.Response(200, content=b"x"))})
    [result], f = fetch(site, f"{BASE}/p/1")
    assert result.content == b"x"
    assert f.stats.retries == 1


def test_persistent_timeouts_become_network_error() -> None:
    """Read timeouts on every attempt end in a NetworkError naming the URL, caused by the timeout."""
    site = Site(FakeClock(), {"/p/1": sequence(httpx.ReadTimeout("too slow"))})
    exc, f = fetch_error(site, f"{BASE}/p/1", max_attempts=3)
    assert isinstance(exc, NetworkError)
    assert exc.source == f"{BASE}/p/1"
    assert isinstance(exc.__cause__, httpx.ReadTimeout)
    assert site.hits("/p/1") == 3
    assert f.stats.errors == {"NetworkError": 1}


# --- size caps ------------------------------------------------------------------------------------


def test_declared_content_length_over_cap_is_refused() -> None:
    """A Content-Length beyond max_bytes fails before the body is read, and is not retried."""
    site = Site(FakeClock(), {"/p/1": lambda r: httpx.Response(
        200, headers={"Content-Length": "2000"}, content=streamed(b"x" * 2000))})  # fmt: skip
    exc, _ = fetch_error(site, f"{BASE}/p/1", max_bytes=1000)
    assert isinstance(exc, ResponseTooLarge)
    assert site.hits("/p/1") == 1


def test_streamed_body_is_aborted_at_the_cap() -> None:
    """A body without Content-Length is cut off as soon as it passes max_bytes, not read to the end."""
    sent: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for i in range(1000):
            sent.append(i)
            yield b"y" * 1000

    site = Site(FakeClock(), {"/p/1": lambda r: httpx.Response(200, content=endless())})
    exc, _ = fetch_error(site, f"{BASE}/p/1", max_bytes=10_000)
    assert isinstance(exc, ResponseTooLarge)
    assert len(sent) <= 12


def test_gzip_bomb_is_aborted_in_bounded_memory() -> None:
    """50 MB of zeros gzipped to ~50 KB stops at a 1 MB cap, using a few MB, not 50."""
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    site = Site(FakeClock(), {"/p/1": lambda r: httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, content=streamed(bomb))})  # fmt: skip
    tracemalloc.start()
    try:
        exc, _ = fetch_error(site, f"{BASE}/p/1", max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(exc, ResponseTooLarge)
    assert peak < 8_000_000


def test_gzip_body_is_decoded_and_wire_bytes_counted() -> None:
    """A gzip body arrives decoded; the stats count the compressed bytes that crossed the wire."""
    page = b"<html>" + b"press release " * 1000 + b"</html>"
    packed = gzip.compress(page)
    site = Site(
        FakeClock(),
        {
            "/p/1": lambda r: httpx.Response(
                200, headers={"Content-Encoding": "gzip"}, content=streamed(packed[:100], packed[100:])
            )
        },
    )
    [result], f = fetch(site, f"{BASE}/p/1", respect_robots=False)
    assert result.content == page
    assert f.stats.bytes == len(packed)


# --- redirects ------------------------------------------------------------------------------------


def redirect(location: str, status: int = 301) -> Handler:
    return lambda request: httpx.Response(status, headers={"Location": location})


def test_redirect_within_the_host_is_followed() -> None:
    """301 then 302 on the same host: the result names both the asked and the final URL."""
    site = Site(FakeClock(), {"/p/old": redirect("/p/mid"), "/p/mid": redirect(f"{BASE}/p/new", 302),
                              "/p/new": ok(b"new")})  # fmt: skip
    [result], _ = fetch(site, f"{BASE}/p/old")
    assert (result.url, result.final_url, result.content) == (f"{BASE}/p/old", f"{BASE}/p/new", b"new")


def test_redirect_off_the_host_is_refused() -> None:
    """A redirect to another host raises HostNotAllowed; the other host is never asked."""
    site = Site(FakeClock(), {"/p/1": redirect("http://elsewhere.test/p/1")})
    exc, _ = fetch_error(site, f"{BASE}/p/1")
    assert isinstance(exc, HostNotAllowed)
    assert "elsewhere.test" in exc.reason
    assert all(path != "elsewhere" for path, _ in site.log)
    assert site.hits("/p/1") == 1


def test_redirect_loop_is_detected() -> None:
    """/a -> /b -> /a is a loop: RedirectError after two requests, no retries."""
    site = Site(FakeClock(), {"/p/a": redirect("/p/b"), "/p/b": redirect("/p/a")})
    exc, _ = fetch_error(site, f"{BASE}/p/a")
    assert isinstance(exc, RedirectError)
    assert "loop" in exc.reason
    assert len(site.times("/p/")) == 2


def test_redirect_chain_longer_than_five_is_refused() -> None:
    """Six redirects in a row exceed max_redirects=5."""
    routes = {f"/p/{i}": redirect(f"/p/{i + 1}") for i in range(10)}
    site = Site(FakeClock(), routes)
    exc, _ = fetch_error(site, f"{BASE}/p/0")
    assert isinstance(exc, RedirectError)
    assert len(site.times("/p/")) == 6


def test_start_url_off_the_host_is_refused_without_a_request() -> None:
    """A URL outside the crawl's hosts is refused before anything is sent."""
    site = Site(FakeClock(), {})
    exc, f = fetch_error(site, "http://other.test/p/1")
    assert isinstance(exc, HostNotAllowed)
    assert site.log == []
    assert f.stats.errors == {"HostNotAllowed": 1}


# --- robots.txt and pacing ------------------------------------------------------------------------


def robots(text: str) -> Handler:
    return lambda request: httpx.Response(200, text=text)


def test_robots_disallow_is_obeyed_and_robots_fetched_once() -> None:
    """A disallowed path raises RobotsDisallowed unrequested; robots.txt is fetched once per host."""
    site = Site(FakeClock(), {"/p/1": ok(), "/private/1": ok()},
                robots("User-agent: *\nDisallow: /private\n"))  # fmt: skip

    async def main() -> Exception | None:
        async with fetcher(site) as f:
            await f.fetch(f"{BASE}/p/1")
            try:
                await f.fetch(f"{BASE}/private/1")
            except RobotsDisallowed as exc:
                return exc
        return None

    exc = asyncio.run(main())
    assert isinstance(exc, RobotsDisallowed) and exc.source == f"{BASE}/private/1"
    assert site.hits("/private/1") == 0
    assert site.hits("/robots.txt") == 1


def test_robots_404_allows_everything() -> None:
    """No robots.txt (404) means no rules."""
    site = Site(FakeClock(), {"/private/1": ok()})
    [result], _ = fetch(site, f"{BASE}/private/1")
    assert result.status == 200


def test_robots_5xx_disallows_everything_for_the_run(caplog: pytest.LogCaptureFixture) -> None:
    """A failing robots.txt (500, after retries) means disallow-all, said in a warning."""
    site = Site(FakeClock(), {"/p/1": ok()}, lambda request: httpx.Response(500))
    exc, _ = fetch_error(site, f"{BASE}/p/1", max_attempts=2)
    assert isinstance(exc, RobotsDisallowed)
    assert site.hits("/p/1") == 0
    assert site.hits("/robots.txt") == 2
    assert any("nothing allowed" in r.getMessage() and r.levelname == "WARNING"
               for r in caplog.records)  # fmt: skip


def test_robots_can_be_ignored_when_told() -> None:
    """respect_robots=False sends no robots.txt request."""
    site = Site(FakeClock(), {"/p/1": ok()}, robots("User-agent: *\nDisallow: /\n"))
    [result], _ = fetch(site, f"{BASE}/p/1", respect_robots=False)
    assert result.status == 200
    assert site.hits("/robots.txt") == 0


def test_crawl_delay_is_honoured() -> None:
    """Crawl-delay: 3 beats rate 1: page requests leave 3 s apart."""
    site = Site(FakeClock(), {f"/p/{i}": ok() for i in range(4)},
                robots("User-agent: *\nCrawl-delay: 3\n"))  # fmt: skip
    fetch(site, *(f"{BASE}/p/{i}" for i in range(4)), rate=1.0)
    gaps = [b - a for a, b in itertools.pairwise(site.times("/p/"))]
    assert gaps == [3.0, 3.0, 3.0]


def test_rate_limit_spaces_concurrent_fetches() -> None:
    """At rate 5/s, ten concurrent fetches reach the server 0.2 s apart."""
    site = Site(FakeClock(), {f"/p/{i}": ok() for i in range(10)})

    async def main() -> None:
        async with fetcher(site, rate=5.0, concurrency=4) as f:
            await asyncio.gather(*(f.fetch(f"{BASE}/p/{i}") for i in range(10)))

    asyncio.run(main())
    gaps = [b - a for a, b in itertools.pairwise(site.times("/p/"))]
    assert len(gaps) == 9
    assert min(gaps) == pytest.approx(0.2)


def test_concurrency_is_bounded() -> None:
    """With concurrency 3, never more than 3 requests are in flight, and 3 are reached."""
    in_flight, peak = 0, 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        return httpx.Response(200)

    async def main() -> None:
        transport = httpx.MockTransport(slow)
        config = FetchConfig(BASE, rate=0, concurrency=3, respect_robots=False)
        async with Fetcher(config, transport=transport) as f:
            await asyncio.gather(*(f.fetch(f"{BASE}/p/{i}") for i in range(15)))

    asyncio.run(main())
    assert peak == 3


# --- conditional requests and encodings -----------------------------------------------------------


def test_conditional_request_sends_validators_and_reads_304() -> None:
    """ETag and Last-Modified go out as If-None-Match / If-Modified-Since; a 304 is not_modified."""
    seen: list[httpx.Headers] = []

    def page(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(304, headers={"ETag": '"v1"'})

    site = Site(FakeClock(), {"/p/1": page})

    async def main() -> tuple[FetchResult, Fetcher]:
        async with fetcher(site) as f:
            last = "Wed, 01 May 2024 12:00:00 GMT"
            return await f.fetch(f"{BASE}/p/1", etag='"v1"', last_modified=last), f

    result, f = asyncio.run(main())
    assert seen[0]["If-None-Match"] == '"v1"'
    assert seen[0]["If-Modified-Since"] == "Wed, 01 May 2024 12:00:00 GMT"
    assert (result.status, result.not_modified, result.content) == (304, True, b"")
    assert f.stats.not_modified == 1


def test_unconditional_request_sends_no_validators() -> None:
    """Without validators, no If-* header is sent."""
    seen: list[httpx.Headers] = []
    site = Site(FakeClock(), {"/p/1": lambda r: (seen.append(r.headers), httpx.Response(200))[1]})
    fetch(site, f"{BASE}/p/1")
    assert "If-None-Match" not in seen[0] and "If-Modified-Since" not in seen[0]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html; charset=windows-1251", b"<meta charset=utf-8>", "windows-1251"),
        ('text/html; charset="UTF-8"', b"", "utf-8"),
        ("text/html", codecs.BOM_UTF8 + b"<html>", "utf-8-sig"),
        ("text/html", codecs.BOM_UTF16_LE + "<html>".encode("utf-16-le"), "utf-16"),
        (None, b'<html><head><meta charset="ISO-8859-2"></head>', "iso-8859-2"),
        (None, b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', "koi8-r"),
        ("text/html; charset=nonsense", b"<meta charset='windows-1252'>", "windows-1252"),
        ("text/html", b" " * 3000 + b"<meta charset=utf-8>", "utf-8"),
        ("text/html", b" " * 5000 + b"<meta charset=utf-8>", None),
        ("text/html; charset=punycode", b"<meta charset=idna>", None),
        (None, b"<meta charset=latin1>", "cp1252"),
        ("text/html", b"<html><p>plain</p></html>", None),
        (None, b"<meta charset=bogus-charset>", None),
    ],
)
def test_encoding_detection_order(content_type: str | None, body: bytes, expected: str | None) -> None:
    """Header charset, then BOM, then a meta charset in the first 4 KB, else None; unknown labels and
    non-text codecs skip; Latin-1 labels mean windows-1252, as in browsers."""
    assert detect_encoding(content_type, body) == expected


# --- a real socket --------------------------------------------------------------------------------


def test_loopback_timeouts_resets_and_refusals() -> None:
    """Over real sockets: a silent server times out, a reset is retried, a closed port is refused."""
    hits: Counter[str] = Counter()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1].decode()
                hits[path] += 1
                if path == "/silent":
                    await asyncio.sleep(30)
                if path == "/reset" and hits[path] == 1:
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()  # RST: "connection reset by peer"
                    return
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    async def main() -> tuple[Exception, FetchResult, Exception]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        config = FetchConfig(base, rate=0, read_timeout=0.2, connect_timeout=1.0,
                             max_attempts=2, backoff_initial=0.01, respect_robots=False)  # fmt: skip
        try:
            async with Fetcher(config) as f:
                silent = await _error(f.fetch(f"{base}/silent"))
                reset = await f.fetch(f"{base}/reset")
            closed = f"http://127.0.0.1:{closed_port}"
            config.base_url = closed
            async with Fetcher(config) as f:
                refused = await _error(f.fetch(f"{closed}/x"))
        finally:
            server.close()
        return silent, reset, refused

    silent, reset, refused = asyncio.run(main())
    assert isinstance(silent, NetworkError) and isinstance(silent.__cause__, httpx.ReadTimeout)
    assert hits["/silent"] == 2
    assert (reset.content, reset.retries, hits["/reset"]) == (b"ok", 1, 2)
    assert isinstance(refused, NetworkError) and isinstance(refused.__cause__, httpx.ConnectError)


async def _error(awaitable: Any) -> Exception:
    try:
        await awaitable
    except Exception as exc:
        return exc
    raise AssertionError("expected an error")


# --- against the offline mirror -------------------------------------------------------------------


@pytest.mark.e2e
def test_mirror_robots_crawl_delay_and_revalidation() -> None:
    """On the mirror: its Disallow is obeyed, its Crawl-delay spaces requests server-side, 304s revalidate."""
    from urllib.parse import urlsplit

    from osce_scrape.mirror import MirrorSite, running_mirror

    site = MirrorSite(pages=12, crawl_delay=0.1, disallow=["/odihr"])
    paths = [urlsplit(url).path for url in site.expected_records()]
    with running_mirror(site) as server:

        async def main() -> list[tuple[str, int | str]]:
            outcomes: list[tuple[str, int | str]] = []
            async with Fetcher(FetchConfig(server.base_url, rate=0)) as f:
                for path in paths[:6]:
                    try:
                        first = await f.fetch(server.base_url + path)
                    except RobotsDisallowed:
                        outcomes.append((path, "disallowed"))
                        continue
                    again = await f.fetch(server.base_url + path, etag=first.headers["etag"])
                    outcomes.append((path, again.status))
            return outcomes

        outcomes = asyncio.run(main())
        log = list(server.request_log)
    for path, outcome in outcomes:
        assert outcome == ("disallowed" if path.startswith("/odihr") else 304)
    assert {outcome for _, outcome in outcomes} == {"disallowed", 304}
    assert not any(record.path.startswith("/odihr") for record in log)
    assert [record.path for record in log].count("/robots.txt") == 1
    pages = [record.time for record in log if record.path != "/robots.txt"]
    assert len(pages) >= 4
    # The pacing is at send time; arrival times carry the loaded machine's jitter (one late arrival makes
    # the next gap short), so the span is checked: n requests take at least (n - 1) Crawl-delays.
    assert pages[-1] - pages[0] >= 0.1 * (len(pages) - 1) * 0.95


# --- hostile headers, slow responses (issue 9, findings 3 and 4) ----------------------------------


def test_cookies_are_never_kept_or_sent() -> None:
    """A non-ASCII Set-Cookie and 100 more cookies neither break the next request nor ride along on it."""
    seen: list[httpx.Headers] = []
    cookies = [(b"Set-Cookie", b"c%d=%s" % (i, b"x" * 100)) for i in range(100)]

    def page(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, headers=[(b"Set-Cookie", "s=café".encode()), *cookies])

    site = Site(FakeClock(), {"/p/1": page, "/p/2": page})
    results, _ = fetch(site, f"{BASE}/p/1", f"{BASE}/p/2")
    assert [r.status for r in results] == [200, 200]
    assert [h.get("cookie") for h in seen] == [None, None]


@pytest.mark.parametrize(
    ("value", "usable"),
    [
        ('"v1"', '"v1"'),
        ('W/"5f-abc"', 'W/"5f-abc"'),
        ("Wed, 01 May 2024 12:00:00 GMT", "Wed, 01 May 2024 12:00:00 GMT"),
        ('  "v1" ', '"v1"'),
        ('"café"', None),
        ("Mon, 01 Jan 2024 00:00:00 GMT\xe9", None),
        ('"a\tb"', None),
        ('"' + "e" * 300 + '"', None),
        ("", None),
    ],
)
def test_only_sendable_validators_are_kept(value: str, usable: str | None) -> None:
    """An ETag / Last-Modified is stored only as printable ASCII of sane length; anything else is None."""
    headers = [(b"ETag", value.encode("utf-8")), (b"Last-Modified", value.encode("latin-1", "replace"))]
    site = Site(FakeClock(), {"/p/1": lambda r: httpx.Response(200, headers=headers)})
    [result], _ = fetch(site, f"{BASE}/p/1")
    assert result.validators[0] == usable
    assert result.validators[1] == (usable if value.isascii() else None)


def test_unsendable_stored_validators_are_not_sent() -> None:
    """Validators an older state kept (non-ASCII, huge) are left out: the page is fetched whole, no crash."""
    seen: list[httpx.Headers] = []
    site = Site(FakeClock(), {"/p/1": lambda r: (seen.append(r.headers), httpx.Response(200))[1]})

    async def main() -> FetchResult:
        async with fetcher(site) as f:
            return await f.fetch(f"{BASE}/p/1", etag='"café"', last_modified="x" * 5000)

    assert asyncio.run(main()).status == 200
    assert "if-none-match" not in seen[0] and "if-modified-since" not in seen[0]


def test_response_deadline_ends_a_dripping_body() -> None:
    """A body that never finishes fails at the response deadline as a NetworkError saying so, retried."""
    started: list[float] = []

    async def drip() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"x"
            await asyncio.sleep(0.05)

    def page(request: httpx.Request) -> httpx.Response:
        started.append(time.monotonic())
        return httpx.Response(200, content=drip())

    site = Site(FakeClock(), {"/p/1": page})
    clock_start = time.monotonic()
    exc, f = fetch_error(site, f"{BASE}/p/1", response_deadline=0.3, max_attempts=2)
    assert isinstance(exc, NetworkError)
    assert exc.reason == "no whole response within the 0.3 s deadline"
    assert isinstance(exc.__cause__, TimeoutError)
    assert (len(started), f.stats.retries) == (2, 1)
    assert time.monotonic() - clock_start < 2


def test_response_deadline_ends_silent_headers() -> None:
    """A server that never sends its headers fails at the deadline too, whatever the read timeout."""

    async def silent(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    async def main() -> Exception:
        config = FetchConfig(BASE, rate=0, respect_robots=False, response_deadline=0.2, max_attempts=1)
        async with Fetcher(config, transport=httpx.MockTransport(silent)) as f:
            return await _error(f.fetch(f"{BASE}/p/1"))

    exc = asyncio.run(main())
    assert isinstance(exc, NetworkError) and "0.2 s deadline" in exc.reason


def test_crawl_delay_is_capped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Crawl-delay: 1000000000 is capped at max_crawl_delay (60 s by default), and the log says so."""
    site = Site(FakeClock(), {f"/p/{i}": ok() for i in range(3)},
                robots("User-agent: *\nCrawl-delay: 1000000000\n"))  # fmt: skip
    with caplog.at_level("WARNING", "osce_scrape.harvest.fetch"):
        fetch(site, *(f"{BASE}/p/{i}" for i in range(3)), rate=1.0)
    assert [b - a for a, b in itertools.pairwise(site.times("/p/"))] == [60.0, 60.0]
    message = "Crawl-delay 1e+09 s is over the 60 s cap: waiting 60 s between requests"
    assert [r.getMessage() for r in caplog.records] == [f"{BASE}/robots.txt: {message}"]


def test_non_ascii_location_is_followed_as_an_ascii_uri() -> None:
    """A raw UTF-8 Location (beside a Latin-1 header that makes httpx decode all as Latin-1) is followed to
    its percent-encoded URI, which is the result's final URL."""
    headers = [(b"Location", "/ru/сек/1#x".encode()), (b"X", b"\xff")]
    site = Site(FakeClock(), {
        "/p/1": lambda r: httpx.Response(301, headers=headers),
        "/ru/сек/1": ok(b"moved"),  # httpx's request.url.path is decoded
    })  # fmt: skip
    [result], _ = fetch(site, f"{BASE}/p/1")
    assert (result.final_url, result.content) == (f"{BASE}/ru/%D1%81%D0%B5%D0%BA/1", b"moved")


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("http://site.test:99999/", RedirectError),
        ("http://[bad/x", HostNotAllowed),  # httpx reads the host as "%5bbad"
        # httpx itself refuses these while reading the response (it prepares a redirect even when told
        # not to follow): a protocol error (retried) and an invalid URL.
        ("http://site.test:x/", NetworkError),
        ("javascript:alert(1)", FetchError),
    ],
)
def test_unreadable_location_fails_the_fetch_cleanly(location: str, error: type[Exception]) -> None:
    """A Location that is no usable URL fails the fetch with a FetchError, never with a crash."""
    site = Site(FakeClock(), {"/p/1": lambda r: httpx.Response(302, headers={"Location": location})})
    exc, _ = fetch_error(site, f"{BASE}/p/1", max_attempts=2)
    assert type(exc) is error
    assert exc.source == f"{BASE}/p/1"


@pytest.mark.parametrize(
    "headers",
    [
        [(b"X-Broken", b"a\r\nno colon on this line")],
        [(b"X-Cr", b"a\rb")],
        [(b"X-Nul", b"a\x00b")],
        [("Ünï".encode(), b"v")],
        [(b"X-%d" % i, b"v") for i in range(20_000)],  # ~200 KB of header block
    ],
    ids=["line-without-colon", "bare-cr", "nul", "non-ascii-name", "20000-headers"],
)
def test_malformed_header_blocks_are_network_errors(headers: list[tuple[bytes, bytes]]) -> None:
    """Over a real socket (hostilekit), header blocks h11 cannot read become NetworkErrors, never crashes."""
    from hostilekit import HostileSite, Reply, serving

    site = HostileSite.make(1)
    site.routes["/bad"] = Reply(body=b"<p>x</p>", headers=headers)
    with serving(site) as server:

        async def main() -> Exception:
            config = FetchConfig(server.base_url, rate=0, respect_robots=False, max_attempts=1)
            async with Fetcher(config) as f:
                return await _error(f.fetch(f"{server.base_url}/bad"))

        exc = asyncio.run(main())
    assert isinstance(exc, NetworkError) and isinstance(exc.__cause__, httpx.RemoteProtocolError)
