"""The mirror's fault injection: spec parsing, deterministic choice, and every kind seen by httpx."""

from __future__ import annotations

import contextlib
import email.utils
import json
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from osce_scrape.mirror import FaultSpec, MirrorServer, MirrorSite, running_mirror
from osce_scrape.mirror.faults import BIG_BODY_BYTES, FaultInjector

CAP = 10 * 1024 * 1024  # the crawler's default response size cap
Serve = Callable[[str], MirrorServer]


@pytest.fixture(scope="module")
def site() -> MirrorSite:
    return MirrorSite(pages=12, fixtures_dir=None)


@pytest.fixture
def page(site: MirrorSite) -> str:
    return site.articles[0].path


@pytest.fixture
def serve(site: MirrorSite) -> Iterator[Serve]:
    """serve(spec string) -> a running server injecting those faults; stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda spec: stack.enter_context(running_mirror(site, faults=FaultSpec.parse(spec)))


def test_parse_full_spec() -> None:
    """The issue's example spec parses into rates, robots fault and options."""
    spec = FaultSpec.parse(
        "429:0.05,503:0.02,reset:0.01,hang:0.01,truncate:0.01,empty:0.01,slow:0.01,bigbody:0.01,"
        "gzipbomb:0.01,redirect-loop:0.01,offsite-redirect:0.01,wrong-type:0.01,cp1251:0.01,"
        "robots-timeout,first=2,seed=7,retry-after=3"
    )
    assert spec.rates["429"] == 0.05 and spec.rates["cp1251"] == 0.01 and len(spec.rates) == 13
    assert (spec.robots, spec.first, spec.seed, spec.retry_after) == ("robots-timeout", 2, 7, 3.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("explode:0.1", "unknown fault kind"),
        ("429:1.5", "between 0 and 1"),
        ("429:x", "not a number"),
        ("429:0.6,503:0.6", "more than 1"),
        ("speed=3", "unknown fault option"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    """Bad specs raise ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=message):
        FaultSpec.parse(text)


def test_choice_is_deterministic_and_near_its_rate() -> None:
    """Same seed, same faults; a 10% rate faults about 10% of 2,000 URLs."""
    spec = FaultSpec.parse("429:0.1,seed=4")
    targets = [f"/a/{i}" for i in range(2000)]
    first = [FaultInjector(spec).choose(t) for t in targets]
    assert first == [FaultInjector(spec).choose(t) for t in targets]
    assert 150 <= first.count("429") <= 250
    other = [FaultInjector(FaultSpec.parse("429:0.1,seed=5")).choose(t) for t in targets]
    assert other != first


def test_first_k_requests_only() -> None:
    """With first=2, a URL faults on its first two requests and never after."""
    injector = FaultInjector(FaultSpec.parse("503:1,first=2"))
    assert [injector.choose("/x/1") for _ in range(4)] == ["503", "503", None, None]
    assert injector.choose("/x/2") == "503"
    assert injector.injected["503"] == 3


@pytest.mark.e2e
@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_both_forms(serve: Serve, status: int) -> None:
    """429/503 carry Retry-After, as seconds for some URLs and as an HTTP-date for others."""
    server = serve(f"{status}:1,retry-after=2")
    forms = set()
    with httpx.Client(base_url=server.base_url) as client:
        for i in range(12):
            response = client.get(f"/nowhere/{i}")
            assert response.status_code == status
            value = response.headers["retry-after"]
            if value.isdigit():
                assert value == "2"
                forms.add("seconds")
            else:
                assert email.utils.parsedate_to_datetime(value).tzinfo is not None
                forms.add("http-date")
    assert forms == {"seconds", "http-date"}
    assert [r.status for r in server.request_log] == [status] * 12


@pytest.mark.e2e
@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors(serve: Serve, page: str, status: int) -> None:
    """Plain 5xx statuses are served as asked."""
    with httpx.Client(base_url=serve(f"{status}:1").base_url) as client:
        assert client.get(page).status_code == status


@pytest.mark.e2e
def test_reset(serve: Serve, page: str) -> None:
    """A reset breaks the connection before any response."""
    server = serve("reset:1")
    with (
        httpx.Client(base_url=server.base_url) as client,
        pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)),
    ):
        client.get(page)
    assert server.request_log[-1].status == 0


@pytest.mark.e2e
def test_hang_times_out_and_stops_cleanly(serve: Serve, page: str) -> None:
    """A hung request times the client out; stopping the server does not wait for the hang."""
    server = serve("hang:1")
    with httpx.Client(base_url=server.base_url, timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.get(page)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5


@pytest.mark.e2e
def test_truncate(serve: Serve, page: str) -> None:
    """A truncated body (fewer bytes than Content-Length) is a protocol error for the client."""
    with (
        httpx.Client(base_url=serve("truncate:1").base_url) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.get(page)


@pytest.mark.e2e
def test_empty_200(serve: Serve, page: str) -> None:
    """ "empty" is a 200 text/html with no body."""
    with httpx.Client(base_url=serve("empty:1").base_url) as client:
        response = client.get(page)
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.e2e
def test_slow_body_arrives_whole_but_late(site: MirrorSite, serve: Serve, page: str) -> None:
    """A slow response trickles the right page in over the configured time."""
    expected = site.respond("GET", page, {}).body
    with httpx.Client(base_url=serve("slow:1,slow=0.5").base_url) as client:
        started = time.monotonic()
        response = client.get(page)
    assert response.content == expected
    assert time.monotonic() - started >= 0.45


@pytest.mark.e2e
def test_big_body_is_chunked_beyond_the_cap(serve: Serve, page: str) -> None:
    """bigbody streams more than 10 MB with no Content-Length; a client can stop at its cap."""
    client = httpx.Client(base_url=serve("bigbody:1").base_url)
    with client, client.stream("GET", page) as response:
        assert "content-length" not in response.headers
        assert response.headers["transfer-encoding"] == "chunked"
        received = 0
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > CAP:
                break
    assert CAP < received < BIG_BODY_BYTES


@pytest.mark.e2e
def test_gzip_bomb(serve: Serve, page: str) -> None:
    """A gzip bomb is a small gzip body that inflates far beyond the cap."""
    client = httpx.Client(base_url=serve("gzipbomb:1").base_url)
    with client, client.stream("GET", page) as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())
    assert len(raw) < 1_000_000
    inflated = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, CAP + 1)
    assert len(inflated) > CAP


@pytest.mark.e2e
def test_redirect_loop(serve: Serve, page: str) -> None:
    """A redirect loop never ends for a client that follows redirects."""
    server = serve("redirect-loop:1")
    client = httpx.Client(base_url=server.base_url, follow_redirects=True)
    with client, pytest.raises(httpx.TooManyRedirects):
        client.get(page)


@pytest.mark.e2e
def test_offsite_redirect(serve: Serve, page: str) -> None:
    """An off-site redirect points at a host that never resolves (RFC 2606 .invalid)."""
    with httpx.Client(base_url=serve("offsite-redirect:1").base_url) as client:
        response = client.get(page)
    assert response.status_code == 302
    assert response.headers["location"] == "http://offsite.invalid" + page


@pytest.mark.e2e
def test_wrong_type(serve: Serve, page: str) -> None:
    """wrong-type answers 200 with a PDF instead of HTML."""
    with httpx.Client(base_url=serve("wrong-type:1").base_url) as client:
        response = client.get(page)
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.e2e
def test_cp1251_without_declared_charset(site: MirrorSite, serve: Serve, page: str) -> None:
    """cp1251 re-encodes the page as windows-1251 and declares no charset, in header or page."""
    with httpx.Client(base_url=serve("cp1251:1").base_url) as client:
        response = client.get(page)
    assert response.headers["content-type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.content.decode("cp1251")
    assert "Русский" in text and "charset" not in text.split("</head>")[0]
    title = site.articles[0].title
    assert title.encode("cp1251", errors="xmlcharrefreplace").decode("cp1251") in text


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["robots-500", "robots-timeout"])
def test_robots_faults(serve: Serve, page: str, kind: str) -> None:
    """robots-500 fails robots.txt with 500, robots-timeout never answers; pages stay normal."""
    server = serve(kind)
    with httpx.Client(base_url=server.base_url, timeout=0.3) as client:
        if kind == "robots-500":
            assert client.get("/robots.txt").status_code == 500
        else:
            with pytest.raises(httpx.ReadTimeout):
                client.get("/robots.txt")
        assert client.get(page).status_code == 200
    assert server.faults is not None and server.faults.injected[kind] == 1


@pytest.mark.e2e
def test_cp1251_leaves_legacy_fixture_alone(tmp_path: Path) -> None:
    """A fixture page already in a legacy encoding is served unchanged under the cp1251 fault."""
    page = "<html lang='ru'><body><h1>Привет</h1></body></html>".encode("cp1251")
    (tmp_path / "01-ru.html").write_bytes(page)
    expected = {"url": "https://www.osce.org/ru/cio/1234", "date": "2010-12-01", "title": "Привет"}
    (tmp_path / "01-ru.expected.json").write_text(json.dumps(expected))
    site = MirrorSite(pages=1, fixtures_dir=tmp_path)
    with running_mirror(site, faults=FaultSpec.parse("cp1251:1")) as server:
        response = httpx.get(server.base_url + "/ru/cio/1234")
    assert (response.content, response.headers["content-type"]) == (page, "text/html")
