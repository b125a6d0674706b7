"""bytes + URL -> PressRelease, or a ParseError saying why not. Pure: no I/O, no HTTP, no state.

The same code serves the crawl, WARC re-parsing, the fixtures and the text snapshots.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from pydantic import ValidationError

from osce_scrape.errors import NotAPressRelease, ParseError
from osce_scrape.models import PressRelease, Provenance
from osce_scrape.parse import selectors as sel
from osce_scrape.parse.blocks import PageBlocks, collapse
from osce_scrape.parse.dates import find_dateline
from osce_scrape.parse.decode import decode_html
from osce_scrape.parse.fields import (
    DATELINE_LOOKAHEAD,
    Found,
    Roles,
    classify_blocks,
    extract_body,
    extract_contacts,
    extract_content_type,
    extract_date,
    extract_dateline,
    extract_place,
    fallback_date,
)
from osce_scrape.parse.head import HeadMeta, is_well_formed, read_head, saved_copy_url
from osce_scrape.parse.htmlpage import page_blocks, parse_html
from osce_scrape.parse.labels import read_metadata
from osce_scrape.parse.language import declared_language, settle_language
from osce_scrape.parse.textpage import could_be_headline, headline_index, split_leading_lines, text_blocks
from osce_scrape.parse.version import PARSER_VERSION

_FEED_ROOT = re.compile(r"^\ufeff?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.DOTALL)
_TITLE_SEPARATORS = re.compile(r"\s+(?:-|–|—|\||::|»)\s+")
DELIVERED_LOOKAHEAD = 3  # "Check against delivery" and the document number head a delivered text
LISTING_MIN_TEASERS = 3  # a page of teasers and no dated article is a listing or a landing page


def parse_page(html: str | bytes, url: str | None = None, *, encoding: str | None = None) -> PressRelease:
    """Parse one HTML page of www.osce.org into a validated record.

    `url` is where the page came from (used when the page names no canonical URL); `encoding` is the one
    declared by HTTP, if any. Raises NotAPressRelease for listings, events, landing and error pages, and
    ParseError for a press release that cannot be read or validated.
    """
    text = html if isinstance(html, str) else decode_html(html, encoding)[0]
    if url is None or url.lower().startswith("file:"):  # a saved copy may say where it came from
        url = saved_copy_url(text) or url
    if _FEED_ROOT.match(text):
        raise NotAPressRelease("an RSS or Atom feed, not a page", source=url)
    tree = parse_html(text, url)
    head = read_head(tree, url)
    hint = sel.SITE_NAME_SUFFIX.sub("", head.og_title or head.title_tag or "").strip() or None
    page = page_blocks(tree, hint)
    page.title_rule = "h1"
    if page.title is None:
        _headline_without_h1(page, hint, "og:title" if head.og_title else "title-tag")
    if page.container is None:
        page.narrow_to_headline()
    return _build(page, head, url)


def _headline_without_h1(page: PageBlocks, hint: str | None, hint_rule: str) -> None:
    """No headline element: the page's <title> when it is specific (its block, if shown, is the headline),
    else the first headline-like line of the article (a 1990s table page titled "OSCE Press Release")."""
    if hint and not _generic(hint):
        page.title, page.title_rule = hint, hint_rule
        # The <title> may add the site's or a section's name: "OSCE Mission to Skopje - <headline>".
        segments = {
            " ".join(s.casefold().split()) for s in [hint, *_TITLE_SEPARATORS.split(hint)] if s.strip()
        }
        shown = [i for i, b in enumerate(page.blocks) if b.key in segments]
        if shown:
            page.title_index = max(shown, key=lambda i: len(page.blocks[i].text))
            page.title = page.blocks[page.title_index].text
        return
    page.blocks = split_leading_lines(page.blocks)
    page.title_index = _first_heading(page)
    if page.title_index >= 0:
        page.title, page.title_rule = page.blocks[page.title_index].text, "first-heading"
        return
    page.title_index = headline_index([b for b in page.blocks if b.in_article])
    if page.title_index >= 0:
        article = [i for i, b in enumerate(page.blocks) if b.in_article]
        page.title_index = article[page.title_index]
        page.title, page.title_rule = page.blocks[page.title_index].text, "first-line"
    else:
        page.title, page.title_rule = hint, hint_rule


def _first_heading(page: PageBlocks) -> int:
    """The first <h2>-<h4> of the article before its dateline that could be a headline (a 2000 page
    with its title in an <H3> under a structure's name)."""
    for index, block in enumerate(page.blocks):
        if not block.in_article:
            continue
        if find_dateline(block.text) is not None:
            return -1
        if 2 <= block.heading <= 4 and could_be_headline(block) and block.key not in sel.CONTENT_TYPES:
            return index
    return -1


def _generic(title: str) -> bool:
    """A <title> that names no article: "OSCE Press Release", "Newsroom", "OSCE"."""
    rest = re.sub(r"\bOSCE\b", "", title, flags=re.IGNORECASE).strip(" -|:–—").casefold()
    return not rest or rest in sel.CONTENT_TYPES or rest in sel.MENU_LABELS or rest in sel.SECTION_HEADS


def parse_text(text: str | bytes, url: str | None = None) -> PressRelease:
    """Parse a plain-text rendering of a page (menus as "- " lines) into the same record as its HTML."""
    if isinstance(text, bytes):
        text = decode_html(text)[0]
    page = text_blocks(text)
    if page.title_index >= 0:
        page.title = page.blocks[page.title_index].text
        page.title_rule = "text-headline"
    return _build(page, HeadMeta(), url)


def _build(page: PageBlocks, head: HeadMeta, fetched_url: str | None) -> PressRelease:
    url = page_url(head, fetched_url)
    if url.value is None:
        raise ParseError("the page names no URL (no canonical link or og:url) and none was given")
    if not is_well_formed(url.value):
        raise ParseError(f"the URL given, {url.value!r}, does not parse", source=url.value)
    language = declared_language(head.html_lang, url.value)
    _reject_non_articles(page, url.value)
    end = page.article_end()
    meta = read_metadata(page.blocks, end=end, prose=page.prose_span(end))
    if other := [label for label in meta.labels if label in sel.NON_ARTICLE_LABELS]:
        raise NotAPressRelease(
            f"has {', '.join(sorted(set(other)))} labels: an event or election page",
            source=url.value,
        )
    roles = classify_blocks(page, meta, language.code)
    content_type = extract_content_type(page, roles, meta)
    if content_type.value and content_type.value.casefold() in sel.NON_PRESS_TYPES:
        raise NotAPressRelease(
            f"content type {content_type.value!r} is not a press release", source=url.value
        )
    paragraphs = extract_body(page, roles)
    if not paragraphs:
        raise NotAPressRelease("no article text found", source=url.value)
    if sel.DELIVERED_TEXT.search("\n".join(paragraphs[:DELIVERED_LOOKAHEAD])):
        raise NotAPressRelease("a speech or statement delivered at a meeting", source=url.value)
    language = settle_language(language, paragraphs, url.value, DATELINE_LOOKAHEAD)
    dateline = extract_dateline(paragraphs, language.code)
    date = extract_date(page, roles, meta, head.published, dateline, language.code)
    if date is None and roles.teasers < LISTING_MIN_TEASERS:
        date = fallback_date(head.title_tag or page.title, language.code)
    if date is None:
        raise _undated(roles, bool(content_type.value or meta.labels), url.value)
    place = extract_place(meta, dateline, roles)
    body = "\n\n".join(paragraphs)
    rules = {
        "url": url.rule, "language": language.rule, "content_type": content_type.rule,
        "title": page.title_rule, "date": date.rule, "place": place.rule,
        "sources": "metadata" if meta.values.get("sources") else "none",
        "fields_of_work": "metadata" if meta.values.get("fields") else "none",
        "body": f"container:{page.container}" if page.container else "blocks",
    }  # fmt: skip
    try:
        return PressRelease(
            id=record_id(url.value, language.code),
            url=url.value,
            language=language.code,
            content_type=content_type.value,
            title=page.title or "",
            date=date.value,
            place=place.value,
            sources=_unique(meta.values.get("sources", [])),
            fields_of_work=_unique(meta.values.get("fields", [])),
            body=body,
            contacts=extract_contacts(page, roles),
            translations={k: v for k, v in head.alternates.items() if k[:2] != language.code},
            provenance=Provenance(
                parser_version=PARSER_VERSION,
                body_sha256=hashlib.sha256(body.encode()).hexdigest(),
                rules=rules,
            ),
        )
    except ValidationError as exc:
        raise ParseError(_validation_reason(exc), source=url.value) from exc


def page_url(head: HeadMeta, fetched_url: str | None) -> Found[str | None]:
    """The URL a record is known by (its id comes from it): the first name the page gives itself
    (canonical, og:url, shortlink) that is an item URL of the site, else the web URL it was fetched
    from. A name that is no item URL (a template pointing every page's canonical at "/") is only used
    when there is nothing better: believed, it would give many pages one id."""
    named = [("canonical", head.canonical), ("og:url", head.og_url), ("shortlink", head.shortlink)]
    for rule, value in named:
        if value and sel.ITEM_PATH.match(urlsplit(value).path) and _same_site(value, fetched_url):
            return Found(value, rule)
    if fetched_url and not fetched_url.lower().startswith("file:"):
        return Found(fetched_url, "given")
    for rule, value in named:  # a local file's path is no better a name than the page's own
        if value:
            return Found(value, rule)
    return Found(fetched_url, "given")


def _same_site(name: str, fetched_url: str | None) -> bool:
    """A name on the host the page came from, or on the site's own domain (a mirror's pages name
    www.osce.org); a page fetched from one host naming another's URL would take that page's record id."""
    host = (urlsplit(name).hostname or "").lower()
    if host == sel.SITE_DOMAIN or host.endswith("." + sel.SITE_DOMAIN):
        return True
    if not fetched_url or fetched_url.lower().startswith("file:"):
        return True  # a saved file names where it came from; nothing to compare it with
    return host == (urlsplit(fetched_url).hostname or "").lower()


def _undated(roles: Roles, labelled: bool, url: str) -> ParseError:
    """No publication date (a date in the lead's prose does not count): a listing or landing page,
    unless the page is labelled as a press release."""
    if roles.teasers >= LISTING_MIN_TEASERS or not labelled:
        return NotAPressRelease(
            "no publication date, dateline or press-release label: a landing or listing page", source=url
        )
    return ParseError(
        "no publication date (metadata, <time>, meta tags, header line or dateline)", source=url
    )


def _reject_non_articles(page: PageBlocks, url: str) -> None:
    if not page.title:
        raise NotAPressRelease("no headline (h1) found: not an article page", source=url)
    title = page.title.casefold()
    if sel.ERROR_TITLES.match(page.title):
        raise NotAPressRelease(f"an error page ({page.title!r})", source=url)
    if title in sel.MENU_LABELS or title == sel.SITE_NAME.casefold():
        raise NotAPressRelease(
            f"headline {page.title!r} is a section name: a listing or landing page", source=url
        )


def record_id(url: str, language: str) -> str:
    """The node number of the URL (`/secretariat/101809` -> "101809"), "-<lang>" added when not English;
    a hash of the URL when it has no node number."""
    path = urlsplit(url).path
    match = sel.NODE_ID_IN_PATH.search(path)
    base = match[1] if match else "u" + hashlib.sha256(url.encode()).hexdigest()[:16]
    return base if language == "en" else f"{base}-{language}"


def _unique(values: list[str]) -> list[str]:
    """Values cleaned, in page order, each once (a source linked twice is one source)."""
    kept: list[str] = []
    seen: set[str] = set()
    for value in values:
        cleaned = collapse(value).strip(" ,;.")
        if cleaned and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            kept.append(cleaned)
    return kept


def _validation_reason(exc: ValidationError) -> str:
    return "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
