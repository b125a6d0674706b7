"""The dataset stage's facets: raw fields of work, sources and places -> values one can group by.

Computed from a record, never stored by the parser and never replacing the raw values: exports write both
side by side. Sources of truth are data files: data/taxonomy.json (today's 23 fields of work, older and
variant names, translations), data/structures.json (structures, their kind, closed ones and renames) and
the gazetteer (gazetteer.py, places.py).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict

from osce_scrape.dataset.gazetteer import Gazetteer, default_gazetteer, fold
from osce_scrape.dataset.places import Place, resolve_places
from osce_scrape.models import PressRelease

# "(closed)" and "(discontinued)" are suffixes the site adds to old structures' names.
_CLOSED_SUFFIX = re.compile(r"\s*\((closed|discontinued)\)\s*$", re.IGNORECASE)
_OSCE_PREFIX = "osce "


class SourceNormalized(BaseModel):
    """One source (structure) of a record, mapped to its canonical name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw: str
    name: str  # today's name; the raw name (without "(closed)") when the structure is unknown
    kind: str | None  # "Field operation", "Institution", "Secretariat", ...; None when unknown
    closed: bool
    renamed_from: str | None = None  # the former name the raw value used, when it used one
    known: bool = True


class NormalizedFacets(BaseModel):
    """The normalised facets of one record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fields_of_work_normalized: list[str]
    fields_of_work_unknown: list[str]
    sources_normalized: list[SourceNormalized]
    places: list[Place]


@dataclass(frozen=True)
class Structure:
    """A structure of data/structures.json."""

    name: str
    kind: str
    closed: bool
    former_names: tuple[str, ...]


def _data(name: str) -> Any:
    return json.loads(resources.files("osce_scrape").joinpath(f"data/{name}").read_text("utf-8"))


def _key(name: str) -> str:
    """Lookup key: folded, without a closed suffix and without the "OSCE " prefix some lists omit."""
    key = fold(_CLOSED_SUFFIX.sub("", name))
    return key.removeprefix(_OSCE_PREFIX)


@functools.cache
def taxonomy() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Today's fields of work, and a lookup from every known spelling to the field(s) it means."""
    data = _data("taxonomy.json")
    fields = tuple(data["fields"])
    lookup: dict[str, tuple[str, ...]] = {fold(f): (f,) for f in fields}
    for variant, targets in data["aliases"].items():
        lookup[fold(variant)] = tuple(targets)
    for names in data["translations"].values():
        for variant, target in names.items():
            lookup[fold(variant)] = (target,)
    unknown_targets = {t for ts in lookup.values() for t in ts} - set(fields)
    if unknown_targets:  # a typo in the data file would otherwise leak out of the taxonomy
        raise ValueError(f"taxonomy.json maps to fields not in the taxonomy: {sorted(unknown_targets)}")
    return fields, lookup


@functools.cache
def structures() -> dict[str, tuple[Structure, str | None]]:
    """Every known structure name (folded) -> the structure and the former name it is, if one."""
    lookup: dict[str, tuple[Structure, str | None]] = {}
    for item in _data("structures.json")["structures"]:
        former = tuple(item.get("former_names", ()))
        structure = Structure(item["name"], item["kind"], bool(item.get("closed", False)), former)
        for alias in (item["name"], *item.get("aliases", ())):
            lookup[_key(alias)] = (structure, None)
        for old in former:
            lookup[_key(old)] = (structure, old)
    return lookup


def normalize_fields(values: list[str]) -> tuple[list[str], list[str]]:
    """(today's fields, in first-seen order without repeats; the values no mapping knows)."""
    _, lookup = taxonomy()
    known: list[str] = []
    unknown: list[str] = []
    for value in values:
        targets = lookup.get(fold(value))
        if targets is None:
            if value not in unknown:
                unknown.append(value)
            continue
        known.extend(t for t in targets if t not in known)
    return known, unknown


@functools.lru_cache(maxsize=4096)
def normalize_source(raw: str) -> SourceNormalized:
    """One source name -> its canonical structure (unknown names are kept, marked `known=False`)."""
    suffixed = bool(_CLOSED_SUFFIX.search(raw))
    found = structures().get(_key(raw))
    if found is None:
        name = _CLOSED_SUFFIX.sub("", raw).strip()
        return SourceNormalized(raw=raw, name=name, kind=None, closed=suffixed, known=False)
    structure, former = found
    return SourceNormalized(
        raw=raw,
        name=structure.name,
        kind=structure.kind,
        closed=structure.closed or suffixed,
        renamed_from=former,
    )


def normalize_sources(values: list[str]) -> list[SourceNormalized]:
    """Each source normalised; two raw names of one structure give it once (the first raw name)."""
    seen: set[str] = set()
    result: list[SourceNormalized] = []
    for value in values:
        source = normalize_source(value)
        if source.name not in seen:
            seen.add(source.name)
            result.append(source)
    return result


@functools.lru_cache(maxsize=16384)
def _places(raw: str, gazetteer: Gazetteer) -> tuple[Place, ...]:
    return tuple(resolve_places(raw, gazetteer))


def normalize_places(raw: str | None, gazetteer: Gazetteer | None = None) -> list[Place]:
    """The places a record's place string names (cached: datelines repeat a few hundred names)."""
    if raw is None or not raw.strip():
        return []
    return list(_places(raw, gazetteer or default_gazetteer()))


def normalize_record(record: PressRelease, gazetteer: Gazetteer | None = None) -> NormalizedFacets:
    """All normalised facets of one record."""
    known, unknown = normalize_fields(record.fields_of_work)
    return NormalizedFacets(
        fields_of_work_normalized=known,
        fields_of_work_unknown=unknown,
        sources_normalized=normalize_sources(record.sources),
        places=normalize_places(record.place, gazetteer),
    )
