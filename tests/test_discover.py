"""Discovery over snippets of the real site's listing markup, sitemaps, feeds and hostile XML."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from osce_scrape.errors import DiscoveryError
from osce_scrape.harvest.discover import (
    ListingEntry,
    listing_url,
    page_number,
    parse_date,
    parse_feed,
    parse_listing,
    parse_sitemap,
)

BASE = "https://www.osce.org"
PAGE_URL = "https://www.osce.org/press-releases?page=3"

# The apachesolr result markup public scrapers of the site rely on (OSCE_SITE.md, "The listing").
REAL_LISTING = b"""<!DOCTYPE html><html lang="en"><body>
<nav class="menu"><a href="/secretariat/1">Secretariat</a></nav>
<div class="panel-pane pane-apachesolr-result"><div class="pane-content">
 <div class="search-result-news">
  <dl>
   <dt class="search-title"><h3><a href="/secretariat/101809">OSCE Special Representative
      meets Russian officials</a></h3></dt>
   <dd>
    <div class="publishing-date"><span class="label">Publishing date:</span> 20 November 2009</div>
    <div class="content-type"><span class="label">Content type:</span> Press release</div>
    <div class="search-snippet">MOSCOW, 20 November 2009 - The OSCE Special Representative ...</div>
   </dd>
  </dl>
 </div>
 <div class="search-result-news">
  <dl><dt class="search-title"><h3><a href="https://odihr.osce.org/odihr/50472">Election
   observers &amp; partners</a></h3></dt>
  <dd><div class="publishing-date"><div class="label">Publishing date:</div>9 Apr 2012</div>
  </dd></dl>
 </div>
 <div class="search-result-news"><dl><dt class="search-title"><h3>No link here</h3></dt></dl></div>
</div></div>
<ul class="pager">
 <li class="pager-first"><a href="/press-releases">first</a></li>
 <li class="pager-item"><a href="/press-releases?page=2">3</a></li>
 <li class="pager-current">4</li>
 <li class="pager-item"><a href="/press-releases?page=4">5</a></li>
 <li class="pager-next"><a href="/press-releases?page=4&amp;rows=10">next</a></li>
 <li class="pager-last"><a href="/press-releases?page=3157">last</a></li>
</ul></body></html>"""


def test_listing_entries_from_real_markup() -> None:
    """Entries carry the absolute link, the normalised title, the date and the content type."""
    page = parse_listing(REAL_LISTING, PAGE_URL)
    assert page.entries == [
        ListingEntry(
            url="https://www.osce.org/secretariat/101809",
            title="OSCE Special Representative meets Russian officials",
            date=dt.date(2009, 11, 20),
            content_type="Press release",
        ),
        ListingEntry(
            url="https://odihr.osce.org/odihr/50472",
            title="Election observers & partners",
            date=dt.date(2012, 4, 9),
            content_type=None,
        ),
    ]


def test_listing_pager_next_and_last() -> None:
    """The pager's next link (entities decoded, made absolute) and the last page number are read."""
    page = parse_listing(REAL_LISTING, PAGE_URL)
    assert page.next_url == "https://www.osce.org/press-releases?page=4&rows=10"
    assert page.last_page == 3157


def test_listing_rel_next_when_no_pager_next() -> None:
    """Without li.pager-next, a[rel=next] gives the next page."""
    html = b'<div class="search-result-news"></div><a rel="next" href="?page=8">Next</a>'
    page = parse_listing(html, "https://www.osce.org/press-releases?page=7")
    assert page.next_url == "https://www.osce.org/press-releases?page=8"
    assert page.last_page is None
    assert page.entries == []


def test_listing_next_from_page_numbers() -> None:
    """Without next links, the pager item for the current page + 1 is the next page."""
    html = b"""<ul class="pager"><li class="pager-item"><a href="/press-releases?page=0">1</a></li>
    <li class="pager-item"><a href="/press-releases?page=2">3</a></li></ul>"""
    assert parse_listing(html, BASE + "/press-releases?page=1").next_url == (BASE + "/press-releases?page=2")
    assert parse_listing(html, BASE + "/press-releases?page=2").next_url is None


def test_listing_text_label_lines() -> None:
    """An entry without the date/content-type classes is read from its "Label: value" lines."""
    html = b"""<div class="search-result-news"><dt class="search-title"><h3>
    <a href="/cio/50537">Chairman visits Tirana</a></h3></dt>
    <p>Publishing date: 6 June 2023</p><p>Content type: News</p></div>"""
    (entry,) = parse_listing(html, PAGE_URL).entries
    assert (entry.date, entry.content_type) == (dt.date(2023, 6, 6), "News")


BAD_LINKS = b"""<div class="search-result-news"><dt class="search-title"><h3>
<a href="http://[bad">Broken</a></h3></dt></div>
<div class="search-result-news"><dt class="search-title"><h3><a href="/cio/1">Fine</a></h3></dt></div>
<ul class="pager"><li class="pager-next"><a href="http://[bad">next</a></li>
<li class="pager-item"><a href="?page=\xc2\xb2">odd</a></li>
<li class="pager-item"><a href="?page=8">9</a></li>
<li class="pager-last"><a href="?page=\xc2\xb2">last</a></li></ul>"""


def test_bad_links_are_skipped_and_counted() -> None:
    """An entry linking "http://[bad" is skipped and counted; a bad next link falls back to the pager's
    numbers; "?page=²" is no page number. Nothing raises."""
    page = parse_listing(BAD_LINKS, BASE + "/press-releases?page=7")
    assert [e.url for e in page.entries] == [BASE + "/cio/1"]
    assert page.skipped == 1
    assert page.next_url == BASE + "/press-releases?page=8"
    assert page.last_page is None


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("/press-releases?page=12", 12),
        ("?page=²", None),
        ("?page=-1", None),
        ("http://[bad?page=1", None),
        ("/press-releases", None),
    ],
)
def test_page_number(url: str, number: int | None) -> None:
    """Only ASCII digits make a page number; no URL at all gives None."""
    assert page_number(url) == number


def test_bad_locs_and_feed_links_are_skipped() -> None:
    """A sitemap <loc> or feed <link> that is no URL is skipped (and counted in the sitemap)."""
    urlset = URLSET.replace(b"<url><lastmod>", b"<url><loc>http://[bad</loc><lastmod>")
    doc = parse_sitemap(urlset, BASE + "/s.xml")
    assert (len(doc.urls), doc.skipped) == (2, 1)
    feed = b"""<rss version="2.0"><channel><item><link>http://[bad</link></item>
    <item><link>/cio/2</link></item></channel></rss>"""
    assert [e.url for e in parse_feed(feed, BASE + "/rss.xml")] == [BASE + "/cio/2"]


def test_last_page_has_no_next() -> None:
    """The last listing page has neither a next link nor a next page number."""
    html = b"""<ul class="pager"><li class="pager-item"><a href="?page=1">2</a></li>
    <li class="pager-current">3</li></ul>"""
    assert parse_listing(html, BASE + "/press-releases?page=2").next_url is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6 June 2023", dt.date(2023, 6, 6)),
        ("Publishing date: 9 Apr 2012", dt.date(2012, 4, 9)),
        ("17 October, 2000", dt.date(2000, 10, 17)),
        ("2021-04-20T10:00:00Z", dt.date(2021, 4, 20)),
        ("31 February 2020", None),
        ("12 April", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    """Listing, lastmod and feed date forms parse; impossible or yearless dates give None."""
    assert parse_date(text) == expected


def test_listing_url() -> None:
    """Listing URLs are {base}/press-releases?page=N; negative pages are refused."""
    assert listing_url("http://127.0.0.1:8000/", 0) == "http://127.0.0.1:8000/press-releases?page=0"
    assert listing_url(BASE, 12) == BASE + "/press-releases?page=12"
    with pytest.raises(ValueError):
        listing_url(BASE, -1)


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <sitemap><loc>https://www.osce.org/sitemap.xml?page=1</loc><lastmod>2025-01-02</lastmod></sitemap>
 <sitemap><loc>/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>"""

URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://www.osce.org/odihr/50472</loc><lastmod>2012-04-09T08:00:00+02:00</lastmod></url>
 <url><loc>https://www.osce.org/cio/50537</loc>
  <news:news><news:title>Chairperson in Priština</news:title></news:news></url>
 <url><lastmod>2020-01-01</lastmod></url>
</urlset>""".encode()


def test_sitemap_index() -> None:
    """A sitemap index lists its child sitemaps, made absolute, and no page URLs."""
    doc = parse_sitemap(SITEMAP_INDEX, BASE + "/sitemap.xml")
    assert doc.sitemaps == [BASE + "/sitemap.xml?page=1", BASE + "/sitemap-2.xml.gz"]
    assert doc.urls == []


def test_sitemap_urlset_plain_and_gzip() -> None:
    """A urlset gives URLs with lastmod dates and news titles, the same whether gzipped or not."""
    expected = [
        ListingEntry(BASE + "/odihr/50472", None, dt.date(2012, 4, 9), None),
        ListingEntry(BASE + "/cio/50537", "Chairperson in Priština", None, None),
    ]
    assert parse_sitemap(URLSET, BASE + "/s.xml").urls == expected
    assert parse_sitemap(gzip.compress(URLSET), BASE + "/s.xml.gz").urls == expected


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol3;</loc></url></urlset>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title><link>https://www.osce.org/a/1</link></item>
</channel></rss>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, gzip.compress(BILLION_LAUGHS)])
def test_entity_expansion_refused(data: bytes) -> None:
    """A sitemap declaring entities (billion laughs), plain or gzipped, is refused, not expanded."""
    with pytest.raises(DiscoveryError, match="unsafe XML refused"):
        parse_sitemap(data, BASE + "/sitemap.xml")


def test_external_entity_refused_in_feed() -> None:
    """A feed with an external entity is refused with a DiscoveryError naming the URL."""
    with pytest.raises(DiscoveryError, match=r"rss\.xml: unsafe XML refused"):
        parse_feed(EXTERNAL_ENTITY, BASE + "/rss.xml")


def test_gzip_bomb_refused() -> None:
    """A gzip that inflates beyond the cap is refused without inflating it all."""
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>")
    assert len(bomb) < 200_000
    with pytest.raises(DiscoveryError, match="gzip expands beyond"):
        parse_sitemap(bomb, BASE + "/sitemap.xml.gz")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<urlset><url><loc>x</loc></url>", "malformed XML"),
        (b"<html><body>Not found</body></html>", "not a sitemap"),
        (b"\x1f\x8bnot really gzip", "corrupt gzip"),
    ],
)
def test_bad_sitemaps(data: bytes, message: str) -> None:
    """Malformed XML, an HTML error page and corrupt gzip each raise a DiscoveryError saying so."""
    with pytest.raises(DiscoveryError, match=message):
        parse_sitemap(data, BASE + "/sitemap.xml")


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
 <title>OSCE press releases</title><link>https://www.osce.org</link>
 <item><title>OSCE Chairman-in-Office issues statement on Albania</title>
  <link>https://www.osce.org/cio/50537</link>
  <pubDate>Mon, 10 Mar 1997 12:00:00 +0000</pubDate></item>
 <item><title>Relative link</title><link>/odihr/50472</link><dc:date>2012-04-09</dc:date></item>
 <item><title>No link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>OSCE</title>
 <link href="https://www.osce.org/"/>
 <entry><title>Atom entry</title><link rel="alternate" href="https://www.osce.org/hcnm/92336"/>
  <link rel="enclosure" href="https://www.osce.org/x.pdf"/>
  <published>2021-04-20T10:00:00Z</published><updated>2021-05-01T00:00:00Z</updated></entry>
 <entry><title>Updated only</title><link href="https://www.osce.org/fom/1234"/>
  <updated>2020-10-06T00:00:00Z</updated></entry>
</feed>"""


def test_rss_items() -> None:
    """RSS 2.0 items give link, title, pubDate (RFC 822) or dc:date; linkless items are skipped."""
    assert parse_feed(RSS, BASE + "/rss.xml") == [
        ListingEntry(
            BASE + "/cio/50537",
            "OSCE Chairman-in-Office issues statement on Albania",
            dt.date(1997, 3, 10),
            None,
        ),
        ListingEntry(BASE + "/odihr/50472", "Relative link", dt.date(2012, 4, 9), None),
    ]


def test_atom_entries() -> None:
    """Atom entries give the alternate link, title, and published (else updated) date."""
    assert parse_feed(ATOM, BASE + "/atom.xml") == [
        ListingEntry(BASE + "/hcnm/92336", "Atom entry", dt.date(2021, 4, 20), None),
        ListingEntry(BASE + "/fom/1234", "Updated only", dt.date(2020, 10, 6), None),
    ]


def test_feed_rejects_non_feed() -> None:
    """A sitemap handed to parse_feed is refused as not a feed."""
    with pytest.raises(DiscoveryError, match="not an RSS or Atom feed"):
        parse_feed(URLSET, BASE + "/rss.xml")


# --- URL normalisation at discovery (issue 9, findings 2 and 11) ----------------------------------

VARIANT_LISTING = """<html><body>
<div class="search-result-news"><h3 class="search-title"><a href="/ru/секретариат/500000">Раз</a></h3></div>
<div class="search-result-news"><h3 class="search-title"><a href="/ru/%d1%81%d0%b5%d0%ba%d1%80%d0%b5%d1%82\
%d0%b0%d1%80%d0%b8%d0%b0%d1%82/500000/">Два</a></h3></div>
<div class="search-result-news"><h3 class="search-title"><a href="HTTPS://WWW.OSCE.ORG:443/secretariat/7/?utm=x#top">A</a></h3></div>
<div class="search-result-news"><h3 class="search-title"><a href="/secretariat/7">B</a></h3></div>
<ul class="pager"><li class="pager-next"><a href="/press-releases?page=4#results">next</a></li></ul>
</body></html>""".encode()


def test_listing_links_are_normalised_and_variants_are_one_entry() -> None:
    """A raw Cyrillic link becomes its ASCII URI; variants of one item (case, port, slash, query,
    fragment, escapes' case) are one entry, the first; the pager's link keeps its page but no fragment."""
    page = parse_listing(VARIANT_LISTING, PAGE_URL)
    cyrillic = "/ru/%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82%D0%B0%D1%80%D0%B8%D0%B0%D1%82/500000"
    assert [(entry.url, entry.title) for entry in page.entries] == [
        (BASE + cyrillic, "Раз"),
        (BASE + "/secretariat/7", "A"),
    ]
    assert page.next_url == BASE + "/press-releases?page=4"


def test_sitemap_and_feed_links_are_normalised() -> None:
    """Sitemap <loc>s and feed links get the same one spelling as listing links, each item once."""
    urlset = """<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://www.osce.org/ru/секретариат/9/</loc></url><url><loc>https://www.osce.org/ru/секретариат/9</loc></url>
    </urlset>""".encode()
    rss = b"""<rss><channel><item><link>/odihr/5?x=1#y</link></item><item><link>/odihr/5</link></item>
    </channel></rss>"""
    [loc] = parse_sitemap(urlset, BASE + "/sitemap.xml").urls
    assert loc.url == BASE + "/ru/%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82%D0%B0%D1%80%D0%B8%D0%B0%D1%82/9"
    assert [entry.url for entry in parse_feed(rss, BASE + "/rss.xml")] == [BASE + "/odihr/5"]
