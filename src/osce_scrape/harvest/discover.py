"""Discovery: listing pages, sitemaps and feeds -> URL entries. Pure functions over bytes, no I/O.

XML is parsed with defusedxml so a hostile sitemap or feed (entity expansion, external entities)
is refused with a `DiscoveryError`, never expanded; gzip is detected by its magic bytes and
decompressed with a size cap.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from selectolax.lexbor import LexborHTMLParser, LexborNode

from osce_scrape.errors import DiscoveryError
from osce_scrape.errors import ParseError as PageRefused
from osce_scrape.harvest.urls import item_url, normalize_url
from osce_scrape.parse import selectors as sel
from osce_scrape.parse.dates import find_date
from osce_scrape.parse.limits import check_markup, check_tree

log = logging.getLogger(__name__)

# The sitemap protocol caps an uncompressed sitemap at 50 MB; anything larger is refused, which also
# defuses gzip bombs.
MAX_XML_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ListingEntry:
    """One discovered item: its URL and what the listing, sitemap or feed says about it."""

    url: str
    title: str | None
    date: dt.date | None
    content_type: str | None


@dataclass(frozen=True)
class ListingPage:
    """One listing page: its entries, the next page's URL, the last page number (if shown), and how
    many entries were skipped for an unreadable link."""

    entries: list[ListingEntry]
    next_url: str | None
    last_page: int | None
    skipped: int = 0


@dataclass(frozen=True)
class SitemapDoc:
    """A sitemap: page URLs (`<urlset>`, lastmod as date) and child sitemaps (`<sitemapindex>`)."""

    urls: list[ListingEntry]
    sitemaps: list[str]
    skipped: int = 0  # <loc>s that are no URL ("http://[bad")


def listing_url(base_url: str, page: int) -> str:
    """The URL of listing page `page` (0-based), as the site's pager writes it."""
    if page < 0:
        raise ValueError(f"listing page must be >= 0, not {page}")
    return f"{base_url.rstrip('/')}/press-releases?page={page}"


def parse_date(text: str) -> dt.date | None:
    """The date a listing line, lastmod or feed states ("6 June 2023", "Publishing date: 9 Apr 2012",
    "2023-06-06T10:00:00Z"), or None: the parser's own date rules (`dates.find_date`)."""
    return find_date(text)


def join_url(base: str, href: str) -> str | None:
    """`href` made absolute against `base` and normalised (`urls.normalize_url`: one ASCII spelling), or
    None when it is no URL ("http://[bad": urljoin raises)."""
    try:
        return normalize_url(urljoin(base, href.strip()))
    except ValueError:
        return None


def join_item_url(base: str, href: str) -> str | None:
    """`join_url` for an item's link: an item page's query and trailing slash dropped too."""
    url = join_url(base, href)
    return item_url(url) if url is not None else None


# --- listing pages --------------------------------------------------------------------------------


def parse_listing(html: bytes, page_url: str) -> ListingPage:
    """The entries and pager of one page of /press-releases (see selectors' listing group). A listing past
    the parser's caps (an attribute or nesting bomb) is a DiscoveryError, not minutes of CPU."""
    try:
        check_markup(html.decode("utf-8", "replace"), page_url)
        tree = LexborHTMLParser(html)
        check_tree(tree, page_url)
    except PageRefused as exc:
        raise DiscoveryError(exc.reason, source=page_url) from exc
    entries: list[ListingEntry] = []
    skipped = 0
    for node in tree.css(sel.LISTING_ENTRY):
        link = _first(node, sel.LISTING_TITLE_LINK)
        href = link.attributes.get("href") if link else None
        if link is None or not href:
            continue
        if (url := join_item_url(page_url, href)) is None:
            skipped += 1
            log.warning("%s: skipped an entry whose link is no URL: %r", page_url, href[:200])
            continue
        entries.append(_listing_entry(node, link, url))
    return ListingPage(_unique(entries), _next_url(tree, page_url), _last_page(tree), skipped)


def _unique(entries: list[ListingEntry]) -> list[ListingEntry]:
    """The first entry of each URL: variants of one link (`/1/`, `/1?x`, `/1#y`) are one item after
    normalisation, and a document that lists an item twice must not fetch it twice."""
    first = {entry.url: entry for entry in reversed(entries)}  # reversed: the first of each URL wins
    return [entry for entry in entries if first[entry.url] is entry]


def _listing_entry(node: LexborNode, link: LexborNode, url: str) -> ListingEntry:
    title = _clean(link.text(deep=True)) or None
    date_node = node.css_first(sel.LISTING_DATE)
    date = parse_date(_clean(date_node.text(deep=True, separator=" "))) if date_node else None
    type_node = node.css_first(sel.LISTING_CONTENT_TYPE)
    content_type = _strip_label(_clean(type_node.text(deep=True, separator=" "))) if type_node else None
    if date is None or content_type is None:
        # An entry's text is a list of "Label: value" lines: read them where the markup lacks.
        for line in node.text(deep=True, separator="\n").splitlines():
            if match := sel.LISTING_LINE_LABEL.match(line):
                value = _clean(match[2])
                if match[1].lower() == "publishing date" and date is None:
                    date = parse_date(value)
                elif match[1].lower() == "content type" and content_type is None:
                    content_type = value or None
    return ListingEntry(url, title, date, content_type or None)


def _strip_label(text: str) -> str:
    """'Content type: Press release' -> 'Press release' (the label node comes first)."""
    return text.split(":", 1)[1].strip() if ":" in text else text


def _next_url(tree: LexborHTMLParser, page_url: str) -> str | None:
    link = _first(tree, sel.LISTING_NEXT)
    if link is not None and (href := link.attributes.get("href")) and (url := join_url(page_url, href)):
        return url
    # No (readable) "next" link: fall back to the pager's link to the page after this one.
    current = page_number(page_url) or 0
    for item in tree.css(sel.LISTING_PAGE_LINKS):
        href = item.attributes.get("href")
        if href and (url := join_url(page_url, href)) and page_number(url) == current + 1:
            return url
    return None


def _last_page(tree: LexborHTMLParser) -> int | None:
    link = tree.css_first(sel.LISTING_LAST)
    href = link.attributes.get("href") if link else None
    return page_number(href) if href else None


def page_number(url: str) -> int | None:
    """The listing page a URL asks for (`?page=N`), or None (no number, or no URL at all)."""
    try:
        values = parse_qs(urlsplit(url).query).get("page")
    except ValueError:
        return None
    # ASCII digits only: "²".isdigit() is true, and int("²") raises.
    return int(values[0]) if values and values[0].isascii() and values[0].isdigit() else None


def _first(node: LexborNode | LexborHTMLParser, selectors: tuple[str, ...]) -> LexborNode | None:
    for selector in selectors:
        if (found := node.css_first(selector)) is not None:
            return found
    return None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


# --- sitemaps and feeds ---------------------------------------------------------------------------


def parse_sitemap(data: bytes, url: str) -> SitemapDoc:
    """A sitemap (`<urlset>`) or sitemap index (`<sitemapindex>`), plain or gzipped."""
    root = _parse_xml(data, url)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap: root element is <{kind}>", source=url)
    urls: list[ListingEntry] = []
    sitemaps: list[str] = []
    skipped = 0
    for child in root:
        loc = _child_text(child, "loc")
        if not loc:
            continue
        if (target := join_url(url, loc)) is None:
            skipped += 1
            continue
        if _local(child.tag) == "sitemap":
            sitemaps.append(target)
        elif _local(child.tag) == "url":
            target = item_url(target)
            lastmod = _child_text(child, "lastmod")
            title = _descendant_text(child, "title")  # Google News sitemaps: <news:title>
            urls.append(ListingEntry(target, title, parse_date(lastmod or ""), None))
    if skipped:
        log.warning("%s: skipped %d <loc>s that are no URL", url, skipped)
    return SitemapDoc(_unique(urls), list(dict.fromkeys(sitemaps)), skipped)


def parse_feed(data: bytes, url: str) -> list[ListingEntry]:
    """The items of an RSS 2.0 (or RSS 1.0) feed or entries of an Atom feed, in feed order."""
    root = _parse_xml(data, url)
    if _local(root.tag) not in ("rss", "feed", "RDF"):
        raise DiscoveryError(f"not an RSS or Atom feed: root element is <{_local(root.tag)}>", source=url)
    entries: list[ListingEntry] = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        link = _feed_link(item)
        if not link:
            continue
        if (target := join_item_url(url, link)) is None:
            log.warning("%s: skipped an item whose link is no URL: %r", url, link[:200])
            continue
        when = (
            _child_text(item, "pubDate")
            or _child_text(item, "published")
            or _child_text(item, "date")  # RSS 1.0 dc:date
            or _child_text(item, "updated")
        )
        title = _child_text(item, "title")
        entries.append(ListingEntry(target, title or None, _feed_date(when), None))
    return _unique(entries)


def _feed_link(item: Element) -> str | None:
    for child in item:
        if _local(child.tag) != "link":
            continue
        if child.text and child.text.strip():  # RSS: <link>URL</link>
            return child.text.strip()
        if child.get("rel", "alternate") == "alternate" and child.get("href"):  # Atom
            return str(child.get("href", "")).strip()
    return None


def _feed_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    if found := parse_date(text):  # ISO (Atom, dc:date) and the day-month-year of RFC 822 dates
        return found
    try:  # RSS: other RFC 822 forms, "Tue, 06 Jun 23 10:00:00 +0000"
        return email.utils.parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, OverflowError):
        return None


def _parse_xml(data: bytes, url: str) -> Element:
    data = _gunzip(data, url) if data[:2] == GZIP_MAGIC else data
    if len(data) > MAX_XML_BYTES:
        raise DiscoveryError(f"document larger than {MAX_XML_BYTES} bytes", source=url)
    try:
        root: Element = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise DiscoveryError(f"unsafe XML refused ({type(exc).__name__})", source=url) from exc
    except ParseError as exc:
        raise DiscoveryError(f"malformed XML: {exc}", source=url) from exc
    return root


def _gunzip(data: bytes, url: str) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_XML_BYTES + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"corrupt gzip data: {exc}", source=url) from exc
    if len(out) > MAX_XML_BYTES:
        raise DiscoveryError(f"gzip expands beyond {MAX_XML_BYTES} bytes", source=url)
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(node: Element, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _descendant_text(node: Element, name: str) -> str | None:
    for child in node.iter():
        if child is not node and _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None
