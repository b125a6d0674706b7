"""What one crawl does: the options of `crawl`, as one frozen value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from osce_scrape.harvest.circuit import DEFAULT_THRESHOLD
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.parse import PARSER_VERSION

Discovery = Literal["listing", "sitemap", "rss"]

# After a stop (Ctrl-C, SIGTERM, --max-duration, the circuit breaker) pages in flight get this long to
# finish, then are cancelled: a page at the default pace takes well under a second, while a server
# dripping a byte a second would otherwise hold the stop (and a service manager's timeout) for ever.
STOP_GRACE = 5.0


@dataclass(frozen=True)
class HarvestConfig:
    """What one crawl does; `fetch` carries the base URL, politeness and timeouts."""

    fetch: FetchConfig
    out: Path = Path("output")
    discover: Discovery = "listing"
    since: dt.date | None = None
    max_pages: int | None = None
    recheck_days: int = 30
    languages: tuple[str, ...] = ("en",)
    # 0: parse in a thread, archive in another; N: N spawned worker processes that each parse and write
    # their own WARC (a script calling harvest() then needs the `if __name__ == "__main__":` guard).
    parse_processes: int = 0
    max_failures: int = DEFAULT_THRESHOLD  # circuit breaker: pages failing in a row (0: never stop)
    max_duration: float | None = None  # seconds from the start after which the run stops (None: never)
    stop_grace: float = STOP_GRACE  # seconds pages in flight get to finish after a stop
    # Records made by another version are fetched without validators (re-derived); tests with a fake
    # parser set its version.
    parser_version: str = PARSER_VERSION
    today: dt.date | None = None  # for tests; default: today's UTC date

    @property
    def base_url(self) -> str:
        return self.fetch.base_url.rstrip("/")
