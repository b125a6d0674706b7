"""load() on damaged files: every problem is a DatasetError naming the file and the line or row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import osce_scrape
from osce_scrape.dataset.export import export_file
from osce_scrape.dataset.normalize import normalize_record
from osce_scrape.errors import DatasetError
from recordkit import make_record, records_from_listing

DOCS = Path(__file__).resolve().parent.parent / "docs" / "dataset.md"


def _csv(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "d.csv"
    export_file([make_record()], "csv", path)
    return path, path.read_bytes().decode().split("\r\n")


def test_a_jsonl_line_that_is_no_object_is_a_dataset_error(tmp_path: Path) -> None:
    """A JSON array or string on a line is refused as "line N: not a JSON object", not a TypeError."""
    path = tmp_path / "d.jsonl"
    path.write_text(make_record().to_json_line() + '\n[1, 2]\n"text"\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="line 2: not a JSON object") as info:
        list(osce_scrape.load(path))
    assert info.value.source == str(path)


def test_bytes_that_are_not_utf8_are_a_dataset_error(tmp_path: Path) -> None:
    """A Latin-1 byte in a JSONL or CSV file is a DatasetError naming the line, not a UnicodeDecodeError."""
    path = tmp_path / "d.jsonl"
    path.write_bytes(make_record().to_json_line().encode() + b'\n{"title": "caf\xe9"}\n')
    with pytest.raises(DatasetError, match="line 2: not UTF-8"):
        list(osce_scrape.load(path))


@pytest.mark.parametrize("damage", ["extra cell", "missing cells"])
def test_a_csv_row_of_the_wrong_length_is_a_dataset_error(tmp_path: Path, damage: str) -> None:
    """A row with more or fewer cells than the header names its row, not an AttributeError."""
    path, lines = _csv(tmp_path)
    lines[1] = lines[1] + ",surplus" if damage == "extra cell" else lines[1].split(",", 1)[0]
    path.write_bytes("\r\n".join(lines).encode())
    with pytest.raises(DatasetError, match="more or fewer cells") as info:
        list(osce_scrape.load(path))
    assert info.value.source == f"{path}:2"


def test_a_bad_json_cell_is_a_dataset_error(tmp_path: Path) -> None:
    """A translations cell that is not JSON names the column and the row."""
    path, lines = _csv(tmp_path)
    header = lines[0].split(",")
    cells = [""] * len(header)
    cells[header.index("translations")] = "{oops"
    lines[1] = ",".join(cells)
    path.write_bytes("\r\n".join(lines).encode())
    with pytest.raises(DatasetError, match="column translations is not JSON") as info:
        list(osce_scrape.load(path))
    assert info.value.source == f"{path}:2"


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_parquet_file_is_a_dataset_error(tmp_path: Path, damage: str) -> None:
    """Garbage, or a Parquet file cut in half, is a DatasetError naming the file, not ArrowInvalid."""
    path = tmp_path / "d.parquet"
    if damage == "garbage":
        path.write_bytes(b"PAR1" + b"\x00" * 100 + b"PAR1")
    else:
        export_file([make_record()] * 3, "parquet", path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="unreadable Parquet") as info:
        list(osce_scrape.load(path))
    assert info.value.source == str(path)


def test_load_accepts_the_output_folder(tmp_path: Path) -> None:
    """load("output") reads its press_releases.jsonl; a folder holding only an export reads that."""
    records = records_from_listing()[:20]
    jsonl_folder, parquet_folder = tmp_path / "a", tmp_path / "b"
    jsonl_folder.mkdir()
    parquet_folder.mkdir()
    export_file(records, "jsonl", jsonl_folder / "press_releases.jsonl")
    export_file(records, "parquet", parquet_folder / "press_releases.parquet")
    assert list(osce_scrape.load(jsonl_folder)) == records
    assert list(osce_scrape.load(str(parquet_folder))) == records
    with pytest.raises(DatasetError, match="no dataset file in this folder") as info:
        osce_scrape.load(tmp_path)
    assert info.value.source == str(tmp_path)


def test_load_with_facets_gives_the_normalised_facets(tmp_path: Path) -> None:
    """load(..., facets=True) yields (record, facets): canonical fields, sources and resolved places."""
    record = make_record(sources=["OSCE Chairmanship"], fields_of_work=["Media pluralism"], place="МОСКВА")
    export_file([record], "csv", tmp_path / "d.csv")
    ((loaded, facets),) = osce_scrape.load(tmp_path / "d.csv", facets=True)
    assert loaded == record and facets == normalize_record(record)
    assert facets.fields_of_work_normalized == ["Media freedom and development"]
    assert [s.name for s in facets.sources_normalized] == ["OSCE Chairpersonship"]
    assert [(p.name, p.country_code) for p in facets.places] == [("Moscow", "RU")]


def _snippet(language_marker: str) -> str:
    """The docs' code block that starts with `language_marker` (its first line)."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text("utf-8"), re.DOTALL)
    return next(block for block in blocks if block.startswith(language_marker))


def test_the_docs_polars_snippet_reads_the_csv_ids_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/dataset.md's polars code runs on an export whose ids include "51410-ru": ids stay strings,
    an empty cell is null (as the docs say, and as the pandas example reads it)."""
    records = [make_record(id=str(40000 + n), url=f"https://www.osce.org/x/{n}") for n in range(150)]
    records.append(
        make_record(id="51410-ru", url="https://www.osce.org/ru/x/1", language="ru", content_type=None)
    )
    output = tmp_path / "output"
    output.mkdir()
    export_file(records, "csv", output / "press_releases.csv")
    export_file(records, "parquet", output / "press_releases.parquet")
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(_snippet("import polars as pl"), scope)  # the docs' own code, run as written
    csv = scope["csv"]
    assert csv["id"].to_list()[-1] == "51410-ru"  # type: ignore[index]
    assert csv["content_type"].null_count() == 1  # type: ignore[index]
    assert str(csv["date"].dtype) == "Date"  # type: ignore[index]
    assert "An empty cell is a null" in DOCS.read_text("utf-8")
