"""One spelling per URL: discovery hands on ASCII URIs only, and one URL per item page.

Links come from pages we do not control: raw Cyrillic paths (an IRI, which warcio cannot write in a request
line), `HTTP://WWW.OSCE.ORG:443/...`, fragments, tracking queries. `normalize_url` gives any of them one
ASCII form; `item_url` also folds the variants of an item page (query, trailing slash), so the fetcher,
the WARC, the state's keys and the record all see the same string. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986's reserved and unreserved characters, and "%" (escapes already there stay as they are).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_STRAY_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")
# The site's item pages: /{structure slug}/{node id} or /node/{id}, optionally after a language prefix
# (/ru/...). Their content never depends on a query or a trailing slash, so those are dropped; every
# other path (listings: ?page=N) keeps its query.
ITEM_PATH = re.compile(r"^(?:/[a-z]{2}(?:-[a-z]{2,4})?)?/[^/]+/\d+/?$")
# The site's URLs are under 200 characters; servers refuse request lines past ~8 KB. A longer link is a
# broken or hostile page's: skipped (counted as a bad link), never stored and retried every run.
MAX_URL_LENGTH = 4_096


def normalize_url(url: str) -> str | None:
    """`url` as one ASCII URI, or None when it is no usable http(s) URL (or longer than MAX_URL_LENGTH).

    Non-ASCII (and other unsafe) characters are percent-encoded as UTF-8, escapes are upper-cased, the
    scheme and host lower-cased (an IDN host in punycode), a default port, user info and the fragment
    dropped, an empty path made "/". Other schemes (mailto:, javascript:) come back as they were: they are
    never fetched (not on the crawl's hosts).
    """
    if len(url) > MAX_URL_LENGTH:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # "http://[bad", "host:99999"
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url
    host = _ascii_host(parts.hostname or "")
    if not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _encode(parts.path, _PATH_SAFE) or "/"
    normal = urlunsplit((scheme, netloc, path, _encode(parts.query, _QUERY_SAFE), ""))
    return normal if len(normal) <= MAX_URL_LENGTH else None  # percent-encoding can triple a length


def item_url(url: str) -> str:
    """A normalised URL with, when its path is an item page's, no query and no trailing slash."""
    parts = urlsplit(url)
    if not ITEM_PATH.match(parts.path):
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _ascii_host(host: str) -> str | None:
    """The host in lower-case ASCII, an IDN in punycode; None when it cannot be one."""
    host = host.rstrip(".").lower()
    if host.isascii():
        return host if _printable(host) else None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or over-long label
        return None


def _encode(text: str, safe: str) -> str:
    text = _STRAY_PERCENT.sub("%25", text)  # a lone "%" would read as the start of an escape
    # surrogatepass: a lone surrogate (broken markup) is encoded like any other character, never raises
    encoded = quote(text, safe=safe, errors="surrogatepass")
    return _ESCAPE.sub(lambda escape: escape[0].upper(), encoded)


def _printable(text: str) -> bool:
    return all(" " < char < "\x7f" for char in text)
