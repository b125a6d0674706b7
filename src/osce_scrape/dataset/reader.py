"""Dataset files (JSONL, CSV, Parquet) or an output folder -> PressRelease records: `osce_scrape.load(path)`.

Reads the crawl's press_releases.jsonl and every file `osce-scrape export` writes. Normalised columns are
derived values and are ignored: a record is its raw fields, validated again on the way in.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import ValidationError

from osce_scrape.dataset.columns import (
    CSV_JSON_COLUMNS,
    CSV_LIST_COLUMNS,
    CSV_NULLABLE_COLUMNS,
    LIST_SEPARATOR,
    NORMALIZED_COLUMNS,
    RAW_COLUMNS,
)
from osce_scrape.errors import DatasetError
from osce_scrape.models import PressRelease

if TYPE_CHECKING:
    from osce_scrape.dataset.normalize import NormalizedFacets

log = logging.getLogger(__name__)

_PROVENANCE_PREFIX = "provenance_"
_CSV_FIELD_LIMIT = 64 * 1024 * 1024  # bodies of tens of kB are common; the csv default of 128 kB is near


DATASET_NAMES = (
    "press_releases.jsonl",
    "press_releases.parquet",
    "press_releases.csv",
)  # a folder's, in order


@overload
def load(path: str | Path, *, facets: Literal[False] = False) -> Iterator[PressRelease]: ...
@overload
def load(path: str | Path, *, facets: Literal[True]) -> Iterator[tuple[PressRelease, NormalizedFacets]]: ...


def load(
    path: str | Path, *, facets: bool = False
) -> Iterator[PressRelease] | Iterator[tuple[PressRelease, NormalizedFacets]]:
    """Yield the records of a .jsonl, .csv or .parquet dataset file, or of an output folder (its
    press_releases.jsonl, else its .parquet or .csv export), in file order.

    With `facets=True`, yield (record, facets) pairs: the normalised fields of work, sources and places
    (`NormalizedFacets`, the values `osce-scrape export` writes beside the raw ones).

    Example: `for record, facets in osce_scrape.load("output", facets=True): print(facets.places)`
    """
    records = _load_records(dataset_file(Path(path)))
    return _with_facets(records) if facets else records


def dataset_file(path: Path) -> Path:
    """`path` itself, or the dataset file of the output folder `path`."""
    if path.is_dir():
        found = next((path / name for name in DATASET_NAMES if (path / name).is_file()), None)
        if found is None:
            raise DatasetError(f"no dataset file in this folder (want one of {', '.join(DATASET_NAMES)})",
                               source=str(path))  # fmt: skip
        return found
    if not path.is_file():  # checked now, not at the first record: the caller learns it at once
        raise DatasetError("no such dataset file", source=str(path))
    return path


def _load_records(path: Path) -> Iterator[PressRelease]:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return _load_jsonl(path)
    if suffix == ".csv":
        return _load_csv(path)
    if suffix in {".parquet", ".pq"}:
        return _load_parquet(path)
    raise DatasetError(f"unknown dataset format {suffix!r} (want .jsonl, .csv or .parquet)", source=str(path))


def _with_facets(records: Iterator[PressRelease]) -> Iterator[tuple[PressRelease, NormalizedFacets]]:
    from osce_scrape.dataset.normalize import normalize_record  # late: the gazetteer loads on first use

    for record in records:
        yield record, normalize_record(record)


def _validate(data: dict[str, Any], where: str) -> PressRelease:
    try:
        return PressRelease.model_validate(data)
    except ValidationError as exc:
        raise DatasetError(f"not a valid record: {exc.errors()[0]['msg']}", source=where) from exc


def _load_jsonl(path: Path) -> Iterator[PressRelease]:
    with path.open("rb") as handle:
        for number, line in enumerate(_decoded(handle, path), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"line {number}: not JSON ({exc.msg})", source=str(path)) from exc
            if not isinstance(data, dict):
                raise DatasetError(f"line {number}: not a JSON object", source=str(path))
            for column in NORMALIZED_COLUMNS:
                data.pop(column, None)
            yield _validate(data, f"{path}:{number}")


def _load_csv(path: Path) -> Iterator[PressRelease]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    with path.open("rb") as handle:  # lines keep their \r\n, as csv wants (newline="")
        try:
            for number, row in enumerate(csv.DictReader(_decoded(handle, path)), 2):
                yield _validate(_record_from_csv(row, f"{path}:{number}"), f"{path}:{number}")
        except csv.Error as exc:  # a NUL byte, a field over the limit, an unclosed quote at the end
            raise DatasetError(f"not CSV: {exc}", source=str(path)) from exc


def _decoded(lines: Iterable[bytes], path: Path) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that bytes that are not UTF-8 raise a
    DatasetError naming their line."""
    for number, raw in enumerate(lines, 1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DatasetError(f"line {number}: not UTF-8 ({exc.reason})", source=str(path)) from exc


def _record_from_csv(row: dict[str | None, Any], where: str) -> dict[str, Any]:
    if None in row or None in row.values():  # DictReader's restkey / restval: the row's length is off
        raise DatasetError("a row with more or fewer cells than the header", source=where)
    data: dict[str, Any] = {}
    provenance: dict[str, Any] = {}
    for column, cell in row.items():
        assert column is not None  # checked above
        value: Any = cell
        if column in CSV_NULLABLE_COLUMNS and cell == "":
            value = None
        elif column in CSV_LIST_COLUMNS:
            value = cell.split(LIST_SEPARATOR) if cell else []
        elif column in CSV_JSON_COLUMNS:
            value = _json_cell(cell, column, where)
        if column.startswith(_PROVENANCE_PREFIX):
            provenance[column.removeprefix(_PROVENANCE_PREFIX)] = value
        elif column in RAW_COLUMNS:
            data[column] = value
    data["provenance"] = provenance
    return data


def _json_cell(cell: str, column: str, where: str) -> Any:
    try:
        return json.loads(cell) if cell else {}
    except json.JSONDecodeError as exc:
        raise DatasetError(f"column {column} is not JSON ({exc.msg})", source=where) from exc


def _load_parquet(path: Path) -> Iterator[PressRelease]:
    import pyarrow as pa  # late: pyarrow takes ~150 ms to import and only Parquet needs it
    import pyarrow.parquet as pq

    number = 0
    try:
        parquet = pq.ParquetFile(path)
        columns = [c for c in RAW_COLUMNS if c in parquet.schema_arrow.names]
        for batch in parquet.iter_batches(columns=columns):
            for row in batch.to_pylist():
                number += 1
                yield _validate(_record_from_parquet(row), f"{path}:row {number}")
    except (pa.ArrowException, OSError) as exc:  # not Parquet, or corrupt (ArrowInvalid, ArrowIOError)
        raise DatasetError(f"unreadable Parquet after row {number}: {exc}", source=str(path)) from exc
    except (TypeError, ValueError, AttributeError) as exc:  # columns of other types than ours
        raise DatasetError(f"row {number + 1}: not a record ({exc})", source=str(path)) from exc


def _record_from_parquet(row: dict[str, Any]) -> dict[str, Any]:
    row["translations"] = _as_dict(row.get("translations"))
    provenance = row.get("provenance") or {}
    provenance["rules"] = _as_dict(provenance.get("rules"))
    return row


def _as_dict(value: Any) -> dict[str, Any]:
    """Parquet map columns come back as lists of (key, value) pairs."""
    if value is None:
        return {}
    return dict(value)
