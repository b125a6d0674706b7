"""Running `osce-scrape crawl` as a subprocess that can be frozen at a pause point and SIGKILLed,
and comparing output folders (tests/test_crawl_kill.py, tests/test_signals.py, tests/test_store_lock.py)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from osce_scrape.harvest.archive import iter_warc_responses
from osce_scrape.harvest.pausepoints import PAUSE_AT_ENV, PAUSE_FILE_ENV

CLI = str(Path(sys.executable).parent / "osce-scrape")


def start_crawl(
    base_url: str, out: Path, *extra: str, pause_at: str | None = None
) -> subprocess.Popen[bytes]:
    """`osce-scrape crawl` in its own process; with `pause_at`, it freezes there (see `wait_paused`)."""
    env = {**os.environ}
    if pause_at:
        env[PAUSE_AT_ENV] = pause_at
        env[PAUSE_FILE_ENV] = str(out.parent / f"{out.name}.paused")
    command = [
        CLI,
        "crawl",
        "--base-url",
        base_url,
        "--rate",
        "0",
        "--out",
        str(out),
        "--no-card",
        "-q",
        *extra,
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_paused(process: subprocess.Popen[bytes], out: Path, timeout: float = 60) -> bool:
    """True once the process sits at its pause point; False if it ended (or timed out) first."""
    marker = out.parent / f"{out.name}.paused"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def stored(out: Path) -> int:
    """Records committed to the state so far, read-only beside a running crawl (0 before it exists)."""
    try:
        with sqlite3.connect(f"file:{out / 'state.sqlite'}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM records").fetchone()[0])
    except sqlite3.Error:
        return 0


def records(out: Path) -> list[dict[str, Any]]:
    """The dataset's records; fails on a partial or non-JSON line."""
    path = out / "press_releases.jsonl"
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "the dataset ends in a partial line"
    return [json.loads(line) for line in text.splitlines()]


def comparable(out: Path) -> list[dict[str, Any]]:
    """The dataset without provenance.fetched_at (the only field a refetch may change)."""
    result = []
    for record in records(out):
        record["provenance"].pop("fetched_at", None)
        result.append(record)
    return result


def archived_urls(out: Path) -> set[str]:
    """URLs of every whole 200 response in the folder's WARC files (reading must not fail)."""
    return {r.url for r in iter_warc_responses(out / "archive") if r.status == 200}


def leftovers(out: Path) -> list[Path]:
    """Temporary files a killed run may leave (the next run sweeps them)."""
    return [p for p in out.rglob(".*.tmp")]
