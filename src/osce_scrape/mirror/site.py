"""The mirror's site model: which pages exist, what they contain, and what a parser must make of them.

Pure of I/O apart from reading fixtures at start: `respond()` maps a request to a `Response`, so the
server (and tests) only move bytes. Pages are rendered on demand and kept in a small LRU cache, so
20,000 pages of ~90 KB cost a few MB, not GBs.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from osce_scrape.mirror import documents as docs
from osce_scrape.mirror.articles import Article, ArticleFactory
from osce_scrape.mirror.fixtures import DEFAULT_DIR, FixturePage, load_fixtures
from osce_scrape.mirror.http import Response, error_page, html_response, http_date, not_modified
from osce_scrape.mirror.templates import render_article

CACHE_PAGES = 256  # ~22 MB of rendered pages; a render costs ~0.2 ms, a cache hit nothing
TEASERS = 3
Item = Article | FixturePage


class MirrorSite:
    """The site: every fixture page plus `pages` generated press releases, listed newest first."""

    def __init__(
        self,
        pages: int = 250,
        fixtures_dir: Path | None = DEFAULT_DIR,
        crawl_delay: float = 0.0,
        disallow: list[str] | None = None,
        seed: int = 0,
    ) -> None:
        if pages < 0:
            raise ValueError(f"pages must be >= 0, not {pages}")
        self.crawl_delay = crawl_delay
        self.disallow = list(disallow or [])
        self.base_url = "http://127.0.0.1"  # set by the server once it knows its port
        self.fixtures = load_fixtures(fixtures_dir)
        self._factory = ArticleFactory(seed, taken_ids=set())
        self.articles = [self._factory.make(k) for k in range(pages)]
        self._by_path: dict[str, Item] = {f.path: f for f in self.fixtures}
        self._position: dict[str, int] = {}  # generated article path -> index, to pick teasers
        self._by_id: dict[str, str] = {}  # node id -> path, for /node/{id} aliases
        self._index(self.articles)
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._version = 0
        self._order: list[Item] = []
        self._reorder()

    # --- what the site holds ---------------------------------------------------------------------

    def expected_records(self) -> dict[str, dict[str, Any]]:
        """Served URL -> the record a correct parser makes of it, for every press-release page."""
        records: dict[str, dict[str, Any]] = {}
        for item in self._order:
            record = item.expected() if isinstance(item, Article) else item.expected_record(self.base_url)
            if record is not None:
                records[self.base_url + item.path] = record
        return records

    def non_article_urls(self) -> list[str]:
        """Served URLs of listed pages that are not press releases (a parser must reject them)."""
        return [self.base_url + f.path for f in self.fixtures if f.expected is None]

    def edit_page(self, url: str, new_body: str) -> None:
        """Replace a generated page's body ("\\n\\n" between paragraphs): new content, ETag and date."""
        item = self._by_path.get(urlsplit(url).path)
        if not isinstance(item, Article):
            raise ValueError(f"{url}: not a generated press release of this mirror (cannot edit)")
        paragraphs = tuple(p.strip() for p in new_body.split("\n\n") if p.strip())
        if not paragraphs:
            raise ValueError("new_body is empty")
        with self._lock:
            item.paragraphs = paragraphs
            item.revision += 1
            # Last-Modified has 1 s resolution: make sure an edit always moves it forward.
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            item.modified = max(now, item.modified.replace(microsecond=0) + dt.timedelta(seconds=1))
            self._version += 1

    def add_pages(self, n: int) -> list[str]:
        """Publish `n` new press releases dated today; they go to the top of the listing."""
        today = dt.date.today()
        with self._lock:
            new = [self._factory.make(len(self.articles) + i, on=today) for i in range(n)]
            self.articles.extend(new)
            self._index(new)
            self._reorder()
        return [self.base_url + a.path for a in new]

    def _index(self, new: list[Article]) -> None:
        for article in new:
            self._by_path[article.path] = article
            self._position[article.path] = len(self._position)
            self._by_id[str(article.node_id)] = article.path

    def _reorder(self) -> None:
        items: list[Item] = [*self.articles, *self.fixtures]
        order = sorted(items, key=lambda i: (i.date, _sort_id(i)), reverse=True)
        self._order, self._entries = order, [_entry(i) for i in order]
        self._version += 1

    # --- answering requests ----------------------------------------------------------------------

    def respond(self, method: str, target: str, headers: dict[str, str]) -> Response:
        """The response to one request (headers' names lower-case)."""
        if method not in ("GET", "HEAD"):
            return error_page(405)
        parts = urlsplit(target)
        path = parts.path
        route: Callable[[], Response] | None = {
            "/robots.txt": self._robots,
            "/sitemap.xml": self._sitemap_index,
            "/rss.xml": self._feed,
        }.get(path)
        if route is not None:
            return route()
        if path == "/press-releases":
            return self._listing(parse_qs(parts.query).get("page", ["0"])[0])
        if path.startswith("/sitemaps/"):
            return self._sitemap(path)
        item = self._by_path.get(path)
        if item is not None:
            return self._item(item, headers)
        if path.startswith("/node/") and (alias := self._node_alias(path)):
            return Response(301, b"", {"Location": alias})
        return error_page(404)

    def _item(self, item: Item, headers: dict[str, str]) -> Response:
        validators = {"ETag": item.etag, "Last-Modified": http_date(item.modified)}
        if not_modified(headers, item.etag, item.modified):
            return Response(304, b"", validators)
        if isinstance(item, FixturePage):
            ctype = "text/html" + (f"; charset={item.charset}" if item.charset else "")
            return Response(200, item.content, {"Content-Type": ctype, **validators})
        return html_response(self._render(item), validators)

    def _render(self, article: Article) -> bytes:
        key = (article.path, article.revision)
        if (page := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return page
        index = self._position[article.path]
        teasers = [self.articles[(index + k) % len(self.articles)] for k in range(1, TEASERS + 1)]
        return self._remember(key, render_article(article, [t for t in teasers if t is not article]))

    def _remember(self, key: tuple[str, int], page: bytes) -> bytes:
        self._cache[key] = page
        if len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)
        return page

    def _listing(self, page_arg: str) -> Response:
        if not page_arg.isdigit():
            return error_page(404)
        page_no, entries = int(page_arg), self._entries
        key = (f"listing:{page_no}", self._version)
        if (body := self._cache.get(key)) is None:
            chunk = entries[page_no * docs.PAGE_SIZE : (page_no + 1) * docs.PAGE_SIZE]
            body = self._remember(key, docs.render_listing(chunk, page_no, len(entries)))
        return html_response(body)

    def _node_alias(self, path: str) -> str | None:
        return self._by_id.get(path.removeprefix("/node/").strip("/"))

    def _robots(self) -> Response:
        body = docs.render_robots(self.base_url, self.crawl_delay, self.disallow)
        return Response(200, body, {"Content-Type": "text/plain; charset=utf-8"})

    def _sitemap_index(self) -> Response:
        children = docs.sitemap_children(len(self._entries))
        newest = self._entries[0].modified.date() if self._entries else dt.date.today()
        body = docs.render_sitemap_index(self.base_url, children, newest)
        return Response(200, body, {"Content-Type": "application/xml"})

    def _sitemap(self, path: str) -> Response:
        children = docs.sitemap_children(len(self._entries))
        if path not in children:
            return error_page(404)
        k = children.index(path)
        per = -(-len(self._entries) // len(children)) if self._entries else 1
        body = docs.render_sitemap(
            self.base_url, self._entries[k * per : (k + 1) * per], path.endswith(".gz")
        )
        ctype = "application/gzip" if path.endswith(".gz") else "application/xml"
        return Response(200, body, {"Content-Type": ctype})

    def _feed(self) -> Response:
        body = docs.render_feed(self.base_url, self._entries)
        return Response(200, body, {"Content-Type": "application/rss+xml; charset=utf-8"})


def _sort_id(item: Item) -> int:
    return item.node_id if isinstance(item, Article) else 0


def _entry(item: Item) -> docs.Entry:
    if isinstance(item, Article):
        return docs.Entry(
            item.path, item.title, item.date, item.content_type, item.sources, item.fields,
            item.lead, item.modified,
        )  # fmt: skip
    return docs.Entry(item.path, item.title, item.date, item.content_type, (), (), item.title, item.modified)
