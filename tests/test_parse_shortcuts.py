"""The parser's shortcuts give the answers of the plain reading they replace: the one-scan head reader,
the saved copy's URL, the table-driven encoding guess, remembered datelines and furniture lines."""

from __future__ import annotations

import datetime as dt
import re
import sys
import time

import pytest
from selectolax.lexbor import LexborHTMLParser

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.blocks import Block, PageBlocks
from osce_scrape.parse.dates import find_dateline
from osce_scrape.parse.decode import _guess, _non_ascii_words, _plausible_words, decode_html
from osce_scrape.parse.fields import Roles, _ends_as_caption, classify_blocks, extract_body, furniture_line
from osce_scrape.parse.head import read_head, saved_copy_url
from osce_scrape.parse.labels import Metadata, label_of
from osce_scrape.parse.language import guess_language

WARC = "WARC-Target-URI: https://www.osce.org/warc/111\n"
BROWSER = "<!-- saved from url=(0039)https://www.osce.org/browser/222 -->\n"


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (WARC + BROWSER, "https://www.osce.org/warc/111"),  # the first line, with no "\n" before it
        (BROWSER + WARC, "https://www.osce.org/browser/222"),  # whichever comes first
        ("<html>\n" + WARC + BROWSER, "https://www.osce.org/warc/111"),
        ("x " + WARC + BROWSER, "https://www.osce.org/browser/222"),  # a WARC header opens its line
        ("warc-target-uri: <https://www.osce.org/warc/333>\n", "https://www.osce.org/warc/333"),
        ("<html><!-- a comment -->", None),
    ],
)
def test_saved_copy_url_takes_the_first_name(top: str, expected: str | None) -> None:
    assert saved_copy_url(top + "<p>" + "x" * 5000) == expected


def test_read_head_finds_every_kind_in_one_scan_in_head_and_body() -> None:
    tree = LexborHTMLParser(
        '<html lang="de"><head><title> Headline  here </title>'
        '<link rel="Canonical" href="/node/1234"><link rel="canonical" href="/node/9999">'
        '<link rel="alternate" hreflang="RU" href="/ru/node/1234"><link rel="alternate" href="/x">'
        '<meta property="og:title" content="Og headline"></head><body>'
        '<meta itemprop="datePublished" content="2010-05-06">'
        '<script type="Application/LD+JSON">{"@graph": [{"datePublished": "2010-05-07"}]}</script>'
        '<link rel="shortlink" href="/node/1234"><base href="https://www.osce.org/"></body></html>'
    )
    head = read_head(tree, "https://www.osce.org/x/1")
    assert head.canonical == "https://www.osce.org/node/1234"  # the first, spelled "Canonical"
    assert head.shortlink == "https://www.osce.org/node/1234"
    assert (head.html_lang, head.title_tag, head.og_title) == ("de", "Headline here", "Og headline")
    assert head.published == [
        ("meta:datePublished", "2010-05-06"),
        ("json-ld:datePublished", "2010-05-07"),
    ]
    assert head.alternates == {"ru": "https://www.osce.org/ru/node/1234"}


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Заявление для прессы: Миссия ОБСЕ приветствует решение правительства", "cp1251"),
        ("Misja OBWE z zadowoleniem przyjęła decyzję rządu w sprawie wyborów", "cp1250"),
    ],
)
def test_the_guess_reads_each_script_in_its_code_page(text: str, encoding: str) -> None:
    data = f"<html><body><p>{text}</p></body></html>".encode(encoding)
    assert decode_html(data) == (text.join(["<html><body><p>", "</p></body></html>"]), encoding)


def test_words_are_whole_runs_that_hold_a_non_ascii_byte() -> None:
    data = b"<p>plain ascii caf\xe9 \xe9t\xe9s-na\xefve x\xe9y</p>"
    assert _non_ascii_words(data) == b"caf\xe9 \xe9t\xe9s na\xefve x\xe9y"


@pytest.mark.parametrize(
    ("word", "plausible"),
    [
        (b"caf\xe9", 1),  # one accented letter among ASCII ones
        (b"\xe9t\xe9", 0),  # more accented than ASCII letters
        (b"\xe9t\xe9s", 1),  # as many: half are ASCII
        (b"\xe9", 0),  # no ASCII letter at all
        (b"a\x81b", 0),  # a byte windows-1252 leaves undefined
        (b"ab\x96", 1),  # a dash is no letter: counts for nothing
    ],
)
def test_latin_words_need_half_their_letters_ascii(word: bytes, plausible: int) -> None:
    assert _plausible_words(b" " + word, "cp1252") == plausible


def test_the_guess_stays_linear_on_a_long_ascii_word() -> None:
    data = b"a" * 400_000 + "слово".encode("cp1251") + b" " + "ещё".encode("cp1251") * 3
    started = time.perf_counter()
    assert _guess(data) == "cp1251"
    assert time.perf_counter() - started < 1.0  # the word regex it replaces took minutes


def test_remembered_datelines_keep_the_language_apart() -> None:
    paragraph = "ZAGREB, 20 listopada 2009 - The OSCE Mission"
    croatian, polish = find_dateline(paragraph, "hr"), find_dateline(paragraph, "pl")
    assert croatian is not None and polish is not None
    assert (croatian.date, polish.date) == (dt.date(2009, 10, 20), dt.date(2009, 11, 20))
    assert find_dateline(paragraph + " more words", "hr") == croatian


def test_furniture_lines_are_asked_once_per_page() -> None:
    roles = Roles(["body"])
    assert roles.furniture_line("Print | E-mail", "li") is True
    assert roles.furniture_line("Download the report", "li") is False  # a list's download is content
    assert roles.furniture_line("Download the report", "p") is True
    assert roles.furniture == {
        ("Print | E-mail", True): True,
        ("Download the report", True): False,
        ("Download the report", False): True,
    }
    assert furniture_line("Download the report", "p") is True


def test_body_lines_of_furniture_are_dropped_as_before() -> None:
    page = PageBlocks(
        blocks=[
            Block(text="Headline", tag="h1", parent=0),
            Block(text="The mission opened.\nIt met the minister.\nPrint", tag="p", parent=0),
        ],
        title="Headline",
        title_index=0,
    )
    roles = classify_blocks(page, Metadata(), "en")
    assert extract_body(page, roles) == ["The mission opened. It met the minister."]
    assert roles.furniture[("Print", False)] is True


def test_every_letter_case_blind_patterns_match_lowercases_to_it_or_is_odd() -> None:
    """Worded patterns are skipped on a text whose lowercase lacks their words: sound only if whatever a
    case-blind letter of a word matches lowercases to that letter, or makes the text tried anyway."""
    everything = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000)
    words = "".join((*sel.FURNITURE_LINES.worded.words, *sel.DELIVERED_TEXT.words))
    for letter in set(words) - set(" /"):
        for found in re.findall(letter, everything, re.IGNORECASE):
            assert found.lower() == letter or sel._CASE_BLIND_ODD.match(found), (letter, found)


@pytest.mark.parametrize(
    "line",
    [
        "This website uses cookies. By continuing you accept our privacy policy.",
        "THIS SITE USES COOKİES TO ACCEPT",  # "İ" lowercases to two letters
        "Our cookıes policy: accept",  # "ı" lowercases to itself
        "We uſe cookies and you accept them",
        "View the full version",
        "Switch to the mobile ſite",
        "Tap here to view the desktop site now",
        "Cookies are baked",
        "The report's full version is online.",
        "Print | E-mail",
        "Share",
        "x" * 500 + " cookies accept",
    ],
)
def test_furniture_lines_answer_as_one_pattern_of_them_all(line: str) -> None:
    lines = sel.FURNITURE_LINES
    for text in (line, line.upper()):
        expected = lines.plain.match(text) is not None or lines.worded.pattern.match(text) is not None
        assert lines.match(text) is expected


@pytest.mark.parametrize(
    ("text", "delivered"),
    [
        ("Check against delivery\nMr. Chairperson,", True),
        ("CHECK AGAİNST DELİVERY", True),  # "İ" lowercases to two letters
        ("check agaınst delıvery", True),  # "ı" lowercases to itself
        ("PC.DEL/1234/09\nStatement", True),
        ("Distributed as fsc.jour/55", True),
        ("MC.DEC/3/05", True),
        ("Prishtinë/Priština, 5 May 2005 - The delivery of aid", False),
        ("OSCE/ODIHR observers", False),
    ],
)
def test_delivered_texts_are_found_as_by_the_pattern_alone(text: str, delivered: bool) -> None:
    assert sel.DELIVERED_TEXT.search(text) is delivered
    assert (sel.DELIVERED_TEXT.pattern.search(text) is not None) is delivered


def test_casefolding_never_makes_a_colon() -> None:
    """A bare label is read from the block's key: with no colon in the text, the key is the text
    casefolded and single-spaced."""
    assert all(":" not in chr(code).casefold() for code in range(sys.maxunicode + 1) if chr(code) != ":")


@pytest.mark.parametrize(
    ("text", "tag", "expected"),
    [
        ("Fields of work", "div", ("fields", "")),
        ("FIELDS  OF\nWORK", "dt", ("fields", "")),
        ("Fields of work", "li", None),  # a list item without a colon is a menu heading
        ("Fields of work:", "li", ("fields", "")),
        ("Fields of work : ", "div", ("fields", "")),
        ("Fields of work and more", "div", None),
        ("Source", "th", ("sources", "")),
    ],
)
def test_bare_labels_are_read_from_the_key(text: str, tag: str, expected: tuple[str, str] | None) -> None:
    assert label_of(Block(text=text, tag=tag, parent=0)) == expected


def test_stopwords_are_counted_case_blind() -> None:
    text = "Der Bericht und die Lage. DER Bericht, UND DIE Lage: der die das " + "Zusammenarbeit " * 50
    assert guess_language(text, {"de", "en"}) == "de"
    assert guess_language("The report of the mission and the minister", {"de", "en"}) == "en"
    assert guess_language("Bericht report", {"de", "en"}) is None  # no stopword: no clear winner


@pytest.mark.parametrize(
    "text",
    [
        "The minister and the head of mission. Photo details",
        "Photo details \n ",
        "PHOTO DETAİLS",  # one letter of the text for one of the pattern, as a search matches
        "photo detaıls\u00a0",
        "photo detailsx",
        "xphoto details",
        "Photo details\nThe minister spoke.",
        "details",
        "",
    ],
)
def test_caption_tails_are_found_as_by_a_search(text: str) -> None:
    searched = re.search(r"photo details\s*$", text, re.IGNORECASE) is not None
    assert _ends_as_caption(text) is searched
