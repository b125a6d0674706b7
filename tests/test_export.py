"""Exports (JSONL, CSV, Parquet) and load(): types, dialect, round trips, errors, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import osce_scrape
from osce_scrape.cli.main import cli
from osce_scrape.dataset.columns import CSV_COLUMNS, FORMATS, NORMALIZED_COLUMNS, RAW_COLUMNS
from osce_scrape.dataset.export import export_file, write_parquet
from osce_scrape.dataset.parquet_schema import PARQUET_SCHEMA
from osce_scrape.errors import DatasetError
from osce_scrape.models import PressRelease
from recordkit import make_record, records_from_listing


def _varied_records() -> list[PressRelease]:
    """Records exercising every column shape: nulls, empty lists, quotes, CRLF, Cyrillic, translations."""
    return [
        make_record(),
        make_record(
            id="ru-1",
            url="https://www.osce.org/ru/secretariat/2",
            language="ru",
            content_type=None,
            title='«Пресс-релиз», с "кавычками", запятыми',
            place="МОСКВА",
            sources=[],
            fields_of_work=[],
            body='МОСКВА, 20 ноября 2009 г. – Текст, "цитата".\r\nВторая строка;\tтаб',
            contacts="Пресс-служба\nтел. +7",
            translations={"en": "https://www.osce.org/secretariat/2", "de": "https://www.osce.org/de/x/2"},
            provenance={"fetched_at": None, "rules": {}},
        ),
        make_record(
            id="old-3",
            date=dt.date(1997, 3, 10),
            place=None,
            sources=["OSCE Chairmanship", "OSCE Mission to Croatia (closed)"],
            fields_of_work=["Racism, xenophobia and discrimination", "Media pluralism"],
            provenance={"fetched_at": dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)},
        ),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_gives_the_same_records(fmt: str, tmp_path: Path) -> None:
    """Exporting and loading back gives records equal to the originals, in order."""
    records = _varied_records() + records_from_listing()[:40]
    path = tmp_path / f"dataset.{fmt}"
    assert export_file(records, fmt, path) == len(records)  # type: ignore[arg-type]
    assert list(osce_scrape.load(path)) == records


def test_parquet_has_proper_types(tmp_path: Path) -> None:
    """Parquet columns: date32, list<string>, map, struct provenance, list<struct> facets."""
    path = tmp_path / "d.parquet"
    write_parquet(_varied_records(), path)
    schema = pq.read_schema(path)
    assert schema.field("date").type == pa.date32()
    assert schema.field("sources").type == pa.list_(pa.string())
    assert schema.field("provenance").type.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_map(schema.field("translations").type)
    assert pa.types.is_struct(schema.field("places").type.value_type)
    table = pq.read_table(path)
    places = table.column("places").to_pylist()
    assert places[0][1]["name"] == "Warsaw" and places[0][1]["country_code"] == "PL"
    (moscow,) = places[1]
    assert (moscow["raw"], moscow["name"], moscow["country_code"]) == ("МОСКВА", "Moscow", "RU")
    assert (moscow["latitude"], moscow["longitude"]) == pytest.approx((55.75, 37.62), abs=0.01)
    sources = table.column("sources_normalized").to_pylist()[2]
    assert [(s["name"], s["closed"]) for s in sources] == [
        ("OSCE Chairpersonship", False),
        ("OSCE Mission to Croatia", True),
    ]
    assert table.column("fields_of_work_normalized").to_pylist()[2] == [
        "Tolerance and non-discrimination",
        "Media freedom and development",
    ]


def test_schema_columns_match_the_shared_names() -> None:
    """The Parquet schema and columns.py name the same columns, raw then normalised."""
    assert tuple(PARQUET_SCHEMA.names) == RAW_COLUMNS + NORMALIZED_COLUMNS
    assert tuple(PressRelease.model_fields) == RAW_COLUMNS


def test_csv_dialect(tmp_path: Path) -> None:
    """CSV: UTF-8 without BOM, a header row, CRLF record ends, lists joined by '; ', JSON mappings."""
    path = tmp_path / "d.csv"
    export_file(_varied_records(), "csv", path)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    header, first = data.decode("utf-8").split("\r\n")[:2]
    assert header.split(",") == list(CSV_COLUMNS)
    assert "OSCE Representative on Freedom of the Media,Media freedom and development" in first
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[2]["sources"] == "OSCE Chairmanship; OSCE Mission to Croatia (closed)"
    assert rows[2]["sources_normalized"] == "OSCE Chairpersonship; OSCE Mission to Croatia"
    assert rows[0]["place_names"] == "Vienna; Warsaw" and rows[0]["place_country_codes"] == "AT; PL"
    assert json.loads(rows[1]["translations"])["de"] == "https://www.osce.org/de/x/2"
    assert rows[1]["content_type"] == "" and rows[1]["body"].endswith("Вторая строка;\tтаб")


def test_csv_refuses_a_list_value_holding_the_separator(tmp_path: Path) -> None:
    """A list value with '; ' in it would split on reading: the export fails, naming the record."""
    record = make_record(id="bad-1", sources=["A; B"])
    with pytest.raises(DatasetError, match="bad-1"):
        export_file([record], "csv", tmp_path / "d.csv")
    assert not (tmp_path / "d.csv").exists()


def test_jsonl_export_puts_facets_beside_raw_values(tmp_path: Path) -> None:
    """Each JSONL line has the record's raw fields and the normalised facets."""
    path = tmp_path / "d.jsonl"
    export_file([make_record(fields_of_work=["Media pluralism"])], "jsonl", path)
    line = json.loads(path.read_text(encoding="utf-8"))
    assert line["fields_of_work"] == ["Media pluralism"]
    assert line["fields_of_work_normalized"] == ["Media freedom and development"]
    assert [p["country_code"] for p in line["places"]] == ["AT", "PL"]


def test_failed_parquet_export_leaves_nothing(tmp_path: Path) -> None:
    """An export interrupted by an error leaves neither the target nor a temporary file."""

    def records() -> Iterator[PressRelease]:
        yield make_record()
        raise DatasetError("broken input")

    with pytest.raises(DatasetError):
        export_file(records(), "parquet", tmp_path / "d.parquet")
    assert list(tmp_path.iterdir()) == []


def test_load_rejects_unknown_format_and_bad_lines(tmp_path: Path) -> None:
    """load() names the problem: unknown suffix, a missing file, a bad JSON line (with its number)."""
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(DatasetError, match="unknown dataset format"):
        osce_scrape.load(tmp_path / "d.xlsx")
    with pytest.raises(DatasetError, match="no such dataset file"):
        osce_scrape.load(tmp_path / "missing.jsonl")
    bad = tmp_path / "d.jsonl"
    bad.write_text(make_record().to_json_line() + "\n{oops\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="line 2"):
        list(osce_scrape.load(bad))


def _output_folder(tmp_path: Path, records: list[PressRelease]) -> Path:
    out = tmp_path / "output"
    out.mkdir()
    (out / "press_releases.jsonl").write_text(
        "".join(r.to_json_line() + "\n" for r in records), encoding="utf-8"
    )
    return out


def test_cli_export_writes_parquet_by_default(tmp_path: Path) -> None:
    """`osce-scrape export --out-dir D` writes D/press_releases.parquet with every record."""
    records = _varied_records()
    out = _output_folder(tmp_path, records)
    result = CliRunner().invoke(cli, ["export", "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert list(osce_scrape.load(out / "press_releases.parquet")) == records


def test_cli_export_csv_to_stdout_and_missing_dataset(tmp_path: Path) -> None:
    """`-o -` writes CSV to stdout; a folder without a dataset is a clear error (exit 1)."""
    out = _output_folder(tmp_path, _varied_records())
    result = CliRunner().invoke(cli, ["export", "--format", "csv", "--out-dir", str(out), "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith(",".join(CSV_COLUMNS[:4]))
    missing = CliRunner().invoke(cli, ["export", "--out-dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1
    assert "no such dataset file" in missing.output


def test_a_parquet_export_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """export_file's Parquet path goes through atomic_path: its file is fsynced before it appears."""
    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd)))
    assert export_file([make_record()], "parquet", tmp_path / "d.parquet") == 1
    assert len(calls) == 1 and [p.name for p in tmp_path.iterdir()] == ["d.parquet"]
