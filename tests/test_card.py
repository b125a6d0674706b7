"""The data card: manifest.json counts, rejects, harvests, sha256s, and DATASET.md."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from osce_scrape.cli.main import cli
from osce_scrape.dataset.card import hash_files, read_rejects, read_runs, read_withdrawn, write_card
from osce_scrape.dataset.gazetteer import Gazetteer
from osce_scrape.dataset.reader import load
from osce_scrape.errors import DatasetError
from recordkit import records_from_listing


@pytest.fixture
def output_folder(tmp_path: Path, gazetteer: Gazetteer) -> Path:
    """An output folder as a crawl leaves it: dataset, rejects (crawl and parse lines), two runs."""
    out = tmp_path / "output"
    (out / "runs").mkdir(parents=True)
    records = records_from_listing()
    (out / "press_releases.jsonl").write_text("".join(r.to_json_line() + "\n" for r in records), "utf-8")
    rejects = [
        {"url": "https://www.osce.org/event/1", "reason": "an event page", "kind": "NotAPressRelease"},
        {"url": "https://www.osce.org/event/2", "reason": "an event page", "kind": "NotAPressRelease"},
        {"path": "fixtures/x.html", "reason": "no title", "error": "ParseError"},
    ]
    (out / "rejects.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rejects), "utf-8")
    (out / "runs" / "20261127T101500Z.json").write_text(json.dumps({"run": "20261127T101500Z", "new": 200}))
    (out / "runs" / "20261128T045704Z.json").write_text(json.dumps({"run": "20261128T045704Z", "new": 39}))
    (out / "runs" / "20261128T045704Z.jsonl").write_text("")
    (out / ".lock").write_text("")
    return out


def test_manifest_counts_the_dataset(output_folder: Path) -> None:
    """Record count, date range, years, content types, fields and sources are counted from the records."""
    manifest = write_card(output_folder)
    assert manifest["records"] == 239
    assert manifest["date_range"] == {"first": "1997-03-10", "last": "2025-09-24"}
    assert manifest["by_year"]["1997"] == 3
    assert list(manifest["by_year"]) == sorted(manifest["by_year"])
    assert manifest["by_language"] == {"en": 239}
    assert manifest["by_content_type"]["Press release"] == 147
    assert manifest["by_content_type"]["(none)"] == 57
    assert manifest["by_field_of_work"]["Media freedom and development"] == 40  # 25 + FOM sub-topics
    assert manifest["fields_of_work_unknown"] == {}
    assert manifest["by_source"]["OSCE Chairpersonship"] == 28  # 27 "Chairmanship" + 1 "Chairpersonship"
    assert manifest["places"]["unresolved"] == {"MITROVO POLJE": 1, "FAROB, Tajikistan": 1}


def test_manifest_rejects_harvests_and_hashes(output_folder: Path) -> None:
    """Rejects are counted by kind and reason; runs give harvest dates; every file has its sha256."""
    manifest = write_card(output_folder)
    assert manifest["rejects"] == {
        "count": 3,
        "skipped": 2,
        "by_kind": {"NotAPressRelease": 2, "ParseError": 1},
        "by_reason": {"an event page": 2, "no title": 1},
        "skipped_by_reason": {"an event page": 2},
        "rejected_by_reason": {"no title": 1},
    }
    assert [h["started_at"] for h in manifest["harvests"]] == [
        "2026-11-27T10:15:00+00:00",
        "2026-11-28T04:57:04+00:00",
    ]
    assert manifest["harvests"][1]["new"] == 39
    files = manifest["files"]
    assert set(files) == {
        "press_releases.jsonl",
        "rejects.jsonl",
        "runs/20261127T101500Z.json",
        "runs/20261128T045704Z.json",
        "runs/20261128T045704Z.jsonl",
    }
    data = (output_folder / "press_releases.jsonl").read_bytes()
    mtime = (output_folder / "press_releases.jsonl").stat().st_mtime_ns
    assert files["press_releases.jsonl"] == {
        "bytes": len(data), "mtime_ns": mtime, "sha256": hashlib.sha256(data).hexdigest()}  # fmt: skip
    on_disk = json.loads((output_folder / "manifest.json").read_text("utf-8"))
    assert on_disk["files"] == files and on_disk["records"] == 239


def test_unchanged_files_keep_their_hash_unread(tmp_path: Path) -> None:
    """A file of the same size and mtime_ns as in the last manifest keeps its sha256 (not re-read); a
    touched one is hashed again."""
    (tmp_path / "archive").mkdir()
    warc = tmp_path / "archive" / "20261128T045704Z.warc.gz"
    warc.write_bytes(b"a" * 1000)
    first = hash_files(tmp_path)["archive/20261128T045704Z.warc.gz"]
    stamp = warc.stat().st_mtime_ns
    warc.write_bytes(b"b" * 1000)  # same size; mtime put back: only a re-read could tell
    os.utime(warc, ns=(stamp, stamp))
    previous = {"archive/20261128T045704Z.warc.gz": first}
    assert hash_files(tmp_path, previous)["archive/20261128T045704Z.warc.gz"]["sha256"] == first["sha256"]
    os.utime(warc, ns=(stamp + 1, stamp + 1))
    again = hash_files(tmp_path, previous)["archive/20261128T045704Z.warc.gz"]
    assert again["sha256"] == hashlib.sha256(b"b" * 1000).hexdigest()


def test_a_second_card_reuses_the_manifest_hashes(output_folder: Path) -> None:
    """write_card reads the previous manifest.json: an unchanged file's recorded sha256 is reused."""
    write_card(output_folder)
    manifest_path = output_folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["files"]["rejects.jsonl"]["sha256"] = "0" * 64  # what only reuse can give back
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    assert write_card(output_folder)["files"]["rejects.jsonl"]["sha256"] == "0" * 64


def test_dataset_md_states_the_facts(output_folder: Path) -> None:
    """DATASET.md shows the record count, a year row, the rejects and each file's sha256."""
    manifest = write_card(output_folder)
    card = (output_folder / "DATASET.md").read_text("utf-8")
    assert "| records | 239 |" in card
    assert "| 1997 | 3 |" in card
    assert "| NotAPressRelease | 2 |" in card
    assert manifest["files"]["rejects.jsonl"]["sha256"] in card
    assert "| FAROB, Tajikistan | 1 |" in card


def test_rejects_and_run_files_that_are_no_objects_are_counted_not_fatal(tmp_path: Path) -> None:
    """A rejects line or a run file holding JSON that is no object ([1], "x") is unreadable, no crash."""
    (tmp_path / "runs").mkdir()
    (tmp_path / "rejects.jsonl").write_text('{"kind": "ParseError", "reason": "r"}\n[1]\n"x"\n{bad\n')
    (tmp_path / "runs" / "20261128T045704Z.json").write_text("[1, 2]")
    assert read_rejects(tmp_path / "rejects.jsonl")["by_kind"] == {"unreadable": 3, "ParseError": 1}
    assert read_runs(tmp_path / "runs") == []


def test_card_needs_a_dataset(tmp_path: Path) -> None:
    """A folder without press_releases.jsonl gets a clear error, and no card."""
    with pytest.raises(DatasetError, match=r"press_releases\.jsonl"):
        write_card(tmp_path)
    assert not (tmp_path / "DATASET.md").exists()


def test_cli_card(output_folder: Path) -> None:
    """`osce-scrape card --out-dir D` writes the card and says what it counted."""
    result = CliRunner().invoke(cli, ["card", "--out-dir", str(output_folder)])
    assert result.exit_code == 0, result.output
    assert "239 records, 3 rejects" in result.output
    assert (output_folder / "DATASET.md").is_file() and (output_folder / "manifest.json").is_file()


@pytest.mark.e2e
def test_card_export_and_load_after_a_demo_crawl(tmp_path: Path) -> None:
    """After a loopback mirror crawl the card counts records, rejects and the run; Parquet loads back."""
    out = tmp_path / "output"
    crawl = CliRunner().invoke(cli, ["demo", "--out", str(out), "--pages", "40", "-q"])
    assert crawl.exit_code == 0, crawl.output
    records = list(load(out / "press_releases.jsonl"))
    manifest = write_card(out)
    assert manifest["records"] == len(records) >= 40
    assert manifest["rejects"]["count"] >= 1  # the mirror serves event, listing and error pages too
    assert len(manifest["harvests"]) == 1 and manifest["harvests"][0]["started_at"]
    assert "press_releases.jsonl" in manifest["files"] and "state.sqlite" in manifest["files"]
    export = CliRunner().invoke(cli, ["export", "--out-dir", str(out)])
    assert export.exit_code == 0, export.output
    assert list(load(out / "press_releases.parquet")) == records


def test_the_manifest_lists_withdrawn_records(tmp_path: Path) -> None:
    """withdrawn.jsonl (records whose page answers 404/410) is listed in the manifest, a bad line
    skipped; no file, no entries."""
    assert read_withdrawn(tmp_path / "withdrawn.jsonl") == []
    entry = {"id": "500000", "url": "http://x/secretariat/500000", "since": "2026-01-02T03:04:05+00:00"}
    (tmp_path / "withdrawn.jsonl").write_text(json.dumps(entry) + "\n{broken\n")
    assert read_withdrawn(tmp_path / "withdrawn.jsonl") == [entry]


def test_manifest_and_card_state_coverage(output_folder: Path) -> None:
    """Per facet, records with and without a value, in manifest.json and DATASET.md alike."""
    manifest = write_card(output_folder)
    assert manifest["coverage"]["sources"] == {"records": 239, "with": 166, "without": 73}
    assert manifest["coverage"]["fields_of_work"] == {
        "records": 239,
        "with": 131,
        "without": 108,
        "only_unknown": 0,
    }
    assert manifest["coverage"]["countries"] == {"records": 239, "with": 186, "without": 53}
    card = (output_folder / "DATASET.md").read_text("utf-8")
    assert "| a source | 166 | 73 | 239 |" in card
    assert "| a field of work in the taxonomy | 131 | 108 | 239 |" in card
    assert "| an event page | 2 |" in card and "### Rejected or not fetched, by reason" in card


def test_card_has_a_citation_with_the_datasets_sha256(output_folder: Path) -> None:
    """The citation gives title, version (the latest run), date range, count and the dataset's sha256."""
    manifest = write_card(output_folder)
    digest = hashlib.sha256((output_folder / "press_releases.jsonl").read_bytes()).hexdigest()
    cited = manifest["citation"]
    assert (cited["title"], cited["version"], cited["records"]) == (
        "OSCE press releases",
        "20261128T045704Z",
        239,
    )
    assert cited["date_range"] == {"first": "1997-03-10", "last": "2025-09-24"} and cited["sha256"] == digest
    assert cited["text"].startswith("OSCE press releases [data set], version 20261128T045704Z.")
    assert "239 press releases, 1997-03-10 to 2025-09-24" in cited["text"]
    card = (output_folder / "DATASET.md").read_text("utf-8")
    assert "## How to cite" in card and cited["text"] in card
    assert "@misc{osce_press_releases_20261128t045704z," in card and f"sha256 {digest}" in card
    assert "| latest harvest run | 2026-11-28T04:57:04+00:00 |" in card


def test_a_synthetic_folders_citation_says_so(output_folder: Path) -> None:
    """A run that crawled the mirror makes the citation start with a synthetic-data warning."""
    run = {"run": "20261129T000000Z", "base_url": "http://127.0.0.1:8000", "synthetic": True}
    (output_folder / "runs" / "20261129T000000Z.json").write_text(json.dumps(run))
    cited = write_card(output_folder)["citation"]
    assert cited["text"].startswith("SYNTHETIC DATA, not for research: OSCE press releases")
    assert "Harvested from http://127.0.0.1:8000" in cited["text"] and cited["synthetic"] is True


def test_the_card_counts_come_out_in_the_same_order_in_every_process() -> None:
    """A record's source kinds are counted in page order whatever the process's hash seed, so rows of equal
    counts keep one order in DATASET.md (they were counted from a set: the order changed from run to run
    with nothing changed)."""
    script = (
        "import json, sys; sys.path.insert(0, 'tests')\n"
        "from recordkit import records_from_listing\n"
        "from osce_scrape.dataset.stats import collect\n"
        "record = next(r for r in records_from_listing() if r.id == 'listing-7')\n"
        "print(json.dumps(list(collect([record]).by_source_kind)))\n"
    )
    root = Path(__file__).resolve().parent.parent
    orders = [
        json.loads(subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True,
                                  check=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120).stdout)
        for seed in ("1", "2", "3", "4", "5", "6")
    ]  # fmt: skip
    assert orders == [["Field operation", "Chairpersonship", "Institution"]] * 6
