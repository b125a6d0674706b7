"""How fast the offline mirror serves, and what it costs in memory.

Run: .venv/bin/python benchmarks/bench_mirror.py [--pages 20000] [--requests 6000]

Prints one table: pages/s and MB/s served to a raw asyncio keep-alive client (no HTTP library in the
way) at several concurrencies, over distinct pages (renders) and over one page (cache hits); the
server's CPU time per page (its own ceiling, in pages/s, is 1000 / that when the client is the
bottleneck); and the server's resident memory. The server runs in its own process (`osce-scrape
mirror`), as it would for a crawl, so client and server do not share one GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

CONCURRENCIES = (1, 8, 32)


async def _client(port: int, paths: list[str]) -> int:
    """Fetch `paths` over one keep-alive connection; return the bytes received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    received = 0
    for path in paths:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        received += len(head) + len(await reader.readexactly(length))
    writer.close()
    return received


async def _load(port: int, paths: list[str], concurrency: int) -> tuple[float, int]:
    shares = [paths[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    sizes = await asyncio.gather(*(_client(port, share) for share in shares))
    return time.perf_counter() - started, sum(sizes)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_server(pages: int) -> tuple[subprocess.Popen[str], int]:
    script = Path(sys.executable).with_name("osce-scrape")  # the venv's console script
    command = [str(script), "mirror", "--port", "0", "--pages", str(pages)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        if match := re.search(r"at http://127\.0\.0\.1:(\d+)", line):
            return server, int(match[1])
    raise RuntimeError("the mirror did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=6_000)
    args = parser.parse_args()

    started = time.perf_counter()
    server, port = _start_server(args.pages)
    print(f"mirror of {args.pages} pages up in {time.perf_counter() - started:.1f} s")
    print(f"  resident memory at start: {_rss_mb(server.pid):.0f} MB")
    print(f"{'workload':<26}{'concurrency':>12}{'pages/s':>9}{'MB/s':>6}{'server CPU ms/page':>20}")
    try:
        paths = asyncio.run(_article_paths(port, args.requests))
        for label, workload in (
            ("distinct pages (render)", paths),
            ("one page (cache hit)", [paths[0]] * len(paths)),
        ):
            for concurrency in CONCURRENCIES:
                cpu = _cpu_seconds(server.pid)
                seconds, size = asyncio.run(_load(port, workload, concurrency))
                cpu_ms = (_cpu_seconds(server.pid) - cpu) * 1000 / len(workload)
                rate = len(workload) / seconds
                print(f"{label:<26}{concurrency:>12}{rate:>9.0f}{size / seconds / 1e6:>6.0f}{cpu_ms:>20.2f}")
        print(f"  resident memory after serving: {_rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait()


async def _article_paths(port: int, count: int) -> list[str]:
    """Item paths read from the listing pages, as a crawler finds them."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    paths: list[str] = []
    page = 0
    while len(paths) < count:
        writer.write(f"GET /press-releases?page={page} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        found = re.findall(rb'<h3><a href="([^"]+)"', await reader.readexactly(length))
        if not found:
            break
        paths += [p.decode() for p in found]
        page += 1
    writer.close()
    return paths[:count]


if __name__ == "__main__":
    main()
