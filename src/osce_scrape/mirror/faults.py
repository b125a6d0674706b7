"""Fault injection for the mirror: the hostile responses a real site and network produce (issue #4).

A spec is a comma-separated list, e.g. "429:0.05,503:0.02,reset:0.01,robots-500,first=2,seed=7":
`kind:probability` per request (kinds below, or any 4xx/5xx status code), `robots-500` or
`robots-timeout` for /robots.txt, `first=K` to fault only the first K requests of each URL (so a
retrying crawler eventually succeeds), `seed=N`, `retry-after=S` (seconds, default 1),
`hang=S` (how long "hang" and "robots-timeout" stay silent, default 3600: until the server stops).

Choices are deterministic: a hash of (seed, request target, how many times it was requested).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import re
import socket
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field

from osce_scrape.mirror.http import HTML, Response, error_page, html_response, http_date

KINDS = (
    "reset", "hang", "truncate", "empty", "slow", "bigbody", "gzipbomb", "redirect-loop",
    "offsite-redirect", "wrong-type", "cp1251",
)  # fmt: skip
ROBOTS_KINDS = ("robots-500", "robots-timeout")
OFFSITE = "http://offsite.invalid"  # .invalid never resolves (RFC 2606): a followed redirect goes nowhere
BIG_BODY_BYTES = 12 * 1024 * 1024  # beyond the crawler's default 10 MB cap
BOMB_BYTES = 64 * 1024 * 1024  # a gzip body of ~64 KB that inflates to 64 MB
SLOW_CHUNKS = 10
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FaultSpec:
    """Which faults to inject, how often, and their parameters."""

    rates: dict[str, float] = field(default_factory=dict)
    robots: str | None = None
    first: int | None = None
    seed: int = 0
    retry_after: float = 1.0
    hang: float = 3600.0
    slow: float = 1.0  # seconds a "slow" body takes, trickled in SLOW_CHUNKS pieces

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Parse a spec string; raise ValueError saying which part is wrong."""
        rates: dict[str, float] = {}
        options: dict[str, float] = {}
        robots = None
        for part in filter(None, (p.strip() for p in text.split(","))):
            if part in ROBOTS_KINDS:
                robots = part
            elif "=" in part:
                name, _, value = part.partition("=")
                if name not in ("first", "seed", "retry-after", "hang", "slow"):
                    raise ValueError(f"unknown fault option {name!r}")
                options[name] = _number(value, part)
            else:
                kind, _, rate = part.partition(":")
                if kind not in KINDS and not re.fullmatch(r"[45]\d\d", kind):
                    raise ValueError(f"unknown fault kind {kind!r} (kinds: {', '.join(KINDS)})")
                rates[kind] = _number(rate, part)
                if not 0 <= rates[kind] <= 1:
                    raise ValueError(f"{part!r}: probability must be between 0 and 1")
        if sum(rates.values()) > 1 + 1e-9:
            raise ValueError("fault probabilities add up to more than 1")
        return cls(
            rates=rates,
            robots=robots,
            first=int(options["first"]) if "first" in options else None,
            seed=int(options.get("seed", 0)),
            retry_after=options.get("retry-after", 1.0),
            hang=options.get("hang", 3600.0),
            slow=options.get("slow", 1.0),
        )


def _number(value: str, part: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{part!r}: {value!r} is not a number") from None


class FaultInjector:
    """Decides, per request, which fault (if any) to inject, and counts what it injected."""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.seen: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()

    def choose(self, target: str) -> str | None:
        self.seen[target] += 1
        if target == "/robots.txt":
            kind = self.spec.robots
        elif self.spec.first is not None and self.seen[target] > self.spec.first:
            kind = None
        else:
            kind = self._draw(target, self.seen[target])
        if kind is not None:
            self.injected[kind] += 1
        return kind

    def _draw(self, target: str, count: int) -> str | None:
        digest = hashlib.blake2b(f"{self.spec.seed}|{target}|{count}".encode(), digest_size=8)
        roll = int.from_bytes(digest.digest(), "big") / 2**64
        for kind, rate in self.spec.rates.items():
            if roll < rate:
                return kind
            roll -= rate
        return None


def fault_status(kind: str, response: Response) -> int:
    """The status the client sees for `kind` (0: none, the connection breaks first)."""
    if kind in ("reset", "hang", "robots-timeout"):
        return 0
    if kind in ("truncate", "slow", "cp1251"):
        return response.status
    if kind in ("redirect-loop", "offsite-redirect"):
        return 302
    if kind == "robots-500":
        return 500
    return int(kind) if kind.isdigit() else 200


async def write_fault(
    kind: str,
    spec: FaultSpec,
    writer: asyncio.StreamWriter,
    response: Response,
    *,
    method: str,
    target: str,
    base_url: str,
    keep_alive: bool,
) -> bool:
    """Write `kind` instead of `response`; return whether the connection stays open."""
    if kind in ("reset", "hang", "robots-timeout"):
        if kind != "reset":
            await asyncio.sleep(spec.hang)
        _reset(writer)
        return False
    if kind == "truncate":
        writer.write(response.head(keep_alive=False) + response.body[: len(response.body) // 2])
        await writer.drain()
        return False
    if kind == "slow":
        return await _slow(writer, response, spec.slow, keep_alive)
    if kind == "bigbody":
        return await _big_body(writer, response)
    faulty = _replacement(kind, spec, response, target, base_url)
    head = faulty.head(keep_alive=keep_alive)
    writer.write(head if method == "HEAD" else head + faulty.body)
    await writer.drain()
    return keep_alive


def _replacement(kind: str, spec: FaultSpec, response: Response, target: str, base_url: str) -> Response:
    """The whole (wrong) response of a fault that is one ordinary response."""
    if kind == "robots-500":
        return error_page(500)
    if kind == "empty":
        return html_response(b"")
    if kind == "redirect-loop":
        return Response(302, b"", {"Location": base_url + target})
    if kind == "offsite-redirect":
        return Response(302, b"", {"Location": OFFSITE + target})
    if kind == "wrong-type":
        return Response(
            200,
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n",
            {"Content-Type": "application/pdf"},
        )
    if kind == "gzipbomb":
        return html_response(gzip_bomb(), {"Content-Encoding": "gzip"})
    if kind == "cp1251":
        return _cp1251(response)
    status = int(kind)
    faulty = error_page(status)
    if status in (429, 503):
        faulty.headers["Retry-After"] = _retry_after(spec, target)
    return faulty


def _retry_after(spec: FaultSpec, target: str) -> str:
    """Seconds or an HTTP-date, alternating by URL so a run meets both forms."""
    if hashlib.blake2b(target.encode(), digest_size=1).digest()[0] % 2:
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=spec.retry_after)
        return http_date(when)
    return f"{spec.retry_after:g}"


def _cp1251(response: Response) -> Response:
    """The page re-encoded as windows-1251 with no charset declared anywhere (issue #4)."""
    if response.status != 200 or response.headers.get("Content-Type") != HTML:
        return response  # only UTF-8 HTML is re-encoded; a legacy-encoded fixture stays as it is
    text = response.body.decode("utf-8", errors="replace")
    text = re.sub(r'<meta charset="[^"]*">\n?', "", text, count=1)
    headers = {**response.headers, "Content-Type": "text/html"}
    return Response(200, text.encode("cp1251", errors="xmlcharrefreplace"), headers)


@functools.cache
def gzip_bomb() -> bytes:
    """~64 KB of gzip that inflates to BOMB_BYTES of an HTML page full of spaces (built once)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b"<!DOCTYPE html><html><body><p>")]
    block = b" " * (1024 * 1024)
    parts += [packer.compress(block) for _ in range(BOMB_BYTES // len(block))]
    parts.append(packer.compress(b"</p></body></html>") + packer.flush())
    return b"".join(parts)


async def _slow(writer: asyncio.StreamWriter, response: Response, seconds: float, keep_alive: bool) -> bool:
    """The right response, trickled: headers at once, the body in pieces over `seconds`."""
    writer.write(response.head(keep_alive=keep_alive))
    step = max(1, -(-len(response.body) // SLOW_CHUNKS))
    for start in range(0, len(response.body), step):
        await asyncio.sleep(seconds / SLOW_CHUNKS)
        writer.write(response.body[start : start + step])
        await writer.drain()
    return keep_alive


async def _big_body(writer: asyncio.StreamWriter, response: Response) -> bool:
    """A chunked body of BIG_BODY_BYTES with no Content-Length: only a streaming cap stops it."""
    big = Response(200, b"", {"Content-Type": response.headers.get("Content-Type", "text/html")})
    big.chunked = True
    writer.write(big.head(keep_alive=False))
    filler = b"<!-- " + b"x" * (CHUNK - 10) + b" -->"
    try:
        for _ in range(BIG_BODY_BYTES // len(filler)):
            writer.write(f"{len(filler):x}\r\n".encode() + filler + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except ConnectionError:  # the client gave up at its size cap, as it should
        pass
    return False


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed server or middlebox does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
