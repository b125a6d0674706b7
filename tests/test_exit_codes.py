"""How a crawl's stats map to the exit code cron sees."""

from __future__ import annotations

import pytest

from osce_scrape.exit_codes import (
    DRIFT_MIN_PAGES,
    EXIT_DRIFT,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_ROBOTS,
    EXIT_UNREACHABLE,
    crawl_exit_code,
)
from osce_scrape.harvest_stats import RunStats


@pytest.mark.parametrize(
    ("stats", "code"),
    [
        (RunStats(fetched=50, new=50), EXIT_OK),
        (RunStats(fetched=50, rejected=1), EXIT_INCOMPLETE),
        (RunStats(fetched=50, errors={"NetworkError": 1}), EXIT_INCOMPLETE),
        (RunStats(fetched=50, rejected=10), EXIT_INCOMPLETE),  # 20%: not more than the threshold
        (RunStats(fetched=50, rejected=11), EXIT_DRIFT),
        (RunStats(fetched=DRIFT_MIN_PAGES - 1, rejected=DRIFT_MIN_PAGES - 1), EXIT_INCOMPLETE),  # too few
        (RunStats(stopped="unreachable", errors={"NetworkError": 10}), EXIT_UNREACHABLE),
        (RunStats(robots_forbidden=True, disallowed=1), EXIT_ROBOTS),
        (RunStats(stopped="interrupted", fetched=50, rejected=40), EXIT_INTERRUPTED),
    ],
)
def test_exit_code(stats: RunStats, code: int) -> None:
    """Interrupted > robots > unreachable > drift > incomplete > ok."""
    assert crawl_exit_code(stats) == code


def test_drift_threshold_is_configurable() -> None:
    """The same run is drift at 0.2 and merely incomplete at 0.5."""
    stats = RunStats(fetched=20, rejected=6)
    assert (crawl_exit_code(stats, 0.2), crawl_exit_code(stats, 0.5)) == (EXIT_DRIFT, EXIT_INCOMPLETE)
