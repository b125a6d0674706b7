"""Counts over a dataset, in one pass: what the data card states and the report draws."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from osce_scrape.dataset.gazetteer import Gazetteer
from osce_scrape.dataset.normalize import NormalizedFacets, normalize_record
from osce_scrape.models import PressRelease

NO_VALUE = "(none)"  # the key under which records without a value (no content type, no source) count


@dataclass
class DatasetStats:
    """Record counts by facet. Every count is of records, except the place counts (of places named)."""

    records: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    by_year: Counter[int] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    by_content_type: Counter[str] = field(default_factory=Counter)
    by_field: Counter[str] = field(default_factory=Counter)
    by_field_year: Counter[tuple[str, int]] = field(default_factory=Counter)
    fields_unknown: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    by_source_kind: Counter[str] = field(default_factory=Counter)
    sources_unknown: Counter[str] = field(default_factory=Counter)
    by_country: Counter[str] = field(default_factory=Counter)
    places_named: int = 0
    places_resolved: int = 0
    places_unresolved: Counter[str] = field(default_factory=Counter)
    parser_versions: Counter[str] = field(default_factory=Counter)
    with_translations: int = 0
    by_translation_language: Counter[str] = field(default_factory=Counter)
    # Coverage: how many records each facet's chart or table can show at all.
    with_source: int = 0
    with_field: int = 0  # at least one field of work the taxonomy knows (what the heat map shows)
    without_field: int = 0  # no field of work at all (the rest name only values outside the taxonomy)
    by_year_with_field: Counter[int] = field(default_factory=Counter)
    with_place: int = 0
    with_country: int = 0  # at least one place resolved to a country (what the country table shows)

    def add(self, record: PressRelease, gazetteer: Gazetteer | None = None) -> None:
        """Count one record."""
        facets = normalize_record(record, gazetteer)
        self.records += 1
        self.first_date = min(self.first_date or record.date, record.date)
        self.last_date = max(self.last_date or record.date, record.date)
        year = record.date.year
        self.by_year[year] += 1
        self.by_language[record.language] += 1
        self.by_content_type[record.content_type or NO_VALUE] += 1
        self.parser_versions[record.provenance.parser_version] += 1
        self.with_translations += bool(record.translations)
        self.by_translation_language.update(list(record.translations))
        self._count_coverage(record, facets)
        for name in facets.fields_of_work_normalized:
            self.by_field[name] += 1
            self.by_field_year[(name, year)] += 1
        self.fields_unknown.update(facets.fields_of_work_unknown)
        for source in facets.sources_normalized:
            self.by_source[source.name] += 1
            if not source.known:
                self.sources_unknown[source.raw] += 1
        # Each kind and country once a record, in page order (not a set's, whose order changes with every
        # process: the card's rows of equal counts must come out the same in every run).
        kinds = dict.fromkeys(s.kind or "unknown" for s in facets.sources_normalized)
        self.by_source_kind.update(list(kinds))
        if not facets.sources_normalized:
            self.by_source[NO_VALUE] += 1
        for place in facets.places:
            self.places_named += 1
            if place.resolved:
                self.places_resolved += 1
            else:
                self.places_unresolved[place.raw] += 1
        self.by_country.update(list(dict.fromkeys(p.country_code for p in facets.places if p.country_code)))

    def _count_coverage(self, record: PressRelease, facets: NormalizedFacets) -> None:
        self.with_source += bool(facets.sources_normalized)
        self.with_field += bool(facets.fields_of_work_normalized)
        self.without_field += not record.fields_of_work
        self.by_year_with_field[record.date.year] += bool(facets.fields_of_work_normalized)
        self.with_place += bool(facets.places)
        self.with_country += any(p.country_code for p in facets.places)

    def coverage(self) -> dict[str, dict[str, int]]:
        """Per facet: of all records, how many have a value and how many none (what a chart leaves out)."""
        total = self.records
        return {
            "sources": {"records": total, "with": self.with_source, "without": total - self.with_source},
            "fields_of_work": {
                "records": total,
                "with": self.with_field,
                "without": self.without_field,
                "only_unknown": total - self.with_field - self.without_field,
            },
            "places": {"records": total, "with": self.with_place, "without": total - self.with_place},
            "countries": {"records": total, "with": self.with_country, "without": total - self.with_country},
            "translations": {
                "records": total,
                "with": self.with_translations,
                "without": total - self.with_translations,
            },
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts, most frequent first (years in order)."""
        return {
            "records": self.records,
            "date_range": {
                "first": self.first_date.isoformat() if self.first_date else None,
                "last": self.last_date.isoformat() if self.last_date else None,
            },
            "by_year": {str(y): n for y, n in sorted(self.by_year.items())},
            "by_language": dict(self.by_language.most_common()),
            "by_content_type": dict(self.by_content_type.most_common()),
            "by_field_of_work": dict(self.by_field.most_common()),
            "fields_of_work_unknown": dict(self.fields_unknown.most_common()),
            "by_source": dict(self.by_source.most_common()),
            "by_source_kind": dict(self.by_source_kind.most_common()),
            "sources_unknown": dict(self.sources_unknown.most_common()),
            "places": {
                "named": self.places_named,
                "resolved": self.places_resolved,
                "unresolved": dict(self.places_unresolved.most_common()),
                "records_by_country": dict(self.by_country.most_common()),
            },
            "records_with_translations": self.with_translations,
            "by_translation_language": dict(self.by_translation_language.most_common()),
            "coverage": self.coverage(),
            "parser_versions": dict(self.parser_versions.most_common()),
        }


def collect(records: Iterable[PressRelease], gazetteer: Gazetteer | None = None) -> DatasetStats:
    """Count every record of `records`."""
    stats = DatasetStats()
    for record in records:
        stats.add(record, gazetteer)
    return stats
