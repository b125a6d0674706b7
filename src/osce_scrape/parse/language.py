"""A record's language: what the page declares (<html lang>, the URL's /ru/ prefix), checked against the
language its dateline is written in, which settles pages that declare nothing or contradict their URL."""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit

from osce_scrape.parse import selectors as sel
from osce_scrape.parse.dates import dateline_month
from osce_scrape.parse.months import month_language, month_languages

_LANG_ATTRIBUTE = re.compile(r"^([a-z]{2})(?:[-_][A-Za-z0-9]+)*$")
_WORDS = re.compile(r"[^\W\d_]+")
# The commonest words of languages that share month names ("marzo": Spanish and Italian).
STOPWORDS = {
    "en": "the of and to in is that for on with was by",
    "es": "el la de que y en los del las por con una para se",
    "it": "il di che e la per della del nel con una sono gli alla",
    "fr": "le la les de des et du que en une pour dans est",
    "de": "der die und das den des ist mit von zu im für auf",
    "ro": "și de la în cu că pentru este din care mai",
    "pl": "i w na z się że do nie jest to przez oraz",
    "sr": "i u je da na se za su od sa koji",
    "hr": "i u je da na se za su od sa koji",
    "sq": "dhe të në e për që me një nga është",
    "tr": "ve bir bu için ile da de olarak",
    "uz": "va bilan uchun bu bir ham",
    "cs": "a v na je se že s z do to",
    "hu": "a az és hogy nem egy is van",
}  # fmt: skip
_STOPWORDS = {language: set(words.split()) for language, words in STOPWORDS.items()}
TEXT_SAMPLE_CHARS = 1500


class Language(NamedTuple):
    code: str
    rule: str


def declared_language(html_lang: str | None, url: str) -> Language:
    """<html lang>, else the URL's language prefix, else English."""
    if html_lang and (match := _LANG_ATTRIBUTE.match(html_lang.strip())):
        return Language(match[1].lower(), "html[lang]")
    if match := sel.LANGUAGE_PREFIX.match(urlsplit(url).path):
        return Language(match[1], "url-prefix")
    return Language("en", "default")


def settle_language(declared: Language, paragraphs: list[str], url: str, lookahead: int) -> Language:
    """The dateline's month settles what the markup leaves open: no declared language at all, or an
    <html lang> that the URL's prefix contradicts (a translation served with the English lang)."""
    written = _written_language(paragraphs[:lookahead])
    if written is None or written == declared.code:
        return declared
    prefix = sel.LANGUAGE_PREFIX.match(urlsplit(url).path)
    if declared.rule == "default" or (prefix and prefix[1] == written):
        return Language(written, "dateline-month")
    return declared


def _written_language(paragraphs: list[str]) -> str | None:
    for paragraph in paragraphs:
        if (month := dateline_month(paragraph)) is None:
            continue
        if language := month_language(month):
            return language
        return guess_language(" ".join(paragraphs), month_languages(month))
    return None


def guess_language(text: str, candidates: set[str]) -> str | None:
    """The candidate whose commonest words the text uses most, if one clearly does."""
    words = Counter(map(str.casefold, _WORDS.findall(text[:TEXT_SAMPLE_CHARS])))
    scores = {
        language: sum(words[word] for word in _STOPWORDS[language])
        for language in candidates
        if language in _STOPWORDS
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
