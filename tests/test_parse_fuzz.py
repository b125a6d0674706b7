"""Mangled or arbitrary input never crashes the parser: a valid record or the project's error, always."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osce_scrape import ParseError, PressRelease, parse_page, parse_text
from pagekit import BODY, TITLE, page

SEED_PAGE = page(
    f'<div class="content-type">Press release</div><h1>{TITLE}</h1><ul><li>Date:</li><li>Place:</li>'
    f"<li>VIENNA</li><li>Source:</li><li>OSCE Secretariat</li></ul>{BODY}<h2>Contacts</h2><p>Press</p>"
)
TAGS = ["p", "div", "li", "ul", "h1", "h2", "time", "a", "br", "table", "td", "dl", "dt", "dd", "script"]


def _check(result: object) -> None:
    assert isinstance(result, PressRelease)
    assert result.title and result.body


def _parse(data: str | bytes) -> None:
    try:
        _check(parse_page(data, url="https://www.osce.org/secretariat/1"))
    except ParseError as exc:
        assert exc.reason


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_pages_never_crash(data: st.DataObject) -> None:
    """Cutting, splicing and duplicating pieces of a full page gives a record or a ParseError."""
    html = SEED_PAGE
    for _ in range(data.draw(st.integers(1, 6))):
        start = data.draw(st.integers(0, len(html)))
        end = data.draw(st.integers(start, min(len(html), start + 400)))
        action = data.draw(st.sampled_from(["cut", "dup", "junk", "tag"]))
        if action == "cut":
            html = html[:start] + html[end:]
        elif action == "dup":
            html = html[:start] + html[start:end] * 2 + html[start:]
        elif action == "junk":
            html = html[:start] + data.draw(st.text(max_size=40)) + html[start:]
        else:
            tag = data.draw(st.sampled_from(TAGS))
            html = html[:start] + f"<{tag}>" + html[start:end] + f"</{tag}>" + html[end:]
    _parse(html)


@settings(max_examples=150, deadline=2000)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    """Random bytes (any encoding, or none) give a ParseError, never another exception."""
    _parse(data)


@settings(max_examples=100, deadline=2000)
@given(st.text(max_size=2000))
def test_arbitrary_text_snapshots_never_crash(text: str) -> None:
    """Random text given to the snapshot parser gives a record or a ParseError."""
    try:
        _check(parse_text(text, url="file:///x.txt"))
    except ParseError as exc:
        assert exc.reason


def test_deeply_nested_markup_does_not_overflow() -> None:
    """Ten thousand nested elements are walked without recursion limits."""
    html = "<div>" * 10_000 + f"<h1>{TITLE}</h1>{BODY}" + "</div>" * 10_000
    record = parse_page(html, url="https://www.osce.org/secretariat/2")
    assert record.title == TITLE


YEAR_ONE = '<meta property="article:published_time" content="0001-01-01T00:00:00+14:00">'
EDGE_INPUTS = {
    "timestamp at the calendar's end": page(f'<h1>{TITLE}</h1><time datetime="9999-12-31T23:59:00-05:00">'
                                            f"</time>{BODY}"),
    "year 0001 meta date": page(f"<h1>{TITLE}</h1>{BODY}", head=YEAR_ONE),
    "Turkish dotted and dotless i in labels": page(f"<h1>{TITLE}</h1><ul><li>Locatİon:</li><li>x</li>"
                                                   f"<li>Publıshed: 1 May 2010</li></ul>{BODY}"),
    "non-text codec declared": "<meta charset=punycode>" + page(f"<h1>{TITLE}</h1>{BODY}"),
    "unknown codec declared": page(f"<h1>{TITLE}</h1>{BODY}", charset="x-no-such-codec"),
    "utf-16 without a BOM declared": page(f"<h1>{TITLE}</h1>{BODY}", charset="utf-16"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(EDGE_INPUTS))
def test_edge_inputs_give_a_record_or_the_projects_error(case: str) -> None:
    """Inputs that once escaped the contract (OverflowError, KeyError, UnicodeError) now do not."""
    html = EDGE_INPUTS[case]
    for data in (html, html.encode("utf-8")):
        _parse(data)
        with contextlib.suppress(ParseError):  # a non-text codec declared by HTTP is ignored too
            _check(parse_page(data, url="https://www.osce.org/secretariat/1", encoding="punycode"))


@settings(max_examples=120, deadline=2000)
@given(
    charset=st.text(alphabet=st.characters(categories=["L", "N", "Pd"]), min_size=1, max_size=15),
    stamp=st.text(max_size=30),
    label=st.sampled_from(["Date", "Source", "Place", "Fields of work", "Location"]).map(
        lambda s: s.replace("i", "İ").replace("o", "ο")
    ),
)
def test_declared_charsets_stamps_and_labels_never_crash(charset: str, stamp: str, label: str) -> None:
    """Any declared charset, <time datetime> value and look-alike label: a record or a ParseError."""
    article = f'<h1>{TITLE}</h1><time datetime="{stamp}"></time><ul><li>{label}:</li><li>x</li></ul>{BODY}'
    html = page(article, charset=charset)
    _parse(html.encode("utf-8", errors="replace"))
