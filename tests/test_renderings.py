"""Text renderings other than the snapshot's "- " format read the same way (lynx, Markdown)."""

from __future__ import annotations

import datetime as dt

from osce_scrape import parse_text
from osce_scrape.parse.renderings import as_snapshot_lines

LYNX = """   [1]Skip to main content

     * [2]Home
     * [3]Elections

   Press release

OSCE/ODIHR opens election observation mission for presidential election in
Ukraine

     * Date:
     * Source:
     * [4]OSCE Office for Democratic Institutions and Human Rights

   KYIV, 26 November 2009 - The OSCE Office for Democratic Institutions and
   Human Rights (ODIHR) today formally opened its election observation
   mission for the 17 January 2010 presidential election in Ukraine.

   [5]Print [6]Share

References

   1. https://odihr.osce.org/odihr/elections/51670#main-content
   2. https://odihr.osce.org/odihr/home
"""


def test_lynx_dump_lines() -> None:
    """Link numbers and the References list go; wrapped paragraphs become one line; items stay items."""
    lines = [line for line in as_snapshot_lines(LYNX) if line]
    assert lines[0] == "Skip to main content"
    assert "OSCE/ODIHR opens election observation mission for presidential election in Ukraine" in lines
    assert "* OSCE Office for Democratic Institutions and Human Rights" in lines
    assert not any("https://" in line for line in lines)


def test_lynx_dump_parses_like_the_snapshot() -> None:
    """A lynx dump gives the record: headline, label values, dateline, body without furniture."""
    record = parse_text(LYNX, url="file:///kyiv.txt")
    assert (
        record.title == "OSCE/ODIHR opens election observation mission for presidential election in Ukraine"
    )
    assert (record.content_type, record.date, record.place) == (
        "Press release",
        dt.date(2009, 11, 26),
        "KYIV",
    )
    assert record.sources == ["OSCE Office for Democratic Institutions and Human Rights"]
    assert record.body == (
        "KYIV, 26 November 2009 - The OSCE Office for Democratic Institutions and Human Rights (ODIHR) today "
        "formally opened its election observation mission for the 17 January 2010 presidential election in "
        "Ukraine."
    )


def test_markdown_links_images_and_headings() -> None:
    """[text](url) keeps its text, images go, "# " marks no longer stay in the text."""
    lines = as_snapshot_lines("![OSCE](/logo.svg)\n# A headline\n* [Arms control](/arms-control)\n")
    assert lines == ["", "A headline", "* Arms control", ""]


def test_the_snapshot_format_is_left_alone() -> None:
    """Unwrapped snapshots (one long line a paragraph, no blank lines) are not re-joined."""
    text = "- Menu\nTitle line\n" + "A long paragraph of text. " * 10 + "\nAnother paragraph.\n"
    assert as_snapshot_lines(text) == [line.rstrip() for line in text.split("\n")]
