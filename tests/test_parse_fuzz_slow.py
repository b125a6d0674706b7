"""The parser under fuzzing at scale (issue #4): thousands of mutated fixture pages, each parsed
within 2 s (hypothesis deadline), never a crash, never a record that fails validation.

Slow: `.venv/bin/pytest -m slow tests/test_parse_fuzz_slow.py` (about a minute for 3,000 cases).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osce_scrape import ParseError, PressRelease, parse_page

PAGES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "pages").glob("*.html"))
SOURCES = [page.read_bytes() for page in PAGES]
TAGS = [b"p", b"div", b"h1", b"time", b"table", b"script", b"style", b"li", b"dl", b"dd", b"article", b"meta"]
ACTIONS = ["cut", "dup", "junk", "tag", "flip", "truncate", "swap"]


@st.composite
def mutated_pages(draw: st.DrawFn) -> tuple[str, bytes]:
    """A fixture page with 1-8 mutations: cuts, duplicated spans, junk bytes, wrapping tags, flipped
    bytes, truncation, spans swapped with another fixture page."""
    index = draw(st.integers(0, len(SOURCES) - 1))
    page = SOURCES[index]
    for _ in range(draw(st.integers(1, 8))):
        start = draw(st.integers(0, len(page)))
        end = draw(st.integers(start, min(len(page), start + 2000)))
        action = draw(st.sampled_from(ACTIONS))
        if action == "cut":
            page = page[:start] + page[end:]
        elif action == "dup":
            page = page[:start] + page[start:end] * draw(st.integers(2, 20)) + page[start:]
        elif action == "junk":
            page = page[:start] + draw(st.binary(max_size=60)) + page[start:]
        elif action == "tag":
            tag = draw(st.sampled_from(TAGS))
            page = page[:start] + b"<" + tag + b">" + page[start:end] + b"</" + tag + b">" + page[end:]
        elif action == "flip" and page:
            at = min(start, len(page) - 1)
            page = page[:at] + bytes([page[at] ^ draw(st.integers(1, 255))]) + page[at + 1 :]
        elif action == "truncate":
            page = page[:start]
        elif action == "swap":
            other = SOURCES[draw(st.integers(0, len(SOURCES) - 1))]
            page = page[:start] + other[start:end] + page[end:]
    return PAGES[index].name, page


@pytest.mark.slow
@settings(max_examples=3000, deadline=2000, suppress_health_check=list(HealthCheck), derandomize=True)
@given(mutated_pages(), st.sampled_from([None, "utf-8", "windows-1251", "latin-1"]))
def test_mutated_fixture_pages_parse_to_valid_records_or_parse_errors(
    case: tuple[str, bytes], encoding: str | None
) -> None:
    """Each mutated page gives a record that validates again from its JSON line, or a ParseError
    with a reason; nothing else escapes, and no page takes over 2 s."""
    name, html = case
    try:
        record = parse_page(
            html, url=f"https://www.osce.org/fuzz/{zlib.crc32(name.encode()) % 10**6}", encoding=encoding
        )
    except ParseError as exc:
        assert exc.reason
        return
    assert isinstance(record, PressRelease)
    again = PressRelease.model_validate_json(record.to_json_line())
    assert again == record and record.title.strip() and record.body.strip()
