"""The project's errors, as one tree.

    OsceScrapeError
    ├── ParseError            a page could not be turned into a valid record
    │   └── NotAPressRelease  the page is something else (listing, event, landing page, error page)
    ├── FetchError            the site could not be fetched (after retries)
    │   ├── RobotsDisallowed  robots.txt forbids the URL
    │   │   └── RobotsUnavailable robots.txt got no answer at all (network): nothing is allowed
    │   ├── HttpStatusError   the server answered with an error status (.status)
    │   ├── NetworkError      connection failed, reset or timed out
    │   ├── ResponseTooLarge  the body (or its decompressed size) exceeds the cap
    │   ├── HostNotAllowed    the URL (or a redirect) leaves the allowed hosts
    │   ├── RedirectError     too many redirects, or a redirect loop
    │   └── UnexpectedContent a 200 that is no HTML page: empty body, wrong Content-Type
    ├── DiscoveryError        a listing, sitemap or feed could not be read (malformed, unsafe XML, too big)
    ├── OutputLocked          another run holds the output folder's lock
    ├── OutputError           the output folder cannot be written (read-only, disk full)
    └── DatasetError          a dataset file could not be read, exported or described

Every error names what it is about (a URL or a path) so a message is useful on its own.
"""

from __future__ import annotations


class OsceScrapeError(Exception):
    """Base class of every error this package raises on purpose."""

    def __init__(self, reason: str, *, source: str | None = None) -> None:
        self.reason = reason
        self.source = source
        super().__init__(f"{source}: {reason}" if source else reason)


class ParseError(OsceScrapeError):
    """A page could not be turned into a valid press-release record."""


class NotAPressRelease(ParseError):
    """The page is not a press release: a listing, an event, a landing page, an error page."""


class FetchError(OsceScrapeError):
    """A URL could not be fetched, after the retries it was due."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching the URL."""


class RobotsUnavailable(RobotsDisallowed):
    """robots.txt could not be fetched at all (network error): RFC 9309 says allow nothing."""


class HttpStatusError(FetchError):
    """The server answered with an error status; `retry_after` is its Retry-After in seconds, if any."""

    def __init__(self, status: int, *, source: str | None = None, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}", source=source)


class NetworkError(FetchError):
    """The connection failed, was reset, or timed out."""


class ResponseTooLarge(FetchError):
    """The response body, or its decompressed size, exceeds the configured cap."""


class HostNotAllowed(FetchError):
    """The URL, or a redirect's target, is on a host the crawl must not visit."""


class RedirectError(FetchError):
    """Too many redirects, or a redirect loop."""


class UnexpectedContent(FetchError):
    """A 200 response that is not an HTML page (empty body, wrong Content-Type): retried next run."""


class DiscoveryError(OsceScrapeError):
    """A listing page, sitemap or feed could not be read: malformed, unsafe XML, or too big."""


class OutputLocked(OsceScrapeError):
    """Another run holds the output folder's lock."""


class OutputError(OsceScrapeError):
    """The output folder cannot be written: read-only, disk full, no permission."""


class DatasetError(OsceScrapeError):
    """A dataset file could not be read (bad line, unknown format) or written in the format asked."""
