"""Writing files so that an interrupted run never leaves a truncated one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_writer(path: Path, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a temporary file beside `path`; on success fsync it and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="\n") as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), _default_mode())  # mkstemp makes 0600; a dataset is for reading
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
