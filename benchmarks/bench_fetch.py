"""What the polite fetcher costs over a bare httpx loop, and what a gzip bomb costs it.

A tiny keep-alive HTTP server (in a child process, so it does not share our GIL) serves a 90 KB page on
127.0.0.1. We fetch N pages with a bare httpx.AsyncClient loop (the ceiling) and with `Fetcher` at
rate 0 (robots.txt, rate limiter, semaphore, tenacity, streamed capped body, encoding detection), at
several concurrencies, and print pages/s and their ratio. Then one 100 MB gzip bomb is fetched with
a 10 MB cap by `Fetcher` and by plain httpx, and the peak Python memory of each is printed.

    .venv/bin/python benchmarks/bench_fetch.py [--pages 2000] [--concurrency 1,4,8]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import multiprocessing
import time
import tracemalloc
from multiprocessing.queues import Queue
from typing import Any

import httpx

from osce_scrape.errors import ResponseTooLarge
from osce_scrape.harvest.fetch import FetchConfig, Fetcher

PAGE = (
    b"<html><head><meta charset=utf-8></head><body>" + b"<p>press release text</p>" * 3500 + b"</body></html>"
)
BOMB = gzip.compress(b"\0" * 100_000_000, compresslevel=9)


def _serve(port_queue: Queue[int]) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                if path == b"/robots.txt":
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif path == b"/bomb":
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
                                 % len(BOMB) + BOMB)  # fmt: skip
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
                                 % len(PAGE) + PAGE)  # fmt: skip
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


async def _bare(base: str, pages: int, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:
        queue = iter(range(pages))

        async def worker() -> None:
            for i in queue:
                response = await client.get(f"{base}/p/{i}")
                assert len(response.content) == len(PAGE)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return pages / (time.perf_counter() - start)


async def _fetcher(base: str, pages: int, concurrency: int) -> float:
    async with Fetcher(FetchConfig(base, rate=0, concurrency=concurrency)) as fetcher:
        queue = iter(range(pages))

        async def worker() -> None:
            for i in queue:
                result = await fetcher.fetch(f"{base}/p/{i}")
                assert len(result.content) == len(PAGE)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return pages / (time.perf_counter() - start)


def _peak(coro: Any) -> tuple[int, str]:
    tracemalloc.start()
    try:
        outcome = asyncio.run(coro)
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


async def _bomb_fetcher(base: str) -> str:
    async with Fetcher(FetchConfig(base, rate=0, max_bytes=10_000_000)) as fetcher:
        try:
            await fetcher.fetch(f"{base}/bomb")
        except ResponseTooLarge as exc:
            return f"ResponseTooLarge ({exc.reason})"
    return "fetched?!"


async def _bomb_httpx(base: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base}/bomb")
        return f"{len(response.content):,} bytes decoded"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,4,8")
    args = parser.parse_args()
    ports: Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=10)}"
        print(f"{args.pages} pages of {len(PAGE) // 1000} KB from {base}")
        print(f"{'concurrency':>11}  {'bare httpx p/s':>14}  {'Fetcher p/s':>11}  {'ratio':>5}")
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            asyncio.run(_bare(base, 50, concurrency))  # warm up
            bare = asyncio.run(_bare(base, args.pages, concurrency))
            ours = asyncio.run(_fetcher(base, args.pages, concurrency))
            print(f"{concurrency:>11}  {bare:>14.0f}  {ours:>11.0f}  {ours / bare:>5.2f}")
        print(f"\ngzip bomb: {len(BOMB):,} bytes on the wire, 100,000,000 decoded; cap 10,000,000")
        for name, coro in (("Fetcher", _bomb_fetcher(base)), ("bare httpx", _bomb_httpx(base))):
            peak, outcome = _peak(coro)
            print(f"{name:>11}: peak {peak / 1e6:6.1f} MB  -> {outcome}")
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
