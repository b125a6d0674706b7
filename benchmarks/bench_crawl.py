"""Crawl speed and memory against the offline mirror, beside the ceiling a bare httpx loop reaches.

    .venv/bin/python benchmarks/bench_crawl.py                       # 20,000 pages (and 2,000)
    .venv/bin/python benchmarks/bench_crawl.py --pages 3000 --small 500

The mirror runs in its own process (`osce-scrape mirror`), so neither client shares a GIL with the
server. The crawler runs as `osce-scrape crawl --rate 0` in a subprocess whose RSS is sampled every
20 ms: a run over the first --small pages and a run over all --pages, to show memory stays flat.
The ceiling is a bare httpx.AsyncClient loop over exactly the URLs the full crawl fetched, at the
same concurrency, doing nothing with the bodies. Everything goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

BIN = Path(sys.executable).parent
PER_LISTING_PAGE = 10  # the mirror's (and the site's) listing page size


@dataclass
class CrawlRun:
    pages: int  # requests the crawl made: listing pages + items
    seconds: float  # the harvest's own time (no interpreter start-up)
    wall: float
    peak_rss_mb: float
    records: int
    out: Path

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_mirror(pages: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [str(BIN / "osce-scrape"), "mirror", "--port", str(port), "--pages", str(pages)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/robots.txt", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the mirror did not come up within 300 s")


def crawl(base: str, out: Path, concurrency: int, parse_processes: int, max_pages: int | None) -> CrawlRun:
    command = [str(BIN / "osce-scrape"), "crawl", "--base-url", base, "--out", str(out), "-q",
               "--rate", "0", "--concurrency", str(concurrency),
               "--parse-processes", str(parse_processes)]  # fmt: skip
    if max_pages:
        command += ["--max-pages", str(max_pages)]
    started = time.monotonic()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        try:
            rss = process.memory_info().rss
            rss += sum(c.memory_info().rss for c in process.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    wall = time.monotonic() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"crawl failed ({process.returncode}): {process.stderr.read().decode()}")
    stats = json.loads(max((out / "runs").glob("*.json")).read_text())
    pages = (stats["discovery_documents"] + stats["fetched"] + stats["not_modified"]
             + sum(stats["errors"].values()))  # fmt: skip
    records = sum(1 for _ in (out / "press_releases.jsonl").open())
    return CrawlRun(pages, stats["seconds"], wall, peak / 2**20, records, out)


def crawled_urls(run: CrawlRun, base: str) -> list[str]:
    """The URLs the crawl fetched: its listing pages, then every item URL in its state."""
    with sqlite3.connect(run.out / "state.sqlite") as db:
        items = [row[0] for row in db.execute("SELECT url FROM urls ORDER BY rowid")]
    listing = [f"{base}/press-releases?page={n}" for n in range(-(-len(items) // PER_LISTING_PAGE))]
    return listing + items


async def bare_loop(urls: list[str], concurrency: int) -> float:
    """Pages per second of a bare httpx.AsyncClient loop: fetch, read the body, nothing else."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    pending = iter(urls)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            for url in pending:
                response = await client.get(url)
                _ = response.content

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(urls) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000, help="press releases the mirror serves")
    parser.add_argument("--small", type=int, default=2_000, help="pages of the small run (memory)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--parse-processes", type=int, default=0)
    args = parser.parse_args()

    mirror, base = start_mirror(args.pages)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
            small = crawl(base, Path(tmp) / "small", args.concurrency, args.parse_processes,
                          max_pages=-(-args.small // PER_LISTING_PAGE))  # fmt: skip
            full = crawl(base, Path(tmp) / "full", args.concurrency, args.parse_processes, None)
            ceiling = asyncio.run(bare_loop(crawled_urls(full, base), args.concurrency))
    finally:
        mirror.terminate()
        mirror.wait(timeout=30)

    print(f"crawl of the mirror on 127.0.0.1, --rate 0, concurrency {args.concurrency}, "
          f"parse processes {args.parse_processes}")  # fmt: skip
    print(f"{'run':<34}{'requests':>10}{'records':>9}{'seconds':>9}{'pages/s':>9}{'peak RSS MB':>13}")
    for name, run in ((f"crawler, {args.small} pages", small), (f"crawler, {args.pages} pages", full)):
        print(f"{name:<34}{run.pages:>10}{run.records:>9}{run.seconds:>9.1f}{run.rate:>9.0f}"
              f"{run.peak_rss_mb:>13.0f}")  # fmt: skip
    print(f"{'bare httpx loop (ceiling)':<34}{full.pages:>10}{'':>9}{'':>9}{ceiling:>9.0f}")
    print(
        f"crawler / ceiling: {full.rate / ceiling:.2f}   "
        f"peak RSS {args.pages} vs {args.small} pages: {full.peak_rss_mb / small.peak_rss_mb:.2f}x"
    )


if __name__ == "__main__":
    main()
