"""Dataset files (JSONL, CSV, Parquet) -> PressRelease records: `osce_scrape.load(path)`.

Reads the crawl's press_releases.jsonl and every file `osce-scrape export` writes. Normalised columns are
derived values and are ignored: a record is its raw fields, validated again on the way in.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from osce_scrape.columns import (
    CSV_JSON_COLUMNS,
    CSV_LIST_COLUMNS,
    CSV_NULLABLE_COLUMNS,
    LIST_SEPARATOR,
    NORMALIZED_COLUMNS,
    RAW_COLUMNS,
)
from osce_scrape.errors import DatasetError
from osce_scrape.models import PressRelease

log = logging.getLogger(__name__)

_PROVENANCE_PREFIX = "provenance_"
_CSV_FIELD_LIMIT = 64 * 1024 * 1024  # bodies of tens of kB are common; the csv default of 128 kB is near


def load(path: str | Path) -> Iterator[PressRelease]:
    """Yield the records of a .jsonl, .csv or .parquet dataset file, in file order.

    Example: `for record in osce_scrape.load("output/press_releases.parquet"): print(record.title)`
    """
    path = Path(path)
    if not path.is_file():  # checked now, not at the first record: the caller learns it at once
        raise DatasetError("no such dataset file", source=str(path))
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return _load_jsonl(path)
    if suffix == ".csv":
        return _load_csv(path)
    if suffix in {".parquet", ".pq"}:
        return _load_parquet(path)
    raise DatasetError(f"unknown dataset format {suffix!r} (want .jsonl, .csv or .parquet)", source=str(path))


def _validate(data: dict[str, Any], where: str) -> PressRelease:
    try:
        return PressRelease.model_validate(data)
    except ValidationError as exc:
        raise DatasetError(f"not a valid record: {exc.errors()[0]['msg']}", source=where) from exc


def _load_jsonl(path: Path) -> Iterator[PressRelease]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"line {number}: not JSON ({exc.msg})", source=str(path)) from exc
            for column in NORMALIZED_COLUMNS:
                data.pop(column, None)
            yield _validate(data, f"{path}:{number}")


def _load_csv(path: Path) -> Iterator[PressRelease]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            yield _validate(_record_from_csv(row), f"{path}:{number}")


def _record_from_csv(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    provenance: dict[str, Any] = {}
    for column, cell in row.items():
        value: Any = cell
        if column in CSV_NULLABLE_COLUMNS and cell == "":
            value = None
        elif column in CSV_LIST_COLUMNS:
            value = cell.split(LIST_SEPARATOR) if cell else []
        elif column in CSV_JSON_COLUMNS:
            value = json.loads(cell) if cell else {}
        if column.startswith(_PROVENANCE_PREFIX):
            provenance[column.removeprefix(_PROVENANCE_PREFIX)] = value
        elif column in RAW_COLUMNS:
            data[column] = value
    data["provenance"] = provenance
    return data


def _load_parquet(path: Path) -> Iterator[PressRelease]:
    import pyarrow.parquet as pq  # late: pyarrow takes ~150 ms to import and only Parquet needs it

    parquet = pq.ParquetFile(path)
    columns = [c for c in RAW_COLUMNS if c in parquet.schema_arrow.names]
    number = 0
    for batch in parquet.iter_batches(columns=columns):
        for row in batch.to_pylist():
            number += 1
            row["translations"] = _as_dict(row.get("translations"))
            provenance = row.get("provenance") or {}
            provenance["rules"] = _as_dict(provenance.get("rules"))
            yield _validate(row, f"{path}:row {number}")


def _as_dict(value: Any) -> dict[str, Any]:
    """Parquet map columns come back as lists of (key, value) pairs."""
    if value is None:
        return {}
    return dict(value)
