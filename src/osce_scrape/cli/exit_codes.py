"""The crawl's exit codes, for cron and schedulers: each way a run can end has its own number.

| code | meaning (in full: docs/reliability.md) |
|---|---|
| 0 | all fine: every press release became a record, or was unchanged |
| 1 | finished, but press releases were rejected, pages not fetched, ids claimed twice (`rejects.jsonl`) |
| 2 | bad command-line options (nothing was done) |
| 3 | site unreachable: the first document (or robots.txt) got no answer, or the circuit breaker opened |
| 4 | robots.txt forbids the crawl, or answered 429 or 5xx after its retries |
| 5 | another run holds the output folder's lock (the message names its pid) |
| 6 | drift: more than `--drift-threshold` (default 0.2) of the run's fetched pages (10 or more) were |
| 7 | the output folder cannot be written (read-only, disk full); the previous dataset is intact |
| 8 | incomplete: `--max-duration` ran out; what was stored is published, the next run goes on |
| 130 | interrupted (Ctrl-C, SIGTERM); what was stored is safe and the next run goes on |

Drift (6) counts rejected and skipped pages alike (a template change can make press releases look like
other pages); it is also a listing page, sitemap or feed with no entries where entries were expected: the
site's template changed, and the crawl would otherwise end "complete" having found nothing.
"""

from __future__ import annotations

from osce_scrape.harvest.stats import RunStats

EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_ROBOTS = 4
EXIT_LOCKED = 5
EXIT_DRIFT = 6
EXIT_OUTPUT = 7
EXIT_DEADLINE = 8  # --max-duration ran out: an incomplete run, resumed by the next
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention

DEFAULT_DRIFT_THRESHOLD = 0.2
# Below this many fetched pages a share says little (an hourly run may fetch 3 pages, one of them an
# event page): drift is only declared from here on; fewer rejections still give exit 1.
DRIFT_MIN_PAGES = 10


def is_drift(stats: RunStats, threshold: float = DEFAULT_DRIFT_THRESHOLD) -> bool:
    """More than `threshold` of the run's fetched pages were rejected or skipped (with enough pages to
    tell), or a listing page, sitemap or feed had no entries where entries were expected (one is enough:
    discovery is the crawl's only way to new items)."""
    return stats.listing_drift > 0 or (stats.fetched >= DRIFT_MIN_PAGES and stats.reject_share > threshold)


def crawl_exit_code(stats: RunStats, drift_threshold: float = DEFAULT_DRIFT_THRESHOLD) -> int:
    """The code of a run that got to its end (lock and output errors are decided before/around it)."""
    if stats.stopped == "interrupted":
        return EXIT_INTERRUPTED
    if stats.robots_forbidden:
        return EXIT_ROBOTS
    if stats.stopped == "unreachable":
        return EXIT_UNREACHABLE
    if is_drift(stats, drift_threshold):
        return EXIT_DRIFT
    if stats.stopped == "deadline":  # after drift: a routine time limit must not hide a template change
        return EXIT_DEADLINE
    if stats.rejected or stats.failed or stats.conflicts or stats.quarantined:
        return EXIT_INCOMPLETE
    return EXIT_OK
