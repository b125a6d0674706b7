"""The circuit breaker: which failures count, when it opens, what resets it."""

from __future__ import annotations

import pytest

from osce_scrape.errors import HttpStatusError, NetworkError, ResponseTooLarge, RobotsDisallowed
from osce_scrape.harvest.circuit import CircuitBreaker
from osce_scrape.harvest.fetch import TRANSIENT_STATUSES, is_transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (NetworkError("reset"), True),
        (HttpStatusError(503), True),
        (HttpStatusError(429), True),
        (HttpStatusError(404), False),
        (ResponseTooLarge("big"), False),
        (RobotsDisallowed("no"), False),
    ],
)
def test_only_transient_failures_say_the_site_is_down(error: Exception, transient: bool) -> None:
    """Network errors, 429 and 5xx count; a 404, an oversized page or robots.txt say nothing of the site."""
    assert is_transient(error) is transient


def test_the_breaker_counts_what_the_fetcher_retries() -> None:
    """One rule: for every error status, the breaker counts it exactly when the fetcher retries it."""
    for status in range(400, 600):
        breaker = CircuitBreaker(1)
        assert breaker.failure(HttpStatusError(status)) is (status in TRANSIENT_STATUSES), status


def test_opens_at_the_threshold_once_and_a_success_resets_the_count() -> None:
    """Three failures in a row open a breaker of threshold 3, exactly once; a success in between resets."""
    breaker = CircuitBreaker(3)
    assert [breaker.failure(NetworkError("x")) for _ in range(2)] == [False, False]
    breaker.success()
    assert [breaker.failure(HttpStatusError(503)) for _ in range(4)] == [False, False, True, False]
    assert breaker.open and breaker.consecutive == 4


def test_threshold_zero_never_opens() -> None:
    """--max-failures 0 turns the breaker off."""
    breaker = CircuitBreaker(0)
    assert not any(breaker.failure(NetworkError("x")) for _ in range(100)) and not breaker.open
