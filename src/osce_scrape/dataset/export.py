"""Records -> JSONL, CSV or Parquet files, raw values and normalised facets side by side.

Parquet has proper types (date32, list<string>, struct and list<struct> columns, a UTC timestamp).
CSV is RFC 4180 (comma, double-quote quoting, CRLF line ends, a header row) in UTF-8 without a BOM; list
fields are joined by "; ", mappings and structured facets are JSON text. See docs/dataset.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from osce_scrape.dataset.columns import (
    CSV_COLUMNS,
    LIST_SEPARATOR,
    RAW_COLUMNS,
    Format,
)
from osce_scrape.dataset.normalize import normalize_fields, normalize_places, normalize_sources
from osce_scrape.errors import DatasetError
from osce_scrape.files import atomic_path, atomic_writer
from osce_scrape.models import PressRelease

log = logging.getLogger(__name__)

PARQUET_BATCH = 10_000  # rows per row group: bounds memory at ~100 MB of rows, big enough for speed


def normalized_columns(record: PressRelease) -> dict[str, Any]:
    """The normalised facets of a record as plain values (lists of str and dicts)."""
    known, unknown = normalize_fields(record.fields_of_work)
    return {
        "fields_of_work_normalized": known,
        "fields_of_work_unknown": unknown,
        "sources_normalized": [s.model_dump() for s in normalize_sources(record.sources)],
        "places": [p.model_dump() for p in normalize_places(record.place)],
    }


def full_row(record: PressRelease) -> dict[str, Any]:
    """A record's raw fields (Python types) and its normalised facets: one row of every export."""
    row = record.model_dump()
    fetched_at = row["provenance"]["fetched_at"]
    if fetched_at is not None and fetched_at.tzinfo is None:  # naive times are taken as UTC
        row["provenance"]["fetched_at"] = fetched_at.replace(tzinfo=dt.UTC)
    row.update(normalized_columns(record))
    return row


def write_jsonl(records: Iterable[PressRelease], handle: IO[str]) -> int:
    """One JSON object per line: the record's fields, then its normalised facets."""
    count = 0
    for record in records:
        line = record.model_dump(mode="json")
        line.update(normalized_columns(record))
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_row(record: PressRelease) -> dict[str, str]:
    """A record flattened for CSV: lists joined by "; ", mappings and structures as JSON, None as ""."""
    row = full_row(record)
    provenance = row.pop("provenance")
    flat: dict[str, Any] = {k: row[k] for k in RAW_COLUMNS if k != "provenance"}
    flat["date"] = record.date.isoformat()
    fetched_at = provenance["fetched_at"]
    flat.update(
        provenance_parser_version=provenance["parser_version"],
        provenance_fetched_at=fetched_at.isoformat() if fetched_at else None,
        provenance_body_sha256=provenance["body_sha256"],
        provenance_rules=provenance["rules"],
        fields_of_work_normalized=row["fields_of_work_normalized"],
        fields_of_work_unknown=row["fields_of_work_unknown"],
        sources_normalized=[s["name"] for s in row["sources_normalized"]],
        source_kinds=_distinct(s["kind"] for s in row["sources_normalized"]),
        place_names=[p["name"] for p in row["places"] if p["name"]],
        place_country_codes=_distinct(p["country_code"] for p in row["places"]),
        sources_normalized_json=row["sources_normalized"],
        places_json=row["places"],
    )
    return {key: _csv_cell(key, flat[key], record.id) for key in CSV_COLUMNS}


def _distinct(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _csv_cell(column: str, value: Any, record_id: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if any(LIST_SEPARATOR in v for v in value):  # joining would make the cell ambiguous
            raise DatasetError(f"a {column} value holds {LIST_SEPARATOR!r}", source=record_id)
        return LIST_SEPARATOR.join(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
    return str(value)


def write_csv(records: Iterable[PressRelease], handle: IO[str]) -> int:
    """RFC 4180 CSV with a header row; `handle` must be opened with newline="" or newline="\\n"."""
    writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count


def _batches(records: Iterable[PressRelease], size: int) -> Iterator[list[PressRelease]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def write_parquet(records: Iterable[PressRelease], path: Path, *, batch_size: int = PARQUET_BATCH) -> int:
    """A Parquet file (zstd) with PARQUET_SCHEMA (parquet_schema.py), written a row group at a time."""
    import pyarrow as pa  # late, like the schema: importing pyarrow takes ~0.15 s the other commands skip
    import pyarrow.parquet as pq

    from osce_scrape.dataset.parquet_schema import PARQUET_SCHEMA

    count = 0
    with pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd") as writer:
        for batch in _batches(records, batch_size):
            table = pa.Table.from_pylist([full_row(r) for r in batch], schema=PARQUET_SCHEMA)
            writer.write_table(table)
            count += len(batch)
    return count


def write_stream(records: Iterable[PressRelease], fmt: Format, handle: IO[str]) -> int:
    """Write JSONL or CSV to an open text stream (stdout); Parquet needs a file."""
    if fmt == "jsonl":
        return write_jsonl(records, handle)
    if fmt == "csv":
        return write_csv(records, handle)
    raise DatasetError(f"{fmt} cannot be written to a stream; give a file")


def export_file(records: Iterable[PressRelease], fmt: Format, path: Path) -> int:
    """Write `records` to `path` in `fmt` atomically (a temporary file renamed); return the count."""
    if fmt == "parquet":
        with atomic_path(path) as tmp:
            return write_parquet(records, tmp)
    with atomic_writer(path) as handle:
        return write_stream(records, fmt, handle)
