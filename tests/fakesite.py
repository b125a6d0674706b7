"""A tiny fake of the site for harvest unit tests: an httpx.MockTransport handler and a parser.

Item pages are minimal HTML (`<h1>`, `<time>`, `<p>`) read by `fake_parse`, so the harvest's logic is
tested apart from the real parser; the e2e tests run the real parser against the real mirror.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx

from osce_scrape.errors import NotAPressRelease, ParseError
from osce_scrape.harvest.crawl import HarvestConfig, RunStats, harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.models import PressRelease, Provenance

BASE = "http://site.test"
PER_PAGE = 10
TODAY = dt.date(2026, 1, 31)  # the crawl's today: FakeSite.make dates its items back from it
FAKE_PARSER_VERSION = "fake"  # fake_parse's provenance.parser_version


@dataclass
class Item:
    path: str
    title: str
    date: dt.date
    body: str
    version: int = 1
    kind: str = "press"  # "press", or "event" (the fake parser rejects it)

    @property
    def etag(self) -> str:
        return f'"{self.path}-v{self.version}"'


@dataclass
class FakeSite:
    """Items newest first; a listing per language; robots.txt; conditional GETs; a request log."""

    items: list[Item]
    robots: str = "User-agent: *\nAllow: /\n"
    extra_entries: list[str] = field(default_factory=list)  # hrefs put on listing page 0
    listing_titles: dict[str, str] = field(default_factory=dict)  # path -> title the listing shows
    failing: set[str] = field(default_factory=set)  # paths answering 500
    empty_pages: set[int] = field(default_factory=set)  # listing pages served with no entries, no pager
    pager_last: bool = False  # pagers show the last page's link, as the site's do
    requests: list[httpx.Request] = field(default_factory=list)

    @classmethod
    def make(cls, n: int, today: dt.date) -> FakeSite:
        items = [
            Item(f"/secretariat/{1000 + i}", f"Item {i}", today - dt.timedelta(days=i), f"Body {i}.")
            for i in range(n)
        ]
        return cls(items)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def paths_requested(self) -> list[str]:
        return [r.url.raw_path.decode() for r in self.requests]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, query = request.url.path, dict(request.url.params)
        if path == "/robots.txt":
            return httpx.Response(200, text=self.robots)
        if match := re.fullmatch(r"(?:/([a-z]{2}))?/press-releases", path):
            return self._listing(match[1] or "en", int(query.get("page", "0")))
        if path == "/sitemap.xml":
            return httpx.Response(200, content=self._sitemap(), headers={"content-type": "text/xml"})
        if path == "/rss.xml":
            return httpx.Response(200, content=self._rss(), headers={"content-type": "text/xml"})
        bare = re.sub(r"^/[a-z]{2}(?=/)", "", path)  # a translation lives under its language prefix
        for item in self.items:
            if item.path == bare:
                return self._item(item, request)
        return httpx.Response(404, text="not found")

    def _listing(self, language: str, page: int) -> httpx.Response:
        prefix = "" if language == "en" else f"/{language}"
        if page in self.empty_pages:  # a broken page: a 200 with nothing on it
            return httpx.Response(
                200, text="<html><body></body></html>", headers={"content-type": "text/html"}
            )
        chunk = self.items[page * PER_PAGE : (page + 1) * PER_PAGE]
        entries = [self._entry(prefix + i.path, self.listing_titles.get(i.path, i.title), i.date)
                   for i in chunk]  # fmt: skip
        if page == 0:
            entries += [self._entry(href, "Elsewhere", None) for href in self.extra_entries]
        pages = -(-len(self.items) // PER_PAGE)
        pager = (
            f'<li class="pager-next"><a href="{prefix}/press-releases?page={page + 1}">next</a></li>'
            if page + 1 < pages
            else ""
        )
        if self.pager_last and page + 1 < pages:
            pager += (
                f'<li class="pager-last"><a href="{prefix}/press-releases?page={pages - 1}">last</a></li>'
            )
        html = f"<html><body>{''.join(entries)}<ul class='pager'>{pager}</ul></body></html>"
        return httpx.Response(200, text=html, headers={"content-type": "text/html; charset=utf-8"})

    @staticmethod
    def _entry(href: str, title: str, date: dt.date | None) -> str:
        when = f"{date.day} {date.strftime('%B %Y')}" if date else ""
        return (
            f'<div class="search-result-news"><dt class="search-title"><h3><a href="{href}">'
            f'{title}</a></h3></dt><div class="publishing-date"><span>Publishing date:</span> '
            f"{when}</div></div>"
        )

    def _item(self, item: Item, request: httpx.Request) -> httpx.Response:
        if item.path in self.failing:
            return httpx.Response(500, text="boom")
        modified = format_datetime(
            dt.datetime.combine(item.date, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(hours=item.version),
            usegmt=True,
        )
        headers = {"etag": item.etag, "last-modified": modified}
        if request.headers.get("if-none-match") == item.etag:
            return httpx.Response(304, headers=headers)
        headers["content-type"] = "text/html; charset=utf-8"
        html = (
            f"<html><body><div class='{item.kind}'><h1>{item.title}</h1>"
            f"<time>{item.date.isoformat()}</time><p>{item.body}</p></div></body></html>"
        )
        return httpx.Response(200, text=html, headers=headers)

    def _sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{BASE}{i.path}</loc><lastmod>{i.date.isoformat()}</lastmod></url>" for i in self.items
        )
        return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()

    def _rss(self) -> bytes:
        items = "".join(
            f"<item><title>{i.title}</title><link>{BASE}{i.path}</link></item>" for i in self.items
        )
        return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def fake_parse(html: bytes, url: str, *, encoding: str | None = None) -> PressRelease:
    """Read a fake item page; raise like the real parser for what is not a press release."""
    text = html.decode(encoding or "utf-8")
    if "class='event'" in text:
        raise NotAPressRelease("an event, not a press release", source=url)
    title = re.search(r"<h1>(.*?)</h1>", text)
    date = re.search(r"<time>(.*?)</time>", text)
    body = re.search(r"<p>(.*?)</p>", text)
    if not (title and date and body):
        raise ParseError("no title, date or body", source=url)
    prefix = re.match(r"https?://[^/]+/([a-z]{2})/", url)
    language = prefix[1] if prefix else "en"
    node = url.rsplit("/", 1)[-1]
    return PressRelease(
        id=node if language == "en" else f"{node}-{language}",
        url=url,
        language=language,
        content_type="Press release",
        title=title[1],
        date=dt.date.fromisoformat(date[1]),
        place=None,
        sources=[],
        fields_of_work=[],
        body=body[1],
        contacts=None,
        provenance=Provenance(
            parser_version=FAKE_PARSER_VERSION, body_sha256=hashlib.sha256(body[1].encode()).hexdigest()
        ),
    )


def crawl(
    site: FakeSite, out: Path, transport: httpx.AsyncBaseTransport | None = None, **options: Any
) -> RunStats:
    """One harvest of `site` into `out` with the fake parser, no pacing, 2 attempts, no backoff."""
    fetch = FetchConfig(base_url=BASE, rate=0, concurrency=3, max_attempts=2, backoff_initial=0.0)
    options.setdefault("parser_version", FAKE_PARSER_VERSION)
    config = HarvestConfig(fetch=fetch, out=out, today=TODAY, **options)
    return asyncio.run(harvest(config, transport=transport or site.transport(), parser=fake_parse))


def dataset(out: Path) -> list[dict[str, Any]]:
    """The records of `out`'s press_releases.jsonl."""
    return [json.loads(line) for line in (out / "press_releases.jsonl").read_text().splitlines()]
