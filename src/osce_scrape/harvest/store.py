"""A harvest's output folder: the dataset, run files, rejects, the state, and the folder's lock.

out/press_releases.jsonl   the whole dataset, sorted by date then id, replaced atomically
out/runs/<ts>.jsonl        records new or changed in that run (empty when nothing changed)
out/runs/<ts>.json         that run's stats
out/rejects.jsonl          appended: pages that did not become records, and why
out/state.sqlite           the harvest state (see `state`)
out/archive/               WARC files (see `archive`)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from osce_scrape.errors import OutputLocked
from osce_scrape.files import atomic_writer, run_stamp
from osce_scrape.harvest.pausepoints import pause_point
from osce_scrape.harvest.state import State
from osce_scrape.models import record_sha256

log = logging.getLogger(__name__)

DATASET_NAME = "press_releases.jsonl"
_SIGNATURE_KEY = "dataset_signature"  # size:mtime of the dataset file we last wrote


class OutputFolder:
    """Paths and writes of one output folder; `locked()` keeps a second run out."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dataset = root / DATASET_NAME
        self.runs = root / "runs"
        self.rejects = root / "rejects.jsonl"
        self.state_path = root / "state.sqlite"
        self.archive = root / "archive"
        self._rejects_handle: TextIO | None = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[OutputFolder]:
        """Hold an exclusive lock on the folder (released by the OS even if the process dies).

        `.lock` names the holder (pid and start time) for the message a second run gets. A lock file
        left by a dead run holds no lock (flock dies with its process): it is taken over, and said so.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        # "a+", not "w": opening must not wipe the holder's name before we know we hold the lock.
        with open(self.root / ".lock", "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                handle.seek(0)
                holder = handle.read().strip() or "another run"
                raise OutputLocked(f"{holder} is using this folder; try again when it ends",
                                   source=str(self.root)) from exc  # fmt: skip
            handle.seek(0)
            if previous := handle.read().strip():
                log.info("%s: took over the lock left by %s (no longer running)", self.root, previous)
            handle.truncate(0)
            started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            handle.write(f"pid {os.getpid()} (started {started})\n")
            handle.flush()
            self._sweep_temporary_files()
            try:
                yield self
            finally:
                if self._rejects_handle is not None:
                    self._rejects_handle.close()
                    self._rejects_handle = None
                handle.truncate(0)  # a released lock names nobody
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _sweep_temporary_files(self) -> None:
        """Remove the temporary files a killed run left beside the dataset and run files (we hold the
        lock: no other run is writing them)."""
        for folder in (self.root, self.runs):
            for path in folder.glob(".*.tmp") if folder.is_dir() else ():
                log.info("removed %s, left by an interrupted run", path)
                path.unlink(missing_ok=True)

    def new_run_name(self, now: dt.datetime) -> str:
        """A run name not taken yet (two runs may start within the same second). A killed run may have
        left only its WARC: appending to it would put our records after its torn one."""
        base = run_stamp(now)
        name, n = base, 0
        while (
            (self.runs / f"{name}.json").exists()
            or (self.runs / f"{name}.jsonl").exists()
            or any(self.archive.glob(f"{name}.warc*"))
            or any(self.archive.glob(f"{name}-*.warc*"))
        ):
            n += 1
            name = f"{base}-{n}"
        return name

    def adopt_dataset(self, state: State) -> int:
        """Read a dataset file we did not write last (edited, or a fresh state) into the state."""
        if not self.dataset.exists() or state.get_meta(_SIGNATURE_KEY) == self._signature():
            return 0
        adopted = state.adopt_records(self._dataset_rows())
        log.info("read %s back; %d records were not in the state", self.dataset, adopted)
        return adopted

    def _dataset_rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        """(id, url, date, sha256, line) of each readable line; an unreadable one is skipped with a
        warning and a reject line naming it (the rewritten dataset will not hold it)."""
        # Streamed: the dataset may be larger than we want to hold in memory.
        with self.dataset.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    data = json.loads(line)
                    row = (str(data["id"]), str(data["url"]), str(data["date"]), record_sha256(data))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:  # not JSON; no dict
                    where = f"{self.dataset}:{number}"
                    log.warning("%s: skipped an unreadable line (%r)", where, exc)
                    reason = f"unreadable dataset line, dropped ({type(exc).__name__}: {exc})"
                    self.reject(where, reason, "DatasetError", dt.datetime.now(dt.UTC))
                    continue
                yield (*row, line.rstrip("\n"))

    def _signature(self) -> str:
        info = self.dataset.stat()
        return f"{info.st_size}:{info.st_mtime_ns}"

    def reject(self, url: str, reason: str, kind: str, when: dt.datetime) -> None:
        """Append one rejection to rejects.jsonl, at once (a killed run keeps what it wrote)."""
        if self._rejects_handle is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._rejects_handle = self.rejects.open("a", encoding="utf-8")
        line = {"url": url, "reason": reason, "kind": kind, "time": when.isoformat()}
        self._rejects_handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        pause_point("rejects-write")
        self._rejects_handle.flush()

    def publish(self, state: State, run_name: str) -> tuple[int, int]:
        """Write the run's records and the whole dataset; return (new, changed) records published.

        Order matters: run file, then dataset, then the state marks them published. A kill in
        between publishes them again next run (at least once, never lost).
        """
        new = changed = 0
        if not self.dataset.exists() and not state.counts()["records"]:
            log.info("no record yet (nothing fetched became one): nothing published")
            return new, changed
        with atomic_writer(self.runs / f"{run_name}.jsonl") as handle:
            for stored in state.iter_unpublished():
                handle.write(stored.json + "\n")
                pause_point("run-file-write")
                new += stored.change == "new"
                changed += stored.change == "changed"
        with atomic_writer(self.dataset) as handle:
            for line in state.iter_dataset():
                handle.write(line + "\n")
                pause_point("dataset-write")
        pause_point("publish-mark")
        state.mark_published()
        state.set_meta(_SIGNATURE_KEY, self._signature())
        return new, changed

    def write_stats(self, run_name: str, stats: dict[str, Any]) -> Path:
        path = self.runs / f"{run_name}.json"
        with atomic_writer(path) as handle:
            json.dump(stats, handle, indent=2, sort_keys=True)
            handle.write("\n")
        return path
