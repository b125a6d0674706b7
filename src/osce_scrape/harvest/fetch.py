"""URL -> response bytes, politely: httpx for HTTP, tenacity for retries, `politeness` for pacing.

Knows HTTP, never HTML. Every request passes the same gate: allowed host, robots.txt, the host's
rate limiter, the concurrency semaphore. Errors leave as `FetchError` subclasses naming the URL.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType

import httpx
from tenacity import AsyncRetrying, RetryCallState

from osce_scrape.errors import (
    FetchError,
    HostNotAllowed,
    HttpStatusError,
    NetworkError,
    RedirectError,
    RobotsDisallowed,
    RobotsUnavailable,
)
from osce_scrape.harvest.headers import NoCookieJar, location, usable_validator
from osce_scrape.harvest.http_body import detect_encoding, read_capped_body
from osce_scrape.harvest.pausepoints import pause_point
from osce_scrape.harvest.politeness import (
    Clock,
    HostRateLimiter,
    RobotsCache,
    RobotsPolicy,
    Sleep,
    host_key,
    is_allowed_host,
    parse_retry_after,
    robots_policy_for_status,
)
from osce_scrape.harvest.urls import normalize_url

log = logging.getLogger(__name__)

try:
    _VERSION = version("osce-scrape")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0+unknown"
DEFAULT_USER_AGENT = f"osce-scrape/{_VERSION} (+https://github.com/osce-scrape/osce-scrape)"

# Transient by definition: retried here, and counted by the crawl's circuit breaker. Other 4xx are final.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Retried: the connection failed, broke or was too slow. Not retried: our mistakes (bad URL, proxy).
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass
class FetchConfig:
    """How to fetch: where, as whom, how fast, and how hard to try."""

    base_url: str
    user_agent: str = DEFAULT_USER_AGENT
    rate: float = 1.0  # requests per second per host; 0 means unlimited (mirrors only)
    concurrency: int = 4
    connect_timeout: float = 10
    read_timeout: float = 30
    # The whole of one response (headers and body) must arrive within this: the read timeout alone lets a
    # server drip a byte every 29 s for ever.
    response_deadline: float = 60
    max_bytes: int = 10_000_000  # body cap, before and after decompression
    max_attempts: int = 5
    max_retry_seconds: float = 120  # total time budget of one fetch's retries
    respect_robots: bool = True
    max_redirects: int = 5
    backoff_initial: float = 1.0  # first retry waits ~1 s, then 2, 4, ... plus up to this much jitter
    backoff_max: float = 30.0
    max_crawl_delay: float = 60.0  # a robots.txt Crawl-delay above this is capped (with a warning)


@dataclass(frozen=True)
class FetchResult:
    """One fetched URL: the final response after redirects, its body and what was sent."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    encoding: str | None
    fetched_at: datetime
    not_modified: bool
    retries: int
    request_headers: dict[str, str]

    @property
    def validators(self) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) worth storing: each only when it can be sent back (`usable_validator`)."""
        return usable_validator(self.headers.get("etag")), usable_validator(self.headers.get("last-modified"))


@dataclass
class FetchStats:
    """Counters over a Fetcher's life: requests sent (all hops and retries), retries, wire bytes."""

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    not_modified: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def count_error(self, exc: FetchError) -> None:
        kind = type(exc).__name__
        self.errors[kind] = self.errors.get(kind, 0) + 1


class Fetcher:
    """An httpx.AsyncClient that obeys robots.txt, paces each host, retries what is transient.

    `transport` replaces the network (httpx.MockTransport in tests); `clock` and `sleep`, time.
    """

    def __init__(
        self,
        config: FetchConfig,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        self.stats = FetchStats()
        self._clock, self._sleep = clock, sleep
        self._semaphore = asyncio.Semaphore(config.concurrency)
        self._limiters: dict[str, HostRateLimiter] = {}
        self._robots = RobotsCache(self._load_robots)
        limits = httpx.Limits(
            max_connections=config.concurrency, max_keepalive_connections=config.concurrency
        )
        self._client = httpx.AsyncClient(
            transport=transport or httpx.AsyncHTTPTransport(limits=limits, http1=True, http2=False),
            timeout=httpx.Timeout(
                config.read_timeout, connect=config.connect_timeout, pool=None
            ),  # no pool timeout: the semaphore already bounds waiting for a connection
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            cookies=NoCookieJar(),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def limiter(self, url: str) -> HostRateLimiter:
        """The rate limiter of `url`'s host (created on first use)."""
        key = host_key(url)
        if key not in self._limiters:
            self._limiters[key] = HostRateLimiter(self.config.rate, clock=self._clock, sleep=self._sleep)
        return self._limiters[key]

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` (conditionally when given validators); a 304 gives `not_modified=True`."""
        headers = {}
        # Checked here too: a state written before validators were checked may hold unsendable ones.
        if etag := usable_validator(etag):
            headers["If-None-Match"] = etag
        if last_modified := usable_validator(last_modified):
            headers["If-Modified-Since"] = last_modified
        try:
            if not is_allowed_host(url, self.config.base_url):
                raise HostNotAllowed("not on the crawl's hosts", source=url)
            result = await self._with_retries(url, headers, check_robots=self.config.respect_robots)
        except FetchError as exc:
            self.stats.count_error(exc)
            raise
        if result.not_modified:
            self.stats.not_modified += 1
        return result

    async def _with_retries(self, url: str, headers: dict[str, str], *, check_robots: bool) -> FetchResult:
        started = self._clock()

        def out_of_budget(state: RetryCallState) -> bool:
            elapsed = self._clock() - started + state.upcoming_sleep
            # `>=`: a Retry-After capped at the whole budget (the server asked for more) gives up now.
            return state.attempt_number >= self.config.max_attempts or (
                elapsed >= self.config.max_retry_seconds
            )

        def before_sleep(state: RetryCallState) -> None:
            self.stats.retries += 1
            exc = state.outcome.exception() if state.outcome else None
            log.info("retry %d of %s in %.2f s after %s", state.attempt_number, url,
                     state.upcoming_sleep, exc)  # fmt: skip

        retrying = AsyncRetrying(
            retry=_is_retryable_state,
            wait=self._wait,
            stop=out_of_budget,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                result = await self._follow(url, headers, check_robots=check_robots)
                retries = attempt.retry_state.attempt_number - 1
                return _with_retry_count(result, retries)
        raise AssertionError("unreachable: tenacity either returns, retries or re-raises")

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server gave one, else exponential backoff with jitter."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, HttpStatusError) and exc.retry_after is not None:
            return exc.retry_after
        config = self.config
        backoff = min(config.backoff_max, config.backoff_initial * 2.0 ** (state.attempt_number - 1))
        return backoff + random.uniform(0, config.backoff_initial)  # jitter spreads retry storms

    async def _follow(self, url: str, headers: dict[str, str], *, check_robots: bool) -> FetchResult:
        """One attempt: send, and follow redirects within the allowed hosts, without loops."""
        seen = {url}
        current = url
        for _ in range(self.config.max_redirects + 1):
            if check_robots:
                await self._check_robots(current)
            response, content, sent = await self._send(current, headers)
            if response.status_code in REDIRECT_STATUSES and (target_ref := location(response)):
                target = _redirect_target(current, target_ref, source=url)
                if not is_allowed_host(target, self.config.base_url):
                    raise HostNotAllowed(f"redirected off the crawl's hosts to {target}", source=url)
                if target in seen:
                    raise RedirectError(f"redirect loop back to {target}", source=url)
                seen.add(target)
                current = target
                continue
            return self._result(url, current, response, content, sent)
        raise RedirectError(f"more than {self.config.max_redirects} redirects", source=url)

    def _result(
        self,
        url: str,
        final_url: str,
        response: httpx.Response,
        content: bytes,
        sent: dict[str, str],
    ) -> FetchResult:
        status = response.status_code
        if status != 304 and not 200 <= status < 300:
            raise HttpStatusError(status, source=url)  # a 1xx/3xx we cannot follow
        headers = dict(response.headers)
        return FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            headers=headers,
            content=content,
            encoding=detect_encoding(headers.get("content-type"), content),
            fetched_at=datetime.now(UTC),
            not_modified=status == 304,
            retries=0,
            request_headers=sent,
        )

    async def _send(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes, dict[str, str]]:
        """One request under the semaphore and the host's pace; error statuses raise."""
        limiter = self.limiter(url)
        async with self._semaphore:
            await limiter.acquire()
            self.stats.requests += 1
            deadline = self.config.response_deadline
            try:
                async with asyncio.timeout(deadline):
                    request = self._client.build_request("GET", url, headers=headers)
                    response, content, wire_bytes = await self._exchange(request, url, limiter)
            except TimeoutError as exc:  # transient, like httpx's own timeouts: retried
                reason = f"no whole response within the {deadline:g} s deadline"
                raise NetworkError(reason, source=url) from exc
            except _RETRYABLE_TRANSPORT as exc:
                raise NetworkError(f"{type(exc).__name__}: {exc}".rstrip(": "), source=url) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}", source=url) from exc
        self.stats.bytes += wire_bytes
        return response, content, dict(request.headers)

    async def _exchange(
        self, request: httpx.Request, url: str, limiter: HostRateLimiter
    ) -> tuple[httpx.Response, bytes, int]:
        """Send `request`, check the status, read the capped body: (response, body, bytes on the wire)."""
        response = await self._client.send(request, stream=True)
        try:
            _raise_for_status(response, url, limiter, self.config.max_retry_seconds)
            pause_point("fetch-body")  # tests: a kill with the response half received
            content, wire_bytes = await read_capped_body(response, self.config.max_bytes, source=url)
        finally:
            await response.aclose()
        return response, content, wire_bytes

    async def _check_robots(self, url: str) -> None:
        policy = await self._robots.policy_for(url)
        if not policy.allows(url, self.config.user_agent):
            if policy.unreachable:  # the host is down, not unwilling: say so
                raise RobotsUnavailable(policy.note, source=url)
            raise RobotsDisallowed(f"robots.txt disallows it ({policy.note})", source=url)

    async def _load_robots(self, robots_url: str) -> RobotsPolicy:
        """Fetch robots.txt (retried like any page); failures map to RFC 9309's safe defaults."""
        try:
            result = await self._with_retries(robots_url, {}, check_robots=False)
            policy = robots_policy_for_status(result.status, result.content)
        except HttpStatusError as exc:
            policy = robots_policy_for_status(exc.status, b"")
        except FetchError as exc:
            note = f"robots.txt unreachable ({exc.reason}): nothing allowed"
            policy = RobotsPolicy.deny_all(note, unreachable=True)
        delay, cap = policy.crawl_delay(self.config.user_agent), self.config.max_crawl_delay
        if delay > cap:
            log.warning("%s: Crawl-delay %g s is over the %g s cap: waiting %g s between requests",
                        robots_url, delay, cap, cap)  # fmt: skip
            delay = cap
        self.limiter(robots_url).set_crawl_delay(delay)
        return policy


def _raise_for_status(response: httpx.Response, url: str, limiter: HostRateLimiter, limit: float) -> None:
    """Error statuses become HttpStatusError; 429 and 503 also slow or pause the whole host (for at
    most `limit` seconds, the retry budget, whatever the Retry-After says)."""
    status = response.status_code
    if status < 400:
        return
    retry_after = parse_retry_after(response.headers.get("Retry-After"), limit=limit)
    if status == 429:
        limiter.slow_down(retry_after)
    elif status == 503:
        limiter.pause(retry_after)
    raise HttpStatusError(status, source=url, retry_after=retry_after)


def _redirect_target(current: str, ref: str, *, source: str) -> str:
    """The absolute, normalised URL a Location points to; RedirectError when it is no URL."""
    try:
        target = normalize_url(str(httpx.URL(current).join(ref)))
    except (httpx.InvalidURL, ValueError) as exc:
        raise RedirectError(f"unreadable Location {ref[:200]!r} ({exc})", source=source) from exc
    if target is None:
        raise RedirectError(f"unreadable Location {ref[:200]!r}", source=source)
    return target


def is_transient(exc: BaseException | None) -> bool:
    """A failure worth retrying, that says the site (not one page) is in trouble: the network, or a
    429/5xx status. Robots, size caps, redirects and other 4xx are final."""
    if isinstance(exc, NetworkError):
        return True
    return isinstance(exc, HttpStatusError) and exc.status in TRANSIENT_STATUSES


def _is_retryable_state(state: RetryCallState) -> bool:
    """tenacity's view of `is_transient`."""
    return is_transient(state.outcome.exception() if state.outcome else None)


def _with_retry_count(result: FetchResult, retries: int) -> FetchResult:
    return result if retries == 0 else dataclasses.replace(result, retries=retries)
