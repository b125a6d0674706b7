"""Being a polite client: which hosts we may visit, robots.txt, and a per-host rate limiter.

Nothing here sends a request: the fetcher hands robots.txt outcomes in and asks leave to send.
The host policy (`is_allowed_host`, `is_live_site`) is used by the fetcher, the crawl's discovery
and the CLI's option checks alike.
Time comes from an injectable clock and sleep so tests can run a minute of pacing in a millisecond.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import SplitResult, urlsplit

from protego import Protego

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_DEFAULT_PORTS = {"http": 80, "https": 443}
LIVE_SITE_DOMAIN = "osce.org"  # the live site: www.osce.org and subdomains such as odihr.osce.org

# A 429 doubles the host's interval; each quiet RECOVERY_SECONDS halve it again, back to normal.
# 30 s is long enough for a throttling server's window (usually 1 min) to pass in two steps.
RECOVERY_SECONDS = 30.0
MAX_PENALTY = 64.0  # never slower than 1/64 of the configured rate: the crawl must still end
# With rate 0 (unlimited) a 429 still needs a pace to halve: start from 10 requests/s.
PENALTY_FLOOR_INTERVAL = 0.1
# RFC 9309 2.5: a crawler must parse at least 500 KiB of robots.txt, and may ignore the rest.
MAX_ROBOTS_BYTES = 512 * 1024
_ROBOTS_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _host(parts: SplitResult) -> str:
    return (parts.hostname or "").rstrip(".").lower()


def _on_live_site(host: str) -> bool:
    return host == LIVE_SITE_DOMAIN or host.endswith("." + LIVE_SITE_DOMAIN)


def is_live_site(base_url: str) -> bool:
    """Is `base_url` the OSCE's own site (osce.org or a subdomain), not a mirror?"""
    try:
        return _on_live_site(_host(urlsplit(base_url)))
    except ValueError:  # "http://[bad": no host at all
        return False


def is_allowed_host(url: str, base_url: str) -> bool:
    """May the crawl follow `url`? Live site: osce.org + subdomains; other bases: same host:port."""
    try:
        target, base = urlsplit(url), urlsplit(base_url)
    except ValueError:  # "http://[bad": no URL, no host to allow
        return False
    if target.scheme not in ("http", "https") or not target.hostname:
        return False
    if _on_live_site(_host(base)):
        return _on_live_site(_host(target))
    return _host(target) == _host(base) and _port(target) == _port(base)


def _port(parts: SplitResult) -> int | None:
    try:
        port = parts.port
    except ValueError:  # a malformed port ("host:99999", "host:x") matches nothing
        return None
    return port if port is not None else _DEFAULT_PORTS.get(parts.scheme)


def host_key(url: str) -> str:
    """`scheme://host:port`, the unit robots.txt and the rate limit apply to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:  # a malformed port: its own (unusable) key
        port = 0
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def robots_url(url: str) -> str:
    """The robots.txt governing `url` (RFC 9309: at the root of the same scheme and authority)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def parse_retry_after(
    value: str | None, now: datetime | None = None, *, limit: float = math.inf
) -> float | None:
    """Seconds to wait from a Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3), at most
    `limit` (a server asking for years must not stall the crawl); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # str.isdigit() also says yes to "²", which float() refuses
        return min(float(text), limit)
    try:
        when = email.utils.parsedate_to_datetime(text)
        if when.tzinfo is None:  # HTTP-dates are GMT by definition
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    except (TypeError, ValueError, OverflowError):
        log.debug("ignoring unparseable Retry-After %r", value)
        return None
    return min(max(0.0, seconds), limit)


@dataclass(frozen=True)
class RobotsPolicy:
    """One host's robots.txt rules, or the fallback chosen when it could not be read."""

    rules: Protego | None
    disallow_all: bool = False
    note: str = "robots.txt parsed"
    unreachable: bool = False  # no answer at all (network): the host is down, not unwilling

    @classmethod
    def from_text(cls, text: str) -> RobotsPolicy:
        return cls(Protego.parse(text))

    @classmethod
    def allow_all(cls, note: str) -> RobotsPolicy:
        return cls(None, note=note)

    @classmethod
    def deny_all(cls, note: str, *, unreachable: bool = False) -> RobotsPolicy:
        return cls(None, disallow_all=True, note=note, unreachable=unreachable)

    def allows(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.rules is None or bool(self.rules.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float:
        if self.rules is None:
            return 0.0
        delay = self.rules.crawl_delay(user_agent)
        return float(delay) if delay is not None and math.isfinite(delay) and delay > 0 else 0.0


def robots_policy_for_status(status: int, body: bytes) -> RobotsPolicy:
    """RFC 9309 2.3.1: 2xx -> parse it; 4xx -> no rules (allow all); else -> disallow all."""
    if 200 <= status < 300:
        return RobotsPolicy.from_text(robots_text(body))
    if 400 <= status < 500 and status != 429:
        return RobotsPolicy.allow_all(f"robots.txt answered {status}: no rules, everything allowed")
    return RobotsPolicy.deny_all(f"robots.txt answered {status}: unreachable, nothing allowed this run")


def robots_text(body: bytes) -> str:
    """robots.txt as text: UTF-8 (RFC 9309), or UTF-16 after its BOM, without the byte-order mark (before
    protego, which would read "\ufeffUser-agent" as no rule at all and allow everything), cut to
    MAX_ROBOTS_BYTES at a line end."""
    if len(body) > MAX_ROBOTS_BYTES:
        body = body[: body.rfind(b"\n", 0, MAX_ROBOTS_BYTES) + 1]
    for bom, codec in _ROBOTS_BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace").lstrip("\ufeff")
    return body.decode("utf-8", errors="replace")


class RobotsCache:
    """Fetches each host's robots.txt once (even under concurrency) and keeps it for the run."""

    def __init__(self, load: Callable[[str], Awaitable[RobotsPolicy]]) -> None:
        self._load = load
        self._policies: dict[str, RobotsPolicy] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def policy_for(self, url: str) -> RobotsPolicy:
        key = host_key(url)
        if key in self._policies:
            return self._policies[key]
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key not in self._policies:  # another task may have loaded it while we waited
                policy = await self._load(robots_url(url))
                # An unreachable host is the run's verdict (exit 3), said once by whoever runs it.
                level = logging.WARNING if policy.disallow_all and not policy.unreachable else logging.INFO
                log.log(level, "%s: %s", robots_url(url), policy.note)
                self._policies[key] = policy
        return self._policies[key]


class HostRateLimiter:
    """Spaces one host's requests at least `interval` apart; a 429 slows the host down for a while.

    interval = max(1/rate, Crawl-delay) x penalty, where each 429 doubles the penalty (halves the
    rate) and every quiet RECOVERY_SECONDS halve it again. A Retry-After pauses the host till then.
    """

    def __init__(self, rate: float, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep):
        self._rate_interval = 1.0 / rate if rate > 0 else 0.0
        self._crawl_delay = 0.0
        self._clock, self._sleep = clock, sleep
        self._penalty = 1.0
        self._penalty_since = 0.0
        self._paused_until = -math.inf
        self._last: float | None = None
        self._lock = asyncio.Lock()

    def set_crawl_delay(self, seconds: float) -> None:
        self._crawl_delay = max(0.0, seconds)

    @property
    def penalty(self) -> float:
        """The current slowdown factor (1 = the configured pace)."""
        now = self._clock()
        if self._penalty > 1.0:
            steps = int((now - self._penalty_since) // RECOVERY_SECONDS)
            if steps > 0:
                self._penalty = max(1.0, self._penalty / 2**steps)
                self._penalty_since += steps * RECOVERY_SECONDS
        return self._penalty

    @property
    def interval(self) -> float:
        """Seconds between two requests to this host, now."""
        base = max(self._rate_interval, self._crawl_delay)
        penalty = self.penalty
        return base if penalty == 1.0 else max(base, PENALTY_FLOOR_INTERVAL) * penalty

    def slow_down(self, retry_after: float | None = None) -> None:
        """The host said 429: halve its rate for a while, and pause it for Retry-After if given."""
        self._penalty = min(MAX_PENALTY, self.penalty * 2.0)
        self._penalty_since = self._clock()
        self.pause(retry_after)
        log.warning("throttled: now %.2f s between requests to this host", self.interval)

    def pause(self, seconds: float | None) -> None:
        """Send nothing to this host for `seconds` (a Retry-After)."""
        if seconds:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def acquire(self) -> None:
        """Wait for this host's next turn; requests leave in FIFO order, `interval` apart."""
        async with self._lock:
            while True:
                now = self._clock()
                due = self._paused_until
                if self._last is not None:
                    due = max(due, self._last + self.interval)
                if due <= now:
                    break
                await self._sleep(due - now)
            self._last = self._clock()
