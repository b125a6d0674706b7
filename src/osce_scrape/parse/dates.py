"""Dates in the site's own words: datelines, header lines and date strings, in several languages.

dateparser's `search_dates` manages only ~35 calls/s, so dates are located by pattern first and only the
short matched text ever reaches dateparser (with a language hint), and only when the month name is not one of
the languages tabulated here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from osce_scrape.parse.months import month_number

_WORD = r"[^\W\d_]{3,}\.?"
# What follows a year in some languages: "20 ноября 2009 г.", "5. januara 2021. godine", "26 березня 2007 р.",
# "5 marca 2010 r.", "5 март 2010 година", "2006 ж.".
_YEAR_SUFFIX = (
    r"(?:\s*(?:г\.|года|р\.|року|godine\.?|godina|r\.|roku|година|год\.|թ\.|ж\.|жылы|yil|yılı)|\.(?=\s))?"
)
# "20 November 2009", "20. November 2009", "17 October, 2000", "9 Apr 2012", "26 de marzo de 2007",
# "21 сентябри соли 2016"
DAY_MONTH_YEAR = rf"\d{{1,2}}\.?\s+(?:de\s+)?{_WORD},?\s+(?:(?:de|del|соли)\s+)?\d{{4}}{_YEAR_SUFFIX}"
# Year first: "2006 жылғы 13 наурыз", "2011-yil 8-noyabr", "2009-жылдын 25-марты", "2009 წლის 23 მარტი",
# "2009. november 20."
YEAR_MONTH_DAY = (
    rf"\d{{4}}(?:[-\s]?[^\W\d_]{{1,8}}\.?)?[\s,]+\d{{1,2}}[-\s.]*{_WORD}"
    rf"|\d{{4}}\.?(?:\s*[^\W\d_]{{1,3}}\.)?\s*{_WORD}\s+\d{{1,2}}\.?"
)
MONTH_DAY_YEAR = rf"{_WORD}\s+\d{{1,2}},\s+\d{{4}}"  # "November 20, 2009"
ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
NUMERIC_DATE = r"\d{1,2}[./]\d{1,2}[./]\d{4}"  # "20.11.2009", "15/06/2011": the site's European order
ANY_DATE = re.compile(rf"({ISO_DATE}|{DAY_MONTH_YEAR}|{YEAR_MONTH_DAY}|{MONTH_DAY_YEAR}|{NUMERIC_DATE})")
_DMY = re.compile(rf"^(\d{{1,2}})\.?\s+(?:de\s+)?({_WORD}),?\s+(?:(?:de|del|соли)\s+)?(\d{{4}})")
_YMD = re.compile(rf"^(\d{{4}})(?:[-\s]?[^\W\d_]{{1,8}}\.?)?[\s,]+(\d{{1,2}})[-\s.]*({_WORD})")
# Hungarian "2009. november 20.", Armenian "2009 թ. մարտի 23"
_YMD_DOTTED = re.compile(rf"^(\d{{4}})\.?(?:\s*[^\W\d_]{{1,3}}\.)?\s*({_WORD})\s+(\d{{1,2}})")
_MDY = re.compile(rf"^({_WORD})\s+(\d{{1,2}}),\s+(\d{{4}})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
# Date patterns with a month name, and which group is the year, the month and the day.
_WORDED = ((_DMY, (3, 2, 1)), (_YMD, (1, 3, 2)), (_YMD_DOTTED, (1, 2, 3)), (_MDY, (3, 1, 2)))
_NUMERIC = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_LEADING_WEEKDAY = re.compile(r"^[^\W\d_]{3,},\s+(?=\d)")
_WEEKDAY = r"(?:[^\W\d_]{3,},?\s+)?"  # "Tuesday, 24 May 2022" (Drupal's "l, j F Y")

# A dateline opens the body: "MOSCOW, 20 November 2009 - ", "SKOPJE, 18 October 2001 (OSCE)-- ",
# "OSH, Kyrgyzstan, 14 March 2006- ", "BISHKEK, 12 April- " (no year), "WIEN, 20. November 2009 –".
_PLACE = r"(?P<place>[^\W\d_][^\d\n:;!?\"“”«»]{0,90}?)"
_DASH = r"(?:-{1,2}|–|—|―)"
DATELINE = re.compile(
    rf"^{_PLACE},?\s+(?P<date>{DAY_MONTH_YEAR}|{YEAR_MONTH_DAY}|\d{{1,2}}\.?\s+{_WORD})\s*(?:\(OSCE\))?\s*{_DASH}",
)
# Date first, then the place: "12 November 2015, VIENNA –".
DATELINE_DATE_FIRST = re.compile(rf"^(?P<date>{DAY_MONTH_YEAR}),\s+{_PLACE}\s*{_DASH}\s")
# A dateline without a date: "VIENNA- The Representative..." (capitals only, or it is a sentence).
DATELINE_NO_DATE = re.compile(rf"^(?P<place>[^\W\d_][^\W\d_ ./'’-]*(?:[ /]+[^\W\d_./'’-]+)*)\s*{_DASH}\s+\S")
# Places first, then a dash, then the date: "TIRANA / BRUSSELS / GENEVA – 6 October 2020."
DATELINE_DATE_AFTER = re.compile(rf"^{_PLACE}\s+{_DASH}\s+(?P<date>{DAY_MONTH_YEAR})\s*[.:]?\s")
# The old "Newsroom" layout's header line under the title: "ZAGREB 6 July 2004" (no comma).
HEADER_LINE = re.compile(rf"^(?P<place>[^\W\d_][^\d,:;]{{0,60}}?)\s+(?P<date>{DAY_MONTH_YEAR})$")
DATE_ONLY_LINE = re.compile(rf"^{_WEEKDAY}(?:{DAY_MONTH_YEAR}|{MONTH_DAY_YEAR}|{ISO_DATE}|{NUMERIC_DATE})$")
SITE_TIMEZONE = ZoneInfo("Europe/Vienna")  # the OSCE's seat; the site shows dates in its time
MAX_PLACE_WORDS = 9
DATELINE_HEAD_CHARS = 200  # a dateline is read from the paragraph's start
# The same paragraphs are asked for their dateline by several extractors (values, headline, body, language):
# remembered by their head, a few hundred characters each.
DATELINES_CACHED = 1024
MAX_DATELESS_PLACE_CHARS = 40  # "TSAKHKADZOR, Kotayq region of Armenia" has 5; a sentence has more


@dataclass(frozen=True)
class Dateline:
    """The place and date a body or header line opens with; date is None when the line has no year."""

    place: str
    date: dt.date | None


def parse_date(text: str, language: str | None = None) -> dt.date | None:
    """The calendar date a short text states ("20 November 2009", "2009-11-20T10:00:00Z"), or None."""
    text = " ".join(text.split()).strip(" .,")
    text = _LEADING_WEEKDAY.sub("", text) if not text[:1].isdigit() else text
    if not text:
        return None
    if match := _ISO.match(text):
        return _site_date(text) or _safe_date(int(match[1]), int(match[2]), int(match[3]))
    for pattern, (year, month, day) in _WORDED:  # the first whose month word is a month
        if (match := pattern.match(text)) and (number := month_number(match[month], language)):
            return _safe_date(int(match[year]), number, int(match[day]))
    if match := _NUMERIC.match(text):
        first, second = int(match[1]), int(match[2])
        # Day first, as the site writes dates, unless only month-first makes sense ("06/15/2011").
        day, month = (second, first) if second > 12 >= first else (first, second)
        return _safe_date(int(match[3]), month, day)
    return None


def find_date(text: str, language: str | None = None) -> dt.date | None:
    """The first date stated anywhere in a short text ("Published: 20 November 2009, 10:00")."""
    for match in ANY_DATE.finditer(text):
        if found := parse_date(match[0], language):
            return found
    return None


def _site_date(stamp: str) -> dt.date | None:
    """The calendar day of a timestamp with a zone: its own local day when it names an offset
    ("2017-12-25T00:00:00+02:00"), the day in Vienna when it is UTC (Drupal writes local midnight as
    "2002-06-02T22:00:00Z" for a page dated 3 June 2002)."""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.utcoffset() is None:
            return None
        return (
            moment.astimezone(SITE_TIMEZONE).date()
            if moment.utcoffset() == dt.timedelta(0)
            else moment.date()
        )
    except (ValueError, OverflowError):  # not a timestamp, or one at the edge of the calendar (9999-12-31)
        return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dateline(paragraph: str, language: str | None = None) -> Dateline | None:
    """The dateline a body paragraph opens with, if any."""
    return _dateline(paragraph[:DATELINE_HEAD_CHARS], language)


@lru_cache(maxsize=DATELINES_CACHED)
def _dateline(head: str, language: str | None) -> Dateline | None:
    for pattern in (DATELINE, DATELINE_DATE_AFTER, DATELINE_DATE_FIRST):
        match = pattern.match(head)
        if match and _is_place(match["place"]) and _month_word(match["date"], language):
            return Dateline(place=_clean_place(match["place"]), date=parse_date(match["date"], language))
    match = DATELINE_NO_DATE.match(head)
    if match and match["place"].isupper() and len(match["place"]) <= MAX_DATELESS_PLACE_CHARS:
        return Dateline(place=_clean_place(match["place"]), date=None)
    return None


def _month_word(date_text: str, language: str | None) -> str | None:
    """The date's month name, if it has one that is a month ("12 April" in a yearless dateline)."""
    return next((w for w in re.findall(r"[^\W\d_]{3,}", date_text) if month_number(w, language)), None)


def dateline_month(paragraph: str) -> str | None:
    """The month name of the dateline a paragraph opens with ("aprilie"), if any."""
    head = paragraph[:DATELINE_HEAD_CHARS]
    match = DATELINE.match(head) or DATELINE_DATE_AFTER.match(head)
    return _month_word(match["date"], None) if match else None


def find_header_line(line: str, language: str | None = None) -> Dateline | None:
    """The old layout's "ZAGREB 6 July 2004" header line (the whole line, place then date, no comma)."""
    match = HEADER_LINE.match(line.strip())
    if not match or not _is_place(match["place"]):
        return None
    date = parse_date(match["date"], language)
    return Dateline(place=_clean_place(match["place"]), date=date) if date else None


def is_date_only(line: str) -> bool:
    """True when the whole line is one date ("24 October 2018")."""
    return bool(DATE_ONLY_LINE.match(line.strip()))


def _is_place(text: str) -> bool:
    """A place name list, not a sentence: every word before the first comma is capitalised
    ("ZAGREB", "Prishtinë/Priština", "VIENNA / SARAJEVO"); a qualifier after a comma may have lowercase words
    ("TSAKHKADZOR, Kotayq region of Armenia")."""
    words = text.replace("/", " ").replace(",", " ").split()
    if not 0 < len(words) <= MAX_PLACE_WORDS:
        return False
    first_segment = text.split(",")[0].replace("/", " ").split()
    return all(_capital_or_caseless(word[:1]) for word in first_segment)


def _capital_or_caseless(letter: str) -> bool:
    # Georgian (Mkhedruli) letters count as lowercase in Unicode, but the script writes no capitals.
    return not letter.islower() or "\u10d0" <= letter <= "\u10ff"


def _clean_place(text: str) -> str:
    return " ".join(text.split()).strip(" ,")
