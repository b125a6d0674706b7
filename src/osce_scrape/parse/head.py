"""What a page says of itself outside its visible text: canonical URL, language, publication dates in
meta tags and JSON-LD, translations (hreflang alternates), read before any cleaning."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.blocks import collapse

SAVED_HEADER_CHARS = 4096
# Two searches, each led by a literal that the regex engine finds fast (one alternation of both tries every
# position): a browser's comment, and a "WARC-Target-URI:" line found from the "\n" before it.
_SAVED_BY_BROWSER = re.compile(r"<!--\s*saved from url=\(\d+\)(?P<url>https?://\S+?)\s*-->", re.IGNORECASE)
_SAVED_WARC = re.compile(r"\nWARC-Target-URI:\s*<?(?P<url>https?://\S+?)>?\s*$", re.IGNORECASE | re.MULTILINE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_WEB_OR_FILE = re.compile(r"^(https?|file)://", re.IGNORECASE)


# What read_head reads, by kind.
HEAD_SELECTORS = {
    "base": "base[href]",
    "meta": "meta[content]",
    "title": "title",
    "json-ld": 'script[type="application/ld+json"]',
    "canonical": 'link[rel="canonical"]',
    "shortlink": 'link[rel="shortlink"]',
    "alternate": "link[rel=alternate][hreflang]",
}
_ANY_HEAD_SELECTOR = ", ".join(HEAD_SELECTORS.values())
_KIND_OF_TAG = {"base": "base", "meta": "meta", "title": "title", "script": "json-ld"}
_KIND_OF_REL = {"canonical": "canonical", "shortlink": "shortlink", "alternate": "alternate"}


@dataclass
class HeadMeta:
    """What a page says of itself outside its visible text."""

    canonical: str | None = None
    og_url: str | None = None
    shortlink: str | None = None
    html_lang: str | None = None
    og_title: str | None = None
    title_tag: str | None = None
    published: list[tuple[str, str]] = field(default_factory=list)  # (rule, value), precedence order
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> absolute URL


def read_head(tree: LexborHTMLParser, base_url: str | None) -> HeadMeta:
    """Canonical URL, language, publication dates and translations from the head (before any cleaning)."""
    meta = HeadMeta()
    nodes = _head_nodes(tree)
    if base := next(iter(nodes["base"]), None):
        base_url = _absolute(base.attributes.get("href"), base_url) or base_url
    html = tree.root  # the <html> element, as css_first("html") finds it, without a selector's scan
    if html is not None and html.tag == "html":
        meta.html_lang = (
            html.attributes.get("lang") or html.attributes.get("xml:lang") or ""
        ).strip() or None
    meta.canonical = _web_url(_first_href(nodes["canonical"]), base_url)
    tags = _meta_tags(nodes["meta"])
    meta.og_url = _web_url(tags.get(("property", "og:url")), base_url)
    meta.shortlink = _web_url(_first_href(nodes["shortlink"]), base_url)
    meta.og_title = tags.get(("property", "og:title"))
    if title := next(iter(nodes["title"]), None):
        meta.title_tag = collapse(title.text()) or None
    for attribute, name in sel.PUBLISHED_META:
        if value := tags.get((attribute, name)):
            meta.published.append((f"meta:{name}", value))
    if value := _json_ld_published(nodes["json-ld"]):
        meta.published.insert(_json_ld_rank(meta.published), ("json-ld:datePublished", value))
    page_url = meta.canonical or meta.og_url or meta.shortlink or base_url
    for node in nodes["alternate"]:
        lang = (node.attributes.get("hreflang") or "").strip().lower()
        href = _if_absolute(_absolute(node.attributes.get("href"), page_url))
        href = _unsaved(href) if href else None
        if lang and href and lang != "x-default":
            meta.alternates.setdefault(lang, href)
    return meta


def _json_ld_rank(published: list[tuple[str, str]]) -> int:
    # JSON-LD ranks after article:published_time and before DC.date (issue #2's precedence).
    return sum(1 for rule, _ in published if "published_time" in rule or "datePublished" in rule)


def _head_nodes(tree: LexborHTMLParser) -> dict[str, list[LexborNode]]:
    """The nodes of each of HEAD_SELECTORS, in document order, found in one scan of the tree (a scan a
    selector cost as much as the rest of read_head)."""
    nodes: dict[str, list[LexborNode]] = {kind: [] for kind in HEAD_SELECTORS}
    for node in tree.css(_ANY_HEAD_SELECTOR):
        nodes[_head_kind(node)].append(node)
    return nodes


def _head_kind(node: LexborNode) -> str:
    """Which of HEAD_SELECTORS found the node: told by its tag, and a link by its usual rel; the selector
    engine is asked only about other spellings ("Canonical": HTML compares some values case-blind)."""
    kind = _KIND_OF_TAG.get(node.tag or "")
    if kind is None and node.tag == "link":
        kind = _KIND_OF_REL.get(node.attributes.get("rel") or "")
    return kind or next(kind for kind, selector in HEAD_SELECTORS.items() if node.css_matches(selector))


def _meta_tags(nodes: list[LexborNode]) -> dict[tuple[str, str], str]:
    """(attribute, name) -> content of every <meta> with content, first one wins."""
    tags: dict[tuple[str, str], str] = {}
    for node in nodes:
        attributes = node.attributes
        content = (attributes.get("content") or "").strip()
        for attribute in ("property", "name", "itemprop"):
            if content and (name := attributes.get(attribute)):
                tags.setdefault((attribute, name.strip()), content)
    return tags


def _json_ld_published(nodes: list[LexborNode]) -> str | None:
    for node in nodes:
        try:
            data = json.loads(node.text() or "null")
        except ValueError:
            continue
        if found := _find_key(data, "datePublished"):
            return found
    return None


def _find_key(data: object, key: str, depth: int = 0) -> str | None:
    if depth > 8:
        return None
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            if found := _find_key(item, key, depth + 1):
                return found
    return None


def saved_copy_url(text: str) -> str | None:
    """The URL a saved copy names at its top: a browser's `<!-- saved from url=(0047)https://… -->`, or
    the `WARC-Target-URI:` of a WARC record saved with its headers."""
    top = "\n" + text[:SAVED_HEADER_CHARS]  # the first line, too, follows a "\n"
    browser, warc = _SAVED_BY_BROWSER.search(top), _SAVED_WARC.search(top)
    first = warc if warc and (browser is None or warc.start() < browser.start()) else browser
    return unwrap_url(first["url"]) if first else None


def _first_href(nodes: list[LexborNode]) -> str | None:
    return nodes[0].attributes.get("href") if nodes else None


def _web_url(href: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL, or None: a canonical that a saver (wget) rewrote into a local file names
    the copy, not the page."""
    url = _if_absolute(_absolute(href, base))
    return _unsaved(url) if url and not url.lower().startswith("file:") else None


def _unsaved(url: str) -> str:
    """wget's ".html" taken off a node URL of the site (its node URLs never end so)."""
    return match[1] if (match := sel.SAVED_NODE_URL.match(url)) else url


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href or not href.strip():
        return None
    href = href.strip()
    return urljoin(base, href) if base and not _SCHEME.match(href) else href


def _if_absolute(url: str | None) -> str | None:
    """A relative URL left relative (no base to resolve it against) is no URL at all; nor is one that
    does not parse (`https://[junk/`, a port past 65535)."""
    if not url or not _WEB_OR_FILE.match(url) or not is_well_formed(url):
        return None
    return unwrap_url(url)


def is_well_formed(url: str) -> bool:
    """An absolute URL that parses: a host (file: URLs aside), brackets that close, a valid port."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (urlsplit checks the port only when asked)
    except ValueError:
        return False
    return parts.scheme.lower() == "file" or bool(parts.hostname)


def unwrap_url(url: str) -> str:
    """The site's own URL inside a web archive's or a proxy's (a page saved through the Wayback Machine
    or a translation proxy names its copy, not the original)."""
    for pattern in sel.WRAPPED_URLS:
        if match := pattern.match(url):
            return match["inner"]
    return url
