"""parse_page on every metadata markup, date source and page kind the site has used."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from osce_scrape import NotAPressRelease, ParseError, parse_page, parse_text
from pagekit import BODY, BODY_TEXT, TITLE, page

META_MARKUPS = {
    "list items": (
        '<ul class="meta"><li>Date:</li><li>Place:</li><li>VIENNA</li><li>Source:</li>'
        '<li><a href="/s">OSCE Secretariat</a></li><li><a href="/m">OSCE Mission to Moldova</a></li>'
        "<li>Fields of work:</li><li>Rule of law, Human rights</li></ul>"
    ),
    "definition list": (
        "<dl><dt>Source:</dt><dd>OSCE Secretariat</dd><dd>OSCE Mission to Moldova</dd><dt>Place:</dt>"
        '<dd>VIENNA</dd><dt>Fields of work:</dt><dd><a href="/r">Rule of law</a><a href="/h">Human rights</a>'
        "</dd><dt>Date:</dt><dd></dd></dl>"
    ),
    "drupal fields": (
        '<div class="field field-name-place"><div class="field-label">Place:&nbsp;</div>'
        '<div class="field-items"><div class="field-item">VIENNA</div></div></div>'
        '<div class="field field-name-source"><div class="field-label">Source:</div><div class="field-items">'
        '<div class="field-item"><a href="/s">OSCE Secretariat</a></div>'
        '<div class="field-item"><a href="/m">OSCE Mission to Moldova</a></div></div></div>'
        '<div class="field field--name-field-topics"><div class="field__label">Fields of work</div>'
        '<div class="field__items"><div class="field__item">Rule of law</div>'
        '<div class="field__item">Human rights</div></div></div>'
    ),
    "table rows": (
        "<table><tr><th>Fields of work:</th><td>Rule of law, Human rights</td></tr>"
        "<tr><th>Source:</th><td>OSCE Secretariat, OSCE Mission to Moldova</td></tr>"
        "<tr><th>Place:</th><td>VIENNA</td></tr></table>"
    ),
    "inline labels": (
        '<p><strong>Source:</strong> <a href="/s">OSCE Secretariat</a>, <a href="/m">OSCE Mission to Moldova'
        "</a></p><p><strong>Place:</strong> VIENNA</p><p><b>What we do:</b> Rule of law, Human rights</p>"
    ),
}


@pytest.mark.parametrize("markup", list(META_MARKUPS))
def test_metadata_in_every_markup(markup: str) -> None:
    """List items, dl, Drupal field divs, table rows and inline labels all give the same record."""
    html = page(f'<div class="content-type">Press release</div><h1>{TITLE}</h1>{META_MARKUPS[markup]}{BODY}')
    record = parse_page(html)
    assert record.model_dump(exclude={"provenance"}) == {
        "id": "101809",
        "url": "https://www.osce.org/secretariat/101809",
        "language": "en",
        "content_type": "Press release",
        "title": TITLE,
        "date": dt.date(2013, 5, 22),
        "place": "VIENNA",
        "sources": ["OSCE Secretariat", "OSCE Mission to Moldova"],
        "fields_of_work": ["Rule of law", "Human rights"],
        "body": BODY_TEXT,
        "contacts": None,
        "translations": {},
    }
    assert record.provenance.rules["date"] == "dateline"


DATE_SOURCES = [
    ("metadata block", '<ul><li>Publishing date:</li><li>21 May 2013</li></ul>', "", "metadata"),
    ("time element", '<div class="date"><time datetime="2013-05-21T09:00:00Z">21 May</time></div>', "",
     "time[datetime]"),
    ("article:published_time", "",
     '<meta property="article:published_time" content="2013-05-21T10:00:00+02:00">',
     "meta:article:published_time"),
    ("JSON-LD", "", '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
     '"dateModified": "2020-01-01", "datePublished": "2013-05-21"}]}</script>', "json-ld:datePublished"),
    ("DC.date", "", '<meta name="DC.date" content="2013-05-21">', "meta:DC.date"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "in_article", "in_head", "rule"), DATE_SOURCES, ids=[c[0] for c in DATE_SOURCES]
)
def test_date_sources_outrank_the_dateline(case: str, in_article: str, in_head: str, rule: str) -> None:
    """Each machine-readable date outranks the dateline; modified, footer and teaser dates never count."""
    record = parse_page(page(f"<h1>{TITLE}</h1>{in_article}{BODY}", head=in_head))
    assert (record.date, record.provenance.rules["date"]) == (dt.date(2013, 5, 21), rule)
    assert record.body == BODY_TEXT


def test_metadata_date_outranks_machine_dates() -> None:
    """The metadata block's date wins over <time> and meta tags that disagree with it."""
    head = '<meta property="article:published_time" content="2013-05-19">'
    article = f"<h1>{TITLE}</h1><ul><li>Date: 20 May 2013</li></ul><time datetime='2013-05-18'></time>{BODY}"
    assert parse_page(page(article, head=head)).date == dt.date(2013, 5, 20)


def test_newsroom_layout_header_line_and_caption() -> None:
    """Old Newsroom pages: the header line's date outranks the dateline; the photo caption is not body."""
    article = (
        "<h3>Newsroom</h3><h1>OSCE Mission welcomes Croatia's refugee return policy</h1>"
        "<p>ZAGREB 6 July 2004</p><p>Ambassador Peter Semneby presented the report. (OSCE/Slavka Jureta) "
        "Photo details</p><p>ZAGREB, 6 June 2004 - A report issued by the OSCE Mission to Croatia today.</p>"
    )
    record = parse_page(page(article, canonical="https://www.osce.org/zagreb/56491"))
    assert (record.date, record.place, record.content_type) == (dt.date(2004, 7, 6), "ZAGREB", None)
    assert record.body == "ZAGREB, 6 June 2004 - A report issued by the OSCE Mission to Croatia today."


def test_contacts_and_translations() -> None:
    """The Contacts block is kept apart from the body; hreflang alternates become translations."""
    head = (
        '<link rel="alternate" hreflang="en" href="https://www.osce.org/secretariat/101809">'
        '<link rel="alternate" hreflang="ru" href="/ru/secretariat/101809">'
        '<link rel="alternate" hreflang="x-default" href="/secretariat/101809">'
    )
    contacts = "<h2>Contacts</h2><ul><li>Cathie Burton</li><li>Spokesperson<br>press@osce.org</li></ul>"
    record = parse_page(page(f"<h1>{TITLE}</h1>{BODY}{contacts}", head=head))
    assert record.contacts == "Cathie Burton\nSpokesperson\npress@osce.org"
    assert record.translations == {"ru": "https://www.osce.org/ru/secretariat/101809"}
    assert record.body == BODY_TEXT


def test_windows_1251_with_and_without_declaration() -> None:
    """A Russian page in windows-1251 reads the same whether its charset is declared or not."""
    article = (
        "<h1>Специальный представитель ОБСЕ встретилась с российскими официальными лицами</h1>"
        "<p>МОСКВА, 20 ноября 2009 г. – Специальный представитель ОБСЕ по борьбе с торговлей людьми "
        "встретилась с российскими коллегами, чтобы обсудить международное сотрудничество.</p>"
    )
    for charset in ("windows-1251", None):
        html = page(
            article, lang="ru", charset=charset, canonical="https://www.osce.org/ru/secretariat/101810"
        )
        record = parse_page(html.encode("cp1251"))
        assert (record.id, record.language, record.place) == ("101810-ru", "ru", "МОСКВА")
        assert record.date == dt.date(2009, 11, 20)
        assert record.title.startswith("Специальный представитель ОБСЕ")


NON_ARTICLES = {
    "event": "<h1>20 years of the OSCE Mission to Moldova in pictures</h1><div>General event</div><ul>"
    "<li>Date:</li><li>Location:</li><li>Public Garden, Chisinau</li><li>Organized by:</li>"
    "<li>OSCE Mission to Moldova</li></ul><p>This year marks the 20th anniversary of our Mission.</p>",
    "listing": "<h1>Press releases</h1>"
    + "".join(
        f'<div class="search-result"><h3><a href="/cio/{n}">Item {n} on human rights</a></h3>'
        f"<p>Publishing date: {n} June 2023</p><p>VIENNA, {n} June 2023 - Lead {n}.</p></div>"
        for n in range(1, 11)
    ),
    "not found": "<h1>Page not found</h1><p>The requested page could not be found on this server.</p>",
    "menus only": "",
    "landing": "<h1>Election reports</h1><p>ODIHR publishes a number of documents for any election "
    "observation mission, including needs assessment reports and final reports.</p>",
}


@pytest.mark.parametrize("kind", list(NON_ARTICLES))
def test_non_articles_are_rejected(kind: str) -> None:
    """Events, listings, error pages, menu-only and landing pages raise NotAPressRelease with a reason."""
    with pytest.raises(NotAPressRelease) as caught:
        parse_page(page(NON_ARTICLES[kind]))
    assert caught.value.reason


def test_a_press_release_without_a_date_is_a_parse_error() -> None:
    """A labelled press release whose date cannot be found is a ParseError naming the problem."""
    article = f'<div class="content-type">Press release</div><h1>{TITLE}</h1><p>No dateline in this text.</p>'
    with pytest.raises(ParseError, match="no publication date") as caught:
        parse_page(page(article))
    assert not isinstance(caught.value, NotAPressRelease)


def test_future_date_fails_validation_with_words() -> None:
    """A date in the future is refused with a message saying so."""
    year = dt.date.today().year + 2
    with pytest.raises(ParseError, match=f"date: {year}-01-02 is in the future"):
        parse_page(page(f"<h1>{TITLE}</h1><p>VIENNA, 2 January {year} - Text of the release.</p>"))


def test_no_url_anywhere_is_an_error_naming_it() -> None:
    """A page without canonical/og:url parsed without a URL says what is missing."""
    with pytest.raises(ParseError, match="names no URL"):
        parse_page(page(f"<h1>{TITLE}</h1>{BODY}", canonical=None))


def test_text_snapshot_of_the_2009_page(reference_dir) -> None:  # type: ignore[no-untyped-def]
    """The real text snapshot in shared/reference parses to the record issue #2 specifies."""
    text = (reference_dir / "page-snapshot-moscow-2009.txt").read_text(encoding="utf-8")
    record = parse_text(text, url="file:///snapshot.txt")
    assert record.title == (
        "OSCE Special Representative meets Russian officials to discuss co-operation in combating human "
        "trafficking"
    )
    assert (record.date, record.place, record.content_type) == (
        dt.date(2009, 11, 20),
        "MOSCOW",
        "Press release",
    )
    assert record.sources == ["OSCE Secretariat"]
    assert record.fields_of_work == [
        "Rule of law", "Human rights", "Gender equality", "Combating trafficking in human beings",
    ]  # fmt: skip
    paragraphs = record.body.split("\n\n")
    assert len(paragraphs) == 7
    assert paragraphs[0].startswith("MOSCOW, 20 November 2009 - The OSCE Special Representative")
    assert paragraphs[-1].endswith("This was the last official visit of Biaudet to Moscow as the OSCE Special"
                                   " Representative.")  # fmt: skip
    assert record.contacts is None and record.language == "en"


def test_record_is_one_json_line() -> None:
    """A record serialises to one line of JSON that validates back to the same record."""
    record = parse_page(page(f"<h1>{TITLE}</h1>{BODY}"))
    line = record.to_json_line()
    assert "\n" not in line
    assert type(record).model_validate(json.loads(line)) == record


@pytest.mark.parametrize(
    "canonical",
    ["https://[junk/secretariat/101809", "https://www.osce.org:99999/secretariat/5", "http://[::1/x"],
)
def test_a_canonical_that_does_not_parse_is_ignored(canonical: str) -> None:
    """A canonical URL that urlsplit refuses (unclosed bracket, port past 65535) is no URL: the URL given
    is the record's (a fuzzed page once crashed record_id with ValueError)."""
    record = parse_page(
        page(f"<h1>{TITLE}</h1>{BODY}", canonical=canonical), url="https://www.osce.org/cio/101809"
    )
    assert (record.url, record.id, record.provenance.rules["url"]) == (
        "https://www.osce.org/cio/101809",
        "101809",
        "given",
    )


def test_a_given_url_that_does_not_parse_is_a_parse_error() -> None:
    """parse_page(..., url=<malformed>) raises ParseError naming the URL, never ValueError."""
    with pytest.raises(ParseError, match="does not parse"):
        parse_page(page(f"<h1>{TITLE}</h1>{BODY}", canonical=None), url="https://[x/101809")


SITE = "https://www.osce.org"


@pytest.mark.parametrize(
    ("canonical", "fetched", "url", "record_id"),
    [
        ("/", "/secretariat/101809", "/secretariat/101809", "101809"),
        ("/press-releases", "/node/101809", "/node/101809", "101809"),
        ("/odihr/elections/56491", "/node/1", "/odihr/elections/56491", "56491"),
        ("/ru/secretariat/101810", None, "/ru/secretariat/101810", "101810"),
        ("/", None, "/", None),
    ],
    ids=["home-page", "section", "item-canonical-wins", "language-prefix", "nothing-better"],
)
def test_a_canonical_that_is_no_item_url_gives_way_to_the_fetched_url(
    canonical: str, fetched: str | None, url: str, record_id: str | None
) -> None:
    """A canonical naming the home page or a section (not /{structure}/{node id}) is ignored for the URL
    the page was fetched from, so pages do not share one id; an item canonical still wins; with no
    fetched URL the page's own name is all there is."""
    fetched_url = SITE + fetched if fetched else None
    record = parse_page(page(f"<h1>{TITLE}</h1>{BODY}", canonical=SITE + canonical), url=fetched_url)
    assert record.url == SITE + url
    assert record.provenance.rules["url"] == ("given" if url == fetched and url != canonical else "canonical")
    if record_id is not None:
        assert record.id == record_id


@pytest.mark.parametrize(
    ("canonical", "fetched", "url", "rule"),
    [
        (
            "https://evil.example/secretariat/500001",
            "http://127.0.0.1:8000/secretariat/500000",
            "http://127.0.0.1:8000/secretariat/500000",
            "given",
        ),
        (
            "https://www.osce.org/secretariat/500001",
            "http://127.0.0.1:8000/secretariat/500000",
            "https://www.osce.org/secretariat/500001",
            "canonical",
        ),
        (
            "https://odihr.osce.org/odihr/500001",
            "https://www.osce.org/odihr/500000",
            "https://odihr.osce.org/odihr/500001",
            "canonical",
        ),
        (
            "http://127.0.0.1:8000/cio/500001",
            "http://127.0.0.1:8000/secretariat/500000",
            "http://127.0.0.1:8000/cio/500001",
            "canonical",
        ),
    ],
    ids=["other-host-ignored", "the-site-named-by-a-mirror", "a-subdomain-of-the-site", "same-host"],
)
def test_a_canonical_on_another_host_gives_way_to_the_fetched_url(
    canonical: str, fetched: str, url: str, rule: str
) -> None:
    """A canonical on a host that is neither the one fetched nor the site's own domain (osce.org) is not
    believed: it would give this page's text another site's URL and id."""
    record = parse_page(page(f"<h1>{TITLE}</h1>{BODY}", canonical=canonical), url=fetched)
    assert (record.url, record.provenance.rules["url"]) == (url, rule)
