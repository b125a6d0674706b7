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

import dateparser

# Month names of the site's main languages (English, Russian and Ukrainian genitive and nominative, German,
# French, Romanian, the Western Balkans' languages in both scripts, Albanian), casefolded; English
# abbreviations by their first three letters. Other languages go to dateparser.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "января", "январь", "januar", "janvier", "ianuarie", "siječnja", "janar", "jänner",
        "січня", "јануар", "јануара", "januara"),
    2: ("february", "февраля", "февраль", "februar", "février", "februarie", "veljače", "shkurt",
        "лютого", "фебруар", "фебруара", "februara"),
    3: ("march", "марта", "март", "märz", "mars", "martie", "mart", "ožujka",
        "березня", "март", "марта", "marta"),
    4: ("april", "апреля", "апрель", "avril", "aprilie", "travnja", "prill",
        "квітня", "април", "априла", "aprila"),
    5: ("may", "мая", "май", "mai", "maj", "svibnja",
        "травня", "мај", "маја", "maja"),
    6: ("june", "июня", "июнь", "juni", "juin", "iunie", "jun", "juna", "lipnja", "qershor",
        "червня", "јун", "јуна"),
    7: ("july", "июля", "июль", "juli", "juillet", "iulie", "jul", "jula", "srpnja", "korrik",
        "липня", "јул", "јула"),
    8: ("august", "августа", "август", "août", "avgust", "avgusta", "kolovoza", "gusht",
        "серпня", "август", "августа"),
    9: ("september", "сентября", "сентябрь", "septembre", "septembrie", "septembar", "rujna", "shtator",
        "вересня", "септембар", "септембра", "septembra"),
    10: ("october", "октября", "октябрь", "oktober", "octobre", "octombrie", "oktobar", "listopada", "tetor",
        "жовтня", "октобар", "октобра", "oktobra"),
    11: ("november", "ноября", "ноябрь", "novembre", "noiembrie", "novembar", "studenoga", "nëntor",
        "листопада", "новембар", "новембра", "novembra"),
    12: ("december", "декабря", "декабрь", "dezember", "décembre", "decembrie", "decembar", "prosinca",
         "dhjetor",
        "грудня", "децембар", "децембра", "decembra"),
}  # fmt: skip
MONTHS: dict[str, int] = {name: number for number, names in _MONTH_NAMES.items() for name in names}
# Month names that only one non-English language writes that way, for pages that declare no language.
_LANGUAGE_MONTHS = {
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "de": "januar februar märz juni juli oktober dezember jänner",
    "fr": "janvier février avril juin juillet août septembre octobre novembre décembre",
    "ro": "ianuarie februarie martie aprilie iunie iulie septembrie octombrie noiembrie decembrie",
    "sr": "januara februara marta aprila maja juna jula avgusta septembra oktobra novembra decembra",
    "sq": "janar shkurt prill qershor korrik gusht shtator tetor nëntor dhjetor",
}
_WORD_LANGUAGES: dict[str, set[str]] = {}
for _language, _names in _LANGUAGE_MONTHS.items():
    for _name in _names.split():
        _WORD_LANGUAGES.setdefault(_name, set()).add(_language)
MONTH_LANGUAGE = {word: next(iter(langs)) for word, langs in _WORD_LANGUAGES.items() if len(langs) == 1}
_ENGLISH_ABBREVIATIONS = {name[:3]: number for number, names in _MONTH_NAMES.items() for name in names[:1]}
_ENGLISH_ABBREVIATIONS["sept"] = 9

_WORD = r"[^\W\d_]{3,}\.?"
# "20 November 2009", "20. November 2009", "17 October, 2000", "9 Apr 2012", "20 ноября 2009 г.",
# "5. januar 2021.", "5. januara 2021. godine", "26 березня 2007 р."
_YEAR_SUFFIX = r"(?:\s*(?:г\.|года|р\.|року|godine\.?)|\.(?=\s))?"
DAY_MONTH_YEAR = rf"\d{{1,2}}\.?\s+{_WORD},?\s+\d{{4}}{_YEAR_SUFFIX}"
MONTH_DAY_YEAR = rf"{_WORD}\s+\d{{1,2}},\s+\d{{4}}"  # "November 20, 2009"
ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
NUMERIC_DATE = r"\d{1,2}[./]\d{1,2}[./]\d{4}"  # "20.11.2009", "15/06/2011": the site's European order
ANY_DATE = re.compile(rf"({ISO_DATE}|{DAY_MONTH_YEAR}|{MONTH_DAY_YEAR}|{NUMERIC_DATE})")
_DMY = re.compile(rf"^(\d{{1,2}})\.?\s+({_WORD}),?\s+(\d{{4}})")
_MDY = re.compile(rf"^({_WORD})\s+(\d{{1,2}}),\s+(\d{{4}})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_NUMERIC = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_LEADING_WEEKDAY = re.compile(r"^[^\W\d_]{3,},\s+(?=\d)")
_WEEKDAY = r"(?:[^\W\d_]{3,},?\s+)?"  # "Tuesday, 24 May 2022" (Drupal's "l, j F Y")

# A dateline opens the body: "MOSCOW, 20 November 2009 - ", "SKOPJE, 18 October 2001 (OSCE)-- ",
# "OSH, Kyrgyzstan, 14 March 2006- ", "BISHKEK, 12 April- " (no year), "WIEN, 20. November 2009 –".
_PLACE = r"(?P<place>[^\W\d_][^\d\n:;!?\"“”«»]{0,90}?)"
_DASH = r"(?:-{1,2}|–|—|―)"
DATELINE = re.compile(
    rf"^{_PLACE},?\s+(?P<date>{DAY_MONTH_YEAR}|\d{{1,2}}\.?\s+{_WORD})\s*(?:\(OSCE\))?\s*{_DASH}",
)
# Places first, then a dash, then the date: "TIRANA / BRUSSELS / GENEVA – 6 October 2020."
DATELINE_DATE_AFTER = re.compile(rf"^{_PLACE}\s+{_DASH}\s+(?P<date>{DAY_MONTH_YEAR})\s*[.:]?\s")
# The old "Newsroom" layout's header line under the title: "ZAGREB 6 July 2004" (no comma).
HEADER_LINE = re.compile(rf"^(?P<place>[^\W\d_][^\d,]{{0,60}}?)\s+(?P<date>{DAY_MONTH_YEAR})$")
DATE_ONLY_LINE = re.compile(rf"^{_WEEKDAY}(?:{DAY_MONTH_YEAR}|{MONTH_DAY_YEAR}|{ISO_DATE}|{NUMERIC_DATE})$")
SITE_TIMEZONE = ZoneInfo("Europe/Vienna")  # the OSCE's seat; the site shows dates in its time
MAX_PLACE_WORDS = 9  # "TSAKHKADZOR, Kotayq region of Armenia" has 5; a sentence has more


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
    if match := _DMY.match(text):
        month = month_number(match[2], language)
        return _safe_date(int(match[3]), month, int(match[1])) if month else None
    if match := _MDY.match(text):
        month = month_number(match[1], language)
        return _safe_date(int(match[3]), month, int(match[2])) if month else None
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


def month_number(word: str, language: str | None = None) -> int | None:
    """1-12 for a month name or abbreviation in a known language; dateparser for the others."""
    key = word.casefold().rstrip(".")
    if key in MONTHS:
        return MONTHS[key]
    if key[:4] in _ENGLISH_ABBREVIATIONS:
        return _ENGLISH_ABBREVIATIONS[key[:4]]
    if len(key) <= 4 and key[:3] in _ENGLISH_ABBREVIATIONS:
        return _ENGLISH_ABBREVIATIONS[key[:3]]
    return _month_by_dateparser(key, language)


@lru_cache(maxsize=512)
def _month_by_dateparser(word: str, language: str | None) -> int | None:
    languages = [language] if language and language != "en" else None
    try:
        parsed = dateparser.parse(
            f"15 {word} 2000", languages=languages, settings={"PARSERS": ["absolute-time"]}
        )
    except (ValueError, LookupError):  # dateparser raises these for unknown languages
        return None
    return parsed.month if parsed and parsed.year == 2000 and parsed.day == 15 else None


def _site_date(stamp: str) -> dt.date | None:
    """The calendar day in Vienna of a timestamp with a zone: Drupal writes local midnight as
    "2002-06-02T22:00:00Z" for a page dated 3 June 2002."""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(SITE_TIMEZONE).date() if moment.tzinfo else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dateline(paragraph: str, language: str | None = None) -> Dateline | None:
    """The dateline a body paragraph opens with, if any."""
    head = paragraph[:200]
    for pattern in (DATELINE, DATELINE_DATE_AFTER):
        match = pattern.match(head)
        if match and _is_place(match["place"]):
            date_text = match["date"]
            has_month = month_number(date_text.split()[1] if len(date_text.split()) > 1 else "", language)
            if not has_month:
                continue
            return Dateline(place=_clean_place(match["place"]), date=parse_date(date_text, language))
    return None


def dateline_language(paragraph: str) -> str | None:
    """The language a dateline's month name is written in, when only one language writes it so."""
    match = DATELINE.match(paragraph[:200]) or DATELINE_DATE_AFTER.match(paragraph[:200])
    if not match or len(match["date"].split()) < 2:
        return None
    return MONTH_LANGUAGE.get(match["date"].split()[1].casefold().rstrip("."))


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
    return all(word[:1].isupper() or not word[:1].isalpha() for word in first_segment)


def _clean_place(text: str) -> str:
    return " ".join(text.split()).strip(" ,")
