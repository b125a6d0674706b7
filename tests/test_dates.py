"""Dates, datelines and header lines in the site's own forms (OSCE_SITE.md, "Datelines")."""

from __future__ import annotations

import datetime as dt

import pytest

from osce_scrape.parse.dates import find_date, find_dateline, find_header_line, is_date_only, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("paragraph", "place", "date"),
    [
        ("VIENNA, 18 June 1997- The OSCE Ministerial Troika", "VIENNA", D(1997, 6, 18)),
        ("VIENNA, 24 March 2011 – The", "VIENNA", D(2011, 3, 24)),
        ("VIENNA, 5 March 1997-- The", "VIENNA", D(1997, 3, 5)),
        ("SKOPJE, 18 October 2001 (OSCE)-- The", "SKOPJE", D(2001, 10, 18)),
        ("WARSAW, 20 April 2021 — The", "WARSAW", D(2021, 4, 20)),
        ("PRISHTINË/PRIŠTINA, 6 April 2012 – The", "PRISHTINË/PRIŠTINA", D(2012, 4, 6)),
        ("VIENNA / SARAJEVO, 25 October 2019 – The", "VIENNA / SARAJEVO", D(2019, 10, 25)),
        ("STRASBOURG, VIENNA, WARSAW, 21 March 2011 – The", "STRASBOURG, VIENNA, WARSAW", D(2011, 3, 21)),
        ("OSH, Kyrgyzstan, 14 March 2006- The", "OSH, Kyrgyzstan", D(2006, 3, 14)),
        ("BISHKEK, 12 April- The", "BISHKEK", None),
        ("VIENNA, 9 Apr 2012 - The", "VIENNA", D(2012, 4, 9)),
        ("ZAGREB, 17 October, 2000-- The", "ZAGREB", D(2000, 10, 17)),
        ("TIRANA / BRUSSELS / GENEVA – 6 October 2020. The", "TIRANA / BRUSSELS / GENEVA", D(2020, 10, 6)),
        ("Prishtinë/Priština, 13 April 2012 – The", "Prishtinë/Priština", D(2012, 4, 13)),
        ("WIEN, 20. November 2009 – Die", "WIEN", D(2009, 11, 20)),
        ("VIENNE, 20 novembre 2009 – Le", "VIENNE", D(2009, 11, 20)),
        ("CHIŞINĂU, 27 aprilie 2013 - Şefa", "CHIŞINĂU", D(2013, 4, 27)),
        ("МОСКВА, 20 ноября 2009 г. – Специальный", "МОСКВА", D(2009, 11, 20)),
        ("TSAKHKADZOR, Kotayq region of Armenia, 20 October 2014 – A",
         "TSAKHKADZOR, Kotayq region of Armenia",
         D(2014, 10, 20)),
    ],
)  # fmt: skip
def test_datelines(paragraph: str, place: str, date: dt.date | None) -> None:
    """Every dateline form seen on the site gives its place as written and its date."""
    found = find_dateline(paragraph)
    assert found is not None
    assert (found.place, found.date) == (place, date)


@pytest.mark.parametrize(
    "paragraph",
    [
        "The OSCE said on 20 November 2009 - that it",
        "During the visit, 12 May 2009 - was a day",
        "Heads of State and Government from the 56 OSCE participating States",
        "2009 was a year - of change",
    ],
)
def test_not_datelines(paragraph: str) -> None:
    """Sentences that merely contain a date and a dash are not datelines."""
    assert find_dateline(paragraph) is None


def test_header_line() -> None:
    """The Newsroom layout's "ZAGREB 6 July 2004" line gives place and date; a sentence does not."""
    line = find_header_line("ZAGREB 6 July 2004")
    assert line is not None and (line.place, line.date) == ("ZAGREB", D(2004, 7, 6))
    assert find_header_line("The Mission opened on 6 July 2004") is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2009-11-20T10:00:00+01:00", D(2009, 11, 20)),
        ("2002-06-02T22:00:00Z", D(2002, 6, 3)),  # UTC: Vienna's local midnight, a day later
        ("2017-12-25T00:00:00+02:00", D(2017, 12, 25)),  # an offset: the stamp's own local day
        ("20 November 2009", D(2009, 11, 20)),
        ("November 20, 2009", D(2009, 11, 20)),
        ("20.11.2009", D(2009, 11, 20)),
        ("20 listopada 2009", D(2009, 10, 20)),
        ("31 February 2009", None),
        ("someday", None),
    ],
)
def test_parse_date(text: str, date: dt.date | None) -> None:
    """Short date texts in several forms and languages parse; impossible dates do not."""
    assert parse_date(text) == date


def test_unknown_month_words_go_to_dateparser_with_a_language_hint() -> None:
    """A month name not tabulated here (Turkish) is still read, via dateparser and the page's language."""
    assert parse_date("20 ekim 2009", "tr") == D(2009, 10, 20)


def test_find_date_and_date_only_lines() -> None:
    """A date is found inside a label's text; a line that is only a date is recognised as such."""
    assert find_date("Published: 20 November 2009, 10:00") == D(2009, 11, 20)
    assert is_date_only("24 October 2018") and not is_date_only("On 24 October 2018 we met")
