"""Writing files so that an interrupted run never leaves a truncated one; run names."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO, cast


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` for a writer that wants a file name (pyarrow); on success it is
    fsynced, given the usual permissions and renamed over `path`; on failure removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fchmod(fd, _default_mode())  # mkstemp makes 0600; a dataset is for reading
            os.fsync(fd)  # on disk before the rename: a crash leaves the old file or the new one, whole
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_writer(path: Path, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a temporary file beside `path` for text; on success fsync it and rename it over `path`."""
    with atomic_path(path) as tmp, tmp.open("w", encoding=encoding, newline="\n") as handle:
        yield handle


def _default_mode() -> int:
    """0666 less the process's umask: what open() would have given the file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_lines_atomically(path: Path, lines: Iterable[str]) -> int:
    """Write each line (no newline in it) to `path` atomically; return how many were written."""
    count = 0
    with atomic_writer(path) as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
            count += 1
    return count


RUN_STAMP = "%Y%m%dT%H%M%SZ"  # run names, of run files and WARCs alike: UTC, sortable as text
# A later run started within the same second: "_01", "_02", ... ("_" sorts after the "." of "Z.json",
# so the names sort in the order the runs started; the "-1" of older versions sorted before "Z.").
RUN_SEQUENCE = "_{:02d}"
# <stamp>[_<sequence>][-<n>][-<pid>]: the sequence of a run, the old "-<n>" one, a worker's pid.
_RUN_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)(?:_(?P<seq>\d+))?(?P<tail>(?:-\d+)*)(?P<rest>.*)$")
_OLD_SEQUENCE_BELOW = 100  # an old "-<n>" under this is a run's sequence, above it a worker's pid


def run_stamp(now: dt.datetime | None = None) -> str:
    """A run's name: its UTC start time (now by default), sortable (`20261128T045704Z`)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime(RUN_STAMP)


def run_order(name: str) -> tuple[str, int, int, str]:
    """A sort key putting run (and WARC) names in the order the runs started: by start time, then
    sequence, then worker; old names ("…Z-1", the second run of a second) read too. A name that is no
    run name sorts by itself."""
    match = _RUN_NAME.match(name)
    if match is None:
        return (name, 0, 0, name)
    tail = [int(part) for part in match["tail"].split("-")[1:]]
    seq = int(match["seq"]) if match["seq"] else 0
    if match["seq"] is None and tail and (len(tail) == 2 or tail[0] < _OLD_SEQUENCE_BELOW):
        seq = tail.pop(0)  # an old name: "-<n>" was the sequence
    return (match["stamp"], seq, tail[0] if tail else 0, name)


WARC_SUFFIXES = (".warc", ".warc.gz")  # the crawl's archives (harvest.archive), which `parse` also reads


def is_warc(path: Path) -> bool:
    """A WARC archive by its name: here, not in harvest.archive, so `parse` of HTML pages needs no warcio."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def open_for_appending(path: Path, mode: str = "a") -> TextIO:
    """`path` opened to append text ("a", or "a+" to read it too), never through a symbolic link: a link
    planted in an output folder (`rejects.jsonl -> /etc/passwd`) would have the crawl write, or truncate,
    its target. A link is an OSError (ELOOP) naming the path."""
    flags = os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | (os.O_RDWR if "+" in mode else os.O_WRONLY)
    fd = os.open(path, flags, 0o666)
    return cast(TextIO, os.fdopen(fd, mode, encoding="utf-8"))
