"""The fixture pages (NN-slug.html + NN-slug.expected.json), served as-is.

They live in the package (mirror/pages/, written by fixtures/make_fixtures.py; fixtures/pages/ links to
them), so an installed wheel serves the same site as the source checkout.

A fixture is served at its canonical URL's path; one whose page names no URL (`"url": null`) is
served at /node/{FIXTURE_IDS + n} with a canonical link to https://www.osce.org/node/{FIXTURE_IDS + n}
added, as the real site names every page: so no record's URL is the mirror's own (its port changes
from run to run, and a record would change with it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parent / "pages"
FIXTURE_IDS = 990_000  # node ids for pages without a URL, above any generated id
UNDATED = dt.date(2015, 1, 1)  # listing date of rejected pages, which have no record date
SITE = "https://www.osce.org"  # the canonical URLs the mirror's pages name
_HEAD = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class FixturePage:
    """One fixture page: its bytes, where it is served, and its expected record (None if rejected)."""

    path: str
    content: bytes
    expected: dict[str, Any] | None
    title: str
    date: dt.date
    content_type: str | None
    charset: str | None  # "utf-8" when the bytes are UTF-8, else None: the page declares its own

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.content).hexdigest()[:16] + '"'

    @property
    def modified(self) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time(12), dt.UTC)

    def expected_record(self, base_url: str) -> dict[str, Any] | None:
        """The expected record; a page without a URL gets the served URL and its node id."""
        if self.expected is None:
            return None
        record = dict(self.expected)
        if record.get("url") is None:
            record["url"] = base_url + self.path
            language = record.get("language") or "en"
            node_id = self.path.rsplit("/", 1)[-1]
            record["id"] = node_id if language == "en" else f"{node_id}-{language}"
        return record


def load_fixtures(folder: Path | None) -> list[FixturePage]:
    """Every HTML fixture with an expected record beside it, in file-name order."""
    if folder is None or not folder.is_dir():
        return []
    pages: list[FixturePage] = []
    used: set[str] = set()
    for n, html_path in enumerate(sorted(folder.glob("*.htm*"))):
        expected_path = html_path.with_name(html_path.stem + ".expected.json")
        if not expected_path.is_file():
            log.debug("fixture %s has no expected record; not served", html_path.name)
            continue
        page = _fixture(html_path, json.loads(expected_path.read_text(encoding="utf-8")), n, used)
        used.add(page.path)
        pages.append(page)
    return pages


def _fixture(html_path: Path, expected: dict[str, Any], n: int, used: set[str]) -> FixturePage:
    content = html_path.read_bytes()
    tree = LexborHTMLParser(content)
    rejected = "rejected" in expected
    url = _page_url(tree) if rejected else expected.get("url")
    path = urlsplit(url).path if url else ""
    if not path or path == "/" or path in used:
        path = f"/node/{FIXTURE_IDS + n}"
    if not rejected and not url:
        content, expected = _named(content, expected, path)
    title = (expected.get("title") if not rejected else None) or _page_title(tree) or html_path.stem
    date = dt.date.fromisoformat(expected["date"]) if not rejected else UNDATED
    try:
        content.decode("utf-8")
        charset: str | None = "utf-8"
    except UnicodeDecodeError:
        charset = None
    return FixturePage(
        path=path,
        content=content,
        expected=None if rejected else expected,
        title=title,
        date=date,
        content_type=None if rejected else expected.get("content_type"),
        charset=charset,
    )


def _named(content: bytes, expected: dict[str, Any], path: str) -> tuple[bytes, dict[str, Any]]:
    """The page with a canonical link to its www.osce.org URL, and the record that then expects."""
    link = f'<link rel="canonical" href="{SITE}{path}" />'.encode("ascii")
    head = _HEAD.search(content)
    at = head.end() if head else 0
    node_id = path.rsplit("/", 1)[-1]
    language = expected.get("language") or "en"
    record_id = node_id if language == "en" else f"{node_id}-{language}"
    return content[:at] + link + content[at:], {**expected, "url": SITE + path, "id": record_id}


def _page_url(tree: LexborHTMLParser) -> str | None:
    for selector, attr in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        if node is not None and (value := node.attributes.get(attr)):
            return value
    return None


def _page_title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("h1") or tree.css_first("title")
    text = " ".join(node.text().split()) if node is not None else ""
    return text.removesuffix(" | OSCE") or None
