"""File and column names of the dataset, shared by the writers (export), the reader (load), the card and
the CLI.

Kept apart from `export` so that reading JSONL or CSV does not import pyarrow, and so that the CLI's
commands name their files and formats without importing pydantic or pyarrow (`osce-scrape --help`).
"""

from __future__ import annotations

from typing import Literal

DATASET_FILE = "press_releases.jsonl"  # the crawl's (and parse's) dataset in an output folder

Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
DEFAULT_NAMES: dict[Format, str] = {
    "jsonl": "press_releases.normalized.jsonl",  # not press_releases.jsonl: that is the crawl's own file
    "csv": "press_releases.csv",
    "parquet": "press_releases.parquet",
}

# A record's own fields, in the model's order.
RAW_COLUMNS = (
    "id", "url", "language", "content_type", "title", "date", "place", "sources", "fields_of_work",
    "body", "contacts", "translations", "provenance",
)  # fmt: skip
# Derived by the dataset stage (normalize.py); never read back into a record.
NORMALIZED_COLUMNS = ("fields_of_work_normalized", "fields_of_work_unknown", "sources_normalized", "places")

# CSV: provenance flattened, lists joined by LIST_SEPARATOR, mappings and structures as JSON text.
LIST_SEPARATOR = "; "
CSV_COLUMNS = (
    "id", "url", "language", "content_type", "title", "date", "place", "sources", "fields_of_work",
    "body", "contacts", "translations", "provenance_parser_version", "provenance_fetched_at",
    "provenance_body_sha256", "provenance_rules", "fields_of_work_normalized",
    "fields_of_work_unknown", "sources_normalized", "source_kinds", "place_names",
    "place_country_codes", "sources_normalized_json", "places_json",
)  # fmt: skip
CSV_LIST_COLUMNS = frozenset({"sources", "fields_of_work"})
CSV_JSON_COLUMNS = frozenset({"translations", "provenance_rules"})
CSV_NULLABLE_COLUMNS = frozenset({"content_type", "place", "contacts", "provenance_fetched_at"})
