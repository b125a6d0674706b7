"""The mirror's site-level documents: listing pages, robots.txt, sitemaps and the RSS feed."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from xml.sax.saxutils import escape as xml_escape

from osce_scrape.mirror.templates import long_date, page

PAGE_SIZE = 10  # the site's default `rows`
PAGER_WINDOW = 4  # page links shown on each side of the current page, as Drupal's pager does
SITEMAP_CHUNK = 1000  # URLs per child sitemap (the protocol allows 50,000; small keeps tests cheap)
FEED_ITEMS = 20
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Entry:
    """What the listing, the sitemap and the feed show of one item."""

    path: str
    title: str
    date: dt.date
    content_type: str | None
    sources: tuple[str, ...]
    fields: tuple[str, ...]
    lead: str
    modified: dt.datetime


def last_page(count: int) -> int:
    """The 0-based number of the last listing page (0 for an empty listing)."""
    return max(0, (count - 1) // PAGE_SIZE)


def render_listing(entries: Sequence[Entry], page_no: int, total: int) -> bytes:
    """Listing page `page_no` (0-based) of `total` entries: apachesolr result panes and a pager."""
    results = "".join(_listing_entry(e) for e in entries)
    main = (
        '<main id="main-content" role="main">\n<h1 class="page-title">Press releases</h1>\n'
        '<div class="panel-pane pane-apachesolr-result"><div class="pane-content">\n'
        f"{results}</div></div>\n{_pager(page_no, last_page(total))}</main>\n"
    )
    return page("Press releases", "", main, "", "path-press-releases")


def _listing_entry(entry: Entry) -> str:
    lines = _label_line("publishing-date", "Publishing date:", long_date(entry.date))
    if entry.content_type:  # entries without a content type lack the other two lines too
        lines += _label_line("content-type", "Content type:", entry.content_type)
        if entry.sources:
            lines += _label_line("where-we-are", "Where we are:", ", ".join(entry.sources))
        if entry.fields:
            lines += _label_line("what-we-do", "What we do:", ", ".join(entry.fields))
    return (
        '<div class="search-result-news"><dl>\n'
        f'<dt class="search-title"><h3><a href="{entry.path}">{escape(entry.title)}</a></h3></dt>\n'
        f'<dd>\n{lines}<div class="search-snippet">{escape(entry.lead[:300])}</div>\n</dd></dl></div>\n'
    )


def _label_line(css: str, label: str, value: str) -> str:
    return f'<div class="{css}"><span class="label">{label}</span> {escape(value)}</div>\n'


def _pager(current: int, last: int) -> str:
    if last == 0:
        return ""
    items = []
    if current > 0:
        items.append('<li class="pager-first"><a href="/press-releases">« first</a></li>')
        items.append(f'<li class="pager-previous"><a href="{_href(current - 1)}">‹ previous</a></li>')
    for n in range(max(0, current - PAGER_WINDOW), min(last, current + PAGER_WINDOW) + 1):
        if n == current:
            items.append(f'<li class="pager-current">{n + 1}</li>')
        else:
            items.append(f'<li class="pager-item"><a href="{_href(n)}">{n + 1}</a></li>')
    if current < last:
        items.append(f'<li class="pager-next"><a href="{_href(current + 1)}">next ›</a></li>')
        items.append(f'<li class="pager-last"><a href="{_href(last)}">last »</a></li>')
    return '<ul class="pager">' + "\n".join(items) + "</ul>\n"


def _href(page_no: int) -> str:
    return f"/press-releases?page={page_no}"


def render_robots(base_url: str, crawl_delay: float, disallow: Sequence[str]) -> bytes:
    lines = ["User-agent: *"]
    if crawl_delay:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines += [f"Disallow: {path}" for path in ("/admin/", "/search", *disallow)]
    lines += ["", f"Sitemap: {base_url}/sitemap.xml", ""]
    return "\n".join(lines).encode()


def sitemap_children(count: int) -> list[str]:
    """Paths of the child sitemaps for `count` URLs: at least two when there are two URLs, the last
    one gzipped (so a crawler meets both forms)."""
    chunk = SITEMAP_CHUNK if count > 2 * SITEMAP_CHUNK else max(1, -(-count // 2))
    n = max(1, -(-count // chunk))
    return [f"/sitemaps/press-releases-{k}.xml" + (".gz" if k == n else "") for k in range(1, n + 1)]


def render_sitemap_index(base_url: str, children: Sequence[str], lastmod: dt.date) -> bytes:
    rows = "".join(
        f"<sitemap><loc>{base_url}{c}</loc><lastmod>{lastmod.isoformat()}</lastmod></sitemap>\n"
        for c in children
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n{rows}'
        "</sitemapindex>\n"
    ).encode()


def render_sitemap(base_url: str, entries: Sequence[Entry], gzipped: bool) -> bytes:
    rows = "".join(
        f"<url><loc>{base_url}{xml_escape(e.path)}</loc>"
        f"<lastmod>{e.modified.date().isoformat()}</lastmod></url>\n"
        for e in entries
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{rows}</urlset>\n'
    return gzip.compress(xml.encode(), mtime=0) if gzipped else xml.encode()


def render_feed(base_url: str, entries: Sequence[Entry]) -> bytes:
    """RSS 2.0 of the newest items (the live site's /rss.xml was recorded as 404; the mirror has one)."""
    items = "".join(
        f"<item><title>{xml_escape(e.title)}</title><link>{base_url}{xml_escape(e.path)}</link>"
        f"<guid>{base_url}{xml_escape(e.path)}</guid>"
        f"<pubDate>{email.utils.format_datetime(_noon(e.date))}</pubDate>"
        f"<description>{xml_escape(e.lead[:300])}</description></item>\n"
        for e in entries[:FEED_ITEMS]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
        f"<title>OSCE press releases</title><link>{base_url}/press-releases</link>\n"
        f"<description>Press releases of the OSCE (offline mirror)</description>\n{items}"
        "</channel></rss>\n"
    ).encode()


def _noon(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(12), dt.UTC)
