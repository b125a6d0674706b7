"""Reading a response body safely, and naming its encoding, without ever parsing HTML.

The body is streamed and decompressed here (not by httpx) so the size cap holds after decompression
too: zlib is asked for at most the bytes still allowed, so a gzip bomb costs one cap of memory.
"""

from __future__ import annotations

import zlib

import httpx

from osce_scrape.errors import FetchError, NetworkError, ResponseTooLarge
from osce_scrape.parse.charset import declared_encoding


def detect_encoding(content_type: str | None, body: bytes) -> str | None:
    """The declared encoding: Content-Type charset, else a BOM, else a meta charset, else None."""
    return declared_encoding(body, content_type)


class _Inflater:
    """Decompresses gzip/deflate chunks, never producing more than the caller still allows."""

    def __init__(self, coding: str) -> None:
        # gzip has a gzip header, deflate a zlib one (what servers send): MAX_WBITS | 32 reads both.
        self._zlib = (
            zlib.decompressobj(zlib.MAX_WBITS | 32) if coding in ("gzip", "x-gzip", "deflate") else None
        )
        if coding not in ("", "identity") and self._zlib is None:
            raise FetchError(f"unsupported Content-Encoding {coding!r}")

    def feed(self, chunk: bytes, allowed: int) -> bytes:
        """Up to `allowed + 1` bytes of output: one byte more than allowed means over the cap."""
        if self._zlib is None:
            return chunk
        return self._zlib.decompress(chunk, allowed + 1)

    def finish(self) -> bytes:
        if self._zlib is None:
            return b""
        tail = self._zlib.flush()
        if not self._zlib.eof:
            raise NetworkError("compressed body ended early")
        return tail


async def read_capped_body(response: httpx.Response, cap: int, *, source: str) -> tuple[bytes, int]:
    """Stream the decoded body, aborting beyond `cap` bytes; return it and the bytes on the wire."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise ResponseTooLarge(f"Content-Length {declared} exceeds the {cap}-byte cap", source=source)
    if response.is_stream_consumed:  # built in memory (httpx.MockTransport): httpx decoded it already
        if len(response.content) > cap:
            raise ResponseTooLarge(f"body exceeds the {cap}-byte cap", source=source)
        return response.content, len(response.content)
    try:
        inflater = _Inflater(response.headers.get("Content-Encoding", "").strip().lower())
    except FetchError as exc:
        raise FetchError(exc.reason, source=source) from None
    parts: list[bytes] = []
    size = wire = 0
    try:
        async for chunk in response.aiter_raw():
            wire += len(chunk)
            piece = inflater.feed(chunk, cap - size)
            size += len(piece)
            if size > cap:
                raise ResponseTooLarge(f"body exceeds the {cap}-byte cap", source=source)
            parts.append(piece)
        tail = inflater.finish()
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body: {exc}", source=source) from exc
    except NetworkError as exc:
        raise NetworkError(exc.reason, source=source) from None
    if size + len(tail) > cap:
        raise ResponseTooLarge(f"body exceeds the {cap}-byte cap", source=source)
    parts.append(tail)
    return b"".join(parts), wire
