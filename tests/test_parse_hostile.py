"""Hostile page shapes cost linear time and memory, or are refused by a cap of `parse.limits` with a reason
naming it; scaling is asserted as a ratio between two sizes measured in the same test, never in seconds."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostilekit import HostileSite, Reply, serving
from osce_scrape import NotAPressRelease, ParseError, PressRelease, parse_page
from osce_scrape.parse import limits
from osce_scrape.parse.limits import MAX_ATTRIBUTES, MAX_DEPTH, MAX_NODES

URL = "https://www.osce.org/secretariat/500001"
TITLE = "Hostile page headline"
LEAD = (
    "VIENNA, 3 March 2021 – The OSCE Secretariat today published this page, with enough words in its lead "
    "paragraph to be the article's prose for the parser."
)
ARTICLE = f"<h1>{TITLE}</h1><div class='field-content-type'>Press release</div><p>{LEAD}</p>"


def hostile_page(inside: str = ARTICLE, before: str = "") -> str:
    return (
        f'<html lang="en"><head><title>{TITLE} | OSCE</title><link rel="canonical" href="{URL}"></head>'
        f"<body>{before}<article class='node'>{inside}</article></body></html>"
    )


def nested(depth: int) -> str:
    return hostile_page("<div>" * depth + ARTICLE + "</div>" * depth)


def with_attributes(count: int) -> str:
    return hostile_page(f"<p {' '.join(f'data-a{i}={i}' for i in range(count))}>x</p>{ARTICLE}")


def peak_memory(html: str) -> tuple[PressRelease, int]:
    """The record and the peak of Python memory allocated while parsing it."""
    tracemalloc.start()
    try:
        record = parse_page(html, URL)
        return record, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def fastest(func: Callable[[], object], rounds: int = 3) -> float:
    """The fastest of a few runs: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def refusal(html: str) -> str:
    with pytest.raises(ParseError) as caught:
        parse_page(html, URL)
    assert not isinstance(caught.value, NotAPressRelease)  # a hostile page, not some other kind of page
    assert caught.value.source == URL
    return caught.value.reason


def test_deep_nesting_costs_memory_linear_in_depth() -> None:
    """An article 8000 <div>s deep gives the same record as one 800 deep, for at most ~10x the memory
    (an ancestor tuple per block made it 100x)."""
    shallow, shallow_peak = peak_memory(nested(800))
    deep, deep_peak = peak_memory(nested(8000))
    assert (deep.title, deep.body, deep.date) == (shallow.title, shallow.body, shallow.date)
    assert (deep.title, deep.body) == (TITLE, LEAD)
    assert deep_peak <= 12 * shallow_peak + 2_000_000


def test_nesting_past_the_cap_is_refused_with_its_depth() -> None:
    """A page nested deeper than MAX_DEPTH is a ParseError naming the depth and the cap."""
    reason = refusal(nested(MAX_DEPTH + 100))
    assert reason == (
        f"page nests elements {MAX_DEPTH + 104} deep (more than {MAX_DEPTH}): refused as hostile or broken"
    )


@pytest.mark.parametrize(
    ("opening", "levels"),
    [("<div>", 1), ("<font><b>", 2), ("<table><tr><td>", 3)],
    ids=["div", "formatting", "tables"],
)
def test_unclosed_nesting_is_refused_before_parsing_in_linear_time(opening: str, levels: int) -> None:
    """Elements opened and never closed (the HTML parser's own time grows with the square of that: 200k
    <div>s took 147 s) are refused from the markup, before parsing, naming the count; refusing 4x as many
    takes about 4x as long, not 16x."""
    small, large = (hostile_page(opening * n + ARTICLE) for n in (30_000, 120_000))
    count = (
        120_000 * levels + 1 + ARTICLE.count("<div")
    )  # what the markup opens (an upper bound of the depth)
    assert refusal(large) == (
        f"page's markup opens {count} elements without closing them (more than {limits.MAX_MARKUP_DEPTH}): "
        "refused as hostile or broken"
    )
    assert fastest(lambda: refusal(large)) <= 8 * fastest(lambda: refusal(small)) + 0.05


def test_many_unclosed_paragraphs_and_list_items_are_no_nesting() -> None:
    """<p> and <li> left open (the norm in old pages: the parser closes them at the next one) count no
    level, so a long page of them is parsed, not refused."""
    items = "<ul>" + "<li>x" * 30_000 + "</ul>" + "<p>y" * 30_000
    record = parse_page(hostile_page(ARTICLE + items), URL)
    assert (record.title, record.body.split("\n\n")[0]) == (TITLE, LEAD)


def test_an_attribute_bomb_is_refused_before_parsing_in_linear_time() -> None:
    """100k attributes on one element are refused with the count; refusing takes time linear in the count
    (parsing them took 17 s: the HTML parser compares each attribute with those before it)."""
    small, large = with_attributes(10_000), with_attributes(100_000)
    assert refusal(large) == (
        f"page has an element with 100000 attributes (more than {MAX_ATTRIBUTES}): "
        "refused as hostile or broken"
    )
    assert fastest(lambda: refusal(large)) <= 25 * fastest(lambda: refusal(small)) + 0.01


def test_attributes_up_to_the_cap_parse_and_one_more_is_refused() -> None:
    """An element with MAX_ATTRIBUTES attributes is a record; MAX_ATTRIBUTES + 1 is refused."""
    record = parse_page(with_attributes(MAX_ATTRIBUTES), URL)
    assert (record.title, record.body) == (TITLE, LEAD)  # the "x" before the headline is no body
    assert f"with {MAX_ATTRIBUTES + 1} attributes" in refusal(with_attributes(MAX_ATTRIBUTES + 1))


def test_attributes_spread_over_many_elements_cost_linear_time() -> None:
    """10k elements with 12 attributes each parse in at most ~10x the time of 1k (no cap for them)."""

    def spread(count: int) -> str:
        attrs = " ".join(f"data-a{i}='{i}'" for i in range(10))
        return hostile_page(
            ARTICLE, "".join(f"<span class='c{i}' id='i{i}' {attrs}></span>" for i in range(count))
        )

    small, large = spread(1_000), spread(10_000)
    assert parse_page(large, URL).body == LEAD
    assert fastest(lambda: parse_page(large, URL)) <= 25 * fastest(lambda: parse_page(small, URL)) + 0.05


MARKUP_PIECES = [
    "<", ">", "/", "=", '"', "'", " ", "\n", "a", "x", "<a", "<p ", "</", "<!--", "-->", "--!>", "<!", "<?",
    "<script", "</script", "<SCRIPT ", "</ScRiPt>", "<style>", "</style ", "<textarea>", "</textarea",
    "<iframe ", "</iframe/", "K", "\u212a", "<1", "< ", "a=b", "c='d'", 'e="f>"', "-", "\t",
]  # fmt: skip
SMALL_CAPS = {most: limits._scanner(most) for most in range(4)}


def _over_cap_by_tokens(text: str, most: int) -> bool:
    """The reference: an element of more than `most` attributes, found token by token."""
    for match in limits._MARKUP.finditer(text):
        found = match["attributes"]
        if found is not None and sum(1 for _ in limits._ONE_ATTRIBUTE.finditer(found)) > most:
            return True
    return False


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(MARKUP_PIECES), max_size=40), st.integers(0, 3))
def test_the_markup_scan_refuses_exactly_what_the_tokenizer_does(pieces: list[str], most: int) -> None:
    """The one-call scan of `check_markup` stops on a page iff a tag read token by token has more
    attributes than the cap (at small caps, over markup of quotes, comments, raw text and stray "<")."""
    text = "".join(pieces)
    assert limits._within_cap(text, SMALL_CAPS[most]) is not _over_cap_by_tokens(text, most)


def test_tags_in_scripts_and_comments_are_not_counted_as_attributes() -> None:
    """A script and a comment holding "<a" and many words are no element with many attributes."""
    words = " ".join(f"w{i}" for i in range(2 * MAX_ATTRIBUTES))
    before = f"<script>if (a <b {words}) {{}}</script><!-- <a {words} -->"
    assert parse_page(hostile_page(ARTICLE, before), URL).body == LEAD


def test_a_page_of_too_many_nodes_is_refused_with_its_count() -> None:
    """More than MAX_NODES nodes (elements and text) is a ParseError naming both numbers."""
    count = MAX_NODES // 2 + 10
    reason = refusal(hostile_page(ARTICLE + "<p>w</p>" * count))
    nodes = int(reason.split()[2])
    assert 2 * count < nodes <= 2 * count + 20  # a <p> and its text each, and the page around them
    assert reason == f"page has {nodes} nodes (more than {MAX_NODES}): refused as hostile or broken"


def test_very_long_text_is_a_record() -> None:
    """A paragraph of a million characters is kept whole: text is no hostile shape."""
    text = "word " * 200_000
    record = parse_page(hostile_page(ARTICLE + f"<p>{text}</p>"), URL)
    assert record.body == f"{LEAD}\n\n{text.strip()}"


def test_a_crawl_rejects_a_nesting_bomb_and_keeps_the_other_items(tmp_path: Path) -> None:
    """A 20k-deep item page among three is in rejects.jsonl with its reason; the others are records;
    the crawl ends (exit 1: a page was rejected)."""
    site = HostileSite.make(3)
    bomb = site.items[1]
    site.routes[bomb.path] = Reply(body=("<div>" * 20_000 + "</div>" * 20_000).encode())
    with serving(site) as server:
        command = [str(Path(sys.executable).parent / "osce-scrape"), "crawl", "--base-url", server.base_url,
                   "--rate", "0", "--out", str(tmp_path), "--no-card", "-q"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    records = [json.loads(line) for line in (tmp_path / "press_releases.jsonl").read_text().splitlines()]
    assert sorted(record["id"] for record in records) == sorted(
        str(item.node) for item in site.items if item != bomb
    )
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [reject["url"] for reject in rejects] == [server.base_url + bomb.path]
    assert "nests elements 20001 deep (more than" in json.dumps(rejects[0])
