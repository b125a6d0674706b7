"""Tests of politeness: Retry-After, robots.txt policies, the robots cache and the host rate limiter."""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from clockkit import FakeClock
from osce_scrape.harvest.politeness import (
    MAX_PENALTY,
    MAX_ROBOTS_BYTES,
    PENALTY_FLOOR_INTERVAL,
    RECOVERY_SECONDS,
    HostRateLimiter,
    RobotsCache,
    RobotsPolicy,
    host_key,
    is_allowed_host,
    is_live_site,
    parse_retry_after,
    robots_policy_for_status,
    robots_text,
    robots_url,
)

UA = "osce-scrape/0.1.0 (+https://github.com/osce-scrape/osce-scrape)"


@pytest.mark.parametrize(
    ("url", "key", "robots"),
    [
        ("https://www.osce.org/odihr/1?x=1", "https://www.osce.org:443", "https://www.osce.org/robots.txt"),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080", "http://127.0.0.1:8080/robots.txt"),
        ("HTTP://Example.ORG/a", "http://example.org:80", "http://Example.ORG/robots.txt"),
    ],
)
def test_host_key_and_robots_url(url: str, key: str, robots: str) -> None:
    """Hosts are keyed by scheme, host and port; robots.txt sits at the root of the same authority."""
    assert host_key(url) == key
    assert robots_url(url) == robots


def test_retry_after_seconds_and_http_date() -> None:
    """Retry-After reads delay-seconds and HTTP-dates; garbage and the past give None and 0."""
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    in_90s = email.utils.format_datetime(now + timedelta(seconds=90), usegmt=True)
    past = email.utils.format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(in_90s, now) == 90.0
    assert parse_retry_after(past, now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("  ", now) is None


@pytest.mark.parametrize(
    "value", ["²", "١٢", "1²", "Fri, 31 Dec 99999 23:59:59 GMT", "Mon, 32 Jan 2024 00:00:00 GMT"]
)
def test_retry_after_never_raises_on_odd_values(value: str) -> None:
    """Non-ASCII digits and impossible dates are unreadable (None), never a ValueError out of the crawl."""
    assert parse_retry_after(value) is None


def test_retry_after_is_capped_at_the_limit() -> None:
    """Seconds and HTTP-dates beyond `limit` come back as `limit`; shorter ones as they are."""
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("99999999999", now, limit=120) == 120.0
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now, limit=120) == 120.0
    assert parse_retry_after("30", now, limit=120) == 30.0


@pytest.mark.parametrize(
    ("status", "allows", "disallow_all"),
    [(404, True, False), (410, True, False), (401, True, False), (429, False, True),
     (500, False, True), (503, False, True)],
)  # fmt: skip
def test_robots_status_defaults(status: int, allows: bool, disallow_all: bool) -> None:
    """RFC 9309: a 4xx robots.txt means no rules; 5xx (and 429) mean disallow everything."""
    policy = robots_policy_for_status(status, b"")
    assert policy.allows("https://www.osce.org/odihr/1", UA) is allows
    assert policy.disallow_all is disallow_all
    assert str(status) in policy.note


def test_robots_rules_and_crawl_delay_for_our_agent() -> None:
    """Our group is matched by product token; its Disallow and Crawl-delay apply, not the others'."""
    text = b"User-agent: *\nDisallow: /\n\nUser-agent: osce-scrape\nDisallow: /search\nCrawl-delay: 2.5\n"
    policy = robots_policy_for_status(200, text)
    assert policy.allows("https://www.osce.org/odihr/1", UA)
    assert not policy.allows("https://www.osce.org/search?q=x", UA)
    assert not policy.allows("https://www.osce.org/odihr/1", "OtherBot/1.0")
    assert policy.crawl_delay(UA) == 2.5
    assert RobotsPolicy.allow_all("x").crawl_delay(UA) == 0.0


def test_robots_cache_loads_each_host_once_under_concurrency() -> None:
    """Twenty concurrent lookups on two hosts load exactly two robots.txt files."""
    loaded: list[str] = []

    async def load(url: str) -> RobotsPolicy:
        loaded.append(url)
        await asyncio.sleep(0.001)
        return RobotsPolicy.from_text("User-agent: *\nDisallow: /private\n")

    async def main() -> list[RobotsPolicy]:
        cache = RobotsCache(load)
        urls = [f"http://a.test/{i}" for i in range(10)] + [f"http://b.test/{i}" for i in range(10)]
        return await asyncio.gather(*(cache.policy_for(u) for u in urls))

    policies = asyncio.run(main())
    assert sorted(loaded) == ["http://a.test/robots.txt", "http://b.test/robots.txt"]
    assert len({id(p) for p in policies}) == 2


def test_limiter_spaces_requests_by_rate() -> None:
    """At rate 4/s, five acquisitions happen exactly 0.25 s apart, the first at once."""
    clock = FakeClock()
    limiter = HostRateLimiter(4.0, clock=clock, sleep=clock.sleep)

    async def main() -> list[float]:
        times = []
        for _ in range(5):
            await limiter.acquire()
            times.append(clock.now)
        return times

    times = asyncio.run(main())
    assert [round(b - a, 9) for a, b in itertools.pairwise(times)] == [0.25] * 4
    assert times[0] == 1000.0


def test_limiter_crawl_delay_wins_when_slower() -> None:
    """interval = max(1/rate, Crawl-delay): a 3 s crawl delay beats rate 1, not the other way."""
    limiter = HostRateLimiter(1.0, clock=FakeClock())
    limiter.set_crawl_delay(3.0)
    assert limiter.interval == 3.0
    limiter.set_crawl_delay(0.2)
    assert limiter.interval == 1.0


def test_limiter_unlimited_never_sleeps() -> None:
    """rate=0 means unlimited: a hundred acquisitions never sleep."""
    clock = FakeClock()
    limiter = HostRateLimiter(0.0, clock=clock, sleep=clock.sleep)

    async def main() -> None:
        for _ in range(100):
            await limiter.acquire()

    asyncio.run(main())
    assert clock.sleeps == []


def test_limiter_concurrent_tasks_stay_spaced() -> None:
    """Ten tasks racing for one host still leave one per interval, in order."""
    clock = FakeClock()
    limiter = HostRateLimiter(2.0, clock=clock, sleep=clock.sleep)
    times: list[float] = []

    async def task() -> None:
        await limiter.acquire()
        times.append(clock.now)

    async def main() -> None:
        await asyncio.gather(*(task() for _ in range(10)))

    asyncio.run(main())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 10
    assert min(gaps) >= 0.5 - 1e-9


def test_429_halves_rate_then_recovers() -> None:
    """Each 429 doubles the interval (capped); every quiet RECOVERY_SECONDS halve it back to normal."""
    clock = FakeClock()
    limiter = HostRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    limiter.slow_down()
    assert limiter.interval == 2.0
    limiter.slow_down()
    assert limiter.interval == 4.0
    clock.now += RECOVERY_SECONDS
    assert limiter.interval == 2.0
    clock.now += 2 * RECOVERY_SECONDS
    assert limiter.interval == 1.0
    for _ in range(20):
        limiter.slow_down()
    assert limiter.penalty == MAX_PENALTY


def test_429_slows_an_unlimited_host_too() -> None:
    """With rate 0 a 429 still imposes a pace, from the floor interval."""
    limiter = HostRateLimiter(0.0, clock=FakeClock())
    assert limiter.interval == 0.0
    limiter.slow_down()
    assert limiter.interval == PENALTY_FLOOR_INTERVAL * 2


def test_retry_after_pauses_the_host() -> None:
    """A Retry-After of 10 s holds the host's next request until 10 s have passed."""
    clock = FakeClock()
    limiter = HostRateLimiter(0.0, clock=clock, sleep=clock.sleep)

    async def main() -> float:
        await limiter.acquire()
        limiter.pause(10.0)
        await limiter.acquire()
        return clock.now

    assert asyncio.run(main()) == 1010.0


BASE = "https://www.osce.org"


@pytest.mark.parametrize(
    ("url", "base", "allowed"),
    [
        ("https://www.osce.org/cio/1", BASE, True),
        ("https://odihr.osce.org/odihr/2", BASE, True),
        ("http://osce.org/x", BASE, True),
        ("https://evilosce.org/x", BASE, False),
        ("https://osce.org.evil.com/x", BASE, False),
        ("mailto:press@osce.org", BASE, False),
        ("ftp://www.osce.org/file", BASE, False),
        ("http://127.0.0.1:8000/a/1", "http://127.0.0.1:8000", True),
        ("http://127.0.0.1:8001/a/1", "http://127.0.0.1:8000", False),
        ("http://localhost:8000/a/1", "http://127.0.0.1:8000", False),
        ("https://www.osce.org/a/1", "http://127.0.0.1:8000", False),
        ("http://example.com/a", "http://example.com:80", True),
        ("http://127.0.0.1:99999/a", "http://127.0.0.1:8000", False),
        ("http://[bad/a", BASE, False),
        ("https://www.osce.org/a", "http://[bad", False),
    ],
)
def test_is_allowed_host(url: str, base: str, allowed: bool) -> None:
    """Live site: osce.org and its subdomains only; other bases: exactly the same host and port."""
    assert is_allowed_host(url, base) is allowed


@pytest.mark.parametrize(
    ("url", "live"),
    [
        ("https://www.osce.org", True),
        ("https://odihr.osce.org", True),
        ("http://127.0.0.1:1", False),
        ("https://notosce.org", False),
        ("http://[bad", False),
    ],
)
def test_is_live_site(url: str, live: bool) -> None:
    """osce.org and its subdomains are the live site; look-alike domains are not."""
    assert is_live_site(url) is live


# --- robots.txt decoding (issue 9, finding 7) ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        codecs.BOM_UTF8 + b"User-agent: *\nDisallow: /\n",
        codecs.BOM_UTF8 + codecs.BOM_UTF8 + b"User-agent: *\r\nDisallow: /\r\n",
        codecs.BOM_UTF16_LE + "User-agent: *\nDisallow: /\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "User-agent: *\nDisallow: /\n".encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "two-boms-crlf", "utf-16-le", "utf-16-be"],
)
def test_robots_after_a_bom_is_obeyed(body: bytes) -> None:
    """A byte-order mark before the first rule is not part of it: `Disallow: /` still disallows."""
    policy = robots_policy_for_status(200, body)
    assert not policy.allows("https://www.osce.org/secretariat/1", "osce-scrape")


def test_robots_beyond_512_kib_is_ignored_at_a_line_end() -> None:
    """Only the first 512 KiB are read (RFC 9309 2.5), cut at a line end: rules before count, after not."""
    filler = b"# " + b"x" * 1000 + b"\n"
    body = b"User-agent: *\nDisallow: /early\n" + filler * 600 + b"Disallow: /late\n"
    text = robots_text(body)
    assert len(text.encode()) <= MAX_ROBOTS_BYTES and text.endswith("\n")
    policy = robots_policy_for_status(200, body)
    assert not policy.allows("https://www.osce.org/early", "osce-scrape")
    assert policy.allows("https://www.osce.org/late", "osce-scrape")
