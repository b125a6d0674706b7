"""Response headers we act on, read defensively: a server may send any bytes in them.

httpx hands header values on as text decoded from whatever arrived (UTF-8 or Latin-1 when not ASCII).
What goes back to the server must be printable ASCII, or httpx refuses to build the request: so an ETag
or Last-Modified is only kept when it could be sent back, and cookies are never kept at all.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import urllib.request

import httpx

# An ETag is a quoted hash (~70 characters), an HTTP-date 29: anything longer is junk, and would be sent
# back with every revalidation.
MAX_VALIDATOR_LENGTH = 256


def usable_validator(value: str | None) -> str | None:
    """An ETag / Last-Modified worth storing and sending back: printable ASCII, at most
    MAX_VALIDATOR_LENGTH characters; None otherwise (the page is then fetched whole: safe, not clever)."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > MAX_VALIDATOR_LENGTH or not all(" " <= char <= "~" for char in value):
        return None
    return value


def location(response: httpx.Response) -> str | None:
    """The Location header as sent: UTF-8 when it is (httpx decodes all of a response's headers as
    Latin-1 once one of them is not UTF-8, which would garble a UTF-8 path), else Latin-1."""
    raw = next((value for name, value in response.headers.raw if name.lower() == b"location"), None)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return raw.decode("latin-1").strip()


class NoCookieJar(http.cookiejar.CookieJar):
    """A cookie jar that never keeps a cookie. The crawl needs none, and a kept one is sent back with
    every request: a non-ASCII one breaks them all, a hundred a response make megabytes of headers."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return

    def extract_cookies(self, response: http.client.HTTPResponse, request: urllib.request.Request) -> None:
        return
