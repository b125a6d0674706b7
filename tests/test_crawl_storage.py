"""The output folder under stress, over loopback: held by another run, read-only, full.

Each ends with a clear message and its exit code, and the previous dataset exactly as it was.
The read-only and full cases mount a small tmpfs (root only; skipped elsewhere); the ENOSPC case
patches the writer and runs anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner

from killkit import kill, records, start_crawl, wait_paused
from osce_scrape.cli.exit_codes import EXIT_LOCKED, EXIT_OUTPUT
from osce_scrape.cli.harvest import run_crawl
from osce_scrape.cli.main import cli
from osce_scrape.harvest import store
from osce_scrape.harvest.crawl import HarvestConfig
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.mirror import MirrorServer, MirrorSite, running_mirror

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server() -> Iterator[MirrorServer]:
    with running_mirror(MirrorSite(pages=25, fixtures_dir=None)) as running:
        yield running


def config(server: MirrorServer, out: Path) -> HarvestConfig:
    return HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0), out=out)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` at `path` (skips the test where mounting is not allowed)."""
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True)


def test_a_second_run_exits_5_at_once_and_a_dead_runs_lock_is_taken_over(
    server: MirrorServer, tmp_path: Path
) -> None:
    """While a crawl holds the folder, `osce-scrape crawl` on it exits 5 at once naming the holder's
    pid; once that crawl is SIGKILLed, its stale lock is taken over and the next run completes."""
    out = tmp_path / "out"
    holder = start_crawl(server.base_url, out, pause_at="state-commit:3")
    try:
        assert wait_paused(holder, out)
        started = time.monotonic()
        result = CliRunner().invoke(
            cli, ["crawl", "--base-url", server.base_url, "--rate", "0", "--out", str(out)]
        )
        assert time.monotonic() - started < 2
        assert result.exit_code == EXIT_LOCKED, result.output
        assert f"pid {holder.pid} (started" in result.output and "is using this folder" in result.output
    finally:
        kill(holder)
    stats, code = run_crawl(config(server, out), quiet=True, log_json=False, drift_threshold=0.2)
    assert code == 0 and stats is not None and len(records(out)) == 25


def test_read_only_output_folder_exits_7_and_keeps_the_dataset(
    server: MirrorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder remounted read-only: exit 7 with a message naming the cause, dataset byte for byte."""
    with tmpfs(tmp_path / "fs", "20m") as out:
        assert run_crawl(config(server, out), quiet=True, log_json=False, drift_threshold=0.2)[1] == 0
        before = (out / "press_releases.jsonl").read_bytes()
        remount(out, "ro")
        stats, code = run_crawl(config(server, out), quiet=True, log_json=False, drift_threshold=0.2)
        assert (stats, code) == (None, EXIT_OUTPUT)
        assert "Read-only file system" in capsys.readouterr().err
        assert (out / "press_releases.jsonl").read_bytes() == before


def test_full_disk_exits_7_keeps_a_whole_dataset_and_the_next_run_completes(
    server: MirrorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tmpfs too small for the next run's archive: exit 7 saying the device is full; the dataset is
    whole and keeps every earlier record; with room again, the next run completes."""
    with tmpfs(tmp_path / "fs", "1200k") as out:
        first = MirrorSite(pages=5, fixtures_dir=None)
        with running_mirror(first) as small:
            assert run_crawl(config(small, out), quiet=True, log_json=False, drift_threshold=0.2)[1] == 0
        before = {r["id"] for r in records(out)}
        stats, code = run_crawl(config(server, out), quiet=True, log_json=False, drift_threshold=0.2)
        assert (stats, code) == (None, EXIT_OUTPUT)
        assert "No space left on device" in capsys.readouterr().err
        assert before <= {r["id"] for r in records(out)}  # whole: records() fails on a partial line
        remount(out, "size=50m")
        assert run_crawl(config(server, out), quiet=True, log_json=False, drift_threshold=0.2)[1] == 0
        final = {r["id"] for r in records(out)}
        assert before <= final and len(final) == 25  # the small site's pages are the big one's first


def test_enospc_while_publishing_keeps_the_previous_dataset(
    server: MirrorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dataset's writer failing with ENOSPC half-way: exit 7, the old dataset untouched, no
    temporary file left; the records stay in the state and the next run publishes them."""
    out = tmp_path / "out"
    site = MirrorSite(pages=5, fixtures_dir=None)
    with running_mirror(site) as small:
        run_crawl(config(small, out), quiet=True, log_json=False, drift_threshold=0.2)
    before = (out / "press_releases.jsonl").read_bytes()
    real = store.atomic_writer

    @contextlib.contextmanager
    def full_disk(path: Path, **kwargs: Any) -> Iterator[IO[str]]:
        with real(path, **kwargs) as handle:
            if path.name == "press_releases.jsonl":
                handle.write("{half a record")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            yield handle

    monkeypatch.setattr(store, "atomic_writer", full_disk)
    stats, code = run_crawl(config(server, out), quiet=True, log_json=False, drift_threshold=0.2)
    assert (stats, code) == (None, EXIT_OUTPUT)
    assert f"cannot write {out / 'press_releases.jsonl'}: No space left on device" in capsys.readouterr().err
    assert (out / "press_releases.jsonl").read_bytes() == before
    assert list(out.glob(".*.tmp")) == []
    monkeypatch.setattr(store, "atomic_writer", real)
    again, code = run_crawl(config(server, out), quiet=True, log_json=False, drift_threshold=0.2)
    assert code == 0 and again is not None and len(records(out)) == 25
    assert json.loads((out / "runs" / f"{again.run}.json").read_text())["new"] == 20
