"""The mirror's HTTP/1.1 server: asyncio streams, keep-alive, a request log, optional fault injection.

`running_mirror(site)` runs it on 127.0.0.1 in a background thread with its own event loop, so tests
and benchmarks can crawl it from their own loop or thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from osce_scrape.mirror.faults import FaultInjector, FaultSpec, fault_status, write_fault
from osce_scrape.mirror.http import Response, error_page
from osce_scrape.mirror.site import MirrorSite

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only: the mirror is never exposed beyond this machine
MAX_HEADER_LINES = 100
MAX_LINE = 8192
START_TIMEOUT = 10.0
SEND_BUFFER = 1 << 20


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it: wall-clock time it arrived, method, target, headers, status
    (0 when the fault injected gave no status: reset, hang)."""

    time: float
    method: str
    path: str
    headers: dict[str, str]
    status: int


class MirrorServer:
    """A running mirror: its base URL, what it was asked, and how to stop it."""

    def __init__(self, site: MirrorSite, faults: FaultSpec | None = None) -> None:
        self.site = site
        self.faults = FaultInjector(faults) if faults else None
        self.request_log: list[RequestRecord] = []
        self.base_url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:`port` (0: any free port) in a background thread."""
        ready = threading.Event()
        errors: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(port, ready, errors), name="osce-mirror", daemon=True
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT) or errors:
            raise RuntimeError(f"mirror did not start: {errors[0] if errors else 'timeout'}")

    def stop(self) -> None:
        """Close the listener and every connection (hung ones too); wait for the thread."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may be closing already
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self, port: int, ready: threading.Event, errors: list[BaseException]) -> None:
        try:
            asyncio.run(self.serve(port, ready))
        except BaseException as exc:  # reported to start(), which raises it in the caller's thread
            errors.append(exc)
            ready.set()

    async def serve(self, port: int, ready: threading.Event | None = None) -> None:
        """Serve until `stop()` (or cancellation); set `ready` once listening."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, HOST, port, backlog=512)
        bound = server.sockets[0].getsockname()[1]
        self.base_url = f"http://{HOST}:{bound}"
        self.site.base_url = self.base_url
        log.info("mirror serving %s", self.base_url)
        if ready is not None:
            ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await server.wait_closed()

    # --- connections -------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None:  # a whole ~90 KB page per send() call, not several partial ones
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection is to be closed."""
        request = await read_request(reader)
        if request is None:
            return False
        method, target, version, headers = request
        arrived = time.time()
        keep_alive = _keep_alive(version, headers)
        if not target.startswith("/"):
            response, fault = error_page(400), None
        else:
            response = self.site.respond(method, target, headers)
            fault = self.faults.choose(target) if self.faults else None
        # Logged before the response is written, so a client that has its answer finds it logged.
        status = response.status if fault is None else fault_status(fault, response)
        self.request_log.append(RequestRecord(arrived, method, target, headers, status))
        if fault is None:
            await _write(writer, response, method, keep_alive)
        else:
            assert self.faults is not None
            keep_alive = await write_fault(
                fault, self.faults.spec, writer, response, method=method,
                target=target, base_url=self.base_url, keep_alive=keep_alive,
            )  # fmt: skip
        return keep_alive


async def _write(writer: asyncio.StreamWriter, response: Response, method: str, keep: bool) -> None:
    head = response.head(keep_alive=keep)
    writer.write(head if method == "HEAD" else head + response.body)
    await writer.drain()


def _keep_alive(version: str, headers: dict[str, str]) -> bool:
    connection = headers.get("connection", "").lower()
    if version == "HTTP/1.0":
        return connection == "keep-alive"
    return connection != "close"


async def read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, str, dict[str, str]] | None:
    """Request line and headers (names lower-cased); any body is read and dropped. None at EOF."""
    line = await reader.readline()
    if not line.strip():
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or len(line) > MAX_LINE:
        raise ConnectionError("malformed request line")
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if (length := headers.get("content-length", "0")).isdigit() and int(length):
        await reader.readexactly(int(length))
    target = parts[1]
    if target.startswith(("http://", "https://")):  # absolute-form (proxies): keep path and query
        split = urlsplit(target)
        target = split.path + (f"?{split.query}" if split.query else "")
    return parts[0].upper(), target, parts[2].upper(), headers


@contextlib.contextmanager
def running_mirror(
    site: MirrorSite, port: int = 0, faults: FaultSpec | None = None
) -> Iterator[MirrorServer]:
    """Serve `site` on 127.0.0.1 for the duration of the `with` block."""
    server = MirrorServer(site, faults)
    server.start(port)
    try:
        yield server
    finally:
        server.stop()
