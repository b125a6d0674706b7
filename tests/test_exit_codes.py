"""How a crawl's stats map to the exit code cron sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from osce_scrape.cli import exit_codes
from osce_scrape.cli.exit_codes import (
    DRIFT_MIN_PAGES,
    EXIT_DEADLINE,
    EXIT_DRIFT,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_ROBOTS,
    EXIT_UNREACHABLE,
    crawl_exit_code,
)
from osce_scrape.harvest.stats import RunStats


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
        (RunStats(listing_drift=1, errors={"DiscoveryError": 1}), EXIT_DRIFT),  # one empty listing page
        (RunStats(stopped="deadline", fetched=50, new=50), EXIT_DEADLINE),
        (RunStats(stopped="deadline", fetched=50, rejected=1), EXIT_DEADLINE),
        (RunStats(stopped="deadline", listing_drift=1), EXIT_DRIFT),
        (RunStats(stopped="interrupted", listing_drift=1), EXIT_INTERRUPTED),
    ],
)
def test_exit_code(stats: RunStats, code: int) -> None:
    """Interrupted > robots > unreachable > drift (rejects or an empty listing page) > deadline >
    incomplete > ok."""
    assert crawl_exit_code(stats) == code


def test_drift_threshold_is_configurable() -> None:
    """The same run is drift at 0.2 and merely incomplete at 0.5."""
    stats = RunStats(fetched=20, rejected=6)
    assert (crawl_exit_code(stats, 0.2), crawl_exit_code(stats, 0.5)) == (EXIT_DRIFT, EXIT_INCOMPLETE)


def _table(text: str) -> dict[str, str]:
    return {m[1]: m[2].strip() for m in re.finditer(r"^\| (\d+) \| (.*) \|$", text, re.MULTILINE)}


def test_the_code_and_the_docs_tell_the_same_codes() -> None:
    """exit_codes' table is docs/reliability.md's, each meaning cut short at most (robots.txt with no
    answer is 3, not 4)."""
    ours = _table(exit_codes.__doc__ or "")
    docs = _table((Path(__file__).parent.parent / "docs" / "reliability.md").read_text(encoding="utf-8"))
    assert ours.keys() == docs.keys() == {"0", "1", "2", "3", "4", "5", "6", "7", "8", "130"}
    assert all(docs[code].startswith(meaning) for code, meaning in ours.items()), ours
    assert "no answer" in ours["3"] and "could not be read" not in ours["4"]
