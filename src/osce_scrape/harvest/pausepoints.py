"""Named pause points: a test hook that freezes the crawl at an exact step so a test can SIGKILL it.

`OSCE_SCRAPE_PAUSE_AT="state-commit:3"` makes the third arrival at `pause_point("state-commit")`
create the file named by `OSCE_SCRAPE_PAUSE_FILE` (if set) and then sleep for good: the test sees the
file and kills the process exactly there (mid-fetch, mid-WARC-write, mid-state-commit, mid-publish).
Unset (always, outside tests) a pause point costs one comparison.

Points: fetch-body (headers received, body not read), warc-write (a WARC pair written, not
flushed), state-commit (a record inserted, transaction open), rejects-write (a reject line written,
not flushed), run-file-write / dataset-write (one line written to the temporary file), publish-mark
(dataset renamed into place, records not yet marked published).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path

PAUSE_AT_ENV = "OSCE_SCRAPE_PAUSE_AT"
PAUSE_FILE_ENV = "OSCE_SCRAPE_PAUSE_FILE"
POINTS = frozenset(
    {"fetch-body", "warc-write", "state-commit", "rejects-write", "run-file-write", "dataset-write",
     "publish-mark"}
)  # fmt: skip


def _target(spec: str | None) -> tuple[str, int] | None:
    if not spec:
        return None
    name, _, count = spec.partition(":")
    if name not in POINTS or not (count or "1").isdigit():
        raise ValueError(f"{PAUSE_AT_ENV}={spec!r}: want NAME[:N], NAME one of {', '.join(sorted(POINTS))}")
    return name, int(count or "1")


_TARGET = _target(os.environ.get(PAUSE_AT_ENV))
_arrivals: Counter[str] = Counter()
_lock = threading.Lock()


def pause_point(name: str) -> None:
    """Freeze here for good if the environment asks for this point (and this arrival); else nothing."""
    if _TARGET is None or _TARGET[0] != name:
        return
    with _lock:
        _arrivals[name] += 1
        reached = _arrivals[name] == _TARGET[1]
    if not reached:
        return
    if marker := os.environ.get(PAUSE_FILE_ENV):
        Path(marker).write_text(f"{name}:{_TARGET[1]} pid {os.getpid()}\n")
    while True:  # until SIGKILL
        time.sleep(60)
