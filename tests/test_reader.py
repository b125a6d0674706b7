"""load() on damaged files: every problem is a DatasetError naming the file and the line or row."""

from __future__ import annotations

from pathlib import Path

import pytest

import osce_scrape
from osce_scrape.dataset.export import export_file
from osce_scrape.errors import DatasetError
from recordkit import make_record


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
