"""Atomic writes: all or nothing, readable like any file the process writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from osce_scrape.files import atomic_path, atomic_writer, write_lines_atomically


def test_written_whole_with_the_usual_permissions(tmp_path: Path) -> None:
    """Lines land in the file, which gets 0666 less the umask (not mkstemp's 0600)."""
    target = tmp_path / "sub" / "data.jsonl"
    assert write_lines_atomically(target, ['{"a": 1}', '{"b": 2}']) == 2
    assert target.read_text() == '{"a": 1}\n{"b": 2}\n'
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_an_error_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    """A failure half-way keeps the old content and cleans up the temporary file."""
    target = tmp_path / "data.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write("new, half written")
        raise RuntimeError("disk went away")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["data.jsonl"]


def test_atomic_path_fsyncs_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written by name (as pyarrow does) is fsynced, then renamed into place with the usual mode."""
    target = tmp_path / "data.parquet"
    synced: list[bool] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(not target.exists()), real_fsync(fd)))
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"PAR1")
        assert tmp.parent == tmp_path and tmp.name.startswith(".data.parquet.")
    assert synced == [True]
    assert target.read_bytes() == b"PAR1"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
