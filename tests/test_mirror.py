"""The offline mirror: its site model, its documents as discovery reads them, and its HTTP server."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner
from protego import Protego

from osce_scrape import parse_page
from osce_scrape.cli.main import cli
from osce_scrape.harvest.discover import parse_feed, parse_listing, parse_sitemap
from osce_scrape.mirror import MirrorSite, running_mirror
from osce_scrape.mirror.documents import FEED_ITEMS, PAGE_SIZE
from osce_scrape.mirror.site import CACHE_PAGES

BASE = "http://127.0.0.1"


def _get(site: MirrorSite, target: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    response = site.respond("GET", target, {k.lower().replace("_", "-"): v for k, v in headers.items()})
    return response.status, response.headers, response.body


def _walk_listing(site: MirrorSite) -> list[str]:
    """Follow the pager from page 0 as a crawler does; every entry's URL, in listing order."""
    urls: list[str] = []
    next_url: str | None = BASE + "/press-releases?page=0"
    while next_url:
        status, _, body = _get(site, next_url.removeprefix(BASE))
        assert status == 200
        page = parse_listing(body, next_url)
        urls += [e.url for e in page.entries]
        next_url = page.next_url
    return urls


@pytest.fixture(scope="module")
def site() -> MirrorSite:
    return MirrorSite(pages=45, fixtures_dir=None, crawl_delay=0.5, disallow=["/private/"])


def test_pages_distinct_and_dated(site: MirrorSite) -> None:
    """N generated pages have N distinct URLs, ids and titles, dated 1997..today, in English."""
    records = site.expected_records()
    assert len(records) == 45
    assert len({r["id"] for r in records.values()}) == 45
    assert len({r["title"] for r in records.values()}) == 45
    dates = [dt.date.fromisoformat(r["date"]) for r in records.values()]
    assert min(dates) >= dt.date(1997, 1, 1) and max(dates) <= dt.date.today()
    assert {r["language"] for r in records.values()} == {"en"}


def test_twenty_thousand_pages_distinct() -> None:
    """--pages 20000 gives 20,000 distinct titles and node ids, none dated in the future."""
    records = MirrorSite(pages=20_000, fixtures_dir=None, seed=3).expected_records()
    assert len({r["title"] for r in records.values()}) == 20_000
    assert len({r["id"] for r in records.values()}) == 20_000
    assert max(r["date"] for r in records.values()) <= dt.date.today().isoformat()


def test_seed_determines_content() -> None:
    """The same seed gives the same site; another seed other titles and node ids."""
    one = MirrorSite(pages=20, fixtures_dir=None, seed=1).expected_records()
    assert one == MirrorSite(pages=20, fixtures_dir=None, seed=1).expected_records()
    other = MirrorSite(pages=20, fixtures_dir=None, seed=2).expected_records()
    assert set(one) != set(other)


def test_expected_record_follows_page_data(site: MirrorSite) -> None:
    """A generated page's expected body is its paragraphs, and its place the dateline's place."""
    for article in site.articles:
        record = article.expected()
        assert record["body"] == "\n\n".join(article.paragraphs)
        assert record["url"] == "https://www.osce.org" + article.path
        assert record["id"] == article.path.rsplit("/", 1)[1]
        if record["place"]:
            assert record["body"].startswith(record["place"])


def test_listing_walk_finds_every_page_newest_first(site: MirrorSite) -> None:
    """Following the listing's pager finds each press release once, newest first, 10 a page."""
    urls = _walk_listing(site)
    records = site.expected_records()
    assert sorted(urls) == sorted(records)
    dates = [records[u]["date"] for u in urls]
    assert dates == sorted(dates, reverse=True)
    first = parse_listing(_get(site, "/press-releases?page=0")[2], BASE + "/press-releases?page=0")
    assert len(first.entries) == PAGE_SIZE
    assert first.last_page == 4  # 45 entries: pages 0..4


def test_listing_entries_agree_with_records(site: MirrorSite) -> None:
    """Listing titles, dates and content types are those of the pages' expected records."""
    records = site.expected_records()
    page = parse_listing(_get(site, "/press-releases?page=1")[2], BASE + "/press-releases?page=1")
    for entry in page.entries:
        record = records[entry.url]
        assert entry.title == record["title"]
        assert entry.date is not None and entry.date.isoformat() == record["date"]
        article = next(a for a in site.articles if BASE + a.path == entry.url)
        assert entry.content_type == article.content_type


def test_sitemap_index_children_and_gzip(site: MirrorSite) -> None:
    """sitemap.xml is an index; its children (the last one gzipped) list every page once."""
    index = parse_sitemap(_get(site, "/sitemap.xml")[2], BASE + "/sitemap.xml")
    assert index.urls == [] and len(index.sitemaps) >= 2
    assert index.sitemaps[-1].endswith(".xml.gz")
    urls = []
    for child in index.sitemaps:
        status, _, body = _get(site, urlsplit(child).path)
        assert status == 200
        assert body[:2] == b"\x1f\x8b" if child.endswith(".gz") else body.startswith(b"<?xml")
        urls += [e.url for e in parse_sitemap(body, child).urls]
    assert sorted(urls) == sorted(site.expected_records())


def test_rss_lists_newest(site: MirrorSite) -> None:
    """rss.xml holds the newest items, in listing order, with titles and dates."""
    entries = parse_feed(_get(site, "/rss.xml")[2], BASE + "/rss.xml")
    assert [e.url for e in entries] == _walk_listing(site)[:FEED_ITEMS]
    records = site.expected_records()
    assert all(e.title == records[e.url]["title"] for e in entries)
    assert all(e.date and e.date.isoformat() == records[e.url]["date"] for e in entries)


def test_robots_txt(site: MirrorSite) -> None:
    """robots.txt announces the Crawl-delay, disallows the given paths and names the sitemap."""
    robots = Protego.parse(_get(site, "/robots.txt")[2].decode())
    assert robots.crawl_delay("osce-scrape") == 0.5
    assert not robots.can_fetch(BASE + "/private/page", "osce-scrape")
    assert robots.can_fetch(BASE + "/press-releases?page=0", "osce-scrape")
    assert list(robots.sitemaps) == [BASE + "/sitemap.xml"]


def test_pages_weigh_like_the_real_site(site: MirrorSite) -> None:
    """Generated pages carry full chrome: ~90 KB each, with the mega menu and every template used."""
    sizes = [len(_get(site, a.path)[2]) for a in site.articles]
    assert 70_000 < sum(sizes) / len(sizes) < 120_000
    body = _get(site, site.articles[0].path)[2].decode()
    assert "Participating States" in body and "Tolerance and non-discrimination" in body
    big = MirrorSite(pages=300, fixtures_dir=None)
    assert set(Counter(a.template for a in big.articles)) == {"modern", "panels", "newsroom"}


def test_rendered_pages_cache_is_bounded() -> None:
    """Rendering many item and listing pages keeps at most CACHE_PAGES of them in memory."""
    big = MirrorSite(pages=CACHE_PAGES * 10 + 40, fixtures_dir=None)
    for article in big.articles[: CACHE_PAGES + 40]:
        assert _get(big, article.path)[0] == 200
    assert len(big._cache) == CACHE_PAGES
    for page_no in range(CACHE_PAGES + 5):  # listing pages share the same bounded cache
        assert _get(big, f"/press-releases?page={page_no}")[0] == 200
    assert len(big._cache) == CACHE_PAGES


def test_conditional_requests(site: MirrorSite) -> None:
    """Item pages carry ETag and Last-Modified; If-None-Match / If-Modified-Since give 304."""
    path = site.articles[0].path
    status, headers, _ = _get(site, path)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert _get(site, path, if_none_match=headers["ETag"])[0] == 304
    assert _get(site, path, if_none_match='"other"')[0] == 200
    assert _get(site, path, if_modified_since=headers["Last-Modified"])[0] == 304
    assert _get(site, path, if_modified_since="Mon, 01 Jan 1990 00:00:00 GMT")[0] == 200


def test_edit_page_changes_content_validators_and_record() -> None:
    """edit_page changes the body, the ETag, Last-Modified and the expected record; old ETag -> 200."""
    edited = MirrorSite(pages=12, fixtures_dir=None)
    path = edited.articles[3].path
    _, before, _ = _get(edited, path)
    edited.edit_page(BASE + path, "A corrected first paragraph.\n\nAnd a second one.")
    status, after, body = _get(edited, path, if_none_match=before["ETag"])
    assert status == 200
    assert after["ETag"] != before["ETag"] and after["Last-Modified"] != before["Last-Modified"]
    assert b"<p>A corrected first paragraph.</p>" in body
    record = edited.expected_records()[BASE + path]
    assert record["body"] == "A corrected first paragraph.\n\nAnd a second one."
    with pytest.raises(ValueError):
        edited.edit_page(BASE + "/nowhere/1", "text")


def test_add_pages_go_to_the_top() -> None:
    """add_pages publishes new items dated today at the top of listing page 0."""
    growing = MirrorSite(pages=15, fixtures_dir=None)
    new = growing.add_pages(3)
    assert len(growing.expected_records()) == 18
    first = parse_listing(_get(growing, "/press-releases?page=0")[2], BASE + "/press-releases")
    assert {e.url for e in first.entries[:3]} == set(new)
    assert all(e.date == dt.date.today() for e in first.entries[:3])


def test_routes(site: MirrorSite) -> None:
    """/node/{id} redirects to the item's path; unknown paths 404; POST 405; HEAD has no body."""
    article = site.articles[0]
    response = site.respond("GET", f"/node/{article.node_id}", {})
    assert (response.status, response.headers["Location"]) == (301, article.path)
    assert _get(site, "/secretariat/1")[0] == 404
    assert _get(site, "/press-releases?page=x")[0] == 404
    assert site.respond("POST", "/press-releases", {}).status == 405


def _write_fixture(folder: Path, name: str, html: bytes, expected: dict[str, object]) -> None:
    (folder / f"{name}.html").write_bytes(html)
    (folder / f"{name}.expected.json").write_text(json.dumps(expected))


def test_fixture_pages_served_as_is(tmp_path: Path) -> None:
    """Every fixture is served byte for byte at its canonical path, besides the generated pages; a
    URL-less one at /node/99000N, expecting its served URL and node id; a rejected one is listed as
    a non-article."""
    record = {"id": "101809", "url": "https://www.osce.org/secretariat/101809", "language": "en",
              "content_type": "Press release", "title": "Fixture", "date": "2009-11-20"}  # fmt: skip
    _write_fixture(tmp_path, "01-a", b"<html><body>a</body></html>", record)
    cyrillic = "<html lang='ru'><body>Привет</body></html>".encode("cp1251")
    _write_fixture(tmp_path, "02-b", cyrillic, {**record, "url": None, "id": None, "language": "ru"})
    event = b'<html><head><link rel="canonical" href="https://www.osce.org/event/5"></head></html>'
    _write_fixture(tmp_path, "03-event", event, {"rejected": "NotAPressRelease"})
    fixtures = MirrorSite(pages=5, fixtures_dir=tmp_path)
    assert _get(fixtures, "/secretariat/101809")[2] == b"<html><body>a</body></html>"
    status, headers, body = _get(fixtures, "/node/990001")
    assert status == 200
    # no charset: page's own; a canonical link added (the page named no URL)
    link = b'<link rel="canonical" href="https://www.osce.org/node/990001" />'
    assert (body, headers["Content-Type"]) == (link + cyrillic, "text/html")
    records = fixtures.expected_records()
    assert records[BASE + "/secretariat/101809"]["url"] == "https://www.osce.org/secretariat/101809"
    assert records[BASE + "/node/990001"]["url"] == "https://www.osce.org/node/990001"  # not the port
    assert records[BASE + "/node/990001"]["id"] == "990001-ru"
    assert fixtures.non_article_urls() == [BASE + "/event/5"]
    assert len(records) == 2 + 5  # two fixture records and five generated pages
    assert BASE + "/event/5" in _walk_listing(fixtures)


# --- the server ----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_server_serves_and_logs(site: MirrorSite) -> None:
    """Over loopback: pages, 304s and 404s are served and each request is logged with its status."""
    path = site.articles[1].path
    with running_mirror(site) as server, httpx.Client(base_url=server.base_url) as client:
        assert server.base_url.startswith("http://127.0.0.1:")
        page = client.get(path)
        assert page.status_code == 200 and len(page.content) > 50_000
        assert client.get(path, headers={"If-None-Match": page.headers["etag"]}).status_code == 304
        assert client.get("/missing").status_code == 404
        assert client.head(path).content == b""
        log = [(r.method, r.path, r.status) for r in server.request_log]
    assert log == [("GET", path, 200), ("GET", path, 304), ("GET", "/missing", 404), ("HEAD", path, 200)]
    assert server.request_log[0].headers["user-agent"].startswith("python-httpx")


@pytest.mark.e2e
def test_server_keep_alive_on_one_connection(site: MirrorSite) -> None:
    """Two requests on one TCP connection get two responses (HTTP/1.1 keep-alive)."""
    with running_mirror(site) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            request = b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n"
            sock.sendall(request + request.replace(b"Host: x", b"Host: x\r\nConnection: close"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 2
    assert b"Connection: keep-alive" in data and b"Connection: close" in data


@pytest.mark.e2e
def test_cli_mirror_port_in_use() -> None:
    """`osce-scrape mirror` on a taken port fails with a clear message instead of hanging."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["mirror", "--port", str(port), "--pages", "3"])
    assert result.exit_code == 1
    assert "mirror did not start" in result.output


def test_cli_mirror_ctrl_c_while_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C before the server is up stops the command cleanly (0 requests), not an UnboundLocalError."""

    @contextlib.contextmanager
    def interrupted(*args: object, **kwargs: object) -> Iterator[None]:
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr("osce_scrape.mirror.running_mirror", interrupted)
    result = CliRunner().invoke(cli, ["mirror", "--pages", "0"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "stopped after 0 requests" in result.output


def test_cli_demo_ctrl_c_while_the_mirror_starts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`demo` interrupted before its crawl began exits 130 with a message, like an interrupted crawl."""

    def interrupted_start(self: object, port: int = 0) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("osce_scrape.mirror.MirrorServer.start", interrupted_start)
    result = CliRunner().invoke(cli, ["demo", "--pages", "1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert "interrupted while the mirror was starting" in result.output


def test_cli_mirror_rejects_bad_fault_spec() -> None:
    """A malformed --faults spec is a usage error (exit 2) naming the bad part."""
    result = CliRunner().invoke(cli, ["mirror", "--faults", "429:2"])
    assert result.exit_code == 2
    assert "probability must be between 0 and 1" in result.output


def test_generated_pages_parse_to_their_expected_records() -> None:
    """Every generated page of every template parses to exactly the record the mirror expects."""
    generated = MirrorSite(pages=300, fixtures_dir=None, seed=11)
    assert {a.template for a in generated.articles} == {"modern", "panels", "newsroom"}
    wrong = {}
    for url, expected in generated.expected_records().items():
        body = _get(generated, url.removeprefix(BASE))[2]
        record = parse_page(body, url).model_dump(mode="json")
        if diff := {k: record[k] for k in expected if record[k] != expected[k]}:
            wrong[url] = diff
    assert wrong == {}
