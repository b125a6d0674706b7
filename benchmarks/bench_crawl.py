"""Crawl speed and memory against the offline mirror, beside the ceiling a bare httpx loop reaches.

    .venv/bin/python benchmarks/bench_crawl.py                       # 20,000 pages (and 2,000)
    .venv/bin/python benchmarks/bench_crawl.py --pages 3000 --small 500

The mirror runs in its own process (`osce-scrape mirror`), so neither client shares a GIL with the
server. The crawler runs as `osce-scrape crawl --rate 0` in a subprocess whose RSS is sampled every
20 ms: a run over the first --small pages and a run over all --pages, to show memory stays flat.
The crawl writes its data card after the harvest, as `osce-scrape crawl` does by default (--no-card
leaves it out, as runs before 2026-12-04 did), so the peak RSS is the whole command's, card included
(issue 11's target: under 200 MB at 20,000 pages).
The ceiling is a bare httpx.AsyncClient loop over exactly the URLs the full crawl fetched, at the
same concurrency, doing nothing with the bodies. Everything goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
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
    cpu_ms: float  # CPU per request, the crawler and its worker processes together
    label: str

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


def crawl(
    base: str, out: Path, concurrency: int, parse_processes: int, max_pages: int | None, card: bool
) -> CrawlRun:
    command = [str(BIN / "osce-scrape"), "crawl", "--base-url", base, "--out", str(out), "-q",
               "--rate", "0", "--concurrency", str(concurrency),
               "--parse-processes", str(parse_processes)]  # fmt: skip
    if not card:
        command.append("--no-card")
    if max_pages:
        command += ["--max-pages", str(max_pages)]
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    if card and not (out / "DATASET.md").exists():
        raise SystemExit(f"the crawl wrote no data card in {out}")
    pages = (stats["discovery_documents"] + stats["fetched"] + stats["not_modified"]
             + sum(stats["errors"].values()))  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    records = sum(1 for _ in (out / "press_releases.jsonl").open())
    label = "threads" if parse_processes == 0 else f"{parse_processes} processes"
    return CrawlRun(pages, stats["seconds"], wall, peak / 2**20, records, out, 1000 * cpu / pages, label)


def crawled_urls(run: CrawlRun, base: str) -> list[str]:
    """The URLs the crawl fetched: its listing pages, then every item URL in its state."""
    with sqlite3.connect(run.out / "state.sqlite") as db:
        items = [row[0] for row in db.execute("SELECT url FROM urls ORDER BY rowid")]
    listing = [f"{base}/press-releases?page={n}" for n in range(-(-len(items) // PER_LISTING_PAGE))]
    return listing + items


async def bare_loop(urls: list[str], concurrency: int) -> tuple[float, float]:
    """Pages per second, and CPU ms per page, of a bare httpx.AsyncClient loop: fetch, read the
    body, nothing else."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    pending = iter(urls)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            for url in pending:
                response = await client.get(url)
                _ = response.content

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        return len(urls) / seconds, 1000 * cpu / len(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000, help="press releases the mirror serves")
    parser.add_argument("--small", type=int, default=2_000, help="pages of the small run (memory)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--parse-processes", default="0,2", help="modes to run, comma-separated")
    parser.add_argument("--no-card", action="store_true", help="crawl with --no-card (no data card step)")
    args = parser.parse_args()
    modes = [int(m) for m in args.parse_processes.split(",")]

    rows: list[tuple[str, CrawlRun | None, int, float, float]] = []  # name, run, requests, rate, cpu
    mirror, base = start_mirror(args.pages)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
            for mode in modes:
                label = "threads" if mode == 0 else f"{mode} processes"
                for size, max_pages in ((args.small, -(-args.small // PER_LISTING_PAGE)),
                                        (args.pages, None)):  # fmt: skip
                    run = crawl(
                        base,
                        Path(tmp) / f"{mode}-{size}",
                        args.concurrency,
                        mode,
                        max_pages,
                        not args.no_card,
                    )
                    rows.append((f"crawler ({label}), {size} pages", run, run.pages, run.rate, run.cpu_ms))
                urls = crawled_urls(run, base)  # the ceiling right after, on the same URLs
                rate, cpu = asyncio.run(bare_loop(urls, args.concurrency))
                rows.append((f"bare httpx loop, {len(urls)} URLs", None, len(urls), rate, cpu))
    finally:
        mirror.terminate()
        mirror.wait(timeout=30)

    card = "without the data card (--no-card)" if args.no_card else "data card included"
    print(f"crawl of the mirror on 127.0.0.1, --rate 0, concurrency {args.concurrency}, {card}\n")
    print("| run | requests | records | seconds | pages/s | × ceiling | CPU ms/page | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for k in range(len(modes)):
        ceiling = rows[3 * k + 2][3]
        for name, run, requests, rate, cpu in rows[3 * k : 3 * k + 3]:
            extra = f"{run.records} | {run.seconds:.1f}" if run else " | "
            memory = f"{run.peak_rss_mb:.0f}" if run else ""
            ratio = f"{rate / ceiling:.2f}"
            print(f"| {name} | {requests} | {extra} | {rate:.0f} | {ratio} | {cpu:.2f} | {memory} |")
    print()
    for k in range(len(modes)):
        small, full = rows[3 * k][1], rows[3 * k + 1][1]
        assert small is not None and full is not None
        print(f"{full.label}: peak RSS {full.peak_rss_mb:.0f} MB at {args.pages} pages "
              f"({full.peak_rss_mb / small.peak_rss_mb:.2f}x the {args.small}-page run)")  # fmt: skip


if __name__ == "__main__":
    main()
