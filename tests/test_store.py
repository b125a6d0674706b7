"""The output folder: content hashes, run names, rejects, publishing, reading a dataset back."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from osce_scrape.errors import OutputLocked
from osce_scrape.files import run_order, run_stamp
from osce_scrape.harvest.state import State
from osce_scrape.harvest.store import OutputFolder
from osce_scrape.models import record_sha256
from recordkit import make_record

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def record(record_id: str, date: str, body: str, fetched_at: str | None = None) -> dict[str, Any]:
    """A valid record as the dataset holds it (a JSON object)."""
    made = make_record(id=record_id, url=f"http://x/{record_id}", date=dt.date.fromisoformat(date), body=body,
                       provenance={"fetched_at": fetched_at})  # fmt: skip
    return made.model_dump(mode="json")


def test_record_hash_ignores_fetch_time_only() -> None:
    """Two fetches of the same content hash alike; a different body does not."""
    a = record("1", "2024-01-01", "x", "2026-01-01T00:00:00Z")
    b = record("1", "2024-01-01", "x", "2026-02-01T00:00:00Z")
    assert record_sha256(a) == record_sha256(b)
    assert record_sha256(a) != record_sha256(record("1", "2024-01-01", "y"))


def test_run_names_are_utc_and_unique(tmp_path: Path) -> None:
    """Runs are named by UTC start time; a second run in the same second gets a suffix."""
    local = WHEN.astimezone(dt.timezone(dt.timedelta(hours=5)))
    assert run_stamp(local) == "20260102T030405Z"
    folder = OutputFolder(tmp_path)
    folder.runs.mkdir()
    (folder.runs / "20260102T030405Z.json").write_text("{}")
    assert folder.new_run_name(WHEN) == "20260102T030405Z_01"


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    """A second lock on a locked folder fails with OutputLocked; after release it succeeds."""
    second = OutputFolder(tmp_path)
    with OutputFolder(tmp_path).locked(), pytest.raises(OutputLocked):
        second.locked().__enter__()
    with second.locked():
        assert (tmp_path / ".lock").exists()


def test_rejects_are_appended_as_json_lines(tmp_path: Path) -> None:
    """Each rejection is one JSON line with url, reason, kind and time, appended across runs."""
    for n in range(2):
        folder = OutputFolder(tmp_path)
        with folder.locked():
            folder.reject(f"http://x/{n}", "why", "NotAPressRelease", WHEN)
    lines = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [x["url"] for x in lines] == ["http://x/0", "http://x/1"]
    assert lines[0] == {"url": "http://x/0", "reason": "why", "kind": "NotAPressRelease",
                        "time": WHEN.isoformat()}  # fmt: skip


def _put(state: State, rec: dict[str, object]) -> None:
    state.store_record(str(rec["url"]), record_id=str(rec["id"]),
                       date=dt.date.fromisoformat(str(rec["date"])),
                       sha256=record_sha256(rec), json_line=json.dumps(rec))  # fmt: skip


def test_publish_writes_run_file_and_sorted_dataset(tmp_path: Path) -> None:
    """publish writes the unpublished records to the run file and the whole dataset, sorted;
    publishing again with nothing new writes an empty run file."""
    folder = OutputFolder(tmp_path)
    with State(folder.state_path) as state:
        _put(state, record("b", "2024-01-02", "x"))
        _put(state, record("a", "2024-01-03", "y"))
        assert folder.publish(state, "r1") == (2, 0)
        _put(state, record("b", "2024-01-02", "changed"))
        assert folder.publish(state, "r2") == (0, 1)
        assert folder.publish(state, "r3") == (0, 0)
        assert not folder.withdrawn.exists()
    ids = [json.loads(x)["id"] for x in folder.dataset.read_text().splitlines()]
    assert ids == ["b", "a"]
    assert [json.loads(x)["body"] for x in (folder.runs / "r2.jsonl").read_text().splitlines()] == [
        "changed"]  # fmt: skip
    assert (folder.runs / "r3.jsonl").read_text() == ""


def test_adopt_reads_a_foreign_dataset_once(tmp_path: Path) -> None:
    """A dataset file the state did not write is read back (lines that are no valid record skipped,
    each with a reject line naming it, the file copied aside as it was); ours is not reread."""
    folder = OutputFolder(tmp_path)
    lines = [
        json.dumps(record("1", "2024-01-01", "x")),
        "{broken",
        json.dumps({**record("3", "2024-01-03", "z"), "provenance": "not a dict"}),
        "[1, 2]",
        json.dumps(record("2", "2024-01-02", "y")),
    ]
    folder.dataset.write_text("\n".join(lines) + "\n")
    with folder.locked(), State(folder.state_path) as state:
        assert folder.adopt_dataset(state) == (2, 3)
        folder.publish(state, "r1")
        assert folder.adopt_dataset(state) == (0, 0)
        assert list(state.iter_unpublished()) == []
    rejects = [json.loads(line) for line in folder.rejects.read_text().splitlines()]
    assert [(r["url"], r["kind"]) for r in rejects] == [
        (f"{folder.dataset}:{n}", "DatasetError") for n in (2, 3, 4)]  # fmt: skip
    assert rejects[1]["reason"].startswith("damaged dataset line, dropped: provenance: Input should be")
    [aside] = tmp_path.glob("press_releases.jsonl.corrupt-*")
    assert aside.read_text() == "\n".join(lines) + "\n"
    assert [json.loads(x)["id"] for x in folder.dataset.read_text().splitlines()] == ["1", "2"]


def test_a_non_utf8_byte_or_a_foreign_line_in_the_dataset_is_set_aside(tmp_path: Path) -> None:
    """One bad byte, or a JSON line that is no record (an extra field, a date in the future), is a
    damaged line: dropped with a reject line, never a crash nor adopted; the state's records rebuild
    the dataset and the file as it was is kept beside it."""
    folder = OutputFolder(tmp_path)
    good = record("1", "2024-01-01", "x")
    with folder.locked(), State(folder.state_path) as state:
        _put(state, good)
        _put(state, record("2", "2024-01-02", "y"))
        folder.publish(state, "r1")
        data = folder.dataset.read_bytes().replace(b'"y"', b'"\xff"')
        extra = json.dumps({**record("3", "2024-01-03", "z"), "spam": 1})
        future = json.dumps({**record("4", "2024-01-04", "w"), "date": "2999-01-01"})
        folder.dataset.write_bytes(data + f"{extra}\n{future}\n".encode())
        assert folder.adopt_dataset(state) == (0, 3)
        folder.publish(state, "r2")
    assert [json.loads(x)["id"] for x in folder.dataset.read_text().splitlines()] == ["1", "2"]
    reasons = [json.loads(line)["reason"] for line in folder.rejects.read_text().splitlines()]
    assert reasons[0].startswith("damaged dataset line, dropped: not UTF-8 (invalid start byte at byte")
    assert "spam: Extra inputs are not permitted" in reasons[1]
    assert "date: Value error, date: 2999-01-01 is in the future" in reasons[2]
    [aside] = tmp_path.glob("press_releases.jsonl.corrupt-*")
    assert b"\xff" in aside.read_bytes()


def test_damaged_records_in_the_state_are_quarantined(tmp_path: Path) -> None:
    """A record the state holds that is no valid JSON record (a bad edit, a disk fault) goes to
    quarantine.jsonl and out of the state, its page due again; the good ones stay."""
    folder = OutputFolder(tmp_path)
    with folder.locked(), State(folder.state_path) as state:
        _put(state, record("1", "2024-01-01", "x"))
        state.note_fetch("http://x/2", status="ok", fetched_at=WHEN, etag='"e"')
        _put(state, record("2", "2024-01-02", "y"))
        state._db.execute("UPDATE records SET json = '{\"id\": \"2\", broken' WHERE id = '2'")
        assert state.get("http://x/2") is not None  # a damaged line is no crash when read
        assert folder.check_records(state) == 1
        folder.publish(state, "r1")
        known = state.get("http://x/2")
        assert known is not None and (known.status, known.record_id, known.etag) == ("new", None, None)
        assert [url for url, _, _ in state.pending()] == ["http://x/2"]
    [quarantined] = [json.loads(x) for x in folder.quarantine.read_text().splitlines()]
    assert (quarantined["id"], quarantined["url"], quarantined["line"]) == (
        "2",
        "http://x/2",
        '{"id": "2", broken',
    )
    assert [json.loads(x)["id"] for x in folder.dataset.read_text().splitlines()] == ["1"]


def test_a_damaged_state_file_is_set_aside_for_a_fresh_one(tmp_path: Path) -> None:
    """A state with a corrupt page is moved aside (with a recovery message) and a fresh state opened,
    which reads the dataset back; a state that is no database at all likewise."""
    folder = OutputFolder(tmp_path)
    with folder.locked(), State(folder.state_path) as state:
        for n in range(200):
            _put(state, record(str(n), "2024-01-01", "x" * 500))
        folder.publish(state, "r1")
        state._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(folder.state_path.read_bytes())
    data[8192:12288] = b"\x5a" * 4096  # the third page: garbage
    folder.state_path.write_bytes(bytes(data))
    with folder.locked(), folder.open_state() as state:
        [aside] = folder.set_aside_files
        assert aside.name.startswith("state.sqlite.corrupt-")
        assert folder.adopt_dataset(state) == (200, 0)
    assert aside.read_bytes() == bytes(data)


def test_lock_names_its_holder_and_a_stale_lock_is_taken_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused run is told who holds the lock; a .lock left by a dead run (no flock held) is taken
    over, saying so, and rewritten with our pid."""
    (tmp_path / ".lock").write_text("pid 999999999 (started 2026-01-01T00:00:00+00:00)\n")
    with caplog.at_level(logging.INFO, logger="osce_scrape.harvest.store"), OutputFolder(tmp_path).locked():
        assert "took over the lock left by pid 999999999" in caplog.text
        assert (tmp_path / ".lock").read_text().startswith(f"pid {os.getpid()} ")
        with pytest.raises(OutputLocked, match=rf"pid {os.getpid()} \(started .*\) is using this folder"):
            OutputFolder(tmp_path).locked().__enter__()
    assert (tmp_path / ".lock").read_text() == ""  # released: names nobody


def test_temporary_files_of_a_killed_run_are_swept_under_the_lock(tmp_path: Path) -> None:
    """Half-written temporary files a SIGKILLed run left are removed when the next run takes the lock;
    the dataset and other files are kept."""
    (tmp_path / "runs").mkdir()
    leftovers = [
        tmp_path / ".press_releases.jsonl.abc.tmp",
        tmp_path / "runs" / ".20260101T000000Z.jsonl.x.tmp",
    ]
    for path in [*leftovers, tmp_path / "press_releases.jsonl"]:
        path.write_text("{}\n")
    with OutputFolder(tmp_path).locked():
        assert not any(path.exists() for path in leftovers)
        assert (tmp_path / "press_releases.jsonl").exists()


def test_run_names_skip_a_killed_runs_warc(tmp_path: Path) -> None:
    """A run killed before its run files leaves only its WARC: the next name in that second differs,
    so its records are never appended after a torn one."""
    folder = OutputFolder(tmp_path)
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    folder.archive.mkdir()
    (folder.archive / "20260102T030405Z.warc.gz").write_bytes(b"")
    assert folder.new_run_name(now) == "20260102T030405Z_01"


def test_run_names_sort_in_the_order_runs_started(tmp_path: Path) -> None:
    """Three runs in one second get names that sort, as text and by run_order, in the order they
    started (the old "…Z-1" sorted before "…Z"); old names and worker WARCs are ordered too."""
    folder = OutputFolder(tmp_path)
    folder.runs.mkdir()
    names = []
    for _ in range(3):
        names.append(folder.new_run_name(WHEN))
        (folder.runs / f"{names[-1]}.json").write_text("{}")
    assert names == ["20260102T030405Z", "20260102T030405Z_01", "20260102T030405Z_02"]
    files = [f"{name}.json" for name in names]
    assert sorted(files) == files == sorted(files, key=run_order)
    in_order = ["20260102T030404Z", "20260102T030405Z", "20260102T030405Z-4242", "20260102T030405Z-1",
                "20260102T030405Z-1-4243", "20260102T030406Z"]  # fmt: skip
    old = [f"{name}.warc.gz" for name in in_order]
    assert sorted(reversed(old), key=run_order) == old
