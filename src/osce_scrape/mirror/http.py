"""Small HTTP/1.1 pieces shared by the mirror's site model, server and fault injection."""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass, field
from http import HTTPStatus

HTML = "text/html; charset=utf-8"


@dataclass
class Response:
    """A response before it is written: status, headers (without framing ones) and body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # bodies streamed without a length (the "bigbody" fault)

    def head(self, *, keep_alive: bool, content_length: int | None = None) -> bytes:
        """Status line and headers, with Content-Length (or chunked framing when it is None)."""
        try:
            reason = HTTPStatus(self.status).phrase
        except ValueError:
            reason = ""
        lines = [f"HTTP/1.1 {self.status} {reason}", "Server: osce-mirror"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        length = len(self.body) if content_length is None and not self.chunked else content_length
        lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
        lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def http_date(when: dt.datetime) -> str:
    """RFC 9110 IMF-fixdate, as Last-Modified and Retry-After use."""
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


def parse_http_date(text: str) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def not_modified(headers: dict[str, str], etag: str, modified: dt.datetime) -> bool:
    """Is the client's copy current? If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)."""
    if (match := headers.get("if-none-match")) is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags
    if (since := headers.get("if-modified-since")) is not None:
        client = parse_http_date(since)
        return client is not None and modified.replace(microsecond=0) <= client
    return False


def html_response(body: bytes, headers: dict[str, str] | None = None, status: int = 200) -> Response:
    return Response(status, body, {"Content-Type": HTML, **(headers or {})})


def error_page(status: int) -> Response:
    phrase = HTTPStatus(status).phrase
    body = f"<!DOCTYPE html><html><head><title>{phrase} | OSCE</title></head><body><h1>{phrase}</h1>"
    return html_response((body + "</body></html>").encode(), status=status)
