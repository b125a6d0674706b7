"""A harvest's output folder: the dataset, run files, rejects, the state, and the folder's lock.

out/press_releases.jsonl   the whole dataset, sorted by date then id, replaced atomically
out/runs/<ts>.jsonl        records new or changed in that run (empty when nothing changed)
out/runs/<ts>.json         that run's stats
out/rejects.jsonl          appended: pages that did not become records, and why
out/withdrawn.jsonl        records whose page answers 404/410 (kept in the dataset), rewritten at publish
out/quarantine.jsonl       appended: damaged records the state held, set aside (their pages are refetched)
out/<file>.corrupt-<ts>    a damaged dataset or state file, set aside as it was
out/state.sqlite           the harvest state (see `state`)
out/archive/               WARC files (see `archive`)

What is read back (the dataset when another program wrote it last, the state's records, the state file)
is checked first; what is damaged is set aside with a warning saying how to recover, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from pydantic import ValidationError

from osce_scrape.errors import OutputLocked
from osce_scrape.files import RUN_SEQUENCE, atomic_writer, open_for_appending, run_stamp
from osce_scrape.harvest.pausepoints import pause_point
from osce_scrape.harvest.state import State, StateDamaged
from osce_scrape.models import PressRelease, record_sha256

log = logging.getLogger(__name__)

DATASET_NAME = "press_releases.jsonl"
_SIGNATURE_KEY = "dataset_signature"  # size:mtime of the dataset file we last wrote
CORRUPT_STAMP = "%Y%m%dT%H%M%SZ"  # <name>.corrupt-<UTC time>: a damaged file set aside


class Published(NamedTuple):
    """What `publish` wrote: records new and changed in the run."""

    new: int
    changed: int


def record_problem(line: str, record_id: str | None = None) -> str | None:
    """Why a JSON line read back is no valid record (of `record_id`, when given); None when it is."""
    try:
        record = PressRelease.model_validate_json(line)
    except ValidationError as exc:
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors()[:3])
    if record_id is not None and record.id != record_id:
        return f"holds the record of id {record.id!r}"
    return None


class OutputFolder:
    """Paths and writes of one output folder; `locked()` keeps a second run out."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dataset = root / DATASET_NAME
        self.runs = root / "runs"
        self.rejects = root / "rejects.jsonl"
        self.state_path = root / "state.sqlite"
        self.archive = root / "archive"
        self.withdrawn = root / "withdrawn.jsonl"
        self.quarantine = root / "quarantine.jsonl"
        self.set_aside_files: list[Path] = []  # damaged files moved or copied aside by this run
        self._rejects_handle: TextIO | None = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[OutputFolder]:
        """Hold an exclusive lock on the folder (released by the OS even if the process dies).

        The flock is on the folder itself: on `.lock`, a run would lock a new file if someone deleted
        the holder's, and two runs would share the folder. `.lock` names the holder (pid and start time)
        for the message a second run gets. A lock file left by a dead run holds no lock (flock dies
        with its process): it is taken over, and said so.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        # "a+", not "w": opening must not wipe the holder's name before we know we hold the lock.
        with _opened_folder(self.root) as folder, open_for_appending(self.root / ".lock", "a+") as handle:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
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
                fcntl.flock(folder, fcntl.LOCK_UN)

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
            name = base + RUN_SEQUENCE.format(n)
        return name

    def open_state(self) -> State:
        """The folder's state. A damaged one (not a database, a corrupt page) is moved aside as
        state.sqlite.corrupt-<time> with its WAL (listed in `set_aside_files`) for a fresh one, which
        reads the dataset back; the next runs refetch what it forgot (validators, rejections): slower,
        nothing lost. Another schema version is refused (StateError)."""
        try:
            return State(self.state_path)
        except StateDamaged as exc:
            aside = self.set_aside(self.state_path, extra=("-wal", "-shm"))
            log.error("%s; set aside as %s and started afresh: the records are read back from %s and "
                      "the pages fetched again (to go back: stop, move it back over %s)",
                      exc, aside.name, DATASET_NAME, self.state_path.name)  # fmt: skip
            return State(self.state_path)

    def set_aside(self, path: Path, *, extra: tuple[str, ...] = ()) -> Path:
        """Move a damaged file (and its `extra`-suffixed companions) to <name>.corrupt-<UTC time>."""
        stamp = dt.datetime.now(dt.UTC).strftime(CORRUPT_STAMP)
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 0
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.corrupt-{stamp}_{n:02d}")
        for suffix in ("", *extra):
            source = path.with_name(path.name + suffix)
            if source.exists():
                os.replace(source, aside.with_name(aside.name + suffix))
        self.set_aside_files.append(aside)
        return aside

    def adopt_dataset(self, state: State) -> tuple[int, int]:
        """Read a dataset file we did not write last (edited, or a fresh state) into the state; return
        (records adopted, damaged lines). Each line is validated as a record; when some are damaged
        (not UTF-8, not JSON, no valid record) the file is copied aside as it was and the lines
        dropped (the state's records rebuild the dataset at publish)."""
        if not self.dataset.exists() or state.get_meta(_SIGNATURE_KEY) == self._signature():
            return 0, 0
        damaged: list[int] = []
        adopted = state.adopt_records(self._dataset_rows(damaged))
        log.info("read %s back; %d records were not in the state", self.dataset, adopted)
        if damaged:
            aside = self.dataset.with_name(
                f"{DATASET_NAME}.corrupt-{dt.datetime.now(dt.UTC).strftime(CORRUPT_STAMP)}"
            )
            shutil.copyfile(self.dataset, aside)
            self.set_aside_files.append(aside)
            log.warning("%s: %d damaged lines (first: line %d) dropped; the file as it was is kept as %s. "
                        "The dataset is rewritten from the state; a record only that line held is lost "
                        "unless its page is fetched again (or mended by hand from %s)",
                        self.dataset, len(damaged), damaged[0], aside.name, aside.name)  # fmt: skip
        return adopted, len(damaged)

    def _dataset_rows(self, damaged: list[int]) -> Iterator[tuple[str, str, str, str, str]]:
        """(id, url, date, sha256, line) of each valid line; a damaged one is skipped with a reject
        line naming it and its number appended to `damaged` (the rewritten dataset will not hold it)."""
        # Streamed, and as bytes: the dataset may be large, and one bad byte must not end the reading.
        with self.dataset.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                data: dict[str, Any] | None = None
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                    problem = record_problem(line)
                    data = json.loads(line) if problem is None else None
                except UnicodeDecodeError as exc:
                    problem = f"not UTF-8 ({exc.reason} at byte {exc.start})"
                if data is None or problem is not None:
                    where = f"{self.dataset}:{number}"
                    log.warning("%s: skipped a damaged line (%s)", where, problem)
                    reason = f"damaged dataset line, dropped: {problem}"
                    self.reject(where, reason, "DatasetError", dt.datetime.now(dt.UTC))
                    damaged.append(number)
                    continue
                yield str(data["id"]), str(data["url"]), str(data["date"]), record_sha256(data), line

    def check_records(self, state: State) -> int:
        """Validate every record the state holds; a damaged one (edited, a disk fault) is appended to
        quarantine.jsonl and dropped, its page fetched whole again this run. Return how many."""
        bad = [(record_id, url, line, problem) for record_id, url, line in state.iter_records()
               if (problem := record_problem(line, record_id)) is not None]  # fmt: skip
        when = dt.datetime.now(dt.UTC)
        for record_id, url, line, problem in bad:
            self._quarantine(record_id, url, line, problem, when)
            state.drop_record(record_id)
            log.warning("state: record %s (%s) is damaged (%s): set aside in %s; its page is fetched again",
                        record_id, url, problem, self.quarantine.name)  # fmt: skip
        return len(bad)

    def _quarantine(self, record_id: str, url: str, line: str, problem: str, when: dt.datetime) -> None:
        entry = {"id": record_id, "url": url, "problem": problem, "line": line, "time": when.isoformat()}
        with open_for_appending(self.quarantine) as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _signature(self) -> str:
        info = self.dataset.stat()
        return f"{info.st_size}:{info.st_mtime_ns}"

    def reject(self, url: str, reason: str, kind: str, when: dt.datetime) -> None:
        """Append one rejection to rejects.jsonl, at once (a killed run keeps what it wrote)."""
        if self._rejects_handle is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._rejects_handle = open_for_appending(self.rejects)
        line = {"url": url, "reason": reason, "kind": kind, "time": when.isoformat()}
        self._rejects_handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        pause_point("rejects-write")
        self._rejects_handle.flush()

    def publish(self, state: State, run_name: str) -> Published:
        """Write the run's records, the whole dataset and the withdrawn list; return (new, changed)
        records published.

        Order matters: run file, then dataset, then the state marks them published. A kill in
        between publishes them again next run (at least once, never lost).
        """
        new = changed = 0
        if not self.dataset.exists() and not state.counts()["records"]:
            log.info("no record yet (nothing fetched became one): nothing published")
            return Published(new, changed)
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
        self._write_withdrawn(state)
        pause_point("publish-mark")
        state.mark_published()
        state.set_meta(_SIGNATURE_KEY, self._signature())
        return Published(new, changed)

    def _write_withdrawn(self, state: State) -> None:
        """withdrawn.jsonl: every record whose page answers 404/410 (still in the dataset); no file
        while there is none."""
        rows = list(state.iter_withdrawn())
        if not rows:
            self.withdrawn.unlink(missing_ok=True)
            return
        with atomic_writer(self.withdrawn) as handle:
            for record_id, url, since in rows:
                handle.write(json.dumps({"id": record_id, "url": url, "since": since}) + "\n")

    def write_stats(self, run_name: str, stats: dict[str, Any]) -> Path:
        path = self.runs / f"{run_name}.json"
        with atomic_writer(path) as handle:
            json.dump(stats, handle, indent=2, sort_keys=True)
            handle.write("\n")
        return path


@contextlib.contextmanager
def _opened_folder(root: Path) -> Iterator[int]:
    """A file descriptor of the folder `root` (to flock it), closed after the block."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield fd
    finally:
        os.close(fd)
