"""The fixture corpus (fixtures/pages) is whole and self-consistent: the parser's exam has a valid key.

These tests check the corpus, not the parser: every page has its expected record, every record has the
contract's keys and plausible values, and every expected value is really written in its page.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = FIXTURES / "pages"
REFERENCE = FIXTURES / "reference" / "page-snapshot-moscow-2009.txt"  # the checkout's copy of the real page
SHARED_REFERENCE = FIXTURES.parent.parent / "shared" / "reference"  # beside a developer's checkout only
MIRROR_PAGES = FIXTURES.parent / "src" / "osce_scrape" / "mirror" / "pages"
KEYS = {
    "id", "url", "language", "content_type", "title", "date", "place", "sources",
    "fields_of_work", "body", "contacts", "translations",
}  # fmt: skip
PAGE_SUFFIXES = (".html", ".txt")


def page_files() -> list[Path]:
    return sorted(p for p in PAGES.iterdir() if p.suffix in PAGE_SUFFIXES)


def expected_of(page: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(page.with_suffix(".expected.json").read_text("utf-8"))
    return record


def records() -> list[tuple[Path, dict[str, Any]]]:
    return [(p, expected_of(p)) for p in page_files()]


def accepted() -> list[tuple[Path, dict[str, Any]]]:
    return [(p, r) for p, r in records() if "rejected" not in r]


def decode(raw: bytes) -> str:
    """UTF-8, else windows-1251 (the only legacy encoding in the corpus)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


def collapse(text: str) -> str:
    return " ".join(text.split())


def visible_texts(page: Path) -> list[str]:
    """The page's text, whitespace collapsed, joined two ways (text nodes glued, and spaced)."""
    raw = decode(page.read_bytes())
    if page.suffix == ".txt":
        return [collapse(raw)]
    tree = HTMLParser(raw)
    assert tree.body is not None
    return [collapse(tree.body.text(separator="")), collapse(tree.body.text(separator=" "))]


def test_every_page_has_an_expected_record() -> None:
    """Each .html/.txt page has its NN-slug.expected.json beside it."""
    missing = [p.name for p in page_files() if not p.with_suffix(".expected.json").exists()]
    assert missing == []


def test_every_expected_record_has_a_page() -> None:
    """No orphan answer: each .expected.json belongs to exactly one page file."""
    for record in PAGES.glob("*.expected.json"):
        stem = record.name.removesuffix(".expected.json")
        pages = [PAGES / f"{stem}{suffix}" for suffix in PAGE_SUFFIXES]
        assert sum(p.exists() for p in pages) == 1, record.name


def test_corpus_is_big_and_varied_enough() -> None:
    """At least 34 pages, 5 rejections, 3 languages and 2 plain-text snapshots."""
    all_records = records()
    assert len(all_records) >= 34
    assert sum("rejected" in r for _, r in all_records) >= 5
    assert len({r["language"] for _, r in accepted()}) >= 3
    assert len([p for p in page_files() if p.suffix == ".txt"]) >= 2


@pytest.mark.parametrize("page", page_files(), ids=lambda p: p.stem)
def test_expected_record_keeps_the_contract(page: Path) -> None:
    """The record has exactly the contract's keys and well-formed values (or is a rejection)."""
    record = expected_of(page)
    if "rejected" in record:
        assert record == {"rejected": "NotAPressRelease"}
        return
    assert set(record) == KEYS
    day = dt.date.fromisoformat(record["date"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["date"])
    assert dt.date(1973, 1, 1) <= day <= dt.date.today()
    assert re.fullmatch(r"[a-z]{2}", record["language"])
    assert record["title"] == collapse(record["title"]) != ""
    assert all(isinstance(v, str) and v == v.strip() and v for v in record["sources"])
    assert all(isinstance(v, str) and v == v.strip() and v for v in record["fields_of_work"])
    paragraphs = record["body"].split("\n\n")
    assert all(p == collapse(p) and p for p in paragraphs)
    assert record["contacts"] is None or all(
        line == collapse(line) and line for line in record["contacts"].split("\n")
    )
    assert record["place"] is None or record["place"] == record["place"].strip() != ""
    assert all(re.fullmatch(r"https?://\S+", u) for u in record["translations"].values())
    assert record["language"] not in record["translations"]


@pytest.mark.parametrize("page", [p for p, _ in accepted()], ids=lambda p: p.stem)
def test_id_follows_from_url_and_language(page: Path) -> None:
    """id is the URL's node number plus "-lang" off English; both are null when the page has no URL."""
    record = expected_of(page)
    if record["url"] is None:
        assert record["id"] is None
        return
    node = re.search(r"/(\d+)/?$", record["url"])
    assert node is not None, record["url"]
    suffix = "" if record["language"] == "en" else f"-{record['language']}"
    assert record["id"] == node.group(1) + suffix
    raw = decode(page.read_bytes())
    assert f'href="{record["url"]}"' in raw or f'content="{record["url"]}"' in raw


@pytest.mark.parametrize("page", [p for p, _ in accepted()], ids=lambda p: p.stem)
def test_expected_values_are_written_in_the_page(page: Path) -> None:
    """Title, every body paragraph, place, sources, fields and contact lines appear in the page's text."""
    record = expected_of(page)
    texts = visible_texts(page)

    def shown(value: str) -> bool:
        return any(value in text for text in texts)

    wanted = [record["title"], *record["body"].split("\n\n"), *record["sources"], *record["fields_of_work"]]
    wanted += record["contacts"].split("\n") if record["contacts"] else []
    wanted += [record["place"]] if record["place"] else []
    assert [w for w in wanted if not shown(w)] == []


@pytest.mark.parametrize("page", [p for p in page_files() if p.suffix == ".html"], ids=lambda p: p.stem)
def test_html_page_is_a_full_document(page: Path) -> None:
    """Each HTML page parses with selectolax and has a head title "… | OSCE", menus and a footer."""
    tree = HTMLParser(decode(page.read_bytes()))
    title = tree.css_first("head > title")
    assert title is not None and title.text().endswith("| OSCE")
    assert len(tree.css("ul li a")) > 50  # the mega menu
    assert "Page last updated" in (tree.body.text() if tree.body else "")


def test_a_windows_1251_page_declares_no_charset() -> None:
    """At least one page is windows-1251 with no charset anywhere, and one declares it in a meta tag."""
    cp1251 = [p for p in page_files() if p.suffix == ".html" and not _is_utf8(p.read_bytes())]
    undeclared = [p for p in cp1251 if b"charset" not in p.read_bytes().lower()]
    declared = [p for p in cp1251 if b"charset=windows-1251" in p.read_bytes().lower()]
    assert undeclared and declared
    for page in cp1251:
        assert "ОБСЕ" in page.read_bytes().decode("cp1251")


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_moscow_snapshot_is_issue_2s_case() -> None:
    """The stored snapshot's copy has issue #2's answer: seven paragraphs from the dateline, no URL."""
    page = PAGES / "01-moscow-2009-snapshot.txt"
    record = expected_of(page)
    assert record["body"].startswith("MOSCOW, 20 November 2009 - The OSCE Special Representative")
    assert len(record["body"].split("\n\n")) == 7
    assert (record["url"], record["date"], record["place"]) == (None, "2009-11-20", "MOSCOW")
    assert page.read_bytes() == REFERENCE.read_bytes()


@pytest.mark.skipif(not SHARED_REFERENCE.is_dir(), reason="no ../shared/reference beside this checkout")
def test_reference_copies_match_the_shared_originals() -> None:
    """fixtures/reference holds exact copies of ../shared/reference's files, where that folder exists."""
    for copy in (FIXTURES / "reference").iterdir():
        assert copy.read_bytes() == (SHARED_REFERENCE / copy.name).read_bytes(), copy.name


def test_the_mirror_serves_the_fixture_pages_themselves() -> None:
    """Each HTML fixture and its answer live once, in the package (an installed wheel's mirror serves them):
    fixtures/pages holds a relative link to each, and nothing else of the package's is left unlinked."""
    linked = {p.name: p.resolve() for p in PAGES.iterdir() if p.is_symlink()}
    html = {p.stem for p in PAGES.glob("*.html")}
    assert sorted(linked) == sorted(p.name for p in PAGES.iterdir() if p.name.split(".")[0] in html)
    assert linked == {p.name: p.resolve() for p in MIRROR_PAGES.iterdir()}
    assert all(not Path(os.readlink(PAGES / name)).is_absolute() for name in linked)


def test_html_and_text_moscow_pages_agree() -> None:
    """The Moscow page as HTML has the snapshot's record except for its URL, id and translations."""
    text_record = expected_of(PAGES / "01-moscow-2009-snapshot.txt")
    html_record = expected_of(PAGES / "02-moscow-2009-secretariat.html")
    ignore = {"url", "id", "translations"}
    assert {k: v for k, v in html_record.items() if k not in ignore} == {
        k: v for k, v in text_record.items() if k not in ignore
    }
    assert html_record["url"].startswith("https://www.osce.org/secretariat/")


def test_generator_reproduces_the_corpus(tmp_path: Path) -> None:
    """fixtures/make_fixtures.py rewrites exactly the committed pages and answers (no hand edits)."""
    sys.path.insert(0, str(FIXTURES))
    try:
        import make_fixtures  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(FIXTURES))
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "page-snapshot-moscow-2009.txt").write_bytes(
        (PAGES / "01-moscow-2009-snapshot.txt").read_bytes()
    )
    out = tmp_path / "pages"
    mirror = tmp_path / "mirror"
    assert (
        make_fixtures.main(["--reference", str(reference), "--out", str(out), "--mirror", str(mirror)]) == 0
    )
    assert {p.name: p.read_bytes() for p in mirror.iterdir()} == {
        p.name: p.read_bytes() for p in MIRROR_PAGES.iterdir()
    }
    assert {p.name for p in out.iterdir() if p.is_symlink()} == {
        p.name for p in PAGES.iterdir() if p.is_symlink()
    }
    committed = {p.name: p.read_bytes() for p in PAGES.iterdir()}
    regenerated = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(regenerated) == sorted(committed)
    assert [name for name in committed if committed[name] != regenerated[name]] == []
