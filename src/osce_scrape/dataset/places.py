"""A record's place string -> the places it names, each resolved in the gazetteer.

Datelines name several places ("VIENNA/WARSAW", "TIRANA / BRUSSELS / GENEVA", "STRASBOURG, VIENNA, WARSAW"),
qualify one with its region or country ("OSH, Kyrgyzstan", "TSAKHKADZOR, Kotayq region of Armenia": the
qualifier is not a place of its own), or write one place in two languages ("Prishtinë/Priština": both halves
resolve to the same place, so they are one). A place the gazetteer does not know stays, unresolved, with its
raw text (and the country of its qualifier, when it had one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from osce_scrape.dataset.gazetteer import Gazetteer, GazetteerEntry, country_name

_SEPARATORS = re.compile(r"\s*[/,;]\s*")
_TRAILING_PUNCTUATION = " .:-–—"


class Place(BaseModel):
    """One place of a record: the raw text and, when resolved, its name, country and coordinates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw: str
    name: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def resolved(self) -> bool:
        return self.name is not None


@dataclass
class _Part:
    raw: str
    country: str | None = None
    qualifiers: list[str] = field(default_factory=list)
    entry: GazetteerEntry | None = None
    country_level: bool = False


def split_place(raw: str, gazetteer: Gazetteer) -> list[_Part]:
    """Split on "/", "," and ";"; attach country and region qualifiers to the place before them."""
    whole = raw.strip().strip(_TRAILING_PUNCTUATION)
    if not whole:
        return []
    if gazetteer.lookup(whole) is not None:  # an alias or name with a separator in it ("Washington, D.C.")
        return [_Part(whole)]
    parts: list[_Part] = []
    for text in (t for t in _SEPARATORS.split(whole) if t):
        country = gazetteer.country(text)
        is_region, region_country = gazetteer.region_country(text)
        if parts and (country is not None or is_region):
            previous = parts[-1]
            previous.qualifiers.append(text)
            previous.country = previous.country or country or region_country
            continue
        parts.append(_Part(text, country=None))
    return parts


def resolve_places(raw: str | None, gazetteer: Gazetteer) -> list[Place]:
    """Every place `raw` names, resolved where the gazetteer knows it; same-place halves merged."""
    if raw is None:
        return []
    parts = split_place(raw, gazetteer)
    for part in parts:
        own_country = gazetteer.country(part.raw)
        if own_country is not None:  # a country on its own ("KOSOVO"), not a village of that name
            part.country, part.country_level = own_country, True
        else:
            part.entry = gazetteer.lookup(part.raw, part.country)
    places: list[Place] = []
    previous: _Part | None = None
    for part in parts:
        if previous is not None and part.entry is not None and part.entry == previous.entry:
            places[-1] = places[-1].model_copy(update={"raw": f"{places[-1].raw}/{part.raw}"})
            continue
        places.append(_to_place(part))
        previous = part
    return places


def _to_place(part: _Part) -> Place:
    raw = ", ".join([part.raw, *part.qualifiers])
    entry = part.entry
    if part.country_level and part.country is not None:
        return Place(raw=raw, name=country_name(part.country), country_code=part.country)
    if entry is None:
        return Place(raw=raw, country_code=part.country)
    return Place(
        raw=raw,
        name=entry.name,
        country_code=entry.country_code,
        latitude=entry.latitude,
        longitude=entry.longitude,
    )
