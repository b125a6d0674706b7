"""A circuit breaker for the crawl: too many pages failing in a row means the site is down.

Each page that fails after all its retries with a transient error (network, 429, 5xx: `fetch.is_transient`,
the rule the fetcher retries by; a 404, robots or a size cap say nothing about the site being up) counts; any
fetch that gets an answer resets the count. At `threshold` failures in a row the breaker opens and
the run stops fetching, publishes what it has, and exits with the "unreachable" code, instead of
spending retries and the site's patience on every remaining page.
"""

from __future__ import annotations

import logging

from osce_scrape.errors import FetchError
from osce_scrape.harvest.fetch import is_transient

log = logging.getLogger(__name__)

# Ten pages in a row, each after its own retries (up to 5 attempts over up to 2 minutes), is minutes
# of a site that does not answer: a real outage, not a bad page.
DEFAULT_THRESHOLD = 10


class CircuitBreaker:
    """Counts consecutive transient failures; `open` once `threshold` is reached (0: never)."""

    def __init__(self, threshold: int = DEFAULT_THRESHOLD) -> None:
        if threshold < 0:
            raise ValueError("threshold must be 0 (off) or more")
        self.threshold = threshold
        self.consecutive = 0
        self.open = False

    def success(self) -> None:
        self.consecutive = 0

    def failure(self, exc: FetchError) -> bool:
        """Count `exc` if transient (others reset nothing); return True when this opens the breaker."""
        if not is_transient(exc):
            return False
        self.consecutive += 1
        if self.threshold and self.consecutive >= self.threshold and not self.open:
            self.open = True
            log.error("%d pages failed in a row (last: %s): the site looks unreachable",
                      self.consecutive, exc)  # fmt: skip
            return True
        return False
