"""The crawl's work off the event loop: parsing (and, in worker processes, archiving) fetched pages.

`parse_job` returns everything the store needs (the JSON line, its content hash) so the expensive
steps (parsing, validation, serialisation, hashing) all happen outside the crawl's event loop;
`pool_for` makes the thread or process pool that runs it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import datetime as dt
import itertools
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from osce_scrape.errors import NotAPressRelease, ParseError
from osce_scrape.models import PressRelease, record_sha256

if TYPE_CHECKING:  # the crawl's archive and fetcher are imported where used: `parse` needs neither
    from osce_scrape.harvest.archive import WarcWriter
    from osce_scrape.harvest.fetch import FetchResult

log = logging.getLogger(__name__)

ParserFn = Callable[..., PressRelease]  # parse_page(content, url, *, encoding=...)
T = TypeVar("T")
R = TypeVar("R")

# A worker whose crawl was SIGKILLed waits on its task queue for ever (it holds both ends of the pipe):
# on Linux the kernel kills it with its parent (PR_SET_PDEATHSIG); elsewhere a thread polls getppid.
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL = 1.0  # seconds between a worker's looks at its parent (not on Linux)


@dataclass(frozen=True)
class ParsedRecord:
    id: str
    title: str
    date: dt.date
    json_line: str
    sha256: str


@dataclass(frozen=True)
class ParseOutcome:
    """A record, or the reason and error kind of a rejection (`skipped`: not a press release)."""

    record: ParsedRecord | None
    reason: str = ""
    kind: str = ""
    skipped: bool = False


def parse_job(
    parser: ParserFn, content: bytes, url: str, encoding: str | None, fetched_at: dt.datetime
) -> ParseOutcome:
    """Parse `content`, stamp provenance.fetched_at, serialise and hash; rejections are outcomes."""
    try:
        record = parser(content, url, encoding=encoding)
    except ParseError as exc:
        return ParseOutcome(None, exc.reason, type(exc).__name__, isinstance(exc, NotAPressRelease))
    except Exception as exc:  # a parser bug on one page must not end a crawl of thousands
        log.exception("parser crashed on %s", url)
        return ParseOutcome(None, f"parser crashed: {exc!r}", "ParserCrash")
    record = record.model_copy(
        update={"provenance": record.provenance.model_copy(update={"fetched_at": fetched_at})}
    )
    json_line = record.to_json_line()
    sha = record_sha256(json.loads(json_line))
    return ParseOutcome(ParsedRecord(record.id, record.title, record.date, json_line, sha))


# --- worker processes: each archives what it is handed into its own WARC, then parses ----------

_worker_warc: WarcWriter | None = None


def open_worker_archive(folder: Path, run_name: str, parent: int | None = None) -> None:
    """Process-pool initializer: this worker's WARC file (`<run>-<pid>.warc.gz`); the worker dies with
    `parent` (the crawl's pid), however the crawl ends.

    Every record is flushed as it is written, so the file needs no closing when the worker exits.
    """
    global _worker_warc
    if parent is not None:
        die_with_parent(parent)
    # Ctrl-C at a terminal reaches the whole process group: the crawl decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from osce_scrape.harvest.archive import WarcWriter

    _worker_warc = WarcWriter(folder, name=f"{run_name}-{os.getpid()}")
    _worker_warc.__enter__()


def die_with_parent(parent: int) -> None:
    """End this process when `parent` ends: at once on Linux, within PARENT_POLL seconds elsewhere."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    if os.getppid() != parent:  # it died before the line above: nobody is left to hand us work
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)  # no cleanup to wait for: every WARC record is flushed as it is written


def archive_and_parse(parser: ParserFn, result: FetchResult, parse: bool) -> ParseOutcome | None:
    """In a worker process: archive `result`, then parse it when asked (items, not listing pages)."""
    if _worker_warc is None:
        raise RuntimeError("archive_and_parse outside a worker opened by open_worker_archive")
    _worker_warc.write(result)
    if not parse:
        return None
    return parse_job(parser, result.content, result.final_url, result.encoding, result.fetched_at)


def pool_for(processes: int, archive: Path, run_name: str) -> concurrent.futures.Executor:
    """One parse thread, or `processes` spawned workers that also archive (fork is unsafe beside
    the threads of an event loop)."""
    if processes > 0:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=open_worker_archive,
            initargs=(archive, run_name, os.getpid()),
        )
    return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse")


# --- many pages on every core, in order ------------------------------------------------------------

CHUNK_PAGES = 8  # pages a worker is handed at once: ~20 ms of parsing, against ~0.1 ms to pickle a chunk
CHUNKS_AHEAD = 4  # chunks in flight per worker: keeps workers busy, bounds memory (a WARC is streamed)


def ordered_map(
    fn: Callable[[list[T]], list[R]], items: Iterable[T], jobs: int, *, fork: bool = True
) -> Iterator[R]:
    """`fn` over `items` in chunks of CHUNK_PAGES, in `jobs` worker processes, results in input order.

    With one job, or fewer items than two chunks (a pool costs more than it saves), `fn` runs here. Only
    CHUNKS_AHEAD chunks per worker are in flight, so `items` may be a stream of any length. `fn` and the
    items are pickled (`fn` by name: a module-level function). Workers are forked where the platform can
    (they start at once, the parser imported), spawned with `fork=False` (beside other threads, where a
    fork is unsafe); they ignore Ctrl-C and die with this process.
    """
    chunks = _chunks(iter(items), CHUNK_PAGES)
    first = list(itertools.islice(chunks, 2))
    if jobs <= 1 or len(first) < 2:  # two chunks: the least a second worker can share
        for chunk in itertools.chain(first, chunks):
            yield from fn(chunk)
        return
    context = multiprocessing.get_context("fork" if fork and _can_fork() else "spawn")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[concurrent.futures.Future[list[R]]] = deque()
        for chunk in itertools.chain(first, chunks):
            pending.append(pool.submit(fn, chunk))
            if len(pending) >= jobs * CHUNKS_AHEAD:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _init_worker(parent: int) -> None:
    """Pool initializer: Ctrl-C is for the parent to handle; the worker dies with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def parse_jobs(chunk: list[tuple[ParserFn, bytes, str, str | None, dt.datetime]]) -> list[ParseOutcome]:
    """`parse_job` over a chunk of (parser, content, url, encoding, fetched_at): a pool's work unit."""
    return [parse_job(*job) for job in chunk]


def main_warc(
    processes: int, archive: Path, run_name: str
) -> contextlib.AbstractContextManager[WarcWriter | None]:
    """The run's WARC in this process, unless worker processes write their own."""
    from osce_scrape.harvest.archive import WarcWriter

    return contextlib.nullcontext() if processes > 0 else WarcWriter(archive, name=run_name)
