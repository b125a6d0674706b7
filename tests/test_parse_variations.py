"""Layout variations the fixture pages do not all show: the parser reads them structurally all the same."""

from __future__ import annotations

import datetime as dt

from osce_scrape import parse_page
from pagekit import BODY, BODY_TEXT, TITLE, page

UNMARKED_MENU = (
    "<div><ul>" + "".join(f'<li><a href="/c{n}">Country {n}</a></li>' for n in range(30)) + "</ul></div>"
)


def test_teaser_articles_never_replace_the_article() -> None:
    """A longer <article> teaser after the article does not become the article container."""
    teasers = "".join(
        f'<article class="node"><h3><a href="/cio/{n}">Related item {n}</a></h3>'
        f"<p>{'Long lead text. ' * 40}</p></article>"
        for n in range(3)
    )
    record = parse_page(page(f"<h1>{TITLE}</h1>{BODY}", after_article=teasers))
    assert record.body == BODY_TEXT and record.title == TITLE


def test_unmarked_menus_go_by_link_density() -> None:
    """A plain list of 30 links with no class, role or nav element is still chrome."""
    record = parse_page(page(f"{UNMARKED_MENU}<h1>{TITLE}</h1>{UNMARKED_MENU}{BODY}{UNMARKED_MENU}"))
    assert record.body == BODY_TEXT


def test_metadata_after_the_body_and_time_values() -> None:
    """Labels may follow the body; a "Date:" value given as <time> is the metadata date."""
    meta = (
        '<ul class="tags"><li>Fields of work:</li><li><a href="/e">Elections</a></li>'
        '<li>Date:</li><li><time datetime="2013-05-20T08:00:00Z">20 May 2013</time></li></ul>'
    )
    record = parse_page(page(f"<h1>{TITLE}</h1>{BODY}{meta}"))
    assert (record.fields_of_work, record.date, record.body) == (
        ["Elections"],
        dt.date(2013, 5, 20),
        BODY_TEXT,
    )
    assert record.provenance.rules["date"] == "metadata"


def test_lists_and_subheadings_in_the_body_survive() -> None:
    """List items and sub-headings inside the article are body paragraphs, menu words and all."""
    body = (
        f"{BODY}<h2>Background</h2><ul><li>Human rights training for 30 police officers;</li>"
        "<li>Elections support in the Countries of Central Asia.</li></ul>"
    )
    record = parse_page(page(f"<h1>{TITLE}</h1>{body}"))
    assert record.body == (
        f"{BODY_TEXT}\n\nBackground\n\nHuman rights training for 30 police officers;\n\n"
        "Elections support in the Countries of Central Asia."
    )


def test_headline_split_over_elements() -> None:
    """A headline in nested spans with a line break reads as one line."""
    record = parse_page(
        page(f"<h1><span>OSCE reacts to inaccurate</span><br> <span>reports</span></h1>{BODY}")
    )
    assert record.title == "OSCE reacts to inaccurate reports"


def test_br_separated_paragraphs_of_old_pages() -> None:
    """Old pages separate paragraphs with <br><br> inside one element."""
    old = (
        "<div>VIENNA, 18 June 1997- The OSCE Ministerial Troika met today in Vienna.<br><br>"
        "It issued the following\nstatement.<br>\n<br>On March 27 it met again.</div>"
    )
    record = parse_page(page(f"<h1>OSCE Ministerial Troika issues statement on Albania</h1>{old}"))
    assert record.body == (
        "VIENNA, 18 June 1997- The OSCE Ministerial Troika met today in Vienna.\n\n"
        "It issued the following statement.\n\nOn March 27 it met again."
    )
    assert (record.date, record.place) == (dt.date(1997, 6, 18), "VIENNA")


def test_metadata_in_a_sidebar_survives_the_chrome_stripping() -> None:
    """Labels in an <aside> or a div.sidebar are the page's metadata, not chrome; teasers' are not."""
    aside = (
        '<aside class="sidebar"><ul><li>Source:</li><li><a href="/s">OSCE Secretariat</a></li>'
        "<li>Fields of work:</li><li>Elections</li></ul></aside>"
    )
    teasers = (
        '<div class="sidebar"><h3><a href="/x/1">Other news</a></h3><p>Publishing date: 6 June 2023</p>'
        "<p>Where we are: OSCE Mission to Serbia</p></div>"
    )
    record = parse_page(page(f"<h1>{TITLE}</h1>{aside}{BODY}", after_article=teasers))
    assert (record.sources, record.fields_of_work) == (["OSCE Secretariat"], ["Elections"])
    assert (record.date, record.body) == (dt.date(2013, 5, 22), BODY_TEXT)


def test_a_page_wrapped_in_one_form_keeps_its_article() -> None:
    """Old pages wrapped whole in a <form> still give their article (the form holds the headline)."""
    html = f'<html><body><form id="aspnetForm"><div class="menu"><a href="/">Home</a></div><h1>{TITLE}</h1>'
    record = parse_page(html + BODY + "</form></body></html>", url="https://www.osce.org/secretariat/7")
    assert (record.title, record.body) == (TITLE, BODY_TEXT)


def test_a_migration_date_years_after_the_dateline_is_not_the_publication_date() -> None:
    """article:published_time from a 2020 migration loses to a 2009 dateline; a few days' gap does not."""
    body = "<p>MOSCOW, 20 November 2009 - The OSCE Special Representative met Russian officials today.</p>"
    migrated = '<meta property="article:published_time" content="2020-05-12T09:00:00+02:00">'
    record = parse_page(page(f"<h1>{TITLE}</h1>{body}", head=migrated))
    assert record.date == dt.date(2009, 11, 20)
    assert record.provenance.rules["date"] == "dateline (not meta:article:published_time 2020-05-12)"
    days_later = '<meta property="article:published_time" content="2009-11-23T09:00:00+01:00">'
    assert parse_page(page(f"<h1>{TITLE}</h1>{body}", head=days_later)).date == dt.date(2009, 11, 23)
